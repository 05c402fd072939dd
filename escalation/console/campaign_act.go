package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/ohcontact/ohcontact/campaigns"
)

// actOnCampaign handles POST /console/campaigns/{id}/{action}, action one
// of start, pause, resume and stop, which changes the campaign through
// campaigns.Campaigns alone (which audits it) and redirects (303) to its
// page with a confirmation. Stop needs the form's confirm field ticked
// (the page asks "Yes, stop this campaign"): without it the page is shown
// again with the problem (422) and nothing changes. A change the status no
// longer allows (campaigns.ErrStatus: someone else changed it meanwhile)
// is shown on the page, refreshed, with 409; an unknown action or another
// organisation's campaign is not found.
func (c *Console) actOnCampaign(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return
	}
	actions := map[string]func(ctx context.Context, orgScope, id, userID int64) error{
		"start": c.campaigns.Start, "pause": c.campaigns.Pause, "resume": c.campaigns.Resume, "stop": c.campaigns.Stop,
	}
	action := r.PathValue("action")
	change, ok := actions[action]
	if !ok {
		c.notFound(w, r, s)
		return
	}
	if action == "stop" && r.PostForm.Get("confirm") != "yes" {
		c.refuseCampaign(w, r, s, id, invalid("confirm-stop", "Tick “Yes, stop this campaign” to stop it"))
		return
	}
	err := change(r.Context(), s.scope(), id, s.user.ID)
	switch {
	case err == nil:
		c.redirect(w, r, fmt.Sprintf("/console/campaigns/%d?done=%s", id, action))
	case errors.Is(err, campaigns.ErrStatus):
		c.refuseCampaign(w, r, s, id, conflict("The campaign's status has changed since the page was shown, so nothing was changed. Check its status below."))
	default:
		c.fail(w, r, s, err)
	}
}

// refuseCampaign shows campaign id's page again with p, and p's status.
func (c *Console) refuseCampaign(w http.ResponseWriter, r *http.Request, s *session, id int64, p *problem) {
	c.renderCampaign(w, r, s, id, p.status, "", nil, []fieldError{{p.field, p.msg}})
}
