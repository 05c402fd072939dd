package sms

import (
	"errors"
	"net/url"
	"reflect"
	"testing"

	"github.com/ohcontact/ohcontact/channels/sms/twiliotest"
)

const (
	testAccount = "AC0123456789abcdef0123456789abcdef"
	testToken   = "0123456789abcdef0123456789abcdef"
)

func TestTwilioSendPostsExactForm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  TwilioConfig
		want url.Values
	}{
		{
			name: "from a number",
			cfg:  TwilioConfig{From: "+447700900999"},
			want: url.Values{"To": {"+447700900001"}, "From": {"+447700900999"}, "Body": {"Hello from OH"},
				"StatusCallback": {"https://oh.example.nhs.uk/sms/twilio/status"}},
		},
		{
			name: "through a messaging service",
			cfg:  TwilioConfig{MessagingServiceSID: "MG0123456789abcdef0123456789abcdef"},
			want: url.Values{"To": {"+447700900001"}, "MessagingServiceSid": {"MG0123456789abcdef0123456789abcdef"},
				"Body": {"Hello from OH"}, "StatusCallback": {"https://oh.example.nhs.uk/sms/twilio/status"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := twiliotest.New(testAccount, testToken)
			defer srv.Close()
			cfg := tt.cfg
			cfg.AccountSID, cfg.AuthToken, cfg.APIBaseURL = testAccount, testToken, srv.URL
			tw, err := NewTwilio(cfg)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tw.Send(t.Context(), Outgoing{To: "+447700900001", Body: "Hello from OH",
				StatusCallback: "https://oh.example.nhs.uk/sms/twilio/status"})
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if len(got.SID) != 34 || got.SID[:2] != "SM" || got.Status != "queued" {
				t.Errorf("Send = %+v, want an SM… SID and status queued", got)
			}
			posted := srv.Messages()
			if len(posted) != 1 || !reflect.DeepEqual(posted[0], tt.want) {
				t.Errorf("posted %v, want exactly %v", posted, tt.want)
			}
		})
	}
}

func TestTwilioSendClassifiesErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fail      twiliotest.Failure
		token     string
		code      int
		permanent bool
		reason    string
	}{
		{name: "invalid number", fail: twiliotest.Failure{HTTP: 400, Code: 21211}, code: 21211, permanent: true, reason: "invalid phone number"},
		{name: "opted out", fail: twiliotest.Failure{HTTP: 400, Code: 21610}, code: 21610, permanent: true, reason: "the person has opted out (replied STOP)"},
		{name: "not a mobile", fail: twiliotest.Failure{HTTP: 400, Code: 21614}, code: 21614, permanent: true, reason: "the number is not a mobile"},
		{name: "rate limited", fail: twiliotest.Failure{HTTP: 429, Code: 20429}, code: 20429, permanent: false},
		{name: "server error with Twilio body", fail: twiliotest.Failure{HTTP: 503, Code: 20500}, code: 20500, permanent: false},
		{name: "server error with foreign body", fail: twiliotest.Failure{HTTP: 502}, permanent: false, reason: "Twilio could not be reached"},
		{name: "wrong credentials", token: "wrongtoken", code: 20003, permanent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := twiliotest.New(testAccount, testToken)
			defer srv.Close()
			if tt.fail.HTTP != 0 {
				srv.FailNext(tt.fail)
			}
			token := testToken
			if tt.token != "" {
				token = tt.token
			}
			tw, _ := NewTwilio(TwilioConfig{AccountSID: testAccount, AuthToken: token, From: "+447700900999", APIBaseURL: srv.URL})
			_, err := tw.Send(t.Context(), Outgoing{To: "+447700900001", Body: "hi"})
			var se *SendError
			if !errors.As(err, &se) {
				t.Fatalf("Send error = %v, want a *SendError", err)
			}
			if se.Code != tt.code || se.Permanent != tt.permanent || (tt.reason != "" && se.Reason != tt.reason) {
				t.Errorf("SendError = %+v, want code %d permanent %v reason %q", se, tt.code, tt.permanent, tt.reason)
			}
			if len(srv.Messages()) != 0 {
				t.Errorf("a failed send was recorded as accepted")
			}
		})
	}
}

func TestTwilioUnreachable(t *testing.T) {
	t.Parallel()
	srv := twiliotest.New(testAccount, testToken)
	srv.Close() // nothing listens there now
	tw, _ := NewTwilio(TwilioConfig{AccountSID: testAccount, AuthToken: testToken, From: "+447700900999", APIBaseURL: srv.URL})
	_, err := tw.Send(t.Context(), Outgoing{To: "+447700900001", Body: "hi"})
	var se *SendError
	if !errors.As(err, &se) || se.Permanent {
		t.Fatalf("Send to a closed server = %v, want a retryable *SendError", err)
	}
}
