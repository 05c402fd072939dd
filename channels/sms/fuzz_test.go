package sms

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ohcontact/ohcontact/phone"
)

// FuzzInbound posts any form body, signed as Twilio would sign it, to the
// inbound webhook. The webhook must answer 200 or 400 (never 500: the
// runner does not fail here) and hand the runner only a well-formed
// Inbound: an E.164 sender, a message id, and text that is valid UTF-8
// without control characters.
func FuzzInbound(f *testing.F) {
	seeds := []func(url.Values){
		func(url.Values) {},
		func(v url.Values) { v.Del("MessageSid") },
		func(v url.Values) { v.Set("MessageSid", "SM'; DROP TABLE messages") },
		func(v url.Values) { v.Set("From", "07700900001") },
		func(v url.Values) { v.Set("Body", " \x00 ") },
		func(v url.Values) { v.Set("Body", strings.Repeat("a", 2000)) },
		func(v url.Values) { v.Set("Body", ""); v.Set("NumMedia", "1") },
		func(v url.Values) { v.Add("Body", "again") },
		func(v url.Values) { v.Set("Body", "Dw i'n \u200bteimlo'n\u202e drist 😢\r\n") },
	}
	for _, mutate := range seeds {
		form := inboundForm()
		mutate(form)
		f.Add(form.Encode())
	}
	f.Add("MessageSid=SM0123456789abcdef0123456789abcdef&From=%2B447700900001&Body=%ff%fe%00")
	f.Add("%zz=1&Body")

	inboundURL := publicBase + "/sms/twilio/inbound"
	f.Fuzz(func(t *testing.T, body string) {
		runner := &recordingRunner{}
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/sms/twilio/inbound", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if form, err := url.ParseQuery(body); err == nil {
			r.Header.Set("X-Twilio-Signature", Sign(testToken, inboundURL, form))
		}
		w := httptest.NewRecorder()
		newWebhooks(runner).Inbound(w, r)
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest && w.Code != http.StatusForbidden {
			t.Fatalf("status %d for %q", w.Code, body)
		}
		if w.Code != http.StatusOK && len(runner.got) > 0 {
			t.Fatalf("status %d, but the runner was given %+v", w.Code, runner.got)
		}
		for _, in := range runner.got {
			if !phone.IsE164(in.Address) || !messageSID.MatchString(in.ExternalID) {
				t.Fatalf("runner given %+v", in)
			}
			if in.Text == "" || !utf8.ValidString(in.Text) || strings.IndexFunc(in.Text, unicode.IsControl) >= 0 {
				t.Fatalf("runner given text %q", in.Text)
			}
		}
	})
}
