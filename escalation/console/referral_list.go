package console

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
)

// referralsView is the physio worklist.
type referralsView struct {
	layout
	// AllOrganisations is set for a user who sees every organisation's
	// referrals: the table then names each referral's organisation.
	AllOrganisations bool
	Rows             []referralRow
	// Status is the status shown (empty: every status); Statuses are the
	// filter's choices.
	Status   string
	Statuses []statusOption
	// Overdue is how many referrals are new past their SLA, Oldest the id
	// of the one longest overdue.
	Overdue int
	Oldest  int64
	Updated when
}

// referralRow is one referral in the worklist.
type referralRow struct {
	ID           int64
	Status       string
	Made         when
	SLA          referralSLAView
	Area         string
	Duration     string
	RedFlags     redFlagsView
	Name         string
	Organisation string
}

type statusOption struct{ Value, Label string }

// referralStatuses are the worklist filter's choices, in the order a
// referral moves through them.
var referralStatuses = []statusOption{
	{string(postgres.ReferralNew), "New"},
	{string(postgres.ReferralAccepted), "Accepted"},
	{string(postgres.ReferralBooked), "Booked"},
	{string(postgres.ReferralDeclined), "Declined"},
	{string(postgres.ReferralAttended), "Attended"},
	{string(postgres.ReferralDidNotAttend), "Did not attend"},
}

// showReferrals handles GET /console/referrals: the referrals of the
// user's organisation (every organisation's when theirs is unset), new
// ones first and closest to their SLA first, then the others most
// recently changed first; with query parameter status (one of
// referralStatuses) only those of that status, any other value being
// ignored. A banner counts the referrals past their SLA and links the
// oldest. Every view is audited with the ids of the referrals shown.
func (c *Console) showReferrals(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	v := referralsView{layout: newLayout("Referrals", s), AllOrganisations: s.scope() == 0,
		Statuses: referralStatuses, Updated: c.at(c.now())}
	f := postgres.ReferralFilter{OrgScope: s.scope()}
	for _, o := range referralStatuses {
		if o.Value == r.URL.Query().Get("status") {
			v.Status, f.Statuses = o.Value, []postgres.ReferralStatus{postgres.ReferralStatus(o.Value)}
			v.Title = o.Label + " referrals"
		}
	}
	err := c.db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		if v.Overdue, v.Oldest, err = postgres.OverdueReferrals(ctx, tx, s.scope(), c.now()); err != nil {
			return err
		}
		refs, err := postgres.ListReferrals(ctx, tx, f)
		if err != nil {
			return err
		}
		ids := make([]int64, 0, len(refs))
		for _, ref := range refs {
			ids = append(ids, ref.ID)
			v.Rows = append(v.Rows, referralRow{
				ID: ref.ID, Status: referralStatusLabel(ref.Status), Made: c.at(ref.CreatedAt), SLA: c.viewReferralSLA(ref),
				Area: answerText("area", ref.Answers["area"]), Duration: answerText("duration", ref.Answers["duration"]),
				RedFlags: viewRedFlags(ref.Answers["red_flags"]), Name: personName(ref), Organisation: ref.OrganisationName,
			})
		}
		return postgres.RecordReferralListView(ctx, tx, s.scope(), ids, postgres.Actor{UserID: s.user.ID})
	})
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	c.render(w, r, http.StatusOK, "referrals", v)
}
