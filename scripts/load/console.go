package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

const (
	clinicianEmail    = "load-clinician@demo.nhs.example"
	clinicianPassword = "load-clinician-password"
	// riskyText is what each probe texts: urgent (stockpiled medication).
	riskyText = "i have been saving up my tablets to take them all tonight"
)

// addClinician creates the console account the probe signs in as.
func addClinician(bin string) error {
	cmd := exec.Command(bin, "user", "add", "--email", clinicianEmail, "--name", "Load Clinician", "--role", "clinician")
	cmd.Stdin = strings.NewReader(clinicianPassword + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("user add: %v\n%s", err, out)
	}
	return nil
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// consoleSession signs the load clinician in to the console at base and
// opens the queue's live websocket.
func consoleSession(base string) (*websocket.Conn, error) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := client.Get(base + "/console/login")
	if err != nil {
		return nil, err
	}
	m := csrfField.FindStringSubmatch(readAll(resp))
	if m == nil {
		return nil, fmt.Errorf("console sign-in page has no CSRF token")
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/console/login", strings.NewReader(url.Values{
		"csrf_token": {m[1]}, "email": {clinicianEmail}, "password": {clinicianPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err = client.Do(req)
	if err != nil {
		return nil, err
	}
	readAll(resp)
	if resp.Request.URL.Path == "/console/login" {
		return nil, fmt.Errorf("console sign-in failed (status %d)", resp.StatusCode)
	}
	u, _ := url.Parse(base)
	header := http.Header{"Origin": {base}}
	for _, c := range jar.Cookies(u) {
		header.Add("Cookie", c.Name+"="+c.Value)
	}
	conn, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/console/live", header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		return nil, fmt.Errorf("console live websocket: %v (status %d)", err, status)
	}
	return conn, nil
}

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// probeResult is the console latency measured during one load run.
type probeResult struct {
	latencies []time.Duration // sorted
	timeouts  int
}

// probeConsole texts riskyText from one probe sender after another, each a
// person with no case yet, until ctx ends, and measures each time from
// sending the text to its new case arriving on the console's live
// websocket: in the snapshot's first page of the queue, or, once that page
// is full of older urgent cases (the queue is paged, urgent and oldest
// first), in the snapshot's count of unresolved cases.
func probeConsole(ctx context.Context, client *http.Client, base string, probes []*sender) (probeResult, error) {
	conn, err := consoleSession(base)
	if err != nil {
		return probeResult{}, err
	}
	defer conn.Close()
	snapshots := make(chan queueSnapshot, 64)
	go func() {
		defer close(snapshots)
		for {
			var frame struct {
				Type  string `json:"type"`
				Total int    `json:"total"`
				Cases []struct {
					ID int64 `json:"id"`
				} `json:"cases"`
			}
			if err := conn.ReadJSON(&frame); err != nil {
				return
			}
			q := queueSnapshot{total: frame.Total, ids: make([]int64, 0, len(frame.Cases))}
			for _, c := range frame.Cases {
				q.ids = append(q.ids, c.ID)
			}
			snapshots <- q
		}
	}()
	// The first snapshot is the queue as it stands.
	seen := map[int64]bool{}
	var total int
	select {
	case q := <-snapshots:
		for _, id := range q.ids {
			seen[id] = true
		}
		total = q.total
	case <-time.After(5 * time.Second):
		return probeResult{}, fmt.Errorf("no first snapshot from the console")
	}
	var r probeResult
	for i := 0; ctx.Err() == nil && i < len(probes); i++ {
		sent := time.Now()
		errc := make(chan error, 1)
		go func() { errc <- probes[i].postText(client, base, riskyText) }()
		arrived, err := awaitNewCase(snapshots, seen, &total, 5*time.Second)
		if err != nil {
			return r, err
		}
		if arrived.IsZero() {
			r.timeouts++
		} else {
			r.latencies = append(r.latencies, arrived.Sub(sent))
		}
		if err := <-errc; err != nil {
			return r, fmt.Errorf("probe text: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	slices.Sort(r.latencies)
	return r, nil
}

// queueSnapshot is what the probe reads of a live queue frame: the ids of
// the cases on its page and how many cases the queue holds.
type queueSnapshot struct {
	ids   []int64
	total int
}

// awaitNewCase reads snapshots until one holds a case not in seen, or
// counts more cases than *total, and returns when it arrived; the zero
// time when none did within timeout.
func awaitNewCase(snapshots <-chan queueSnapshot, seen map[int64]bool, total *int, timeout time.Duration) (time.Time, error) {
	deadline := time.After(timeout)
	for {
		select {
		case q, ok := <-snapshots:
			if !ok {
				return time.Time{}, fmt.Errorf("console websocket closed")
			}
			arrived := time.Now()
			fresh := q.total > *total
			*total = q.total
			for _, id := range q.ids {
				if !seen[id] {
					seen[id], fresh = true, true
				}
			}
			if fresh {
				return arrived, nil
			}
		case <-deadline:
			return time.Time{}, nil
		}
	}
}
