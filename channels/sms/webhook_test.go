package sms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels/sms/twiliotest"
)

const publicBase = "https://oh.example.nhs.uk"

// recordingRunner is a Runner that remembers what it was given.
type recordingRunner struct {
	mu   sync.Mutex
	got  []ohcontact.Inbound
	fail error
}

func (r *recordingRunner) HandleInbound(_ context.Context, in ohcontact.Inbound) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, in)
	return r.fail
}

func inboundForm() url.Values {
	return url.Values{
		"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "AccountSid": {testAccount},
		"From": {"+447700900001"}, "To": {"+447700900999"}, "Body": {"  Yes please\n"}, "NumMedia": {"0"},
	}
}

// post sends form to the inbound webhook as if Twilio called publicURL,
// signed with token (unsigned when token is empty).
func post(t *testing.T, h http.HandlerFunc, publicURL string, form url.Values, token string) *httptest.ResponseRecorder {
	t.Helper()
	u, _ := url.Parse(publicURL)
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080"+u.RequestURI(), strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if token != "" {
		r.Header.Set("X-Twilio-Signature", Sign(token, publicURL, form))
	}
	w := httptest.NewRecorder()
	h(w, r)
	return w
}

func newWebhooks(runner Runner) *Webhooks {
	return &Webhooks{AuthToken: testToken, PublicBaseURL: publicBase, Runner: runner,
		Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC) }}
}

func TestInboundSignature(t *testing.T) {
	t.Parallel()
	inboundURL := publicBase + "/sms/twilio/inbound"
	tests := []struct {
		name     string
		signURL  string
		token    string           // "" sends no signature
		mutate   func(url.Values) // applied after signing
		wantCode int
	}{
		{name: "valid", signURL: inboundURL, token: testToken, wantCode: 200},
		{name: "valid behind a proxy with a query", signURL: inboundURL + "?org=RX1", token: testToken, wantCode: 200},
		{name: "tampered body", signURL: inboundURL, token: testToken, mutate: func(f url.Values) { f.Set("Body", "STOP") }, wantCode: 403},
		{name: "tampered URL", signURL: "https://attacker.example/sms/twilio/inbound", token: testToken, wantCode: 403},
		{name: "missing header", signURL: inboundURL, wantCode: 403},
		{name: "wrong token", signURL: inboundURL, token: "ffffffffffffffffffffffffffffffff", wantCode: 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runner := &recordingRunner{}
			form := inboundForm()
			sig := ""
			if tt.token != "" {
				sig = Sign(tt.token, tt.signURL, form)
			}
			if tt.mutate != nil {
				tt.mutate(form)
			}
			// The request reaches us on a private address; Twilio signed the public URL.
			path := "/sms/twilio/inbound"
			if u, _ := url.Parse(tt.signURL); u.Host == "oh.example.nhs.uk" {
				path = u.RequestURI()
			}
			r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080"+path, strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if sig != "" {
				r.Header.Set("X-Twilio-Signature", sig)
			}
			w := httptest.NewRecorder()
			newWebhooks(runner).Inbound(w, r)
			if w.Code != tt.wantCode {
				t.Fatalf("status %d, want %d (%s)", w.Code, tt.wantCode, w.Body.String())
			}
			if processed := len(runner.got) > 0; processed != (tt.wantCode == 200) {
				t.Fatalf("runner called = %v with status %d", processed, w.Code)
			}
		})
	}
}

func TestInboundHandsNormalisedMessageToRunner(t *testing.T) {
	t.Parallel()
	runner := &recordingRunner{}
	h := newWebhooks(runner)
	w := post(t, h.Inbound, publicBase+"/sms/twilio/inbound", inboundForm(), testToken)
	if w.Code != 200 || w.Header().Get("Content-Type") != "text/xml; charset=utf-8" || w.Body.String() != emptyTwiML {
		t.Fatalf("response %d %q %q, want 200 with empty TwiML", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	want := ohcontact.Inbound{Channel: ohcontact.ChannelSMS, Address: "+447700900001", Text: "Yes please",
		ExternalID: "SM0123456789abcdef0123456789abcdef", ReceivedAt: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
	if len(runner.got) != 1 || runner.got[0] != want {
		t.Fatalf("runner got %+v, want %+v", runner.got, want)
	}
}

// Twilio's own keywords are marked, as Twilio reads them: the whole
// message, any case; the fake Twilio, a model of its own, agrees on each.
func TestInboundMarksTwilioKeywords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body          string
		optOut, optIn bool
	}{
		{"STOP", true, false}, {" stop\n", true, false}, {"Unsubscribe", true, false}, {"end", true, false},
		{"QUIT", true, false}, {"cancel", true, false}, {"stopall", true, false}, {"REVOKE", true, false}, {"optout", true, false},
		{"START", false, true}, {"yes", false, true}, {"Unstop", false, true},
		{"stop please", false, false}, {"stop texting me", false, false}, {"koniec", false, false}, {"stopio", false, false},
		{"I can't stop worrying", false, false}, {"yes please", false, false}, {"help", false, false},
	}
	srv := twiliotest.New(testAccount, testToken)
	defer srv.Close()
	tw, err := NewTwilio(TwilioConfig{AccountSID: testAccount, AuthToken: testToken, From: "+447700900999", APIBaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		runner := &recordingRunner{}
		form := inboundForm()
		form.Set("Body", tt.body)
		if w := post(t, newWebhooks(runner).Inbound, publicBase+"/sms/twilio/inbound", form, testToken); w.Code != 200 {
			t.Fatalf("%q: %d", tt.body, w.Code)
		}
		if in := runner.got[0]; in.ProviderOptOut != tt.optOut || in.ProviderOptIn != tt.optIn {
			t.Errorf("%q: ProviderOptOut %v, ProviderOptIn %v; want %v, %v", tt.body, in.ProviderOptOut, in.ProviderOptIn, tt.optOut, tt.optIn)
		}
		number := fmt.Sprintf("+4477009%05d", i)
		srv.Receive(number, tt.body)
		_, err := tw.Send(t.Context(), Outgoing{To: number, Body: "hello"})
		var se *SendError
		if blocked := errors.As(err, &se) && se.Code == ErrCodeOptedOut; blocked != tt.optOut {
			t.Errorf("%q: the fake Twilio blocked the number: %v, want %v", tt.body, blocked, tt.optOut)
		}
	}
}

func TestInboundRejectsMalformedForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		mutate   func(url.Values)
		wantCode int
		wantText string
	}{
		{"no MessageSid", func(f url.Values) { f.Del("MessageSid") }, 400, "MessageSid"},
		{"malformed MessageSid", func(f url.Values) { f.Set("MessageSid", "SM'; DROP TABLE messages") }, 400, "MessageSid"},
		{"From not E.164", func(f url.Values) { f.Set("From", "07700900001") }, 400, "From"},
		{"empty body", func(f url.Values) { f.Set("Body", " \x00 ") }, 400, "Body"},
		{"oversized body", func(f url.Values) { f.Set("Body", strings.Repeat("a", 2000)) }, 400, "limit"},
		{"picture without words", func(f url.Values) { f.Set("Body", ""); f.Set("NumMedia", "1") }, 200, ""},
		{"repeated parameter", func(f url.Values) { f.Add("Body", "again") }, 400, "once"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runner := &recordingRunner{}
			form := inboundForm()
			tt.mutate(form)
			w := post(t, newWebhooks(runner).Inbound, publicBase+"/sms/twilio/inbound", form, testToken)
			if w.Code != tt.wantCode || !strings.Contains(w.Body.String(), tt.wantText) {
				t.Fatalf("got %d %q, want %d mentioning %q", w.Code, w.Body.String(), tt.wantCode, tt.wantText)
			}
		})
	}
}

func TestInboundOversizedRequestIsRefused(t *testing.T) {
	t.Parallel()
	runner := &recordingRunner{}
	r := httptest.NewRequest(http.MethodPost, "/sms/twilio/inbound", strings.NewReader("Body="+strings.Repeat("a", maxWebhookBytes+1)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	newWebhooks(runner).Inbound(w, r)
	if w.Code != 400 || len(runner.got) != 0 {
		t.Fatalf("got %d, runner called %d times; want 400 and no processing", w.Code, len(runner.got))
	}
}

func TestInboundRunnerFailureAsksTwilioToRetry(t *testing.T) {
	t.Parallel()
	runner := &recordingRunner{fail: errors.New("database down")}
	w := post(t, newWebhooks(runner).Inbound, publicBase+"/sms/twilio/inbound", inboundForm(), testToken)
	if w.Code != 500 {
		t.Fatalf("got %d, want 500 so Twilio retries", w.Code)
	}
	if body, _ := io.ReadAll(w.Body); strings.Contains(string(body), "database down") {
		t.Fatalf("the response leaks the internal error: %q", body)
	}
}

func FuzzParseInbound(f *testing.F) {
	f.Add("SM0123456789abcdef0123456789abcdef", "+447700900001", "yes", "0")
	f.Add("", "", "", "")
	f.Add("MM0123456789abcdef0123456789abcdef", "+1", "💊\x00", "2")
	f.Fuzz(func(t *testing.T, sid, from, body, media string) {
		form := url.Values{"MessageSid": {sid}, "From": {from}, "Body": {body}, "NumMedia": {media}}
		in, err := parseInbound(form, time.Unix(0, 0))
		if err != nil {
			return
		}
		if in.ExternalID != sid || in.Address != from || in.Text == "" || in.Channel != ohcontact.ChannelSMS {
			t.Fatalf("parseInbound accepted %v as %+v", form, in)
		}
	})
}

// TestRegister checks that Register routes Twilio's two webhooks, POST only,
// each timed under its own path.
func TestRegister(t *testing.T) {
	t.Parallel()
	runner := &recordingRunner{}
	h := newWebhooks(runner)
	var timed []string
	h.Timed = func(route string, next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { timed = append(timed, route); next(w, r) }
	}
	mux := http.NewServeMux()
	h.Register(mux)

	if w := post(t, mux.ServeHTTP, publicBase+"/sms/twilio/inbound", inboundForm(), testToken); w.Code != http.StatusOK || len(runner.got) != 1 {
		t.Fatalf("POST /sms/twilio/inbound: status %d, %d messages to the runner; want 200 and the message", w.Code, len(runner.got))
	}
	// An unsigned status callback reaches Status, which refuses it.
	if w := post(t, mux.ServeHTTP, publicBase+"/sms/twilio/status", url.Values{}, ""); w.Code != http.StatusForbidden {
		t.Errorf("unsigned POST /sms/twilio/status: status %d, want 403 from the webhook", w.Code)
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/sms/twilio/inbound", nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET /sms/twilio/inbound: status %d, want 405", w.Code)
	}
	if want := []string{"/sms/twilio/inbound", "/sms/twilio/status"}; fmt.Sprint(timed) != fmt.Sprint(want) {
		t.Errorf("timed %v, want %v", timed, want)
	}
}
