// Package sms is the SMS channel: sending through Twilio's REST API (or the
// demo phone simulator), Twilio's inbound and status webhooks, and the
// delivery job that takes a queued outbound message to the phone.
package sms

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	twilio "github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"
)

// Outgoing is one text to send.
type Outgoing struct {
	To   string // E.164
	Body string
	// StatusCallback is the URL Twilio posts delivery updates to.
	StatusCallback string
}

// Accepted is the provider's receipt for a text it has taken on.
type Accepted struct {
	SID    string // Twilio's message SID, "SM…"
	Status string // usually "queued" or "accepted"
}

// SendError is a send the provider refused or that did not complete.
// Permanent errors are recorded against the message and not retried.
type SendError struct {
	Code      int    // Twilio error code, 0 when there is none (timeouts, 5xx without a body)
	HTTP      int    // HTTP status, 0 when the request did not complete
	Permanent bool   // retrying cannot help
	Reason    string // a plain reason for people
}

func (e *SendError) Error() string {
	return fmt.Sprintf("sms send failed (code %d, http %d): %s", e.Code, e.HTTP, e.Reason)
}

// Twilio error codes that get their own plain reason.
const (
	ErrCodeInvalidNumber = 21211 // the 'To' number is not a valid phone number
	ErrCodeOptedOut      = 21610 // the person replied STOP to our number: Twilio refuses to send
	ErrCodeNotMobile     = 21614 // the 'To' number is not a mobile
)

// plainReasons explains the Twilio error codes people meet most.
var plainReasons = map[int]string{
	ErrCodeInvalidNumber: "invalid phone number",
	ErrCodeOptedOut:      "the person has opted out (replied STOP)",
	ErrCodeNotMobile:     "the number is not a mobile",
	21408:                "sending to this country is not enabled",
	21612:                "Twilio cannot route to this number",
	30003:                "the phone is unreachable",
	30005:                "unknown or inactive number",
	30006:                "landline or unreachable carrier",
	30007:                "blocked by the carrier as spam",
	30008:                "unknown delivery error",
}

// PlainReason returns a short explanation of a Twilio error code.
func PlainReason(code int) string {
	if r, ok := plainReasons[code]; ok {
		return r
	}
	return fmt.Sprintf("Twilio error %d", code)
}

// TwilioConfig is how texts go through Twilio. With no AccountSID they go
// to the phone simulator instead (Simulated).
type TwilioConfig struct {
	AccountSID, AuthToken string
	// From or MessagingServiceSID: exactly one is set.
	From, MessagingServiceSID string
	// APIBaseURL replaces https://api.twilio.com when set (egress proxies,
	// tests).
	APIBaseURL string
	// SendRate is the most texts a second that all instances together send
	// (Throttle.PerSecond); the simulator keeps to it too. NewTwilio does
	// not read it.
	SendRate float64
}

// Simulated reports whether texts go to the phone simulator.
func (c TwilioConfig) Simulated() bool { return c.AccountSID == "" }

// Twilio sends texts through Twilio's Programmable Messaging REST API.
type Twilio struct {
	api                       *api.ApiService
	from, messagingServiceSID string
}

// NewTwilio returns a sender for cfg. Requests time out after 15 seconds.
func NewTwilio(cfg TwilioConfig) (*Twilio, error) {
	httpClient := &http.Client{
		Timeout: 15 * time.Second,
		// Twilio's API answers; it does not redirect. Never follow one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if cfg.APIBaseURL != "" {
		base, err := url.Parse(cfg.APIBaseURL)
		if err != nil || base.Host == "" {
			return nil, fmt.Errorf("twilio API base URL %q is not a URL", cfg.APIBaseURL)
		}
		httpClient.Transport = rewriteHost{base: base, next: http.DefaultTransport}
	}
	c := &twilio.Client{Credentials: twilio.NewCredentials(cfg.AccountSID, cfg.AuthToken), HTTPClient: httpClient}
	c.SetAccountSid(cfg.AccountSID)
	return &Twilio{api: api.NewApiServiceWithClient(c), from: cfg.From, messagingServiceSID: cfg.MessagingServiceSID}, nil
}

// Send asks Twilio to send m. twilio-go's call takes no context, so ctx
// bounds it only through the HTTP client's timeout.
func (t *Twilio) Send(_ context.Context, m Outgoing) (Accepted, error) {
	params := &api.CreateMessageParams{}
	params.SetTo(m.To)
	params.SetBody(m.Body)
	if t.messagingServiceSID != "" {
		params.SetMessagingServiceSid(t.messagingServiceSID)
	} else {
		params.SetFrom(t.from)
	}
	if m.StatusCallback != "" {
		params.SetStatusCallback(m.StatusCallback)
	}
	msg, err := t.api.CreateMessage(params)
	if err != nil {
		return Accepted{}, classify(err)
	}
	if msg.Sid == nil {
		return Accepted{}, &SendError{Reason: "Twilio accepted the message but returned no SID"}
	}
	status := "queued"
	if msg.Status != nil {
		status = *msg.Status
	}
	return Accepted{SID: *msg.Sid, Status: status}, nil
}

// classify turns a twilio-go error into a SendError: 4xx answers with a
// Twilio error code are permanent, except 429; 5xx and transport failures
// are worth retrying.
func classify(err error) *SendError {
	var rest *twilio.TwilioRestError
	if errors.As(err, &rest) {
		retry := rest.Status == http.StatusTooManyRequests || rest.Status >= 500 || rest.Status == 0
		reason := PlainReason(rest.Code)
		if rest.Code == 0 {
			reason = fmt.Sprintf("Twilio answered HTTP %d", rest.Status)
		}
		return &SendError{Code: rest.Code, HTTP: rest.Status, Permanent: !retry, Reason: reason}
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return &SendError{Reason: "Twilio did not answer in time"}
	}
	// A 5xx whose body is not Twilio's JSON, a refused connection, a reset.
	return &SendError{Reason: "Twilio could not be reached"}
}

// rewriteHost sends every request to base's scheme and host, keeping the
// path, so the twilio-go client (whose base URL is fixed) can reach a proxy
// or a test server.
type rewriteHost struct {
	base *url.URL
	next http.RoundTripper
}

func (rt rewriteHost) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme = rt.base.Scheme
	r.URL.Host = rt.base.Host
	r.URL.Path = rt.base.Path + r.URL.Path
	r.Host = rt.base.Host
	return rt.next.RoundTrip(r)
}
