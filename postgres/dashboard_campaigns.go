package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// Campaign uptake: what became of the campaign invitations sent in the
// period. The invitations are a cohort, like the physiotherapy referrals:
// each member invited in the period (campaign_members.sent_at) is counted
// once, at what they have answered by the time the dashboard is read, so
// that recent weeks still grow as people reply.

// UptakeFigures is what became of a set of campaign invitations.
type UptakeFigures struct {
	// Invited counts the members whose invitation went in the period.
	Invited Figure
	// Replied counts those of them who have replied (anything at all).
	Replied Figure
	// Booked, HadElsewhere, Declined and Question count those whose
	// outcome (postgres.Outcome…) is now that one; a reply that has not
	// (yet) given an outcome is in none of them.
	Booked, HadElsewhere, Declined, Question Figure
	// Uptake is Booked and HadElsewhere together as a percentage of
	// Invited: the share of the invited now vaccinated or booked.
	Uptake Figure
}

// CampaignUptake is the uptake of one campaign's invitations sent in the
// period, or of every campaign's together.
type CampaignUptake struct {
	CampaignID int64  // 0 for every campaign together
	Name       string // the campaign's name; "" for every campaign
	Vaccine    string // what it invites to ("flu"), or ""
	UptakeFigures
}

// GroupUptake is the uptake of the invitations of the period sent to the
// staff of one staff group, as HR recorded it when their campaign was
// planned ("" when not known).
type GroupUptake struct {
	Group string
	UptakeFigures
}

// CampaignFigures is the uptake of the campaigns whose flow is one of
// DashboardFilter.CampaignFlows.
type CampaignFigures struct {
	// Campaigns are each campaign that sent an invitation in the period,
	// by when it starts, then name, then every campaign together
	// (CampaignID 0), always there.
	Campaigns []CampaignUptake
	// StaffGroups are the invitations by the invited person's staff
	// group, most invited first, then by name; an unknown group ("") is
	// last.
	StaffGroups []GroupUptake
	// Weeks are the invitations by the bucket of Dashboard.Buckets
	// (week, or month when Monthly) they went in.
	Weeks []UptakeFigures
}

// uptakeAggregates is the SQL select list of an uptakeTally over rows of
// campaign_members m.
const uptakeAggregates = `count(*) AS invited, count(m.replied_at) AS replied,
	count(*) FILTER (WHERE m.outcome = '` + OutcomeBooked + `') AS booked,
	count(*) FILTER (WHERE m.outcome = '` + OutcomeHadElsewhere + `') AS elsewhere,
	count(*) FILTER (WHERE m.outcome = '` + OutcomeDeclined + `') AS declined,
	count(*) FILTER (WHERE m.outcome = '` + OutcomeQuestion + `') AS question`

// uptakeTally is one row of uptakeAggregates, or their sums.
type uptakeTally struct {
	invited, replied, booked, elsewhere, declined, question int64
}

func (t *uptakeTally) dest() []any {
	return []any{&t.invited, &t.replied, &t.booked, &t.elsewhere, &t.declined, &t.question}
}

func (t *uptakeTally) add(u uptakeTally) {
	t.invited += u.invited
	t.replied += u.replied
	t.booked += u.booked
	t.elsewhere += u.elsewhere
	t.declined += u.declined
	t.question += u.question
}

// columns are t's counts in UptakeFigures' order: invited, replied,
// booked, had elsewhere, declined, question.
func (t uptakeTally) columns() []int64 {
	return []int64{t.invited, t.replied, t.booked, t.elsewhere, t.declined, t.question}
}

// figures publishes the tally on its own: a whole, not a part of one.
func (t uptakeTally) figures() UptakeFigures {
	var c []Figure
	for _, n := range t.columns() {
		c = append(c, count(n))
	}
	return t.published(c)
}

// published is t's figures with its counts published as c (in columns'
// order). The uptake is suppressed with the invitations, the bookings or
// those vaccinated elsewhere: with the others it would give them away.
func (t uptakeTally) published(c []Figure) UptakeFigures {
	u := UptakeFigures{Invited: c[0], Replied: c[1], Booked: c[2], HadElsewhere: c[3], Declined: c[4], Question: c[5],
		Uptake: percent(t.booked+t.elsewhere, t.invited)}
	if u.Invited.Suppressed || u.Booked.Suppressed || u.HadElsewhere.Suppressed {
		u.Uptake = Figure{Suppressed: true}
	}
	return u
}

// parts publishes tallies that add up to a published whole (the
// invitations by campaign, staff group or bucket): each count by
// distribution among its column's, so that the whole less the other parts
// cannot give a suppressed count away. Vaccination status is health data,
// and a staff group can be small.
func parts(tallies []uptakeTally) []UptakeFigures {
	cols := make([][]Figure, len(uptakeTally{}.columns()))
	for j := range cols {
		counts := make([]int64, len(tallies))
		for i, t := range tallies {
			counts[i] = t.columns()[j]
		}
		cols[j] = distribution(counts)
	}
	out := make([]UptakeFigures, len(tallies))
	for i, t := range tallies {
		c := make([]Figure, len(cols))
		for j := range cols {
			c[j] = cols[j][i]
		}
		out[i] = t.published(c)
	}
	return out
}

// campaigns is the dashboard step of Dashboard.Campaigns: the members of
// the campaigns of q.lists.CampaignFlows invited from q.start to q.end,
// by campaign, staff group and bucket.
func (q *dashboardQuery) campaigns(ctx context.Context) error {
	// The invitations are tallied by campaign, staff group and bucket
	// first, in one pass (hashed: a sort of every invitation would cost
	// more than the rest of the step), and the grouping sets then add up
	// those few rows. GROUPING(c.id, t.staff_group, t.week) tells the sets
	// apart: 3 by campaign (whose organisation is its own), 5 by staff
	// group, 6 by bucket.
	rows, err := q.tx.Query(ctx, `
		WITH t AS MATERIALIZED (
			SELECT m.campaign_id, m.staff_group, `+q.bucketOf("m.sent_at")+` AS week, `+uptakeAggregates+`
			FROM campaign_members m
			WHERE m.sent_at >= $2 AND m.sent_at < $3
			  AND m.campaign_id IN (SELECT id FROM campaigns WHERE ($1::bigint = 0 OR organisation_id = $1) AND flow = ANY($4))
			GROUP BY 1, 2, 3)
		SELECT c.organisation_id, GROUPING(c.id, t.staff_group, t.week), coalesce(c.id, 0), coalesce(min(c.name), ''),
		       coalesce(min(c.vaccine), ''), min(c.starts_at), coalesce(t.staff_group, ''), t.week,
		       sum(invited)::bigint, sum(replied)::bigint, sum(booked)::bigint, sum(elsewhere)::bigint, sum(declined)::bigint,
		       sum(question)::bigint
		FROM t JOIN campaigns c ON c.id = t.campaign_id
		GROUP BY GROUPING SETS ((c.organisation_id, c.id), (c.organisation_id, t.staff_group), (c.organisation_id, t.week),
		                        (c.id), (t.staff_group), (t.week))`,
		q.org, q.start, q.end, q.lists.CampaignFlows)
	if err != nil {
		return fmt.Errorf("campaign uptake: %w", err)
	}
	type campaign struct {
		CampaignUptake
		starts time.Time
		t      uptakeTally
	}
	type tally struct {
		campaigns []campaign
		groups    map[string]uptakeTally
		weeks     []uptakeTally
	}
	tallies := perDashboard(q, func() *tally {
		return &tally{groups: map[string]uptakeTally{}, weeks: make([]uptakeTally, len(q.buckets))}
	})
	var org *int64
	var set int
	var c campaign
	var group string
	var week *time.Time
	var t uptakeTally
	_, err = pgx.ForEachRow(rows, append([]any{&org, &set, &c.CampaignID, &c.Name, &c.Vaccine, &c.starts, &group, &week}, t.dest()...), func() error {
		d := q.of(org)
		if d == nil {
			return nil
		}
		switch set {
		case 3:
			c.t = t
			tallies[d].campaigns = append(tallies[d].campaigns, c)
		case 5:
			tallies[d].groups[group] = t
		case 6:
			i, err := q.bucket(*week)
			if err != nil {
				return err
			}
			tallies[d].weeks[i] = t
		default:
			return fmt.Errorf("grouping set %d", set)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("campaign uptake: %w", err)
	}
	for d, tl := range tallies {
		slices.SortFunc(tl.campaigns, func(a, b campaign) int {
			return cmp.Or(a.starts.Compare(b.starts), cmp.Compare(a.Name, b.Name), cmp.Compare(a.CampaignID, b.CampaignID))
		})
		var all uptakeTally
		var byCampaign []uptakeTally
		for _, c := range tl.campaigns {
			all.add(c.t)
			byCampaign = append(byCampaign, c.t)
		}
		for i, u := range parts(byCampaign) {
			c := tl.campaigns[i].CampaignUptake
			c.UptakeFigures = u
			d.Campaigns.Campaigns = append(d.Campaigns.Campaigns, c)
		}
		d.Campaigns.Campaigns = append(d.Campaigns.Campaigns, CampaignUptake{UptakeFigures: all.figures()})
		unknownLast := func(g string) int {
			if g == "" {
				return 1
			}
			return 0
		}
		groups := make([]string, 0, len(tl.groups))
		for g := range tl.groups {
			groups = append(groups, g)
		}
		slices.SortFunc(groups, func(a, b string) int {
			return cmp.Or(cmp.Compare(unknownLast(a), unknownLast(b)), cmp.Compare(tl.groups[b].invited, tl.groups[a].invited), cmp.Compare(a, b))
		})
		var byGroup []uptakeTally
		for _, g := range groups {
			byGroup = append(byGroup, tl.groups[g])
		}
		for i, u := range parts(byGroup) {
			d.Campaigns.StaffGroups = append(d.Campaigns.StaffGroups, GroupUptake{Group: groups[i], UptakeFigures: u})
		}
		d.Campaigns.Weeks = parts(tl.weeks)
	}
	return nil
}
