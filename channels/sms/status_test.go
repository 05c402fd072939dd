package sms

import (
	"net/url"
	"testing"

	"github.com/ohcontact/ohcontact/postgres"
)

func TestStatusCallbackNeverGoesBackwards(t *testing.T) {
	t.Parallel()
	f := newDeliveryFixture(t)
	id := f.queue(t, "hello")
	if err := f.work(t, id, 1); err != nil {
		t.Fatal(err)
	}
	sid := f.message(t, id).sid
	h := newWebhooks(nil)
	h.Statuses = postgres.Messages{DB: f.db}

	steps := []struct {
		status, code string
		wantHTTP     int
		want         string
	}{
		{"sending", "", 204, "sent"}, // late: already sent
		{"delivered", "", 204, "delivered"},
		{"sent", "", 204, "delivered"}, // out of order: stays delivered
		{"failed", "30008", 204, "delivered"},
		{"exploded", "", 400, "delivered"},
	}
	for _, s := range steps {
		form := url.Values{"MessageSid": {sid}, "MessageStatus": {s.status}, "AccountSid": {testAccount}}
		if s.code != "" {
			form.Set("ErrorCode", s.code)
		}
		w := post(t, h.Status, publicBase+"/sms/twilio/status", form, testToken)
		if w.Code != s.wantHTTP {
			t.Fatalf("status %s: HTTP %d, want %d", s.status, w.Code, s.wantHTTP)
		}
		if got := f.message(t, id).status; got != s.want {
			t.Fatalf("after %s: delivery_status %q, want %q", s.status, got, s.want)
		}
	}
	unsigned := url.Values{"MessageSid": {sid}, "MessageStatus": {"failed"}}
	if w := post(t, h.Status, publicBase+"/sms/twilio/status", unsigned, ""); w.Code != 403 {
		t.Fatalf("unsigned status callback: HTTP %d, want 403", w.Code)
	}
}

func TestStatusCallbackOptOutError(t *testing.T) {
	t.Parallel()
	f := newDeliveryFixture(t)
	id := f.queue(t, "hello")
	if err := f.work(t, id, 1); err != nil {
		t.Fatal(err)
	}
	h := newWebhooks(nil)
	h.Statuses = postgres.Messages{DB: f.db}
	form := url.Values{"MessageSid": {f.message(t, id).sid}, "MessageStatus": {"undelivered"}, "ErrorCode": {"21610"}}
	if w := post(t, h.Status, publicBase+"/sms/twilio/status", form, testToken); w.Code != 204 {
		t.Fatalf("HTTP %d, want 204", w.Code)
	}
	m := f.message(t, id)
	var consent string
	f.db.Pool.QueryRow(t.Context(), `SELECT consent FROM staff WHERE id = $1`, f.staffID).Scan(&consent)
	if m.status != "undelivered" || m.code != 21610 || consent != "opted_out" {
		t.Fatalf("message %+v, consent %q; want undelivered with 21610 and the person opted out", m, consent)
	}
}
