package console

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/ohcontact/ohcontact/campaigns"
)

// createCampaign handles POST /console/campaigns: form fields
// organisation_id (only for users who see every organisation), name,
// flow, vaccine, audience (staff_group, department or list), staff_group,
// department, list (assignment numbers separated by spaces, commas,
// semicolons or lines), starts_at (YYYY-MM-DDTHH:MM, Config.Location),
// window_from and window_until (HH:MM), window_days (ISO day numbers, any
// number of times) and remind_after (days; 0 or empty for none). It
// creates a draft through campaigns.Create, which checks it, plans it and
// audits it. A campaign that is refused is shown again, as filled in, with
// each problem next to its field (422). A campaign made redirects (303) to
// its page, unless listed numbers were unknown, repeated or not
// assignment numbers: its page is then the answer itself (200), listing
// them, since they are known only now.
func (c *Console) createCampaign(w http.ResponseWriter, r *http.Request, s *session) {
	form, n, bad := c.readCampaignForm(r, s)
	plan, err := c.campaigns.Create(r.Context(), n)
	if p, ok := errors.AsType[campaigns.Problems](err); ok {
		c.renderNewCampaign(w, r, s, http.StatusUnprocessableEntity, form, campaignErrors(form, p, bad))
		return
	}
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	if len(plan.Unknown)+len(plan.Duplicates)+len(plan.Invalid) == 0 {
		c.redirect(w, r, fmt.Sprintf("/console/campaigns/%d?done=created", plan.CampaignID))
		return
	}
	c.renderCampaign(w, r, s, plan.CampaignID, http.StatusOK, "created", &plan, nil)
}
