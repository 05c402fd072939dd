package console

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// The campaign pages (GET /console/campaigns and what it links): OH leads
// and admins create a campaign, check its plan and the preview of its
// texts, start, pause, resume or stop it, and watch its progress; every
// change goes through campaigns.Campaigns alone, which audits it. Anyone
// else is refused (403), and another organisation's campaign is not found.

// runsCampaigns reports whether u may see and steer campaigns: leads and
// admins.
func runsCampaigns(u ohcontact.User) bool {
	return u.Role == ohcontact.RoleLead || u.Role == ohcontact.RoleAdmin
}

// RunsCampaigns reports whether the signed-in user may see the campaign
// pages.
func (l layout) RunsCampaigns() bool { return l.User != nil && runsCampaigns(*l.User) }

// campaignsView is the list of campaigns.
type campaignsView struct {
	layout
	AllOrganisations bool // the table then names each campaign's organisation
	Rows             []campaignRow
}

// campaignRow is one campaign in the list.
type campaignRow struct {
	ID                 int64
	Name, Organisation string
	What               string // the flow in words, with its vaccine
	Status             string
	Starts             when
	Planned, Sent      int
	Replied, Skipped   int
}

// campaignStatusLabels are the statuses in words.
var campaignStatusLabels = map[string]string{
	postgres.CampaignDraft: "Draft", postgres.CampaignRunning: "Running", postgres.CampaignPaused: "Paused",
	postgres.CampaignStopped: "Stopped", postgres.CampaignFinished: "Finished",
}

// campaignWhat says in words what campaign k invites to.
func campaignWhat(k postgres.Campaign) string {
	if k.Vaccine != "" {
		return "Vaccination: " + k.Vaccine
	}
	return k.Flow
}

// showCampaigns handles GET /console/campaigns: the campaigns of the
// user's organisation (every organisation's when theirs is unset), newest
// first, each with its members' counts. Every view is audited
// (campaign.list, with the ids shown).
func (c *Console) showCampaigns(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	v := campaignsView{layout: newLayout("Campaigns", s), AllOrganisations: s.scope() == 0}
	orgs, err := c.organisationsFor(r, s)
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	names := map[int64]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	err = c.db.InTx(ctx, func(tx pgx.Tx) error {
		ks, err := postgres.Campaigns(ctx, tx, s.scope())
		if err != nil {
			return err
		}
		ids := make([]int64, 0, len(ks))
		for _, k := range ks {
			p, err := postgres.CampaignProgressOf(ctx, tx, k.ID)
			if err != nil {
				return err
			}
			ids = append(ids, k.ID)
			v.Rows = append(v.Rows, campaignRow{ID: k.ID, Name: k.Name, Organisation: names[k.OrganisationID],
				What: campaignWhat(k), Status: campaignStatusLabels[k.Status], Starts: c.at(k.StartsAt),
				Planned: p.ByState[postgres.MemberPlanned], Sent: p.Sent(),
				Replied: p.ByState[postgres.MemberReplied], Skipped: p.ByState[postgres.MemberSkipped]})
		}
		return postgres.Audit(ctx, tx, postgres.AuditEvent{ActorUserID: s.user.ID, Action: "campaign.list",
			RecordType: "campaign", OrganisationID: s.scope(), Details: map[string]any{"ids": ids}})
	})
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	c.render(w, r, http.StatusOK, "campaigns", v)
}
