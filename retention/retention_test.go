package retention_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
	"github.com/ohcontact/ohcontact/retention"
)

// fixture is a fresh database with one organisation, and a purger whose
// clock reads now (the database's own clock, give or take a second, so
// rows written with now() count as recent).
type fixture struct {
	t      *testing.T
	db     *postgres.DB
	org    int64
	user   int64
	now    time.Time
	purger *retention.Purger
	n      int // numbers addresses and assignment numbers
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := pgtest.New(t)
	f := &fixture{t: t, db: db, now: time.Now().UTC().Truncate(time.Second)}
	f.org = pgtest.Organisation(t, db.Pool, "RX1", "Example Trust")
	err := db.Pool.QueryRow(t.Context(), `INSERT INTO users (email, display_name, role, password_hash)
		VALUES ('nurse@example.nhs.uk', 'Nurse', 'clinician', 'x') RETURNING id`).Scan(&f.user)
	if err != nil {
		t.Fatal(err)
	}
	f.purger = &retention.Purger{DB: db, Policy: retention.DefaultPolicy, Now: func() time.Time { return f.now },
		Log: slog.New(slog.DiscardHandler)}
	return f
}

// months returns the moment m months and d days before now.
func (f *fixture) months(m, d int) time.Time { return f.now.AddDate(0, -m, -d) }

func (f *fixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.db.Pool.Exec(f.t.Context(), sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f *fixture) id(sql string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.db.Pool.QueryRow(f.t.Context(), sql, args...).Scan(&id); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return id
}

func (f *fixture) count(sql string, args ...any) int {
	f.t.Helper()
	return int(f.id(sql, args...))
}

// staff adds a member of staff last changed at updated.
func (f *fixture) staff(updated time.Time) int64 {
	f.t.Helper()
	f.n++
	return f.id(`INSERT INTO staff (organisation_id, assignment_number, first_name, last_name, mobile, email, job_title, department,
		staff_group, created_at, updated_at)
		VALUES ($1, $2, 'Ann', 'Example', $3, 'ann@example.nhs.uk', 'Porter', 'Estates', 'Estates and Ancillary', $4, $4) RETURNING id`,
		f.org, fmt.Sprint(1000+f.n), fmt.Sprintf("+4477009%05d", f.n), updated)
}

// conversation adds a conversation with staffID (0: anonymous), closed at
// closed (zero: open, last active then), holding two messages, an answer,
// a signpost and, with a member of staff, a referral.
func (f *fixture) conversation(staffID int64, closed time.Time) int64 {
	f.t.Helper()
	f.n++
	status, reason, closedAt, active := "closed", any("completed"), any(closed), closed
	if closed.IsZero() {
		status, reason, closedAt, active = "open", nil, nil, f.months(36, 0)
	}
	id := f.id(`INSERT INTO conversations (organisation_id, staff_id, channel, address, flow, fsm_state, data,
			status, closed_reason, closed_at, last_message_seq, last_activity_at, created_at)
		VALUES ($1, nullif($2::bigint, 0), 'sms', $3, 'support', 'done', '{"first_name": "Ann", "answers": {"menu": "2"}}',
			$4, $5, $6, 2, $7, $7) RETURNING id`,
		f.org, staffID, fmt.Sprintf("+4477009%05d", f.n), status, reason, closedAt, active)
	f.exec(`INSERT INTO messages (conversation_id, seq, direction, channel, author, body, delivery_status) VALUES
		($1, 1, 'inbound', 'sms', 'staff', 'my back hurts', 'received'),
		($1, 2, 'outbound', 'sms', 'bot', 'Sorry to hear that', 'delivered')`, id)
	f.exec(`INSERT INTO answers (conversation_id, question, value) VALUES ($1, 'msk.pain', '7')`, id)
	f.exec(`INSERT INTO signposts (organisation_id, conversation_id, service, category) VALUES ($1, $2, 'Physio', 'msk')`, f.org, id)
	if staffID != 0 {
		// Worked to its end when the conversation closed.
		f.exec(`INSERT INTO referrals (organisation_id, staff_id, conversation_id, kind, answers, status, acted_at,
				decline_reason, decline_note, created_at, updated_at)
			VALUES ($1, $2, $3, 'physiotherapy', '{"msk.pain": "7"}', 'declined', $4, 'see_gp', 'GP first', $4, $4)`,
			f.org, staffID, id, active)
	}
	return id
}

// addCase adds a case resolved at resolved, with opened, claimed and
// resolved events; or, when resolved is zero, one opened seven years ago,
// never claimed, with opened and sla_breached events. Either has a
// clinician's alert and an on-call text.
func (f *fixture) addCase(conversationID, staffID int64, resolved time.Time) int64 {
	f.t.Helper()
	var id int64
	if resolved.IsZero() {
		id = f.id(`INSERT INTO cases (organisation_id, conversation_id, staff_id, priority, category, sla_due_at, created_at)
			VALUES ($1, nullif($2::bigint, 0), nullif($3::bigint, 0), 'urgent', 'suicide_risk', $4, $4) RETURNING id`,
			f.org, conversationID, staffID, f.months(84, 0))
		f.exec(`INSERT INTO case_events (case_id, kind) VALUES ($1, 'opened'), ($1, 'sla_breached')`, id)
	} else {
		id = f.id(`INSERT INTO cases (organisation_id, conversation_id, staff_id, priority, category, status, claimed_by, claimed_at,
				sla_due_at, outcome, resolved_by, resolved_at, created_at)
			VALUES ($1, nullif($2::bigint, 0), nullif($3::bigint, 0), 'urgent', 'suicide_risk', 'resolved', $4, $5, $5,
				'called back', $4, $5, $5) RETURNING id`,
			f.org, conversationID, staffID, f.user, resolved)
		f.exec(`INSERT INTO case_events (case_id, user_id, kind) VALUES ($1, NULL, 'opened'), ($1, $2, 'claimed'), ($1, $2, 'resolved')`, id, f.user)
	}
	f.exec(`INSERT INTO clinician_alerts (user_id, case_id, kind) VALUES ($1, $2, 'sla_breached')`, f.user, id)
	fid := f.id(`INSERT INTO case_follow_ups (case_id, due_at, note, set_by, alerted_at) VALUES ($1, $2, 'Call back', $3, $2) RETURNING id`,
		id, f.months(84, 0), f.user)
	f.exec(`INSERT INTO clinician_alerts (user_id, case_id, kind, follow_up_id) VALUES ($1, $2, 'follow_up_due', $3)`, f.user, id, fid)
	f.exec(`INSERT INTO on_call_texts (organisation_id, case_id, mobile, body) VALUES ($1, $2, '+447700900999', 'Case 1 is waiting')`, f.org, id)
	return id
}

func (f *fixture) audit(at time.Time) int64 {
	f.t.Helper()
	return f.id(`INSERT INTO audit_events (occurred_at, actor_kind, action, record_type, record_id)
		VALUES ($1, 'system', 'case.viewed', 'case', 1) RETURNING id`, at)
}

func (f *fixture) purge() postgres.Purged {
	f.t.Helper()
	p, err := f.purger.Purge(f.t.Context())
	if err != nil {
		f.t.Fatalf("Purge: %v", err)
	}
	return p
}

// purgeEvents returns the details of the retention.purge audit events, in
// order.
func (f *fixture) purgeEvents() []map[string]any {
	f.t.Helper()
	rows, err := f.db.Pool.Query(f.t.Context(), `SELECT details FROM audit_events
		WHERE action = 'retention.purge' AND record_type = 'retention' AND actor_kind = 'system' ORDER BY id`)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		var d map[string]any
		if err := rows.Scan(&d); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	return out
}

// transcript is what a conversation still holds.
type transcript struct {
	Messages, Answers, Signposts int
	Address, Data, Status        string
}

func (f *fixture) transcript(id int64) transcript {
	f.t.Helper()
	var tr transcript
	err := f.db.Pool.QueryRow(f.t.Context(), `SELECT
		(SELECT count(*) FROM messages WHERE conversation_id = c.id),
		(SELECT count(*) FROM answers WHERE conversation_id = c.id),
		(SELECT count(*) FROM signposts WHERE conversation_id = c.id),
		c.address, c.data::text, c.status
		FROM conversations c WHERE c.id = $1`, id).Scan(&tr.Messages, &tr.Answers, &tr.Signposts, &tr.Address, &tr.Data, &tr.Status)
	if err != nil {
		f.t.Fatalf("conversation %d: %v", id, err)
	}
	return tr
}

func TestRetentionTranscripts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ann := f.staff(f.now) // active: only her conversations are in question
	expired := f.conversation(ann, f.months(18, 1))
	anonymous := f.conversation(0, f.months(18, 1))
	kept := f.conversation(ann, f.months(18, -1))
	open := f.conversation(0, time.Time{}) // idle for three years, but open
	waiting := f.conversation(0, f.months(24, 0))
	f.addCase(waiting, 0, time.Time{}) // its case is not resolved
	referred := f.conversation(ann, f.months(24, 0))
	f.exec(`UPDATE referrals SET status = 'booked', decline_reason = NULL, decline_note = NULL, appointment_at = $2,
		appointment_kind = 'phone' WHERE conversation_id = $1`, referred, f.now) // its referral is still being worked

	got := f.purge()
	want := postgres.Purged{Conversations: 2, Messages: 4, Answers: 2, Referrals: 1}
	if got != want {
		t.Errorf("Purge = %+v, want %+v", got, want)
	}
	for _, tc := range []struct {
		name   string
		id     int64
		purged bool
	}{
		{"closed 18 months and a day ago", expired, true},
		{"anonymous, closed 18 months and a day ago", anonymous, true},
		{"closed 18 months less a day ago", kept, false},
		{"open", open, false},
		{"closed with an unresolved case", waiting, false},
		{"closed with a referral still being worked", referred, false},
	} {
		tr := f.transcript(tc.id)
		want := transcript{Messages: 2, Answers: 1, Signposts: 1, Address: tr.Address, Data: tr.Data, Status: tr.Status}
		if tc.purged {
			want = transcript{Signposts: 1, Address: postgres.PurgedAddress, Data: "{}", Status: "closed"}
		} else if tr.Address == postgres.PurgedAddress || tr.Data == "{}" {
			t.Errorf("%s: address or flow state cleared: %+v", tc.name, tr)
		}
		if tr != want {
			t.Errorf("%s: after the purge %+v, want %+v", tc.name, tr, want)
		}
	}
	if tr := f.transcript(open); tr.Status != "open" {
		t.Errorf("the open conversation is %s", tr.Status)
	}
	if n := f.count(`SELECT count(*) FROM referrals WHERE conversation_id = $1 AND answers = '{}'`, expired); n != 1 {
		t.Errorf("the purged conversation's referral kept its answers")
	}
	if n := f.count(`SELECT count(*) FROM referrals WHERE conversation_id = $1 AND answers <> '{}'`, kept); n != 1 {
		t.Errorf("the kept conversation's referral lost its answers")
	}

	events := f.purgeEvents()
	if len(events) != 1 {
		t.Fatalf("%d retention.purge audit events, want 1", len(events))
	}
	for key, want := range map[string]float64{"conversations": 2, "messages": 4, "answers": 2, "referrals": 1,
		"staff_cleared": 0, "cases": 0, "audit_events": 0} {
		if events[0][key] != want {
			t.Errorf("audit details[%q] = %v, want %v (details %v)", key, events[0][key], want, events[0])
		}
	}
	if events[0]["personal_data_before"] != f.months(18, 0).Format(time.RFC3339) {
		t.Errorf("audit details name the cutoff %v, want %v", events[0]["personal_data_before"], f.months(18, 0).Format(time.RFC3339))
	}

	// A second run, as the nightly job, finds nothing and says so.
	w := &retention.Worker{Purger: f.purger}
	if err := w.Work(t.Context(), &river.Job[retention.PurgeArgs]{}); err != nil {
		t.Fatalf("second run: %v", err)
	}
	events = f.purgeEvents()
	if len(events) != 2 {
		t.Fatalf("after a second run, %d retention.purge events, want 2", len(events))
	}
	for key, v := range events[1] {
		if n, ok := v.(float64); ok && n != 0 {
			t.Errorf("the second run purged %v %s, want nothing", n, key)
		}
	}
}

func TestRetentionCasesAndAudit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	kinds := []string{"opened", "claimed", "resolved", "sla_breached"}
	expired := f.addCase(0, 0, f.months(72, 1))
	kept := f.addCase(0, 0, f.months(72, -1))
	unresolved := f.addCase(0, 0, time.Time{}) // opened seven years ago
	oldAudit := f.audit(f.months(96, 1))
	keptAudit := f.audit(f.months(96, -1))
	before, err := postgres.CaseEventCounts(t.Context(), f.db.Pool, kinds)
	if err != nil {
		t.Fatal(err)
	}

	got := f.purge()
	want := postgres.Purged{Cases: 1, CaseEvents: 3, ClinicianAlerts: 2, FollowUps: 1, OnCallTexts: 1, AuditEvents: 1}
	if got != want {
		t.Errorf("Purge = %+v, want %+v", got, want)
	}
	for _, tc := range []struct {
		name string
		id   int64
		rows int // the case, its events, alerts, follow-up and on-call text
	}{
		{"resolved 6 years and a day ago", expired, 0},
		{"resolved 6 years less a day ago", kept, 8},
		{"unresolved, opened 7 years ago", unresolved, 7},
	} {
		n := f.count(`SELECT (SELECT count(*) FROM cases WHERE id = $1) + (SELECT count(*) FROM case_events WHERE case_id = $1)
			+ (SELECT count(*) FROM clinician_alerts WHERE case_id = $1) + (SELECT count(*) FROM on_call_texts WHERE case_id = $1)
			+ (SELECT count(*) FROM case_follow_ups WHERE case_id = $1)`, tc.id)
		if n != tc.rows {
			t.Errorf("case %s: %d rows left of the case, its events, alert and text, want %d", tc.name, n, tc.rows)
		}
	}
	for _, tc := range []struct {
		name string
		id   int64
		left int
	}{{"8 years and a day ago", oldAudit, 0}, {"8 years less a day ago", keptAudit, 1}} {
		if n := f.count(`SELECT count(*) FROM audit_events WHERE id = $1`, tc.id); n != tc.left {
			t.Errorf("audit event from %s: %d left, want %d", tc.name, n, tc.left)
		}
	}

	// The case events deleted still count, on every later purge too.
	f.purge()
	after, err := postgres.CaseEventCounts(t.Context(), f.db.Pool, kinds)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts := map[string]int64{"opened": 3, "claimed": 2, "resolved": 2, "sla_breached": 1}
	for _, k := range kinds {
		if before[k] != wantCounts[k] || after[k] != wantCounts[k] {
			t.Errorf("case events %q: %d before the purge, %d after, want %d both times", k, before[k], after[k], wantCounts[k])
		}
	}
	events := f.purgeEvents()
	totals, _ := json.Marshal(events[len(events)-1]["case_events_purged_total"])
	if string(totals) != `{"claimed":1,"opened":1,"resolved":1}` {
		t.Errorf("the latest purge event carries the running total %s", totals)
	}
}

func TestRetentionStaff(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	old := f.months(24, 0)
	withHistory := f.staff(old)
	f.conversation(withHistory, f.months(20, 0))
	unreferenced := f.staff(old)
	optedOut := f.staff(old)
	f.exec(`UPDATE staff SET consent = 'opted_out', consent_changed_at = $2, updated_at = $2 WHERE id = $1`, optedOut, old)
	absent := f.staff(old)
	f.exec(`INSERT INTO absence_episodes (staff_id, starts_on, reason_code, source, updated_at) VALUES ($1, $2::timestamptz::date, 'S12', 'hr_feed', $2)`, absent, old)
	withCase := f.staff(old)
	f.addCase(0, withCase, time.Time{})
	talkedLately := f.staff(old)
	f.conversation(talkedLately, f.months(17, 0))
	recent := f.staff(f.months(17, 0))
	// A new starter whose welcome HR withdrew two years ago: the row
	// refers to them, so they are cleared, start date and all, not deleted.
	newStarter := f.staff(old)
	f.exec(`UPDATE staff SET starts_on = $2::timestamptz::date, updated_at = $2 WHERE id = $1`, newStarter, old)
	f.exec(`INSERT INTO new_starters (organisation_id, staff_id, starts_on, state, welcome_due_at, updated_at)
		SELECT organisation_id, id, starts_on, 'cancelled', $2, $2 FROM staff WHERE id = $1`, newStarter, old)

	got := f.purge()
	if got.StaffCleared != 3 || got.StaffDeleted != 1 {
		t.Errorf("Purge = %+v, want 3 staff cleared and 1 deleted", got)
	}
	for _, tc := range []struct {
		name string
		id   int64
		want string // "cleared", "deleted" or "kept"
	}{
		{"no activity for 2 years, with a past conversation", withHistory, "cleared"},
		{"no activity for 2 years, nothing refers to them", unreferenced, "deleted"},
		{"no activity for 2 years, opted out", optedOut, "cleared"},
		{"open absence", absent, "kept"},
		{"unresolved case", withCase, "kept"},
		{"conversation closed 17 months ago", talkedLately, "kept"},
		{"record updated 17 months ago", recent, "kept"},
		{"no activity for 2 years, a withdrawn new starter", newStarter, "cleared"},
	} {
		var first, last, mobile, email, job, consent string
		err := f.db.Pool.QueryRow(t.Context(), `SELECT first_name, last_name, coalesce(mobile, ''), coalesce(email, ''),
			coalesce(job_title, '') || coalesce(department, '') || coalesce(staff_group, '') || coalesce(starts_on::text, ''), consent
			FROM staff WHERE id = $1`, tc.id).Scan(&first, &last, &mobile, &email, &job, &consent)
		state := "kept"
		switch {
		case err != nil:
			state = "deleted"
		case first == "" && last == "" && mobile == "" && email == "" && job == "":
			state = "cleared"
		}
		if state != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, state, tc.want)
		}
		if tc.id == optedOut && consent != "opted_out" {
			t.Errorf("the opt-out was lost: consent %q", consent)
		}
	}
}

func TestRetentionBatches(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.purger.Batch = 3
	for range 7 {
		f.conversation(0, f.months(19, 0))
	}
	for range 5 {
		f.audit(f.months(100, 0))
	}

	got := f.purge()
	if got.Conversations != 7 || got.Messages != 14 || got.AuditEvents != 5 {
		t.Errorf("Purge = %+v, want 7 conversations, 14 messages and 5 audit events", got)
	}
	if n := f.count(`SELECT count(*) FROM messages`); n != 0 {
		t.Errorf("%d messages left", n)
	}
	events := f.purgeEvents()
	var conversations, audits []float64
	for _, e := range events {
		conversations = append(conversations, e["conversations"].(float64))
		audits = append(audits, e["audit_events"].(float64))
	}
	if fmt.Sprint(conversations) != "[3 3 1]" || fmt.Sprint(audits) != "[3 2 0]" {
		t.Errorf("batches purged conversations %v and audit events %v, want [3 3 1] and [3 2 0]: one event per transaction", conversations, audits)
	}
}

func TestRetentionNightlySchedule(t *testing.T) {
	t.Parallel()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name     string
		from     string
		wantNext string
	}{
		{"winter, before 03:30", "2027-01-10T01:00:00Z", "2027-01-10T03:30:00Z"},
		{"winter, at 03:30: the next day", "2027-01-10T03:30:00Z", "2027-01-11T03:30:00Z"},
		{"summer: 03:30 BST", "2027-07-01T12:00:00Z", "2027-07-02T02:30:00Z"},
		{"the night the clocks go forward", "2027-03-28T00:30:00Z", "2027-03-28T02:30:00Z"},
		{"the night the clocks go back", "2027-10-30T23:00:00Z", "2027-10-31T03:30:00Z"},
	} {
		if got := retention.NextNightly(london, utc(tc.from)); !got.Equal(utc(tc.wantNext)) {
			t.Errorf("%s: next run after %s = %s, want %s", tc.name, tc.from, got.UTC().Format(time.RFC3339), tc.wantNext)
		}
	}
}

// TestRetentionFeedbackComments: a feedback comment is the person's own
// words, and goes with the transcripts of the conversation whose end asked
// for it or the one it was written in; its rating stays for the dashboard.
func TestRetentionFeedbackComments(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ann := f.staff(f.now)
	feedback := func(asked, answered int64) int64 {
		return f.id(`INSERT INTO feedback (organisation_id, staff_id, conversation_id, flow, channel, language, asked_at,
				rating, rated_at, answer_conversation_id, comment, commented_at)
			VALUES ($1, $2, $3, 'support', 'sms', 'en-GB', $5, 4, $5, $4, 'the physio was great', $5) RETURNING id`,
			f.org, ann, asked, answered, f.months(24, 0))
	}
	expired := feedback(f.conversation(ann, f.months(18, 1)), f.conversation(ann, f.months(18, 1)))
	kept := feedback(f.conversation(ann, f.months(18, -1)), f.conversation(ann, f.months(18, -1)))
	if got := f.purge(); got.FeedbackComments != 1 {
		t.Errorf("Purge = %+v, want one feedback comment cleared", got)
	}
	if n := f.count(`SELECT count(*) FROM feedback WHERE id = $1 AND comment IS NULL AND rating = 4`, expired); n != 1 {
		t.Error("the expired conversations' feedback kept its comment, or lost its rating")
	}
	if n := f.count(`SELECT count(*) FROM feedback WHERE id = $1 AND comment IS NOT NULL`, kept); n != 1 {
		t.Error("the kept conversations' feedback lost its comment")
	}
}

// TestRetentionCampaignMembers: a campaign member's outcome details (where
// and when they were vaccinated, why they declined) go with the last of
// their campaign conversations' transcripts, the outcome staying; and a
// member of staff a campaign planned is cleared, not deleted (the member
// row refers to them), so the purge does not fail on the reference.
func TestRetentionCampaignMembers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	campaign := f.id(`INSERT INTO campaigns (organisation_id, name, flow, vaccine, audience, audience_value, starts_at, window_from, window_until)
		VALUES ($1, 'Flu 2024', 'vaccination', 'flu', 'department', 'Estates', $2, '09:00', '17:00') RETURNING id`, f.org, f.months(30, 0))
	member := func(staffID int64) int64 {
		return f.id(`INSERT INTO campaign_members (campaign_id, staff_id, state, outcome, outcome_detail, outcome_at, sent_at, replied_at)
			VALUES ($1, $2, 'replied', 'had_elsewhere', '{"where": "my GP", "date": "2024-10-01"}', $3, $3, $3) RETURNING id`,
			campaign, staffID, f.months(30, 0))
	}
	opened := func(conversationID, memberID int64) {
		f.exec(`UPDATE conversations SET campaign_member_id = $2 WHERE id = $1`, conversationID, memberID)
	}
	ann := f.staff(f.now)
	expired := member(ann)
	opened(f.conversation(ann, f.months(18, 1)), expired)
	bryn := f.staff(f.now)
	remindedLater := member(bryn) // invited long ago, reminded in a conversation still kept
	opened(f.conversation(bryn, f.months(18, 1)), remindedLater)
	opened(f.conversation(bryn, f.months(17, 0)), remindedLater)
	gone := f.staff(f.months(24, 0)) // no activity for two years, planned by a campaign
	member(gone)

	got := f.purge()
	if got.CampaignOutcomes != 1 || got.StaffCleared != 1 || got.StaffDeleted != 0 {
		t.Errorf("Purge = %+v, want one campaign member's details cleared and one member of staff cleared, none deleted", got)
	}
	for _, tc := range []struct {
		name   string
		id     int64
		detail string
	}{
		{"every conversation purged", expired, "{}"},
		{"a later conversation kept", remindedLater, `{"date": "2024-10-01", "where": "my GP"}`},
	} {
		var detail, outcome string
		if err := f.db.Pool.QueryRow(t.Context(), `SELECT outcome_detail::text, outcome FROM campaign_members WHERE id = $1`, tc.id).
			Scan(&detail, &outcome); err != nil {
			t.Fatal(err)
		}
		if detail != tc.detail || outcome != "had_elsewhere" {
			t.Errorf("%s: outcome %s, detail %s; want had_elsewhere, %s", tc.name, outcome, detail, tc.detail)
		}
	}
	if n := f.count(`SELECT count(*) FROM staff WHERE id = $1 AND first_name = '' AND staff_group IS NULL`, gone); n != 1 {
		t.Error("the member of staff a campaign planned was not cleared")
	}
}
