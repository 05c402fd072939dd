package campaigns

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/triggers"
)

// Audiences: whom a campaign is for.
const (
	AudienceStaffGroup = "staff_group" // everyone of a staff group (HR's staff_group)
	AudienceDepartment = "department"  // everyone of a department
	AudienceList       = "list"        // the members of staff whose assignment numbers are listed
)

// Where a campaign's list came from (New.ListSource).
const (
	ListPasted        = "pasted"          // typed or pasted into the form
	ListFile          = "file"            // an uploaded file
	ListPastedAndFile = "pasted_and_file" // both, together
)

// Limits on a new campaign.
const (
	MaxList          = 200_000   // assignment numbers in an uploaded list
	MinRemindAfter   = time.Hour // a reminder sooner would crowd the invitation
	MaxRemindAfter   = 28 * 24 * time.Hour
	maxStartBehind   = 24 * time.Hour       // a start this far back is a mistake, not "now"
	maxStartAhead    = 366 * 24 * time.Hour // and this far ahead
	maxNameRunes     = 100
	maxVaccineRunes  = 40
	maxAudienceRunes = 100
)

// New is a campaign an OH lead asks for.
type New struct {
	OrganisationID int64
	Name           string
	Flow           string // one of Campaigns.Flows
	Vaccine        string // what a vaccination campaign invites to ("flu"); required for dialogs.FlowVaccination
	Audience       string // AudienceStaffGroup, AudienceDepartment or AudienceList
	AudienceValue  string // the staff group or department; empty for a list
	List           []string
	ListSource     string // where List came from, for the audit record: ListPasted, ListFile or ListPastedAndFile
	StartsAt       time.Time
	// The send window, Europe/London: from From (inside) to Until (not),
	// on Days.
	From, Until triggers.Clock
	Days        []time.Weekday
	RemindAfter time.Duration // 0: no reminder
	CreatedBy   int64         // the lead's user id
}

// Problems are what is wrong with a New campaign: a sentence for the lead
// by field (name, flow, vaccine, audience, audience_value, list,
// organisation, starts_at, window_from, window_until, window_days,
// remind_after). A Problems error stores nothing.
type Problems map[string]string

func (p Problems) Error() string {
	var b strings.Builder
	b.WriteString("the campaign has problems:")
	for _, k := range slices.Sorted(maps.Keys(p)) {
		fmt.Fprintf(&b, " %s %s;", k, p[k])
	}
	return strings.TrimSuffix(b.String(), ";")
}

// Plan is what Create planned: counts for the console's preview, and the
// listed numbers it could not plan.
type Plan struct {
	CampaignID int64
	postgres.CampaignPlan
	// Invalid are listed entries that are not assignment numbers at all,
	// in the order listed (each also counts as unknown to the lead).
	Invalid []string
}

var assignmentPattern = regexp.MustCompile(`^[0-9A-Za-z-]{1,20}$`)

// Create checks n and, in one transaction, inserts it as a draft campaign,
// plans its members and audits campaign.create (for a list, with its
// ListSource and how many entries it had, never the numbers). It returns
// a Problems error, storing nothing, when n is not valid or its audience
// is nobody (the Plan then says which numbers were unknown).
func (c *Campaigns) Create(ctx context.Context, n New) (Plan, error) {
	n.Name, n.Vaccine, n.AudienceValue = strings.TrimSpace(n.Name), strings.TrimSpace(n.Vaccine), strings.TrimSpace(n.AudienceValue)
	var plan Plan
	list := n.List
	if n.Audience == AudienceList {
		list, plan.Invalid = readList(n.List)
	}
	if p := c.check(n, list, plan.Invalid); len(p) > 0 {
		return plan, p
	}
	err := c.DB.InTx(ctx, func(tx pgx.Tx) error {
		id, err := postgres.InsertCampaign(ctx, tx, postgres.NewCampaign{
			OrganisationID: n.OrganisationID, Name: n.Name, Flow: n.Flow, Vaccine: n.Vaccine,
			Audience: n.Audience, AudienceValue: n.AudienceValue, StartsAt: n.StartsAt,
			WindowFrom: n.From.Hour*60 + n.From.Minute, WindowUntil: n.Until.Hour*60 + n.Until.Minute,
			WindowDays: isoDays(n.Days), RemindAfter: n.RemindAfter, CreatedBy: n.CreatedBy,
		})
		if err != nil {
			return err
		}
		plan.CampaignID = id
		if plan.CampaignPlan, err = postgres.PlanCampaign(ctx, tx, id, n.OrganisationID, n.Audience, n.AudienceValue, list); err != nil {
			return err
		}
		skipped := 0
		for _, k := range plan.Skipped {
			skipped += k
		}
		if plan.Planned+skipped == 0 {
			return emptyAudience(n)
		}
		details := map[string]any{"flow": n.Flow, "audience": n.Audience, "planned": plan.Planned, "skipped": plan.Skipped,
			"unknown": len(plan.Unknown) + len(plan.Invalid), "duplicates": len(plan.Duplicates)}
		if n.Audience == AudienceList {
			details["list_source"], details["listed"] = n.ListSource, len(list)+len(plan.Invalid)
		}
		return postgres.Audit(ctx, tx, postgres.AuditEvent{ActorUserID: n.CreatedBy, Action: "campaign.create",
			RecordType: "campaign", RecordID: id, OrganisationID: n.OrganisationID, Details: details})
	})
	if err != nil {
		plan.CampaignID = 0
		return plan, err
	}
	c.Log.Info("campaigns: created", "campaign_id", plan.CampaignID, "planned", plan.Planned)
	return plan, nil
}

// emptyAudience is the problem of a campaign for nobody.
func emptyAudience(n New) Problems {
	if n.Audience == AudienceList {
		return Problems{"list": "names nobody on the organisation's staff records"}
	}
	what := "staff group"
	if n.Audience == AudienceDepartment {
		what = "department"
	}
	return Problems{"audience_value": fmt.Sprintf("is no %s of anyone in the organisation's staff records", what)}
}

// readList returns the assignment numbers of an uploaded list, trimmed and
// without blank entries, and apart, the entries that are not assignment
// numbers.
func readList(entries []string) (numbers, invalid []string) {
	for _, e := range entries {
		e = strings.TrimSpace(e)
		switch {
		case e == "":
		case assignmentPattern.MatchString(e):
			numbers = append(numbers, e)
		default:
			invalid = append(invalid, e)
		}
	}
	return numbers, invalid
}

// check returns what is wrong with n, whose list (for AudienceList) reads
// as numbers and invalid.
func (c *Campaigns) check(n New, numbers, invalid []string) Problems {
	p := Problems{}
	if n.OrganisationID == 0 {
		p["organisation"] = "is missing"
	}
	if msg := oneLine(n.Name, maxNameRunes, true); msg != "" {
		p["name"] = msg
	}
	switch {
	case len(c.Flows) == 0:
		p["flow"] = "cannot be chosen: this service has no campaign flow"
	case !slices.Contains(c.Flows, n.Flow):
		p["flow"] = fmt.Sprintf("must be one of %s", strings.Join(c.Flows, ", "))
	}
	if msg := oneLine(n.Vaccine, maxVaccineRunes, n.Flow == dialogs.FlowVaccination); msg != "" {
		p["vaccine"] = msg
	}
	switch n.Audience {
	case AudienceStaffGroup, AudienceDepartment:
		if msg := oneLine(n.AudienceValue, maxAudienceRunes, true); msg != "" {
			p["audience_value"] = msg
		}
	case AudienceList:
		switch {
		case len(numbers) == 0 && len(invalid) == 0:
			p["list"] = "is empty"
		case len(numbers) == 0:
			p["list"] = "has no assignment numbers in it"
		case len(numbers)+len(invalid) > MaxList:
			p["list"] = fmt.Sprintf("has more than %d entries", MaxList)
		}
	default:
		p["audience"] = "must be staff_group, department or list"
	}
	now := c.Now()
	switch {
	case n.StartsAt.IsZero():
		p["starts_at"] = "is missing"
	case n.StartsAt.Before(now.Add(-maxStartBehind)):
		p["starts_at"] = "is in the past"
	case n.StartsAt.After(now.Add(maxStartAhead)):
		p["starts_at"] = "is more than a year ahead"
	}
	if !validClock(n.From) {
		p["window_from"] = "is not a time of day"
	}
	switch {
	case !validClock(n.Until):
		p["window_until"] = "is not a time of day"
	case validClock(n.From) && n.Until.Hour*60+n.Until.Minute <= n.From.Hour*60+n.From.Minute:
		p["window_until"] = "must be after the window opens, the same day"
	}
	days := map[time.Weekday]bool{}
	for _, d := range n.Days {
		if d < time.Sunday || d > time.Saturday || days[d] {
			p["window_days"] = "must be days of the week, each once"
		}
		days[d] = true
	}
	if len(n.Days) == 0 {
		p["window_days"] = "must name at least one day"
	}
	if n.RemindAfter != 0 && (n.RemindAfter < MinRemindAfter || n.RemindAfter > MaxRemindAfter) {
		p["remind_after"] = fmt.Sprintf("must be between %s and %d days, or none", MinRemindAfter, MaxRemindAfter/(24*time.Hour))
	}
	return p
}

// oneLine returns what is wrong with s as a one-line value of at most max
// characters (required: not empty), or "".
func oneLine(s string, max int, required bool) string {
	switch {
	case s == "" && required:
		return "is missing"
	case utf8.RuneCountInString(s) > max:
		return fmt.Sprintf("is longer than %d characters", max)
	case strings.ContainsFunc(s, unicode.IsControl):
		return "has a line break or control character in it"
	}
	return ""
}

func validClock(c triggers.Clock) bool {
	return c.Hour >= 0 && c.Hour < 24 && c.Minute >= 0 && c.Minute < 60
}

// isoDays converts weekdays to ISO numbers (1 Monday … 7 Sunday).
func isoDays(days []time.Weekday) []int {
	out := make([]int, len(days))
	for i, d := range days {
		out[i] = int(d)
		if d == time.Sunday {
			out[i] = 7
		}
	}
	slices.Sort(out)
	return out
}

// window returns campaign k's send window.
func (c *Campaigns) window(k postgres.Campaign) triggers.Window {
	w := triggers.Window{Location: c.Location,
		From:  triggers.Clock{Hour: k.WindowFrom / 60, Minute: k.WindowFrom % 60},
		Until: triggers.Clock{Hour: k.WindowUntil / 60, Minute: k.WindowUntil % 60}}
	for _, d := range k.WindowDays {
		w.Days = append(w.Days, time.Weekday(d%7))
	}
	return w
}
