package postgres_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// campaign starts a running campaign of org with flow, inviting to
// vaccine, and returns its id.
func (f *dashFixture) campaign(org int64, name, flow, vaccine string, starts time.Time) int64 {
	f.t.Helper()
	return f.id(`INSERT INTO campaigns (organisation_id, name, flow, vaccine, audience, audience_value, starts_at,
		window_from, window_until, status) VALUES ($1, $2, $3, nullif($4, ''), 'staff_group', 'x', $5, '09:00', '17:00', 'running')
		RETURNING id`, org, name, flow, vaccine, starts)
}

// invite adds n people of org in staff group ("" unknown) to campaign,
// invited at sent (never, when zero), who replied when replied or
// outcome ("" none) is set.
func (f *dashFixture) invite(n int, campaign, org int64, group string, sent time.Time, replied bool, outcome string) {
	f.t.Helper()
	for range n {
		staff := f.staff(org)
		f.exec(`UPDATE staff SET staff_group = nullif($2, '') WHERE id = $1`, staff, group)
		state := "planned"
		switch {
		case replied || outcome != "":
			state = "replied"
		case !sent.IsZero():
			state = "sent"
		}
		var at *time.Time
		if !sent.IsZero() {
			at = &sent
		}
		f.exec(`INSERT INTO campaign_members (campaign_id, staff_id, staff_group, state, sent_at, replied_at, outcome, outcome_at)
			VALUES ($1, $2, (SELECT staff_group FROM staff WHERE id = $2), $3, $4, CASE WHEN $3 = 'replied' THEN $4::timestamptz + interval '1 hour' END, nullif($5, ''),
			        CASE WHEN $5 <> '' THEN $4::timestamptz + interval '1 hour' END)`,
			campaign, staff, state, at, outcome)
	}
}

// TestDashboardCampaigns checks campaign uptake against invitations built
// by hand, in two organisations and one with no campaign.
func TestDashboardCampaigns(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := &dashFixture{t: t, ctx: ctx, db: db}
	a, b, empty := f.org("VA"), f.org("VB"), f.org("VC")
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	day := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, london) }
	const nurses, doctors = "Nursing and Midwifery Registered", "Medical and Dental"
	const vacc = "vaccination"

	// A's flu campaign, invitations of 24 March (the first week):
	//
	//	                 nurses  doctors  unknown
	//	booked             10
	//	had elsewhere       5
	//	declined                    3
	//	question                    2
	//	replied, no outcome                  2
	//	no reply                    6
	//
	// 28 invited, 22 replied, uptake 15 of 28.
	flu := f.campaign(a, "Flu 2026", vacc, "flu", day(20, 9))
	f.invite(10, flu, a, nurses, day(24, 10), true, postgres.OutcomeBooked)
	f.invite(5, flu, a, nurses, day(24, 10), true, postgres.OutcomeHadElsewhere)
	f.invite(3, flu, a, doctors, day(24, 10), true, postgres.OutcomeDeclined)
	f.invite(2, flu, a, doctors, day(24, 10), true, postgres.OutcomeQuestion)
	f.invite(2, flu, a, "", day(24, 10), true, "")
	f.invite(6, flu, a, doctors, day(24, 10), false, "")
	// A's COVID campaign, invitations of 1 April (the second week): 4
	// nurses booked, 3 did not reply.
	covid := f.campaign(a, "COVID-19 spring", vacc, "COVID-19", day(25, 9))
	f.invite(4, covid, a, nurses, day(32, 10), true, postgres.OutcomeBooked)
	f.invite(3, covid, a, nurses, day(32, 10), false, "")
	// Not counted: invited at 23:59 the night before the period and at
	// midnight after it; planned, never sent; another flow's campaign.
	f.invite(1, flu, a, nurses, time.Date(2026, 3, 22, 23, 59, 0, 0, london), true, postgres.OutcomeBooked)
	f.invite(1, covid, a, nurses, time.Date(2026, 4, 6, 0, 0, 0, 0, london), true, postgres.OutcomeBooked)
	f.invite(5, covid, a, nurses, time.Time{}, false, "")
	other := f.campaign(a, "Welcome", "new-starter", "", day(20, 9))
	f.invite(5, other, a, nurses, day(24, 10), true, postgres.OutcomeBooked)
	// B's flu campaign: 6 doctors invited on 31 March, all booked.
	fluB := f.campaign(b, "Flu B", vacc, "flu", day(30, 9))
	f.invite(6, fluB, b, doctors, day(31, 10), true, postgres.OutcomeBooked)

	period := listing(postgres.DashboardFilter{From: time.Date(2026, 3, 23, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 5, 0, 0, 0, 0, time.UTC)})
	get := func(scope, org int64) postgres.Dashboard {
		t.Helper()
		g := period
		g.OrganisationID = org
		d, err := postgres.DashboardFor(ctx, db, scope, g)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	small := postgres.Figure{Suppressed: true}
	none := postgres.Figure{Empty: true}
	n := func(v float64) postgres.Figure { return postgres.Figure{Value: v} }
	type want struct{ invited, replied, booked, elsewhere, declined, question, uptake postgres.Figure }
	check := func(what string, got postgres.UptakeFigures, w want) {
		t.Helper()
		for _, c := range []struct {
			name      string
			got, want postgres.Figure
		}{{"invited", got.Invited, w.invited}, {"replied", got.Replied, w.replied}, {"booked", got.Booked, w.booked},
			{"had elsewhere", got.HadElsewhere, w.elsewhere}, {"declined", got.Declined, w.declined},
			{"question", got.Question, w.question}, {"uptake", got.Uptake, w.uptake}} {
			if c.got.Suppressed != c.want.Suppressed || c.got.Empty != c.want.Empty || math.Abs(c.got.Value-c.want.Value) > 0.001 {
				t.Errorf("%s %s = %+v, want %+v", what, c.name, c.got, c.want)
			}
		}
	}
	names := func(d postgres.Dashboard) string {
		var s []string
		for _, c := range d.Campaigns.Campaigns {
			s = append(s, fmt.Sprintf("%q/%q", c.Name, c.Vaccine))
		}
		for _, g := range d.Campaigns.StaffGroups {
			s = append(s, fmt.Sprintf("%q", g.Group))
		}
		return fmt.Sprint(s)
	}

	d := get(0, a)
	if got, w := names(d), `["Flu 2026"/"flu" "COVID-19 spring"/"COVID-19" ""/"" "Nursing and Midwifery Registered" "Medical and Dental" ""]`; got != w {
		t.Fatalf("A's campaigns and staff groups: %s, want %s", got, w)
	}
	// The campaigns add up to all of them, so a count suppressed in one
	// (COVID's 4 replies and 4 bookings) hides flu's too: 35 less flu's
	// would give it away. Flu's uptake goes with its bookings.
	check("A flu", d.Campaigns.Campaigns[0].UptakeFigures, want{n(28), small, small, n(5), small, small, small})
	check("A COVID", d.Campaigns.Campaigns[1].UptakeFigures, want{n(7), small, small, n(0), n(0), n(0), small})
	check("A all campaigns", d.Campaigns.Campaigns[2].UptakeFigures, want{n(35), n(26), n(14), n(5), small, small, n(100 * 19.0 / 35)})
	// Nurses: 19 of 22 vaccinated or booked, the 3 others too few to show.
	// The 2 of an unknown group hide the doctors' 11 invited and 5
	// replies, and so the doctors' uptake.
	check("A nurses", d.Campaigns.StaffGroups[0].UptakeFigures, want{n(22), n(19), n(14), n(5), n(0), n(0), small})
	check("A doctors", d.Campaigns.StaffGroups[1].UptakeFigures, want{small, small, n(0), n(0), small, small, small})
	check("A unknown group", d.Campaigns.StaffGroups[2].UptakeFigures, want{small, small, n(0), n(0), n(0), n(0), small})
	if len(d.Campaigns.Weeks) != 2 {
		t.Fatalf("%d weeks, want 2", len(d.Campaigns.Weeks))
	}
	check("A week of 23 March", d.Campaigns.Weeks[0], want{n(28), small, small, n(5), small, small, small})
	check("A week of 30 March", d.Campaigns.Weeks[1], want{n(7), small, small, n(0), n(0), n(0), small})

	// Every organisation: B's campaign (starting last) joins in.
	d = get(0, 0)
	if got, w := names(d), `["Flu 2026"/"flu" "COVID-19 spring"/"COVID-19" "Flu B"/"flu" ""/"" "Nursing and Midwifery Registered" "Medical and Dental" ""]`; got != w {
		t.Fatalf("every organisation's campaigns and staff groups: %s, want %s", got, w)
	}
	// COVID's 4 replies and bookings hide B's 6, the smallest others.
	check("A flu, every organisation", d.Campaigns.Campaigns[0].UptakeFigures, want{n(28), n(22), n(10), n(5), small, small, n(100 * 15.0 / 28)})
	check("B flu", d.Campaigns.Campaigns[2].UptakeFigures, want{n(6), small, small, n(0), n(0), n(0), small})
	check("all campaigns", d.Campaigns.Campaigns[3].UptakeFigures, want{n(41), n(32), n(20), n(5), small, small, n(100 * 25.0 / 41)})
	check("all doctors", d.Campaigns.StaffGroups[1].UptakeFigures, want{small, small, n(6), n(0), small, small, small})
	// The second week: 10 of 13 booked, 3 left: the rate would give them away.
	check("all week of 30 March", d.Campaigns.Weeks[1], want{n(13), n(10), n(10), n(0), n(0), n(0), small})

	// Each organisation's own, side by side, is the one read alone; the
	// one with no campaign has zeros and no rate.
	if len(d.Organisations) != 3 {
		t.Fatalf("%d organisations side by side, want 3", len(d.Organisations))
	}
	for _, od := range d.Organisations {
		if alone := get(0, od.Filter.OrganisationID); fmt.Sprintf("%+v", od) != fmt.Sprintf("%+v", alone) {
			t.Errorf("organisation %d side by side:\n%+v\nalone:\n%+v", od.Filter.OrganisationID, od.Campaigns, alone.Campaigns)
		}
	}
	d = get(0, empty)
	if len(d.Campaigns.Campaigns) != 1 || len(d.Campaigns.StaffGroups) != 0 || len(d.Campaigns.Weeks) != 2 {
		t.Fatalf("no campaign: %+v", d.Campaigns)
	}
	check("no campaign", d.Campaigns.Campaigns[0].UptakeFigures, want{n(0), n(0), n(0), n(0), n(0), n(0), none})
	check("no campaign, second week", d.Campaigns.Weeks[1], want{n(0), n(0), n(0), n(0), n(0), n(0), none})

	// C's campaign: 3 booked, 10 had it elsewhere, 7 did not reply. 13 of
	// 20 is 65%, which less the 10 would give the 3 bookings away.
	c := f.org("VD")
	fluC := f.campaign(c, "Flu C", vacc, "flu", day(23, 9))
	f.invite(3, fluC, c, nurses, day(24, 10), true, postgres.OutcomeBooked)
	f.invite(10, fluC, c, nurses, day(24, 10), true, postgres.OutcomeHadElsewhere)
	f.invite(7, fluC, c, nurses, day(24, 10), false, "")
	d = get(0, c)
	check("C flu", d.Campaigns.Campaigns[0].UptakeFigures, want{n(20), n(13), small, n(10), n(0), n(0), small})
	check("C all campaigns", d.Campaigns.Campaigns[1].UptakeFigures, want{n(20), n(13), small, n(10), n(0), n(0), small})

	// A user of B sees B's campaign only, whatever they ask for.
	if got, w := names(get(b, 0)), `["Flu B"/"flu" ""/"" "Medical and Dental"]`; got != w {
		t.Errorf("B's user sees %s, want %s", got, w)
	}
}
