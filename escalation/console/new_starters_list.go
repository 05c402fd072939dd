package console

import (
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// The new starters page (GET /console/new-starters): the OH team's list of
// the organisation's new starters, for leads and admins, who mark each
// one's health questionnaire received and then their clearance given.
// Clinicians do not see it, as they do not see the other worklists
// (referrals, campaigns): it is administration, not clinical work.

// worksNewStarters reports whether u may see and work the new starters
// page: leads and admins.
func worksNewStarters(u ohcontact.User) bool {
	return u.Role == ohcontact.RoleLead || u.Role == ohcontact.RoleAdmin
}

// WorksNewStarters reports whether the signed-in user may see the new
// starters page.
func (l layout) WorksNewStarters() bool { return l.User != nil && worksNewStarters(*l.User) }

// newStartersView is the new starters page.
type newStartersView struct {
	layout
	AllOrganisations bool // the table then names each new starter's organisation
	Rows             []newStarterRow
	Worklist         int // how many rows are on the worklist
	ListDays         int // how long a cleared new starter stays listed
}

// newStarterRow is one new starter on the page.
type newStarterRow struct {
	ID, StaffID  int64
	Name         string
	JobTitle     string
	StartsOn     string // "Mon 14 Sep 2026"
	State        string // in words
	Organisation string
	OnWorklist   bool
	Received     when // zero Text: not yet
	Cleared      when // zero Text: not yet
}

// newStarterStates are new_starters.state in words.
var newStarterStates = map[string]string{
	postgres.NewStarterPlanned:  "Welcome text to come",
	postgres.NewStarterWelcomed: "Welcomed",
	postgres.NewStarterReminded: "Reminded",
	postgres.NewStarterReplied:  "Replied",
}

// newStarterWorklistReasons are new_starters.worklist_reason in words: why
// the OH admin team has them, and whether texts still reach them.
var newStarterWorklistReasons = map[string]string{
	postgres.WorklistNoReply:  "No reply after the reminder",
	postgres.WorklistAsked:    "Asked the OH team for help",
	postgres.WorklistOptedOut: "Opted out of texts: contact another way",
	postgres.WorklistNoMobile: "No mobile number: contact another way",
}

// newStarterState is n's state in words: on the worklist, why.
func newStarterState(n postgres.NewStarterListed) string {
	if n.State == postgres.NewStarterWorklist {
		return newStarterWorklistReasons[n.WorklistReason]
	}
	return newStarterStates[n.State]
}

// newStarterDone are the confirmations of the marks, by the done query
// parameter.
var newStarterDone = map[string]string{
	"received": "Questionnaire marked received.",
	"cleared":  "Clearance marked given.",
}

// showNewStarters handles GET /console/new-starters: the new starters of
// the user's organisation (every organisation's when theirs is unset),
// those on the worklist first (for any postgres.Worklist… reason, until
// clearance is given), longest there first, then the others
// by start date; cleared ones stay listed for postgres.NewStarterListDays.
// Each view is audited (new_starter.list, with the ids shown).
func (c *Console) showNewStarters(w http.ResponseWriter, r *http.Request, s *session) {
	c.renderNewStarters(w, r, s, http.StatusOK, r.URL.Query().Get("done"), nil)
}

// renderNewStarters shows the new starters page with status, the
// confirmation of done (a newStarterDone key) and errs.
func (c *Console) renderNewStarters(w http.ResponseWriter, r *http.Request, s *session, status int, done string, errs []fieldError) {
	ctx := r.Context()
	v := newStartersView{layout: newLayout("New starters", s), AllOrganisations: s.scope() == 0, ListDays: postgres.NewStarterListDays}
	v.Done, v.Errors = newStarterDone[done], errs
	err := c.db.InTx(ctx, func(tx pgx.Tx) error {
		ns, err := postgres.NewStartersToList(ctx, tx, s.scope(), c.now())
		if err != nil {
			return err
		}
		ids := make([]int64, 0, len(ns))
		for _, n := range ns {
			ids = append(ids, n.ID)
			row := newStarterRow{ID: n.ID, StaffID: n.StaffID, Name: n.FirstName + " " + n.LastName, JobTitle: n.JobTitle,
				StartsOn: n.StartsOn.Format("Mon 2 Jan 2006"), State: newStarterState(n), Organisation: n.OrganisationName,
				OnWorklist: n.OnWorklist}
			if n.OnWorklist {
				v.Worklist++
				row.State = newStarterState(n) + ": on the worklist since " + c.at(n.WorklistAt).Text
			}
			row.Received, row.Cleared = c.atIfSet(n.QuestionnaireReceivedAt), c.atIfSet(n.ClearanceGivenAt)
			v.Rows = append(v.Rows, row)
		}
		return postgres.RecordNewStarterListView(ctx, tx, s.scope(), s.user.ID, ids)
	})
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	c.render(w, r, status, "new_starters", v)
}

// atIfSet is at(t), or nothing for a zero t.
func (c *Console) atIfSet(t time.Time) when {
	if t.IsZero() {
		return when{}
	}
	return c.at(t)
}
