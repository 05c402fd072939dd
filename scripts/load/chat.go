package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// runChat is `load chat`: it opens N anonymous widget connections to one
// `ohcontact serve --demo`, measures the server's resident memory before and
// after, and, with all of them held open, times round trips: a message sent
// on one connection until its echo comes back (the echo is read from the
// database after the dialog step commits, woken by NOTIFY).
func runChat(args []string) error {
	fs := flag.NewFlagSet("load chat", flag.ExitOnError)
	bin := fs.String("bin", "bin/ohcontact", "the ohcontact binary to load")
	n := fs.Int("connections", 10000, "idle connections to hold")
	probes := fs.Int("probes", 300, "round trips to time with every connection open")
	fs.Parse(args)

	ctx := context.Background()
	_, drop, err := freshDatabase(ctx, *bin)
	if err != nil {
		return err
	}
	defer drop()
	// A capacity test, not an abuse test: every connection comes from
	// loopback, one client, so the per-client limits are lifted.
	base, pid, stop, err := serve(*bin, []string{"serve", "--demo"},
		"WEBCHAT_MAX_CONNECTIONS=100000", "WEBCHAT_NEW_CHATS_PER_HOUR=100000")
	if err != nil {
		return err
	}
	defer stop()
	time.Sleep(2 * time.Second)
	before, err := residentKB(pid)
	if err != nil {
		return err
	}

	conns := make([]*chatConn, *n)
	var mu sync.Mutex
	var dialErr error
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i := range conns {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c, err := dialChat(base)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && dialErr == nil {
				dialErr = fmt.Errorf("connection %d: %w", i, err)
			}
			conns[i] = c
		})
	}
	wg.Wait()
	if dialErr != nil {
		return dialErr
	}
	time.Sleep(3 * time.Second)
	after, err := residentKB(pid)
	if err != nil {
		return err
	}

	var rtts []time.Duration
	for i := range *probes {
		c := conns[(i*7919)%len(conns)]
		start := time.Now()
		if err := c.sendAndWait(fmt.Sprintf("probe%017d", i)); err != nil {
			return err
		}
		rtts = append(rtts, time.Since(start))
	}
	slices.Sort(rtts)
	for _, c := range conns {
		c.ws.Close()
	}
	perConn := float64(after-before) / float64(*n)
	fmt.Fprintf(os.Stderr, "load chat: %d connections: server RSS %d → %d KiB (%.1f KiB each); round trip p50 %v, p99 %v\n",
		*n, before, after, perConn, pct(rtts, 50), pct(rtts, 99))
	fmt.Printf("## Web chat connections (scripts/load chat)\n\n")
	fmt.Printf("%d anonymous widget connections held open on one `ohcontact serve --demo` (each past its hello, with its\n", *n)
	fmt.Printf("reader and writer goroutines and a subscription in the hub); then, with all of them open, %d messages sent\n", *probes)
	fmt.Printf("one at a time on connections spread across them, each timed until its echo arrives (a full dialog step,\n")
	fmt.Printf("committed, then woken by NOTIFY and read back from the database).\n\n")
	fmt.Printf("| connections | server RSS before | server RSS with all open | per idle connection | round trip p50 | round trip p99 |\n")
	fmt.Printf("|---:|---:|---:|---:|---:|---:|\n")
	fmt.Printf("| %d | %d MiB | %d MiB | %.1f KiB | %v | %v |\n\n", *n, before/1024, after/1024, perConn, pct(rtts, 50), pct(rtts, 99))
	return nil
}

// chatConn is one widget connection; its reader hands echoes to sendAndWait.
type chatConn struct {
	ws     *websocket.Conn
	echoes chan string
}

func dialChat(base string) (*chatConn, error) {
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/ws/chat?org=DEMO",
		http.Header{"Origin": {base}})
	if err != nil {
		return nil, err
	}
	if err := ws.WriteJSON(map[string]any{"type": "hello", "after": 0}); err != nil {
		return nil, err
	}
	var ready struct{ Type string }
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	if err := ws.ReadJSON(&ready); err != nil || ready.Type != "ready" {
		return nil, fmt.Errorf("no ready frame (%v)", err)
	}
	ws.SetReadDeadline(time.Time{})
	c := &chatConn{ws: ws, echoes: make(chan string, 16)}
	go c.read()
	return c, nil
}

func (c *chatConn) read() {
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			close(c.echoes)
			return
		}
		var f struct{ Type, ID string }
		if json.Unmarshal(data, &f) == nil && f.Type == "message" && f.ID != "" {
			c.echoes <- f.ID
		}
	}
}

func (c *chatConn) sendAndWait(id string) error {
	if err := c.ws.WriteJSON(map[string]any{"type": "send", "id": id, "text": "hello"}); err != nil {
		return err
	}
	timeout := time.After(30 * time.Second)
	for {
		select {
		case got, ok := <-c.echoes:
			if !ok {
				return io.ErrUnexpectedEOF
			}
			if got == id {
				return nil
			}
		case <-timeout:
			return fmt.Errorf("no echo of %s within 30 s", id)
		}
	}
}

// residentKB reads a process's resident set size from /proc.
func residentKB(pid int) (int, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
		}
	}
	return 0, fmt.Errorf("no VmRSS for process %d", pid)
}
