package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	twilio "github.com/twilio/twilio-go/client"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/phone"
)

// Runner persists an inbound message and steps its conversation, in one
// transaction. It returns nil for a message it has already processed.
type Runner interface {
	HandleInbound(ctx context.Context, in ohcontact.Inbound) error
}

// StatusStore records delivery updates from Twilio's status callback.
type StatusStore interface {
	// UpdateDeliveryStatus moves the message with Twilio SID sid forward to
	// status, never backwards, recording errorCode (0 for none). It reports
	// whether anything changed.
	UpdateDeliveryStatus(ctx context.Context, sid, status string, errorCode int, now time.Time) (bool, error)
}

// Webhooks answers Twilio's inbound-message and status-callback webhooks.
// Every request must carry a valid X-Twilio-Signature computed over the
// public URL Twilio called (PublicBaseURL + path and query), not the Host
// the request arrived with, so it works behind a proxy.
type Webhooks struct {
	AuthToken     string
	PublicBaseURL string
	Runner        Runner
	Statuses      StatusStore
	// Timed wraps each webhook, given its route's path, to time it
	// (metrics.Metrics.Webhook); nil times nothing.
	Timed func(route string, h http.HandlerFunc) http.HandlerFunc
	Log   *slog.Logger
	Now   func() time.Time
}

// The webhooks' paths, which Twilio is given: InboundPath in the number's
// or messaging service's settings, StatusPath with each text sent.
const (
	InboundPath = "/sms/twilio/inbound"
	StatusPath  = "/sms/twilio/status"
)

// Register adds the webhooks to mux: POST InboundPath (Inbound) and POST
// StatusPath (Status), each wrapped by Timed.
func (h *Webhooks) Register(mux *http.ServeMux) {
	timed := h.Timed
	if timed == nil {
		timed = func(_ string, h http.HandlerFunc) http.HandlerFunc { return h }
	}
	mux.HandleFunc("POST "+InboundPath, timed(InboundPath, h.Inbound))
	mux.HandleFunc("POST "+StatusPath, timed(StatusPath, h.Status))
}

// maxWebhookBytes bounds a webhook body: Twilio's are a few kilobytes.
const maxWebhookBytes = 64 << 10

// emptyTwiML answers an inbound webhook: replies go through the outbox,
// never in the webhook response.
const emptyTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`

var (
	messageSID = regexp.MustCompile(`^(SM|MM)[0-9a-f]{32}$`)
)

// Inbound handles POST InboundPath. It answers only after the message
// is committed; a retried delivery (same MessageSid) is acknowledged and not
// processed again.
func (h *Webhooks) Inbound(w http.ResponseWriter, r *http.Request) {
	form, ok := h.verified(w, r)
	if !ok {
		return
	}
	in, err := parseInbound(form, h.Now())
	if err != nil {
		h.Log.Warn("sms inbound: rejected", "reason", err.Error())
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	if err := h.Runner.HandleInbound(ctx, in); err != nil {
		// Twilio retries on a 5xx; the unique MessageSid makes that safe.
		h.Log.Error("sms inbound: not processed", "error", err)
		http.Error(w, "could not process the message; retry", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	fmt.Fprint(w, emptyTwiML)
}

// Status handles POST StatusPath.
func (h *Webhooks) Status(w http.ResponseWriter, r *http.Request) {
	form, ok := h.verified(w, r)
	if !ok {
		return
	}
	sid := form.Get("MessageSid")
	status, known := statusFromTwilio[form.Get("MessageStatus")]
	if !messageSID.MatchString(sid) || !known {
		h.Log.Warn("sms status: rejected", "reason", "missing or malformed MessageSid or MessageStatus")
		http.Error(w, "MessageSid and a known MessageStatus are required", http.StatusBadRequest)
		return
	}
	code := 0
	if v := form.Get("ErrorCode"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			http.Error(w, "ErrorCode is not a number", http.StatusBadRequest)
			return
		}
		code = n
	}
	if _, err := h.Statuses.UpdateDeliveryStatus(r.Context(), sid, status, code, h.Now()); err != nil {
		h.Log.Error("sms status: not recorded", "error", err)
		http.Error(w, "could not record the status; retry", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// verified reads the form and checks Twilio's signature, answering 400 or
// 403 itself when either fails.
func (h *Webhooks) verified(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxWebhookBytes)
	if err := r.ParseForm(); err != nil {
		h.Log.Warn("sms webhook: unreadable form", "route", r.Pattern)
		http.Error(w, "the body is not a readable form", http.StatusBadRequest)
		return nil, false
	}
	params := make(map[string]string, len(r.PostForm))
	for k, v := range r.PostForm {
		if len(v) != 1 {
			http.Error(w, "each parameter must appear once", http.StatusBadRequest)
			return nil, false
		}
		params[k] = v[0]
	}
	sig := r.Header.Get("X-Twilio-Signature")
	validator := twilio.NewRequestValidator(h.AuthToken)
	if sig == "" || !validator.Validate(h.PublicBaseURL+r.URL.RequestURI(), params, sig) {
		h.Log.Warn("sms webhook: bad signature", "route", r.Pattern)
		http.Error(w, "invalid Twilio signature", http.StatusForbidden)
		return nil, false
	}
	return r.PostForm, true
}

// parseInbound turns Twilio's inbound-message form into an Inbound,
// marking Twilio's own opt-out and opt-in keywords (TwilioKeyword).
func parseInbound(form url.Values, now time.Time) (ohcontact.Inbound, error) {
	sid, from := form.Get("MessageSid"), form.Get("From")
	switch {
	case !messageSID.MatchString(sid):
		return ohcontact.Inbound{}, errors.New("MessageSid is missing or malformed")
	case !phone.IsE164(from):
		return ohcontact.Inbound{}, errors.New("form field From is missing or not a phone number in E.164")
	}
	text, err := channels.Normalise(form.Get("Body"))
	if errors.Is(err, channels.ErrEmptyText) && form.Get("NumMedia") != "" && form.Get("NumMedia") != "0" {
		// A picture with no words: the runner still needs to answer it.
		text, err = "[picture]", nil
	}
	if err != nil {
		return ohcontact.Inbound{}, fmt.Errorf("form field Body: %w", err)
	}
	in := ohcontact.Inbound{Channel: ohcontact.ChannelSMS, Address: from, Text: text, ExternalID: sid, ReceivedAt: now}
	in.ProviderOptOut, in.ProviderOptIn = TwilioKeyword(text)
	return in, nil
}

// statusFromTwilio maps Twilio's MessageStatus values to ours.
var statusFromTwilio = map[string]string{
	"accepted": "queued", "scheduled": "queued", "queued": "queued",
	"sending": "sending", "sent": "sent",
	"delivered": "delivered", "read": "delivered",
	"undelivered": "undelivered", "failed": "failed", "canceled": "failed",
}
