package console

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/campaigns"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/postgres"
)

// campaignView is a campaign's page.
type campaignView struct {
	layout
	ID                              int64
	Name, Organisation, What        string
	Audience, Window, Reminder      string
	Status                          string
	Starts                          when
	Draft, Live                     bool // Live: anything but a draft: its progress shows
	CanStart, CanPause, CanResume   bool
	CanStop                         bool
	Planned                         int
	Skipped                         []countRow
	Reach                           []reachRow
	Unknown, Duplicates, Invalid    []string
	Previews                        []previewView
	TotalSegments, ReminderSegments int
	Progress                        progressView
}

// countRow is a count with its label.
type countRow struct {
	Label string
	Count int
}

// reachRow is how many planned members share a language and a channel.
type reachRow struct {
	Language, Channel string
	Count             int
}

// previewView is a campaign's texts in one language, as an SMS member is
// sent them, and what sending them costs.
type previewView struct {
	Language    string
	Lang        string // its tag, for the texts' lang attribute
	Invitation  []textPreview
	Reminder    []textPreview
	SMSMembers  int
	Segments    int // the invitation's, for one member
	Cost        int // the invitation's, for every SMS member
	ReminderMax int // the reminder's, for every SMS member: "up to"
}

// textPreview is one text and its SMS segments.
type textPreview struct {
	Text     string
	Segments int
	Encoding string
}

// progressView is a campaign's progress: the fragment the page refreshes.
type progressView struct {
	ID                       int64
	Sent, Delivered, Replied int
	Waiting, Cancelled       int
	Outcomes, Skipped        []countRow
	At                       when
}

// skipReasons are the reasons a member is skipped, in words.
var skipReasons = map[string]string{
	postgres.SkipOptedOut:  "Opted out of messages",
	postgres.SkipLeft:      "Record anonymised: no longer with the organisation",
	postgres.SkipNoChannel: "Their quiet hours cover the send window",
}

// outcomeLabels are the outcomes, in the order shown, in words.
var outcomeLabels = []statusOption{
	{postgres.OutcomeBooked, "Booked"},
	{postgres.OutcomeHadElsewhere, "Had it elsewhere"},
	{postgres.OutcomeDeclined, "Declined"},
	{postgres.OutcomeQuestion, "Asked OH a question"},
}

// showCampaign handles GET /console/campaigns/{id}: the campaign, and for
// a draft its plan and the preview of its texts with their cost in SMS
// segments, for a campaign under way its progress; with the buttons its
// status allows. Every view is audited (campaign.view).
func (c *Console) showCampaign(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return
	}
	c.renderCampaign(w, r, s, id, http.StatusOK, r.URL.Query().Get("done"), nil, nil)
}

var campaignDoneMessages = map[string]string{
	"created": "The campaign has been created as a draft: check its plan and its texts, then start it. Nothing is sent until you do.",
	"start":   "The campaign has started: invitations are sent from its start, in its send window.",
	"pause":   "The campaign is paused: nothing more is sent, reminders included, until you resume it.",
	"resume":  "The campaign has resumed.",
	"stop":    "The campaign has been stopped: nobody else will be invited or reminded.",
}

// renderCampaign shows campaign id with status, the confirmation of done
// or the problems errs, and the numbers plan could not plan when it was
// just created (nil otherwise), audited in the transaction that reads it.
func (c *Console) renderCampaign(w http.ResponseWriter, r *http.Request, s *session, id int64, status int, done string,
	plan *campaigns.Plan, errs []fieldError) {
	ctx := r.Context()
	var v campaignView
	err := c.db.InTx(ctx, func(tx pgx.Tx) error {
		k, err := postgres.CampaignByID(ctx, tx, s.scope(), id)
		if err != nil {
			return err
		}
		v, err = c.campaignView(ctx, tx, s, k)
		if err != nil {
			return err
		}
		return postgres.Audit(ctx, tx, postgres.AuditEvent{ActorUserID: s.user.ID, Action: "campaign.view",
			RecordType: "campaign", RecordID: id, OrganisationID: k.OrganisationID})
	})
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	v.Done, v.Errors = campaignDoneMessages[done], errs
	if plan != nil {
		v.Unknown, v.Duplicates, v.Invalid = plan.Unknown, plan.Duplicates, plan.Invalid
	}
	c.render(w, r, status, "campaign", v)
}

// campaignView reads what campaign k's page shows.
func (c *Console) campaignView(ctx context.Context, tx pgx.Tx, s *session, k postgres.Campaign) (campaignView, error) {
	v := campaignView{layout: newLayout(k.Name, s), ID: k.ID, Name: k.Name, What: campaignWhat(k),
		Status: campaignStatusLabels[k.Status], Starts: c.at(k.StartsAt), Window: windowText(k), Reminder: "None",
		Draft: k.Status == postgres.CampaignDraft}
	v.Live = !v.Draft
	v.CanStart, v.CanPause, v.CanResume = v.Draft, k.Status == postgres.CampaignRunning, k.Status == postgres.CampaignPaused
	v.CanStop = v.Draft || v.CanPause || v.CanResume
	if k.RemindAfter > 0 {
		v.Reminder = "Once, " + approx(k.RemindAfter) + " after the invitation, to those who have not replied"
	}
	switch k.Audience {
	case campaigns.AudienceStaffGroup:
		v.Audience = "Staff group: " + k.AudienceValue
	case campaigns.AudienceDepartment:
		v.Audience = "Department: " + k.AudienceValue
	default:
		v.Audience = "A list of assignment numbers"
	}
	orgs, err := postgres.Organisations(ctx, tx)
	if err != nil {
		return v, err
	}
	for _, o := range orgs {
		if o.ID == k.OrganisationID {
			v.Organisation = o.Name
		}
	}
	if !v.Draft {
		v.Progress, err = c.campaignProgress(ctx, tx, k.ID)
		return v, err
	}
	plan, err := postgres.CampaignPlanCounts(ctx, tx, k.ID)
	if err != nil {
		return v, err
	}
	v.Planned = plan.Planned
	v.Skipped = skippedRows(plan.Skipped)
	sms := map[string]int{}
	for _, re := range plan.Reach {
		v.Reach = append(v.Reach, reachRow{Language: languageNames[re.Language], Channel: channelLabel(re.Channel), Count: re.Count})
		if re.Channel == ohcontact.ChannelSMS {
			sms[re.Language] += re.Count
		}
	}
	for _, lang := range locales.Languages {
		p, err := c.preview(k, lang, sms[lang])
		if err != nil {
			return v, err
		}
		v.Previews = append(v.Previews, p)
		v.TotalSegments += p.Cost
		v.ReminderSegments += p.ReminderMax
	}
	return v, nil
}

// preview starts campaign k's flow through the dialog engine in language
// lang on SMS, as its invitation and as its reminder, and counts each
// text's segments as sent (folded when the organisation folds
// diacritics), for smsMembers members.
func (c *Console) preview(k postgres.Campaign, lang string, smsMembers int) (previewView, error) {
	p := previewView{Language: languageNames[lang], Lang: lang, SMSMembers: smsMembers}
	texts := func(reminder bool) ([]textPreview, int, error) {
		res, err := c.campaigns.Engine.Start(k.Flow, dialogs.StartInfo{Org: k.OrganisationCode, Channel: ohcontact.ChannelSMS,
			Lang: lang, Known: true, Reminder: reminder, Vaccine: k.Vaccine})
		if err != nil {
			return nil, 0, fmt.Errorf("preview campaign %d in %s: %w", k.ID, lang, err)
		}
		var out []textPreview
		total := 0
		for _, re := range res.Replies {
			text := re.Text
			if c.fold != nil && c.fold(k.OrganisationCode) {
				text = locales.FoldDiacritics(text)
			}
			enc, n := locales.Segments(text)
			out = append(out, textPreview{Text: text, Segments: n, Encoding: encodingLabel(enc)})
			total += n
		}
		return out, total, nil
	}
	var err error
	if p.Invitation, p.Segments, err = texts(false); err != nil {
		return p, err
	}
	p.Cost = p.Segments * smsMembers
	if k.RemindAfter > 0 {
		var n int
		if p.Reminder, n, err = texts(true); err != nil {
			return p, err
		}
		p.ReminderMax = n * smsMembers
	}
	return p, nil
}

// encodingLabel names enc as the preview shows it.
func encodingLabel(enc locales.Encoding) string {
	if enc == locales.GSM7 {
		return "GSM-7"
	}
	return "Unicode (UCS-2): fewer characters a segment"
}

// campaignProgress reads campaign id's progress.
func (c *Console) campaignProgress(ctx context.Context, q postgres.Querier, id int64) (progressView, error) {
	p, err := postgres.CampaignProgressOf(ctx, q, id)
	if err != nil {
		return progressView{}, err
	}
	v := progressView{ID: id, Sent: p.Sent(),
		Delivered: p.Delivered, Replied: p.ByState[postgres.MemberReplied], Waiting: p.ByState[postgres.MemberPlanned],
		Cancelled: p.ByState[postgres.MemberCancelled], Skipped: skippedRows(p.Skipped), At: c.at(c.now())}
	for _, o := range outcomeLabels {
		v.Outcomes = append(v.Outcomes, countRow{o.Label, p.Outcomes[o.Value]})
	}
	return v, nil
}

// skippedRows are skipped members' counts by reason, in words.
func skippedRows(by map[string]int) []countRow {
	var out []countRow
	for _, reason := range []string{postgres.SkipOptedOut, postgres.SkipNoChannel, postgres.SkipLeft} {
		if n := by[reason]; n > 0 {
			out = append(out, countRow{skipReasons[reason], n})
		}
	}
	return out
}

// showCampaignProgress handles GET /console/campaigns/{id}/progress: the
// campaign page's progress panel alone (the template
// "campaign_progress"), which static/console.js fetches every few seconds
// to keep the page current. It holds counts only, nobody's record, so it
// is not audited: the page it refreshes was (campaign.view).
func (c *Console) showCampaignProgress(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return
	}
	ctx := r.Context()
	if _, err := postgres.CampaignByID(ctx, c.db.Pool, s.scope(), id); err != nil {
		c.fail(w, r, s, err)
		return
	}
	v, err := c.campaignProgress(ctx, c.db.Pool, id)
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	var buf bytes.Buffer
	if err := c.pages["campaign"].ExecuteTemplate(&buf, "campaign_progress", v); err != nil {
		c.serverError(w, r, s, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = buf.WriteTo(w)
}

// windowText says when campaign k sends: "09:00 to 17:00, Monday, …".
func windowText(k postgres.Campaign) string {
	var days []string
	for _, d := range k.WindowDays {
		if d >= 1 && d <= 7 {
			days = append(days, time.Weekday(d%7).String())
		}
	}
	return fmt.Sprintf("%02d:%02d to %02d:%02d, %s", k.WindowFrom/60, k.WindowFrom%60, k.WindowUntil/60, k.WindowUntil%60,
		strings.Join(days, ", "))
}
