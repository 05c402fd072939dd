package campaigns_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/campaigns"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/triggers"
)

// TestCreatePlansTheAudience: a group is matched without regard to case,
// a list plans its numbers and reports the unknown, repeated and invalid
// ones; opted-out staff are planned as skipped; nobody is planned twice;
// the plan counts the reach by language and channel; and the campaign is
// an audited draft.
func TestCreatePlansTheAudience(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	nurse, nurseNo := f.staff(t, person{group: "Nursing and Midwifery Registered", department: "Ward 3", mobile: true})
	_, nurse2No := f.staff(t, person{group: "nursing and midwifery registered", department: "ward 3"})
	_, optedNo := f.staff(t, person{group: "Nursing and Midwifery Registered", department: "Ward 3", mobile: true, optedOut: true})
	_, porterNo := f.staff(t, person{group: "Estates and Ancillary", department: "Estates", mobile: true, webchat: true})
	if _, err := f.db.Pool.Exec(t.Context(), `UPDATE staff SET language = 'cy' WHERE id = $1`, nurse); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name           string
		edit           func(*campaigns.New)
		planned        int
		skipped        map[string]int
		reach          []postgres.CampaignReach
		unknown, dupes []string
		invalid        []string
	}{
		{"department, any case", func(n *campaigns.New) { n.AudienceValue = "WARD 3" }, 2, map[string]int{"opted_out": 1},
			[]postgres.CampaignReach{{Language: "cy", Channel: ohcontact.ChannelSMS, Count: 1}, {Language: "en-GB", Channel: ohcontact.ChannelWebChat, Count: 1}},
			nil, nil, nil},
		{"staff group", func(n *campaigns.New) {
			n.Audience, n.AudienceValue = campaigns.AudienceStaffGroup, " estates and ancillary "
		}, 1, map[string]int{}, []postgres.CampaignReach{{Language: "en-GB", Channel: ohcontact.ChannelWebChat, Count: 1}}, nil, nil, nil},
		{"list", func(n *campaigns.New) {
			n.Audience, n.AudienceValue = campaigns.AudienceList, ""
			n.List = []string{nurseNo, " 99999 ", porterNo, nurseNo, "", optedNo, "not a number!", "99999", nurse2No}
		}, 3, map[string]int{"opted_out": 1}, []postgres.CampaignReach{
			{Language: "cy", Channel: ohcontact.ChannelSMS, Count: 1}, {Language: "en-GB", Channel: ohcontact.ChannelWebChat, Count: 2}},
			[]string{"99999"}, []string{nurseNo, "99999"}, []string{"not a number!"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := f.campaign()
			tc.edit(&n)
			plan := f.create(t, n)
			if plan.Planned != tc.planned || !reflect.DeepEqual(plan.Skipped, tc.skipped) || !reflect.DeepEqual(plan.Reach, tc.reach) {
				t.Errorf("planned %d, skipped %v, reach %+v; want %d, %v, %+v", plan.Planned, plan.Skipped, plan.Reach, tc.planned, tc.skipped, tc.reach)
			}
			if !reflect.DeepEqual(plan.Unknown, tc.unknown) || !reflect.DeepEqual(plan.Duplicates, tc.dupes) || !reflect.DeepEqual(plan.Invalid, tc.invalid) {
				t.Errorf("unknown %q, duplicates %q, invalid %q; want %q, %q, %q", plan.Unknown, plan.Duplicates, plan.Invalid, tc.unknown, tc.dupes, tc.invalid)
			}
			if got := f.count(t, `SELECT count(*) FROM campaign_members WHERE campaign_id = $1`, plan.CampaignID); got != tc.planned+tc.skipped["opted_out"] {
				t.Errorf("%d member rows; want %d (nobody twice)", got, tc.planned+tc.skipped["opted_out"])
			}
			if s := f.status(t, plan.CampaignID); s != postgres.CampaignDraft {
				t.Errorf("status %s; want draft", s)
			}
			if got := f.count(t, `SELECT count(*) FROM audit_events WHERE action = 'campaign.create' AND record_id = $1 AND actor_id = $2`,
				plan.CampaignID, f.lead); got != 1 {
				t.Errorf("%d campaign.create audit events by the lead; want 1", got)
			}
		})
	}
}

// TestCreateRefusesBadInput: each problem is named by its field, an
// audience of nobody is refused with the unknown numbers reported, and
// nothing is stored.
func TestCreateRefusesBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.staff(t, person{department: "Ward 3", mobile: true})
	for _, tc := range []struct {
		name   string
		edit   func(*campaigns.New)
		fields []string
	}{
		{"no name", func(n *campaigns.New) { n.Name = "  " }, []string{"name"}},
		{"two-line name", func(n *campaigns.New) { n.Name = "Flu\n2026" }, []string{"name"}},
		{"not a campaign flow", func(n *campaigns.New) { n.Flow = "absence-report" }, []string{"flow"}},
		{"vaccination without a vaccine", func(n *campaigns.New) { n.Flow, n.Vaccine = dialogs.FlowVaccination, "" }, []string{"vaccine"}},
		{"long vaccine", func(n *campaigns.New) { n.Vaccine = strings.Repeat("x", 41) }, []string{"vaccine"}},
		{"unknown audience", func(n *campaigns.New) { n.Audience = "everyone" }, []string{"audience"}},
		{"no department", func(n *campaigns.New) { n.AudienceValue = "" }, []string{"audience_value"}},
		{"empty list", func(n *campaigns.New) {
			n.Audience, n.AudienceValue, n.List = campaigns.AudienceList, "", []string{" ", ""}
		}, []string{"list"}},
		{"no start", func(n *campaigns.New) { n.StartsAt = time.Time{} }, []string{"starts_at"}},
		{"start last week", func(n *campaigns.New) { n.StartsAt = monday.AddDate(0, 0, -7) }, []string{"starts_at"}},
		{"window backwards", func(n *campaigns.New) { n.From, n.Until = triggers.Clock{Hour: 17}, triggers.Clock{Hour: 9} }, []string{"window_until"}},
		{"window of no time", func(n *campaigns.New) { n.Until = n.From }, []string{"window_until"}},
		{"bad clock", func(n *campaigns.New) { n.From = triggers.Clock{Hour: 25} }, []string{"window_from"}},
		{"no days", func(n *campaigns.New) { n.Days = nil }, []string{"window_days"}},
		{"a day twice", func(n *campaigns.New) { n.Days = []time.Weekday{time.Monday, time.Monday} }, []string{"window_days"}},
		{"reminder after a minute", func(n *campaigns.New) { n.RemindAfter = time.Minute }, []string{"remind_after"}},
		{"no organisation", func(n *campaigns.New) { n.OrganisationID = 0 }, []string{"organisation"}},
		{"a department nobody is in", func(n *campaigns.New) { n.AudienceValue = "Ward 33" }, []string{"audience_value"}},
		{"a list of nobody", func(n *campaigns.New) {
			n.Audience, n.AudienceValue, n.List = campaigns.AudienceList, "", []string{"424242"}
		},
			[]string{"list"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := f.campaign()
			tc.edit(&n)
			plan, err := f.c.Create(t.Context(), n)
			var p campaigns.Problems
			if !errors.As(err, &p) {
				t.Fatalf("Create = %v; want Problems", err)
			}
			var fields []string
			for k := range p {
				fields = append(fields, k)
			}
			if !reflect.DeepEqual(fields, tc.fields) {
				t.Errorf("problems %v; want fields %v", p, tc.fields)
			}
			if plan.CampaignID != 0 {
				t.Errorf("campaign id %d; want none", plan.CampaignID)
			}
			if tc.name == "a list of nobody" && !reflect.DeepEqual(plan.Unknown, []string{"424242"}) {
				t.Errorf("unknown %q; want 424242 reported", plan.Unknown)
			}
		})
	}
	if n := f.count(t, `SELECT count(*) FROM campaigns`) + f.count(t, `SELECT count(*) FROM campaign_members`); n != 0 {
		t.Errorf("%d campaign or member rows stored; want none", n)
	}
}

// TestFlows: a campaign may start the vaccination flow once the dialog
// engine has it, and nothing before.
func TestFlows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		have, want []string
	}{
		{[]string{"support", "stress-checkin"}, nil},
		{[]string{"support", dialogs.FlowVaccination}, []string{dialogs.FlowVaccination}},
	} {
		if got := campaigns.Flows(tc.have); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Flows(%q) = %q; want %q", tc.have, got, tc.want)
		}
	}
}

// TestUptakeCountsThePlannedGroup: uptake by staff group counts people in
// the group HR recorded when the campaign was planned, not in the one it
// records by the time the dashboard is read.
func TestUptakeCountsThePlannedGroup(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const nurses, doctors = "Nursing and Midwifery Registered", "Medical and Dental"
	var moved []int64
	for i := range 10 {
		group := nurses
		if i >= 5 {
			group = doctors
		}
		id, _ := f.staff(t, person{group: group, department: "Ward 3", mobile: true})
		if i < 2 {
			moved = append(moved, id)
		}
	}
	plan := f.create(t, f.campaign())
	if _, err := f.db.Pool.Exec(t.Context(), `UPDATE campaign_members SET state = 'sent', sent_at = $2 WHERE campaign_id = $1`,
		plan.CampaignID, monday); err != nil {
		t.Fatal(err)
	}
	// Two of the nurses become doctors after they were invited.
	if _, err := f.db.Pool.Exec(t.Context(), `UPDATE staff SET staff_group = $2 WHERE id = ANY($1)`, moved, doctors); err != nil {
		t.Fatal(err)
	}
	d, err := postgres.DashboardFor(t.Context(), f.db, 0, postgres.DashboardFilter{OrganisationID: f.org,
		From: monday, To: monday, CampaignFlows: []string{dialogs.FlowVaccination}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, g := range d.Campaigns.StaffGroups {
		got[g.Group] = g.Invited.Value
	}
	if want := map[string]float64{nurses: 5, doctors: 5}; !reflect.DeepEqual(got, want) {
		t.Errorf("invited by staff group %v; want %v", got, want)
	}
}
