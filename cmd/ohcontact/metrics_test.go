package main

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// TestMetricsAfterInboundSMS assembles the real service, sends it signed
// inbound texts over HTTP, and scrapes /metrics from this machine (allowed
// by default): the message, step and screen counters have moved, the
// webhook's latency was observed, the delivery jobs show in the SMS
// queue, and the case the risky text opened is counted, with no phone
// number anywhere.
func TestMetricsAfterInboundSMS(t *testing.T) {
	t.Parallel()
	const (
		authToken = "0123456789abcdef0123456789abcdef"
		public    = "https://oh.example.nhs.uk"
		from      = "+447700900555"
	)
	cfg, err := loadConfig(func(k string) string {
		return map[string]string{"DATABASE_URL": "unused", "PUBLIC_BASE_URL": public,
			"TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef", "TWILIO_AUTH_TOKEN": authToken,
			"TWILIO_FROM": "+447700900000"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := assemble(t.Context(), cfg, pgtest.New(t), slog.New(slog.DiscardHandler), false)
	if err != nil {
		t.Fatalf("assemble: %v", err)
	}
	base, _ := startServer(t, s)

	text := func(sid, body string) {
		t.Helper()
		form := url.Values{"MessageSid": {sid}, "From": {from}, "To": {"+447700900000"}, "Body": {body}}
		req, _ := http.NewRequest(http.MethodPost, base+"/sms/twilio/inbound", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", sms.Sign(authToken, public+"/sms/twilio/inbound", form))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("inbound %q = %d, want 200", body, resp.StatusCode)
		}
	}
	text(fmt.Sprintf("SM%032x", 1), "hello")
	text(fmt.Sprintf("SM%032x", 1), "hello") // Twilio's retry: a duplicate
	text(fmt.Sprintf("SM%032x", 2), "honestly i just want to kill myself")

	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics from 127.0.0.1 = %d, want 200", resp.StatusCode)
	}
	scraped := samples(string(body))
	for _, c := range []struct {
		series string
		ok     func(float64) bool
		want   string
	}{
		{`ohcontact_messages_total{channel="sms",direction="inbound"}`, eq(2), "2 (the retry is not counted)"},
		{`ohcontact_messages_total{channel="sms",direction="outbound"}`, atLeast(2), "at least a reply and the crisis contacts"},
		{`ohcontact_risk_screens_total{priority="none"}`, eq(1), "1"},
		{`ohcontact_risk_screens_total{priority="urgent"}`, eq(1), "1"},
		{`ohcontact_dialog_steps_total{flow="support"}`, eq(1), "1 (the risky text is not a step)"},
		{`ohcontact_webhook_duration_seconds_count{route="/sms/twilio/inbound"}`, eq(3), "3"},
		{`ohcontact_job_queue_depth{queue="sms"}`, atLeast(1), "the replies' delivery jobs (nothing works them here)"},
		{`ohcontact_job_queue_depth{queue="sms_crisis"}`, atLeast(1), "the crisis contacts' delivery job, on its own lane"},
		{`ohcontact_job_queue_oldest_seconds{queue="sms"}`, atLeast(0), "present"},
		{`ohcontact_cases_total{event="opened"}`, eq(1), "1"},
		{`ohcontact_cases_total{event="breached"}`, eq(0), "0"},
	} {
		v, ok := scraped[c.series]
		if !ok || !c.ok(v) {
			t.Errorf("%s = %v (present %v), want %s", c.series, v, ok, c.want)
		}
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := scraped[name]; !ok {
			t.Errorf("scrape lacks %s", name)
		}
	}
	if strings.Contains(string(body), from[1:]) || strings.Contains(string(body), "myself") {
		t.Error("a phone number or message text reached /metrics")
	}
}

func eq(want float64) func(float64) bool       { return func(v float64) bool { return v == want } }
func atLeast(least float64) func(float64) bool { return func(v float64) bool { return v >= least } }

// samples reads a Prometheus text exposition into its values by series
// (name{labels}, as written).
func samples(body string) map[string]float64 {
	out := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		i := strings.LastIndexByte(line, ' ')
		if strings.HasPrefix(line, "#") || i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out
}
