package campaigns_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// TestVaccinationCampaignEndToEnd runs a vaccination campaign as serve
// does: River works the sender, the reminders and the deliveries to a fake
// Twilio, and the dialog runner takes the replies. Three members are
// invited (the invitation and its choices); one replies "booked" (outcome
// booked, thanked, no reminder later), one asks a question (a routine
// vaccination_question case with its SLA, handed to the OH team, outcome
// question, no reminder), and the one who never replies is reminded
// exactly once.
func TestVaccinationCampaignEndToEnd(t *testing.T) {
	t.Parallel()
	skipNearMidnight(t)
	f := newFixture(t)
	ctx := t.Context()
	f.clock.Set(time.Now())
	booker, _ := f.staff(t, person{department: "Ward 3", mobile: true})
	asker, _ := f.staff(t, person{department: "Ward 3", mobile: true})
	silent, _ := f.staff(t, person{department: "Ward 3", mobile: true})
	l := newLive(t, f, 20)
	n := f.allDay("Ward 3")
	n.RemindAfter = time.Hour
	id := f.create(t, n).CampaignID
	if err := f.c.Start(ctx, 0, id, f.lead); err != nil {
		t.Fatal(err)
	}
	l.waitFor(t, 6, 20*time.Second)
	texts := func(staff int64) []string {
		to := mobileOf(t, f, staff)
		var out []string
		for _, m := range l.twilio.Messages() {
			if m.Get("To") == to {
				out = append(out, m.Get("Body"))
			}
		}
		return out
	}
	for _, s := range []int64{booker, asker, silent} {
		if got := texts(s); len(got) != 2 {
			t.Fatalf("staff %d received %q; want the invitation and its choices", s, got)
		}
	}

	for i, r := range []struct {
		staff int64
		text  string
	}{{booker, "booked"}, {asker, "can I have it if I'm pregnant?"}} {
		if err := f.runner.HandleInbound(ctx, ohcontact.Inbound{Channel: ohcontact.ChannelSMS, Address: mobileOf(t, f, r.staff),
			Text: r.text, ExternalID: fmt.Sprintf("SMe2e%d", i), ReceivedAt: f.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	l.waitFor(t, 8, 10*time.Second) // an answer each

	// An hour passes: the reminders fall due.
	exec(t, f, `UPDATE river_job SET scheduled_at = now() WHERE kind = 'campaign_reminder' AND state = 'scheduled'`)
	deadline := time.Now().Add(15 * time.Second)
	for f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'campaign_reminder' AND state <> 'completed'`) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the reminders did not run")
		}
		time.Sleep(50 * time.Millisecond)
	}
	l.waitFor(t, 9, 10*time.Second)
	time.Sleep(500 * time.Millisecond) // nothing more comes

	type want struct {
		state, outcome string
		texts          int
	}
	for _, tc := range []struct {
		name  string
		staff int64
		want  want
	}{
		{"booked", booker, want{postgres.MemberReplied, postgres.OutcomeBooked, 3}},
		{"asked a question", asker, want{postgres.MemberReplied, postgres.OutcomeQuestion, 3}},
		{"never replied: one reminder", silent, want{postgres.MemberReminded, "", 3}},
	} {
		var got want
		if err := f.db.Pool.QueryRow(ctx, `SELECT state, coalesce(outcome, '') FROM campaign_members WHERE campaign_id = $1 AND staff_id = $2`,
			id, tc.staff).Scan(&got.state, &got.outcome); err != nil {
			t.Fatal(err)
		}
		got.texts = len(texts(tc.staff))
		if got != tc.want {
			t.Errorf("%s: %+v (texts %q); want %+v", tc.name, got, texts(tc.staff), tc.want)
		}
	}
	var priority, category string
	var slaDue time.Time
	if err := f.db.Pool.QueryRow(ctx, `SELECT k.priority, k.category, k.sla_due_at FROM cases k
		JOIN conversations c ON c.id = k.conversation_id WHERE c.staff_id = $1 AND c.campaign_member_id IS NOT NULL AND c.owner = 'clinician'`,
		asker).Scan(&priority, &category, &slaDue); err != nil {
		t.Fatalf("the question's case, on a conversation handed to the OH team: %v", err)
	}
	if priority != "routine" || category != "vaccination_question" || !slaDue.After(f.clock.Now()) {
		t.Errorf("the question's case: %s %s, due %v; want routine vaccination_question with an SLA ahead", priority, category, slaDue)
	}
	if n := f.count(t, `SELECT count(*) FROM cases WHERE staff_id IN ($1, $2)`, booker, silent); n != 0 {
		t.Errorf("%d cases for the booked and the silent members; want none", n)
	}
}
