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
// semicolons or lines), list_file (an uploaded list, readListFile; its
// entries are added to list's), starts_at (YYYY-MM-DDTHH:MM, Config.Location),
// window_from and window_until (HH:MM), window_days (ISO day numbers, any
// number of times) and remind_after (days; 0 or empty for none). It
// creates a draft through campaigns.Create, which checks it, plans it and
// audits it. A campaign that is refused is shown again, as filled in, with
// each problem next to its field (422). A campaign made redirects (303) to
// its page, unless listed numbers were unknown, repeated or not
// assignment numbers: its page is then the answer itself (200), listing
// them, since they are known only now. The form may be URL-encoded or,
// to carry the file, multipart/form-data of at most maxListUploadBytes
// (listTooLarge answers a larger one).
func (c *Console) createCampaign(w http.ResponseWriter, r *http.Request, s *session) {
	form, n, bad, err := c.readCampaignForm(r, s)
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
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

// maxListUploadBytes bounds the new campaign form when it carries a file:
// 32 MiB holds campaigns.MaxList assignment numbers in an ESR export of
// some 20 columns (about 160 bytes a row), and a plain list of them many
// times over (about 12 bytes a number). A wider export is refused with
// the advice to export fewer columns.
const maxListUploadBytes = 32 << 20

// msgListTooLarge is listTooLarge's sentence.
var msgListTooLarge = fmt.Sprintf("The file is larger than %d MB, so nothing was saved. Export only the Assignment Number column, "+
	"or fewer columns, and fill in the form again.", maxListUploadBytes>>20)

// listTooLarge answers a new campaign form larger than maxListUploadBytes
// with the form as it first shows, for a list, and the problem next to the
// file's field (413). Nothing of the body is used: its CSRF token was
// not checked.
func (c *Console) listTooLarge(w http.ResponseWriter, r *http.Request, s *session) {
	form := c.defaultCampaignForm(s)
	form.Audience = campaigns.AudienceList
	c.renderNewCampaign(w, r, s, http.StatusRequestEntityTooLarge, form, []fieldError{{Field: "list-file", Message: msgListTooLarge}})
}
