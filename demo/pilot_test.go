package demo

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
	"github.com/ohcontact/ohcontact/triggers"
)

// countingJobs is a triggers.JobInserter that only counts.
type countingJobs struct{ n int }

func (j *countingJobs) InsertTx(context.Context, pgx.Tx, river.JobArgs, *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	j.n++
	return &rivertype.JobInsertResult{Job: &rivertype.JobRow{}}, nil
}

func (j *countingJobs) InsertManyFastTx(_ context.Context, _ pgx.Tx, params []river.InsertManyParams) (int, error) {
	j.n += len(params)
	return len(params), nil
}

// TestSeedPilot seeds the pilot month the day after the early May bank
// holiday and checks that it is plausible, finished, quiet and seeded once.
func TestSeedPilot(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	dir := Directory()
	// The last organisation's configuration gives it a go-live day of its
	// own, which the seed keeps.
	configured := time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC)
	ensure := func(goLive time.Time) {
		t.Helper()
		for i, o := range dir.Organisations {
			org := ohcontact.Organisation{Code: o.Code, Name: o.Name}
			if i == len(dir.Organisations)-1 {
				org.GoLive = goLive
			}
			if err := postgres.EnsureOrganisation(ctx, db.Pool, org); err != nil {
				t.Fatal(err)
			}
		}
	}
	ensure(configured)
	if err := seedStaff(ctx, db); err != nil {
		t.Fatal(err)
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 5, 10, 0, 0, 0, london)
	today := time.Date(2026, 5, 5, 0, 0, 0, 0, london)

	start := time.Now()
	if err := seedPilot(ctx, db, codes(), now); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded in %s", time.Since(start).Round(time.Millisecond))

	counts := func() map[string]int {
		t.Helper()
		got := map[string]int{}
		for _, table := range []string{"staff", "users", "absence_episodes", "contacts", "conversations", "cases", "case_events",
			"signposts", "referrals", "audit_events"} {
			var n int
			if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			got[table] = n
		}
		return got
	}
	first := counts()
	// A restart: the organisations ensured again, with no go-live day
	// (zero keeps the one they have), then the seed again.
	ensure(time.Time{})
	if err := seedPilot(ctx, db, codes(), now.Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if again := counts(); len(again) != len(first) {
		t.Fatal("tables changed")
	} else {
		for table, n := range first {
			if again[table] != n {
				t.Errorf("a second seed changed %s: %d rows, then %d", table, n, again[table])
			}
		}
	}

	// Plausible figures.
	var orgs, staff, withContactDetails, demoNumbers int
	err = db.Pool.QueryRow(ctx, `
		SELECT count(DISTINCT organisation_id), count(*), count(*) FILTER (WHERE mobile IS NOT NULL OR email IS NOT NULL),
		       (SELECT count(*) FROM staff WHERE mobile LIKE '+447700900%')
		FROM staff WHERE assignment_number LIKE '91%'`).Scan(&orgs, &staff, &withContactDetails, &demoNumbers)
	if err != nil {
		t.Fatal(err)
	}
	if orgs != 4 || staff < 2000 || withContactDetails != 0 || demoNumbers != 5 {
		t.Errorf("seeded %d staff in %d organisations, %d with contact details; %d numbers in the drama range, want > 2000 in 4, none, the demo staff's 5",
			staff, orgs, withContactDetails, demoNumbers)
	}
	var episodes int
	var s10Episodes, s10Days, mskEpisodes, coldEpisodes, unknownEpisodes float64
	err = db.Pool.QueryRow(ctx, `
		WITH d AS (SELECT reason_code, greatest(starts_on, $1::date - 30) AS f, least(coalesce(ends_on, $1::date - 1), $1::date - 1) AS l
		           FROM absence_episodes WHERE ends_on IS NULL OR ends_on >= $1::date - 30)
		SELECT count(*), avg((reason_code = 'S10')::int), sum((l - f + 1) * (reason_code = 'S10')::int)::float8 / sum(l - f + 1),
		       avg((reason_code IN ('S11', 'S12'))::int), avg((reason_code = 'S13')::int), avg((reason_code IN ('S98', 'S99'))::int)
		FROM d`, today).Scan(&episodes, &s10Episodes, &s10Days, &mskEpisodes, &coldEpisodes, &unknownEpisodes)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d episodes: S10 %.0f%% (%.0f%% of the month's days), MSK %.0f%%, S13 %.0f%%, S98/S99 %.0f%%",
		episodes, 100*s10Episodes, 100*s10Days, 100*mskEpisodes, 100*coldEpisodes, 100*unknownEpisodes)
	if episodes < 300 || s10Episodes < 0.15 || s10Episodes > 0.35 || s10Days < 0.2 || s10Days > 0.35 ||
		mskEpisodes < 0.1 || coldEpisodes < 0.1 || unknownEpisodes < 0.03 {
		t.Error("the reasons' mix is not the usual one")
	}

	// The baseline: a year of ended HR-feed episodes before go-live, the
	// pilot's first day, in every organisation, with the usual mix but
	// longer; the service was not live, so nothing else.
	goLive := today.AddDate(0, 0, -30)
	var liveOrgs, configuredOrgs, baseline, notFromFeed, overlapping, before int
	var firstDay, lastDay time.Time
	var baseS10Days, baseMSK, baseMean, baseReached28 float64
	err = db.Pool.QueryRow(ctx, `
		WITH b AS (SELECT * FROM absence_episodes WHERE starts_on < $1 AND ends_on < $1)
		SELECT (SELECT count(*) FROM organisations WHERE go_live_on = $1), (SELECT count(*) FROM organisations WHERE go_live_on = $3),
		       count(*), count(*) FILTER (WHERE source <> 'hr_feed'), min(starts_on), max(ends_on),
		       sum((ends_on - starts_on + 1) * (reason_code = 'S10')::int)::float8 / sum(ends_on - starts_on + 1),
		       avg((reason_code IN ('S11', 'S12'))::int), avg(ends_on - starts_on + 1), avg((ends_on - starts_on + 1 >= 28)::int),
		       (SELECT count(*) FROM absence_episodes x JOIN absence_episodes y ON x.staff_id = y.staff_id AND x.id < y.id
		        AND daterange(x.starts_on, x.ends_on, '[]') && daterange(y.starts_on, coalesce(y.ends_on, 'infinity'), '[]')),
		       (SELECT count(*) FROM contacts k JOIN b ON b.id = k.episode_id)
		       + (SELECT count(*) FROM conversations WHERE created_at < $2)
		       + (SELECT count(*) FROM cases WHERE created_at < $2)
		FROM b`, goLive, goLive, configured).Scan(&liveOrgs, &configuredOrgs, &baseline, &notFromFeed, &firstDay, &lastDay, &baseS10Days, &baseMSK,
		&baseMean, &baseReached28, &overlapping, &before)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("baseline: %d episodes from %s to %s, S10 %.0f%% of days, MSK %.0f%%, %.1f days on average, %.0f%% reaching 28 days",
		baseline, firstDay.Format(time.DateOnly), lastDay.Format(time.DateOnly), 100*baseS10Days, 100*baseMSK, baseMean, 100*baseReached28)
	if liveOrgs != 3 || configuredOrgs != 1 {
		t.Errorf("%d organisations go live on %s and %d on %s; want 3 on the pilot's first day, and the one configured on its own",
			liveOrgs, goLive.Format(time.DateOnly), configuredOrgs, configured.Format(time.DateOnly))
	}
	if baseline < 5000 || notFromFeed != 0 || firstDay.Format(time.DateOnly) > goLive.AddDate(0, 0, -365).Format(time.DateOnly) ||
		lastDay.Format(time.DateOnly) != goLive.AddDate(0, 0, -1).Format(time.DateOnly) {
		t.Errorf("baseline of %d episodes (%d not from the HR feed) from %s to %s; want thousands, all from the feed, from a year before go-live to the day before it",
			baseline, notFromFeed, firstDay.Format(time.DateOnly), lastDay.Format(time.DateOnly))
	}
	if baseS10Days < 0.2 || baseS10Days > 0.35 || baseMSK < 0.1 || baseReached28 < 0.08 || baseReached28 > 0.25 {
		t.Error("the baseline's mix is not the usual one")
	}
	if overlapping != 0 || before != 0 {
		t.Errorf("%d pairs of one person's episodes overlap, %d contacts, conversations and cases before go-live; want none, none", overlapping, before)
	}

	// The dashboard's lists as the console asks for them.
	d, err := postgres.DashboardFor(ctx, db, 0, postgres.DashboardFilter{From: today.AddDate(0, 0, -30), To: today.AddDate(0, 0, -1),
		CallBackCategories: []string{"callback_requested", "appointment_requested", "physio_declined"}, Languages: locales.Languages,
		CampaignFlows: []string{dialogs.FlowVaccination}})
	if err != nil {
		t.Fatal(err)
	}
	all := d.Responses[len(d.Responses)-1]
	if rate := all.Rate.Value; all.Made.Value < 150 || rate < 55 || rate > 70 {
		t.Errorf("%v check-ins made, %.0f%% answered; want a few hundred, 55%% to 70%%", all.Made.Value, rate)
	}
	for _, s := range d.ContactsByWeek {
		var total float64
		for _, f := range s.Figures {
			total += f.Value
		}
		if total < 20 {
			t.Errorf("only %v %s contacts", total, s.Key)
		}
	}
	conversations := map[string]float64{}
	for _, c := range d.Conversations {
		conversations[c.Language] += c.Conversations.Value
		conversations[string(c.Channel)] += c.Conversations.Value
	}
	if conversations["en-GB"] < 5*(conversations["cy"]+conversations["pl"]) || conversations["cy"] < 5 || conversations["pl"] < 5 ||
		conversations["sms"] < 2*conversations["webchat"] || conversations["webchat"] < 5 {
		t.Errorf("conversations by language and channel: %v; want English mostly, some Welsh and Polish, SMS mostly, some web chat", conversations)
	}
	var physio, booked, attended float64
	for _, r := range d.Referrals {
		physio += r.Made.Value
		booked += r.Booked.Value
		attended += r.Attended.Value
	}
	if booked < 0.5*physio || attended > booked {
		t.Errorf("%v physiotherapy referrals, %v booked, %v attended; want most booked, and no more attended than booked", physio, booked, attended)
	}
	// Staff feedback: asked at most once a person, never of a conversation
	// with a case; answered about half the time, mostly 4 or 5.
	all5 := d.Feedback[len(d.Feedback)-1]
	if all5.Flow != "" || all5.Asked.Value < 100 || all5.Rate.Value < 40 || all5.Rate.Value > 70 || all5.Mean.Value < 3.8 || all5.Mean.Value > 4.6 {
		t.Errorf("feedback %+v; want hundreds asked, about half answered, a mean of about 4.2", all5)
	}
	var twice, afterCase, unclosed int
	db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) - count(DISTINCT staff_id) FROM feedback),
		(SELECT count(*) FROM feedback f JOIN cases k ON k.conversation_id = f.conversation_id),
		(SELECT count(*) FROM feedback f JOIN conversations v ON v.id = f.answer_conversation_id WHERE v.status <> 'closed')`).Scan(&twice, &afterCase, &unclosed)
	if twice != 0 || afterCase != 0 || unclosed != 0 {
		t.Errorf("feedback: %d people asked twice, %d asked after a case, %d answers left open; want none", twice, afterCase, unclosed)
	}
	checkPilotCampaigns(t, d)
	checkPilotNewStarters(t, d)
	listed, err := postgres.NewStartersToList(ctx, db.Pool, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	stages := map[string]int{}
	for _, n := range listed {
		switch {
		case n.OnWorklist:
			stages["on the worklist"]++
		case !n.ClearanceGivenAt.IsZero():
			stages["clearance given"]++
		case !n.QuestionnaireReceivedAt.IsZero():
			stages["questionnaire received"]++
		default:
			stages["waiting for the questionnaire"]++
		}
	}
	if len(stages) != 4 || stages["on the worklist"] < 2 || stages["questionnaire received"] < 2 || stages["waiting for the questionnaire"] < 2 {
		t.Errorf("the new starters page lists %v; want a few at every stage", stages)
	}
	// What the dashboard counts agrees with what happened: each invitation
	// has its conversation, each question its resolved case, each reply
	// was delivered; each welcome has its conversation; nobody was sent
	// anything after they opted out.
	var inconsistent [5]int
	err = db.Pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM campaign_members m
		        WHERE (m.state <> 'skipped') <> EXISTS (SELECT FROM conversations v WHERE v.campaign_member_id = m.id)),
		       (SELECT count(*) FROM campaign_members m WHERE m.outcome = 'question' AND NOT EXISTS (
		            SELECT FROM conversations v JOIN cases k ON k.conversation_id = v.id
		            WHERE v.campaign_member_id = m.id AND k.category = 'vaccination_question' AND k.status = 'resolved')),
		       (SELECT count(*) FROM campaign_members WHERE replied_at IS NOT NULL AND (delivered_at IS NULL OR state <> 'replied')),
		       (SELECT count(*) FROM new_starters n WHERE NOT EXISTS (SELECT FROM conversations v WHERE v.new_starter_id = n.id)),
		       (SELECT count(*) FROM conversations v JOIN staff s ON s.id = v.staff_id
		        WHERE s.consent = 'opted_out' AND v.created_at > s.consent_changed_at
		          AND (v.contact_id IS NOT NULL OR v.campaign_member_id IS NOT NULL OR v.new_starter_id IS NOT NULL))`).
		Scan(&inconsistent[0], &inconsistent[1], &inconsistent[2], &inconsistent[3], &inconsistent[4])
	if err != nil {
		t.Fatal(err)
	}
	if inconsistent != [5]int{} {
		t.Errorf("invitations without a conversation, questions without a case, replies undelivered, welcomes without a conversation, "+
			"texts after an opt-out: %v; want none", inconsistent)
	}
	var optOuts int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM staff WHERE consent = 'opted_out'`).Scan(&optOuts)
	if physio < 10 || optOuts < 1 || optOuts > 30 {
		t.Errorf("%v physiotherapy referrals, %d opt-outs; want some, and a few", physio, optOuts)
	}
	for _, c := range d.Cases {
		if c.Opened.Value < 5 || c.WithinSLA.Value < 0.75*c.Opened.Value {
			t.Errorf("%s cases: %v opened, %v within their SLA; want some, mostly within it", c.Priority, c.Opened.Value, c.WithinSLA.Value)
		}
	}
	var callBacks []string
	for _, c := range d.CallBacksByCategory {
		callBacks = append(callBacks, fmt.Sprintf("%s %v", c.Category, c.Opened.Value))
		if c.Category != "physio_declined" && (c.Opened.Value < 5 || c.WithinSLA.Value < 0.75*c.Opened.Value) {
			t.Errorf("%s cases: %v opened, %v within their SLA; want some, mostly within it", c.Category, c.Opened.Value, c.WithinSLA.Value)
		}
	}
	t.Logf("OH call-back cases: %s", strings.Join(callBacks, ", "))
	var breachEvents int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM case_events WHERE kind = 'sla_breached'`).Scan(&breachEvents)
	if breachEvents < 2 || breachEvents > 20 {
		t.Errorf("%d SLA breaches recorded, want a few", breachEvents)
	}

	// Every signpost is a service of that category in the organisation's
	// directory.
	rows, err := db.Pool.Query(ctx, `SELECT DISTINCT o.code, s.service, s.category FROM signposts s JOIN organisations o ON o.id = s.organisation_id`)
	if err != nil {
		t.Fatal(err)
	}
	var code, service, category string
	_, err = pgx.ForEachRow(rows, []any{&code, &service, &category}, func() error {
		o, _ := dir.Organisation(code)
		if svc, ok := o.Service(service); !ok || string(svc.Category) != category {
			t.Errorf("signpost %s (%s) is not in %s's directory", service, category, code)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Finished and quiet: nothing after yesterday, nothing open, no jobs.
	var latest time.Time
	var open, jobs int
	err = db.Pool.QueryRow(ctx, `
		SELECT greatest((SELECT max(greatest(created_at, closed_at, last_activity_at)) FROM conversations),
		                (SELECT max(greatest(created_at, claimed_at, resolved_at)) FROM cases),
		                (SELECT max(created_at) FROM case_events), (SELECT max(created_at) FROM signposts),
		                (SELECT max(greatest(due_at, held_until)) FROM contacts)),
		       (SELECT count(*) FROM conversations WHERE status = 'open') + (SELECT count(*) FROM cases WHERE status <> 'resolved')
		       + (SELECT count(*) FROM contacts WHERE state IN ('scheduled', 'sent', 'reminded')),
		       (SELECT count(*) FROM river_job)`).Scan(&latest, &open, &jobs)
	if err != nil {
		t.Fatal(err)
	}
	if !latest.Before(today) || open != 0 || jobs != 0 {
		t.Errorf("latest moment %s (today began %s), %d open records, %d jobs; want none of today, none, none", latest, today, open, jobs)
	}

	// The daily planning run finds every contact the rules make already
	// there.
	policy, err := triggers.NewPolicy(nil)
	if err != nil {
		t.Fatal(err)
	}
	fake := &countingJobs{}
	scheduler := &triggers.Scheduler{Policy: policy, Jobs: fake, Now: func() time.Time { return now }}
	n, err := scheduler.ScheduleAll(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if n.Episodes == 0 || n.Scheduled+n.Skipped+n.Cancelled+n.Failed+n.Closed != 0 || fake.n != 0 {
		t.Errorf("planning after the seed: %+v and %d jobs; want every contact already there", n, fake.n)
	}
}

// checkPilotCampaigns checks the pilot month's vaccination uptake on the
// dashboard d of every organisation: a flu campaign in each organisation
// but the first, each in its own week, with every kind of answer and
// about half taking the vaccine; most staff groups shown, a few too small
// to show.
func checkPilotCampaigns(t *testing.T, d postgres.Dashboard) {
	t.Helper()
	campaigns := d.Campaigns.Campaigns
	all := campaigns[len(campaigns)-1]
	t.Logf("vaccination: %d campaigns, %v invited, %v replied, %v booked, %v had it elsewhere, %v declined, %v questions, uptake %.0f%%",
		len(campaigns)-1, all.Invited.Value, all.Replied.Value, all.Booked.Value, all.HadElsewhere.Value, all.Declined.Value,
		all.Question.Value, all.Uptake.Value)
	if len(campaigns) != 4 || all.Invited.Value < 1000 || all.Replied.Value > 0.8*all.Invited.Value ||
		all.Uptake.Value < 30 || all.Uptake.Value > 80 {
		t.Errorf("%d campaigns, %v invited, %v replied, uptake %.0f%%; want 3, thousands, most replying, 30%% to 80%%",
			len(campaigns)-1, all.Invited.Value, all.Replied.Value, all.Uptake.Value)
	}
	for _, f := range []postgres.Figure{all.Booked, all.HadElsewhere, all.Declined, all.Question} {
		if f.Value < 20 {
			t.Errorf("an answer is given by %v people; want every answer given by some", f.Value)
		}
	}
	var shown, suppressed []string
	for _, g := range d.Campaigns.StaffGroups {
		switch {
		case g.Invited.Suppressed:
			suppressed = append(suppressed, g.Group)
		case g.Invited.Value > 0 && !g.Uptake.Suppressed:
			shown = append(shown, g.Group)
		}
	}
	if len(suppressed) == 0 || len(shown) < 5 {
		t.Errorf("staff groups shown %q, suppressed %q; want most shown, some too small", shown, suppressed)
	}
	weeks := 0
	for _, w := range d.Campaigns.Weeks {
		if w.Invited.Value > 0 {
			weeks++
		}
	}
	running := 0
	for _, o := range d.Organisations {
		if len(o.Campaigns.Campaigns) > 1 {
			running++
		}
	}
	if weeks != 3 || running != 3 {
		t.Errorf("invitations in %d weeks from %d organisations; want 3 and 3", weeks, running)
	}
}

// checkPilotNewStarters checks the pilot month's new starters' clearance
// on the dashboard d: some in every organisation, most cleared, about the
// first day.
func checkPilotNewStarters(t *testing.T, d postgres.Dashboard) {
	t.Helper()
	n := d.NewStarters
	t.Logf("new starters: %v, %v cleared, %.0f%% by the first day, %.0f%% within 14 days, median %v days",
		n.Starters.Value, n.Cleared.Value, n.ByDay1Rate.Value, n.Within14Rate.Value, n.MedianDays.Value)
	if n.Starters.Value < 30 || n.Cleared.Value < 0.6*n.Starters.Value || n.Cleared.Value == n.Starters.Value ||
		n.ByDay1Rate.Value < 20 || n.ByDay1Rate.Value > 80 || n.MedianDays.Empty || n.MedianDays.Value < -7 || n.MedianDays.Value > 14 {
		t.Errorf("new starters %+v; want dozens, most but not all cleared, many by their first day, a median within a fortnight of it", n)
	}
	for _, o := range d.Organisations {
		if o.NewStarters.Starters.Value < 5 {
			t.Errorf("organisation %d has %v new starters, want some", o.Filter.OrganisationID, o.NewStarters.Starters.Value)
		}
	}
}
