package campaigns_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/campaigns"
	"github.com/ohcontact/ohcontact/postgres"
)

// TestStatusChanges: start, pause, resume and stop move only from the
// statuses they may, each audited with the user in the same transaction;
// starting and resuming queue one sender; stopping cancels every member not
// yet sent; another organisation's campaign is not found.
func TestStatusChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for range 3 {
		f.staff(t, person{department: "Ward 3", mobile: true})
	}
	id := f.create(t, f.campaign()).CampaignID
	other := pgtestOrganisation(t, f)
	senders := func() int {
		return f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'campaign_send' AND args->>'campaign_id' = $1`, fmt.Sprint(id))
	}
	ctx := t.Context()
	for _, tc := range []struct {
		name    string
		do      func() error
		want    error
		status  string
		senders int
	}{
		{"pause a draft", func() error { return f.c.Pause(ctx, 0, id, f.lead) }, campaigns.ErrStatus, "draft", 0},
		{"start from another organisation", func() error { return f.c.Start(ctx, other, id, f.lead) }, ohcontact.ErrNotFound, "draft", 0},
		{"start", func() error { return f.c.Start(ctx, f.org, id, f.lead) }, nil, "running", 1},
		{"start again", func() error { return f.c.Start(ctx, 0, id, f.lead) }, campaigns.ErrStatus, "running", 1},
		{"resume a running campaign", func() error { return f.c.Resume(ctx, 0, id, f.lead) }, campaigns.ErrStatus, "running", 1},
		{"pause", func() error { return f.c.Pause(ctx, 0, id, f.lead) }, nil, "paused", 1},
		{"resume while its sender waits: no second sender", func() error { return f.c.Resume(ctx, 0, id, f.lead) }, nil, "running", 1},
		{"stop", func() error { return f.c.Stop(ctx, 0, id, f.lead) }, nil, "stopped", 1},
		{"stop again", func() error { return f.c.Stop(ctx, 0, id, f.lead) }, campaigns.ErrStatus, "stopped", 1},
		{"resume a stopped campaign", func() error { return f.c.Resume(ctx, 0, id, f.lead) }, campaigns.ErrStatus, "stopped", 1},
	} {
		err := tc.do()
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v; want %v", tc.name, err, tc.want)
		}
		if s := f.status(t, id); s != tc.status {
			t.Errorf("%s: status %s; want %s", tc.name, s, tc.status)
		}
		if n := senders(); n != tc.senders {
			t.Errorf("%s: %d sender jobs; want %d", tc.name, n, tc.senders)
		}
	}
	var actions []string
	rows, err := f.db.Pool.Query(ctx, `SELECT action || ' by ' || actor_id FROM audit_events WHERE record_type = 'campaign' AND record_id = $1 ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		actions = append(actions, a)
	}
	by := fmt.Sprint(" by ", f.lead)
	want := []string{"campaign.create" + by, "campaign.start" + by, "campaign.pause" + by, "campaign.resume" + by, "campaign.stop" + by}
	if fmt.Sprint(actions) != fmt.Sprint(want) {
		t.Errorf("audit %q; want %q", actions, want)
	}
	if n := f.count(t, `SELECT count(*) FROM campaign_members WHERE campaign_id = $1 AND state = 'cancelled'`, id); n != 3 {
		t.Errorf("%d members cancelled by the stop; want 3", n)
	}
	if s, _, err := f.c.SendOne(ctx, id); err != nil || s != "done" {
		t.Errorf("the stopped campaign's sender: %s, %v; want done", s, err)
	}
	for _, tc := range []struct {
		org  int64
		want int
	}{{f.org, 1}, {other, 0}, {0, 1}} {
		if list, err := postgres.Campaigns(ctx, f.db.Pool, tc.org); err != nil || len(list) != tc.want {
			t.Errorf("Campaigns(%d): %d, %v; want %d", tc.org, len(list), err, tc.want)
		}
	}
}

func pgtestOrganisation(t *testing.T, f *fixture) int64 {
	t.Helper()
	var id int64
	if err := f.db.Pool.QueryRow(t.Context(), `INSERT INTO organisations (code, name) VALUES ('RX2', 'Other Trust') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestDraftSendsNothing: a campaign nobody started sends nothing, however
// long its sender would run.
func TestDraftSendsNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	staff, _ := f.staff(t, person{department: "Ward 3", mobile: true})
	id := f.create(t, f.campaign()).CampaignID
	if s, _, err := f.c.SendOne(t.Context(), id); err != nil || s != "done" {
		t.Fatalf("a draft's sender: %s, %v; want done", s, err)
	}
	if m := f.member(t, id, staff); m.state != "planned" || m.conversations != 0 {
		t.Errorf("member %+v; want planned, no conversation", m)
	}
}

// TestSenderInvitesEachMemberOnce: the sender skips a person who opted
// out after planning and one whose record was anonymised, holds a person
// in a live conversation, one a clinician is talking with and one in their
// quiet hours, invites by SMS or in the web chat, with the conversation
// naming the member, queues the SMS invitation on the prepaid lane and
// schedules the reminder, then waits for the held and finishes when nobody
// is left.
func TestSenderInvitesEachMemberOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	sms, _ := f.staff(t, person{department: "Ward 3", mobile: true})
	web, _ := f.staff(t, person{department: "Ward 3"})
	optsOut, _ := f.staff(t, person{department: "Ward 3", mobile: true})
	left, _ := f.staff(t, person{department: "Ward 3", mobile: true})
	busy, _ := f.staff(t, person{department: "Ward 3", mobile: true})
	withClinician, _ := f.staff(t, person{department: "Ward 3", mobile: true, webchat: true})
	asleep, _ := f.staff(t, person{department: "Ward 3", mobile: true, quiet: "08:00-16:00"})
	id := f.create(t, f.campaign()).CampaignID
	if err := f.c.Start(ctx, 0, id, f.lead); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Pool.Exec(ctx, `UPDATE staff SET consent = 'opted_out', consent_changed_at = now() WHERE id = $1`, optsOut); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Pool.Exec(ctx, `UPDATE staff SET first_name = '', last_name = '', mobile = NULL, email = NULL WHERE id = $1`, left); err != nil {
		t.Fatal(err)
	}
	busySince := monday.Add(-10 * time.Minute)
	if _, err := f.db.Pool.Exec(ctx, `
		INSERT INTO conversations (organisation_id, staff_id, channel, address, flow, fsm_state, data, owner, last_activity_at)
		SELECT $1::bigint, s.id, 'sms', s.mobile, 'support', 'menu', '{}'::jsonb, 'bot', $3::timestamptz FROM staff s WHERE s.id = $2
		UNION ALL
		SELECT $1, s.id, 'sms', s.mobile, 'support', 'menu', '{}', 'clinician', $3 - interval '3 days' FROM staff s WHERE s.id = $4`,
		f.org, busy, busySince, withClinician); err != nil {
		t.Fatal(err)
	}

	var steps []string
	for range 20 {
		s, wait, err := f.c.SendOne(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		steps = append(steps, s)
		if s == "wait" {
			if want := 50 * time.Minute; wait != want { // busy, the earliest held, is free at 10:50
				t.Errorf("the sender waits %v; want %v", wait, want)
			}
			break
		}
	}
	if want := "[sms next next next next next next wait]"; fmt.Sprint(steps) != want {
		t.Errorf("steps %v; want %s", steps, want)
	}
	for _, tc := range []struct {
		name  string
		staff int64
		want  member
	}{
		{"mobile", sms, member{state: "sent", conversations: 1, outbound: 2}}, // the invitation and its choices
		{"no mobile: web chat", web, member{state: "sent", conversations: 1, outbound: 2}},
		{"opted out since planned", optsOut, member{state: "skipped", skipReason: "opted_out"}},
		{"anonymised", left, member{state: "skipped", skipReason: "left"}},
		{"in a live conversation", busy, member{state: "planned", notBefore: busySince.Add(time.Hour)}},
		{"with a clinician", withClinician, member{state: "planned", notBefore: monday.Add(time.Hour)}},
		{"in quiet hours", asleep, member{state: "planned", notBefore: monday.Add(6 * time.Hour)}},
	} {
		if m := f.member(t, id, tc.staff); m != tc.want {
			t.Errorf("%s: %+v; want %+v", tc.name, m, tc.want)
		}
	}
	var channel, queue string
	if err := f.db.Pool.QueryRow(ctx, `SELECT c.channel, j.queue FROM conversations c JOIN messages g ON g.conversation_id = c.id
		JOIN river_job j ON j.kind = 'sms_deliver' AND (j.args->>'message_id')::bigint = g.id
		WHERE c.staff_id = $1 AND c.campaign_member_id IS NOT NULL`, sms).Scan(&channel, &queue); err != nil {
		t.Fatal(err)
	}
	if channel != "sms" || queue != "sms_prepaid" {
		t.Errorf("the SMS invitation went on %s, delivered from queue %s; want sms, sms_prepaid", channel, queue)
	}
	if n := f.count(t, `SELECT count(*) FROM river_job WHERE kind = 'campaign_reminder' AND scheduled_at = $1`,
		monday.Add(72*time.Hour)); n != 2 {
		t.Errorf("%d reminders scheduled on Thursday at 10:00; want 2", n)
	}

	// The live conversation goes quiet, the clinician hands back, the
	// quiet hours end: everyone is invited, and the campaign finishes.
	if _, err := f.db.Pool.Exec(ctx, `UPDATE conversations SET owner = 'bot', status = 'closed', closed_reason = 'resolved', closed_at = now() WHERE staff_id = $1`, withClinician); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(monday.Add(6 * time.Hour))
	steps = nil
	for s := ""; s != "done"; {
		var err error
		if s, _, err = f.c.SendOne(ctx, id); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, s)
		if len(steps) > 10 {
			t.Fatalf("steps %v: the sender does not finish", steps)
		}
	}
	if want := "[sms next sms done]"; fmt.Sprint(steps) != want {
		t.Errorf("steps after the holds %v; want %s", steps, want)
	}
	for _, s := range []int64{busy, withClinician, asleep} {
		if m := f.member(t, id, s); m.state != "sent" || m.conversations != 1 {
			t.Errorf("staff %d: %+v; want sent once", s, m)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM conversations WHERE staff_id = $1 AND closed_reason = 'no_response'`, busy); n != 1 {
		t.Errorf("the idle conversation was not closed to make way")
	}
	if s := f.status(t, id); s != postgres.CampaignFinished {
		t.Errorf("status %s; want finished", s)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_events WHERE action = 'campaign.finish' AND record_id = $1`, id); n != 1 {
		t.Errorf("%d campaign.finish audit events; want 1", n)
	}
}

// TestSenderWindowThroughTheClockChanges: the sender waits for its start
// and its window (09:00 to 17:00 London time, weekdays) on both sides of
// each clock change, and sends inside it.
func TestSenderWindowThroughTheClockChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	london := f.london
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, london) }
	for _, tc := range []struct {
		name     string
		starts   time.Time
		now      time.Time
		wantStep string
		wantAt   time.Time // when the sender looks again, for "wait"
	}{
		{"Friday evening before spring forward: Monday 09:00 BST", at(2026, 3, 20, 9, 0), at(2026, 3, 27, 17, 0), "wait", at(2026, 3, 30, 9, 0)},
		{"Sunday of spring forward, 01:30 UTC", at(2026, 3, 20, 9, 0), time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), "wait", at(2026, 3, 30, 9, 0)},
		{"Monday 08:59 BST (07:59 UTC)", at(2026, 3, 20, 9, 0), time.Date(2026, 3, 30, 7, 59, 0, 0, time.UTC), "wait", at(2026, 3, 30, 9, 0)},
		{"Monday 09:00 BST (08:00 UTC)", at(2026, 3, 20, 9, 0), time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC), "sms", time.Time{}},
		{"Friday 17:00 BST before fall back", at(2026, 10, 1, 9, 0), at(2026, 10, 23, 17, 0), "wait", at(2026, 10, 26, 9, 0)},
		{"Sunday of fall back, 01:30 BST", at(2026, 10, 1, 9, 0), time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), "wait", at(2026, 10, 26, 9, 0)},
		{"Monday 08:30 UTC after fall back", at(2026, 10, 1, 9, 0), time.Date(2026, 10, 26, 8, 30, 0, 0, time.UTC), "wait", at(2026, 10, 26, 9, 0)},
		{"Monday 16:59 GMT", at(2026, 10, 1, 9, 0), time.Date(2026, 10, 26, 16, 59, 0, 0, time.UTC), "sms", time.Time{}},
		{"before the start: wait for it", at(2026, 12, 1, 13, 30), at(2026, 11, 30, 10, 0), "wait", at(2026, 12, 1, 13, 30)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.clock.Set(tc.now.Add(-time.Hour))
			staff, _ := f.staff(t, person{department: tc.name, mobile: true})
			n := f.campaign()
			n.AudienceValue, n.StartsAt = tc.name, tc.starts
			f.clock.Set(tc.starts)
			id := f.create(t, n).CampaignID
			if err := f.c.Start(t.Context(), 0, id, f.lead); err != nil {
				t.Fatal(err)
			}
			f.clock.Set(tc.now)
			s, wait, err := f.c.SendOne(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			if s != tc.wantStep || (s == "wait" && !tc.now.Add(wait).Equal(tc.wantAt)) {
				t.Errorf("%s, looking again at %v; want %s at %v", s, tc.now.Add(wait).In(london), tc.wantStep, tc.wantAt)
			}
			if m := f.member(t, id, staff); (m.state == "sent") != (tc.wantStep == "sms") {
				t.Errorf("member %+v", m)
			}
		})
	}
}

// TestReplyMarksTheMemberRepliedAndIsScreened: any reply to an invitation
// marks the member replied (so no reminder follows), and a risky reply is
// screened as every message is: crisis contacts, a case, the bot silent.
func TestReplyMarksTheMemberRepliedAndIsScreened(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	ann, _ := f.staff(t, person{department: "Ward 3", mobile: true})
	bryn, _ := f.staff(t, person{department: "Ward 3", mobile: true})
	id := f.create(t, f.campaign()).CampaignID
	if err := f.c.Start(ctx, 0, id, f.lead); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if s, _, err := f.c.SendOne(ctx, id); err != nil || s != "sms" {
			t.Fatalf("send: %s, %v", s, err)
		}
	}
	for i, tc := range []struct {
		staff int64
		text  string
		cases int
	}{
		{ann, "thanks", 0},
		{bryn, "I've been saving up my tablets, I don't want to be here any more", 1},
	} {
		err := f.runner.HandleInbound(ctx, ohcontact.Inbound{Channel: ohcontact.ChannelSMS, Address: mobileOf(t, f, tc.staff),
			Text: tc.text, ExternalID: fmt.Sprintf("SM%032d", i), ReceivedAt: f.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if m := f.member(t, id, tc.staff); m.state != "replied" {
			t.Errorf("staff %d: %s after a reply; want replied", tc.staff, m.state)
		}
		if n := f.count(t, `SELECT count(*) FROM cases k JOIN conversations c ON c.id = k.conversation_id
			WHERE c.campaign_member_id IS NOT NULL AND k.staff_id = $1 AND k.priority = 'urgent'`, tc.staff); n != tc.cases {
			t.Errorf("staff %d: %d urgent cases on the campaign's conversation; want %d", tc.staff, n, tc.cases)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM conversations WHERE staff_id = $1 AND owner = 'clinician'`, bryn); n != 1 {
		t.Error("the conversation with a disclosure was not handed to clinicians")
	}
	p, err := postgres.CampaignProgressOf(ctx, f.db.Pool, id)
	if err != nil {
		t.Fatal(err)
	}
	if p.ByState["replied"] != 2 || p.ByState["sent"] != 0 || p.Delivered != 2 {
		t.Errorf("progress %+v; want 2 replied, and so delivered", p)
	}
}
