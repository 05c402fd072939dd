package dialogs_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/channels/sms/twiliotest"
)

// optOutFixture is the runner behind the real inbound webhook, with texts
// delivered to a fake Twilio that handles its keywords as Twilio does.
type optOutFixture struct {
	*runnerFixture
	twilio    *twiliotest.Server
	hooks     *sms.Webhooks
	deliverer *sms.Deliverer
}

const (
	optOutAccount = "AC00000000000000000000000000000000"
	optOutToken   = "0123456789abcdef0123456789abcdef"
	publicBase    = "https://oh.example.nhs.uk"
)

func newOptOutFixture(t *testing.T) *optOutFixture {
	t.Helper()
	f := &optOutFixture{runnerFixture: newRunnerFixture(t), twilio: twiliotest.New(optOutAccount, optOutToken)}
	t.Cleanup(f.twilio.Close)
	tw, err := sms.NewTwilio(sms.TwilioConfig{AccountSID: optOutAccount, AuthToken: optOutToken, From: "+447700900999", APIBaseURL: f.twilio.URL})
	if err != nil {
		t.Fatal(err)
	}
	f.deliverer = &sms.Deliverer{DB: f.db, Sender: tw, Log: slog.New(slog.DiscardHandler), Now: time.Now}
	f.hooks = &sms.Webhooks{AuthToken: optOutToken, PublicBaseURL: publicBase, Runner: f.runner,
		Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC) }}
	return f
}

// text is Ann texting body: it reaches Twilio first (which acts on its own
// keywords), then the signed inbound webhook; then every queued text is
// delivered.
func (f *optOutFixture) text(t *testing.T, body string) {
	t.Helper()
	f.twilio.Receive(annMobile, body)
	f.seq++
	form := url.Values{"MessageSid": {fmt.Sprintf("SM%032x", f.seq)}, "From": {annMobile}, "To": {"+447700900999"},
		"Body": {body}, "NumMedia": {"0"}}
	inbound := publicBase + "/sms/twilio/inbound"
	r := httptest.NewRequest(http.MethodPost, "/sms/twilio/inbound", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Twilio-Signature", sms.Sign(optOutToken, inbound, form))
	w := httptest.NewRecorder()
	f.hooks.Inbound(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("webhook for %q: %d %s", body, w.Code, w.Body.String())
	}
	f.deliverAll(t)
}

// deliverAll works every delivery job not yet worked, once.
func (f *optOutFixture) deliverAll(t *testing.T) {
	t.Helper()
	rows, err := f.db.Pool.Query(t.Context(), `DELETE FROM river_job WHERE kind = 'sms_deliver' RETURNING (args->>'message_id')::bigint`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		err := f.deliverer.Work(t.Context(), &river.Job[sms.DeliverArgs]{
			JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 8, Queue: sms.Queue}, Args: sms.DeliverArgs{MessageID: id}})
		if err != nil && !strings.Contains(err.Error(), "21610") {
			t.Fatalf("deliver text %d: %v", id, err)
		}
	}
}

// sentToAnn returns the bodies of the texts Twilio accepted for Ann.
func (f *optOutFixture) sentToAnn() []string {
	var out []string
	for _, m := range f.twilio.Messages() {
		if m.Get("To") == annMobile {
			out = append(out, m.Get("Body"))
		}
	}
	return out
}

func (f *optOutFixture) consent(t *testing.T) string {
	t.Helper()
	var c string
	f.db.Pool.QueryRow(t.Context(), `SELECT consent FROM staff WHERE mobile = $1`, annMobile).Scan(&c)
	return c
}

// TestStopBySMSQueuesNothingAndTwilioConfirms: STOP is Twilio's keyword.
// Twilio blocks the number and confirms; the service records the opt-out
// and queues no text of its own (which Twilio would refuse with 21610),
// nor any later one, until START.
func TestStopBySMSQueuesNothingAndTwilioConfirms(t *testing.T) {
	t.Parallel()
	f := newOptOutFixture(t)
	f.text(t, "hello")
	if len(f.sentToAnn()) == 0 {
		t.Fatal("no reply to hello")
	}
	var queuedBefore int
	f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM messages WHERE direction = 'outbound'`).Scan(&queuedBefore)
	sentBefore := len(f.sentToAnn())

	f.text(t, "STOP")
	f.text(t, "are you still there?")
	var queued, refused int
	f.db.Pool.QueryRow(t.Context(), `SELECT count(*), count(*) FILTER (WHERE error_code = 21610) FROM messages
		WHERE direction = 'outbound'`).Scan(&queued, &refused)
	if queued != queuedBefore || refused != 0 {
		t.Fatalf("after STOP: %d texts queued (was %d), %d refused by Twilio; want none queued", queued, queuedBefore, refused)
	}
	if got := f.consent(t); got != "opted_out" {
		t.Fatalf("consent after STOP = %q, want opted_out", got)
	}
	replies := f.twilio.Replies()
	if len(replies) != 1 || replies[0].Get("To") != annMobile || !strings.Contains(replies[0].Get("Body"), "unsubscribed") {
		t.Fatalf("Twilio's own replies = %v, want its opt-out confirmation to Ann", replies)
	}
	v := f.conversation(t, annMobile)
	if v.status != "closed" || v.closedReason != "opted_out" || v.inbound != 1 {
		t.Fatalf("the message after STOP: %+v; want it stored in a conversation closed as opted out", v)
	}

	f.text(t, "START")
	if got := f.consent(t); got != "opted_in" {
		t.Fatalf("consent after START = %q, want opted_in", got)
	}
	if sent := f.sentToAnn(); len(sent) != sentBefore+1 {
		t.Fatalf("after START Twilio took %d texts, want our confirmation: %q", len(sent)-sentBefore, sent)
	}
	f.text(t, "hello")
	if sent := f.sentToAnn(); len(sent) <= sentBefore+1 {
		t.Fatal("no reply to hello after START")
	}
}

// TestOurOwnOptOutWordIsConfirmedByUs: "koniec" is ours, not Twilio's.
// Twilio does not block the number, so our confirmation goes, and is the
// last text; YES, Twilio's opt-in keyword, opts back in.
func TestOurOwnOptOutWordIsConfirmedByUs(t *testing.T) {
	t.Parallel()
	f := newOptOutFixture(t)
	f.text(t, "hello")
	sentBefore := len(f.sentToAnn())
	f.text(t, "koniec")
	if got := f.consent(t); got != "opted_out" {
		t.Fatalf("consent after koniec = %q, want opted_out", got)
	}
	sent := f.sentToAnn()
	if len(sent) != sentBefore+1 || len(f.twilio.Replies()) != 0 {
		t.Fatalf("after koniec: %d texts from us, Twilio's replies %v; want our confirmation only", len(sent)-sentBefore, f.twilio.Replies())
	}
	f.text(t, "hello again")
	if n := len(f.sentToAnn()); n != sentBefore+1 {
		t.Fatalf("an opted-out person got %d more texts, want none", n-sentBefore-1)
	}
	f.text(t, "yes")
	if got := f.consent(t); got != "opted_in" {
		t.Fatalf("consent after YES = %q, want opted_in (Twilio re-subscribed them)", got)
	}
}

// TestOptedOutDisclosureStillGetsCrisisContacts: after our own opt-out word
// Twilio still carries texts, and the person's disclosure gets the crisis
// contacts (never withheld) and nothing else; after Twilio's STOP the crisis
// text is queued too, and Twilio's refusal (21610) is recorded on it for the
// clinician, who sees the case.
func TestOptedOutDisclosureStillGetsCrisisContacts(t *testing.T) {
	t.Parallel()
	for _, word := range []string{"koniec", "STOP"} {
		t.Run(word, func(t *testing.T) {
			t.Parallel()
			f := newOptOutFixture(t)
			f.text(t, "hello")
			f.text(t, word)
			sentBefore := len(f.sentToAnn())
			f.text(t, disclosure)
			var cases int
			f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM cases WHERE priority = 'urgent'`).Scan(&cases)
			if cases != 1 {
				t.Fatalf("%d urgent cases, want the disclosure's", cases)
			}
			var queued int
			var status string
			f.db.Pool.QueryRow(t.Context(), `SELECT count(*), max(delivery_status) FROM messages
				WHERE direction = 'outbound' AND body LIKE '%116 123%'`).Scan(&queued, &status)
			if queued != 1 {
				t.Fatalf("%d crisis texts queued to an opted-out person who disclosed, want 1", queued)
			}
			sent := f.sentToAnn()
			switch word {
			case "koniec":
				if len(sent) != sentBefore+1 || !strings.Contains(sent[len(sent)-1], "116 123") {
					t.Errorf("after our own opt-out word the disclosure got %q, want the crisis contacts alone", sent[sentBefore:])
				}
			case "STOP":
				if len(sent) != sentBefore || status != "failed" {
					t.Errorf("after Twilio's STOP: %d texts through, crisis text %s; want Twilio's refusal recorded", len(sent)-sentBefore, status)
				}
			}
		})
	}
}
