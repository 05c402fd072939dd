package console

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/campaigns"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/triggers"
)

// campaignForm is the new campaign form as the lead filled it in, kept
// when it is refused.
type campaignForm struct {
	OrganisationID                    int64
	Name, Vaccine, Flow               string
	Audience, StaffGroup, Department  string
	List                              string
	StartsAt, From, Until, RemindDays string
	Days                              []dayOption
	// FileName is the uploaded list's name, asked for again when the form
	// comes back: a browser does not keep a file.
	FileName string
}

// dayOption is a day of the send window's.
type dayOption struct {
	Value   int // ISO: 1 Monday … 7 Sunday
	Label   string
	Checked bool
}

// newCampaignView is the new campaign form.
type newCampaignView struct {
	layout
	Form campaignForm
	// Organisations are offered when the user sees every organisation.
	Organisations []ohcontact.Organisation
	Flows         []string
	// StaffGroups and Departments are those of the staff records the user
	// sees (postgres.AudienceValues).
	StaffGroups, Departments []string
	// MaxList and MaxUpload are the limits on a list, in words: "200,000"
	// numbers in a file of "32 MB".
	MaxList, MaxUpload string
}

// defaultCampaignForm is the form as it first shows: starting at the next
// whole hour, sent 09:00 to 17:00 on weekdays, reminded after 3 days.
func (c *Console) defaultCampaignForm(s *session) campaignForm {
	start := c.now().In(c.loc).Truncate(time.Hour).Add(time.Hour)
	f := campaignForm{OrganisationID: s.scope(), Audience: campaigns.AudienceStaffGroup,
		StartsAt: start.Format(datetimeLocal), From: "09:00", Until: "17:00", RemindDays: "3"}
	if fl := c.campaigns.Flows; len(fl) > 0 {
		f.Flow = fl[0]
	}
	f.Days = weekdays(func(d int) bool { return d <= 5 })
	return f
}

// datetimeLocal is the layout of an <input type="datetime-local">.
const datetimeLocal = "2006-01-02T15:04"

// weekdays returns the days of the week, Monday first, checked as
// checked says of each ISO number.
func weekdays(checked func(iso int) bool) []dayOption {
	out := make([]dayOption, 7)
	for i := range out {
		iso := i + 1
		out[i] = dayOption{Value: iso, Label: time.Weekday(iso % 7).String(), Checked: checked(iso)}
	}
	return out
}

// showNewCampaign handles GET /console/campaigns/new.
func (c *Console) showNewCampaign(w http.ResponseWriter, r *http.Request, s *session) {
	c.renderNewCampaign(w, r, s, http.StatusOK, c.defaultCampaignForm(s), nil)
}

// renderNewCampaign shows the new campaign form filled in as form, with
// errs next to their fields.
func (c *Console) renderNewCampaign(w http.ResponseWriter, r *http.Request, s *session, status int, form campaignForm, errs []fieldError) {
	orgs, err := c.organisationsFor(r, s)
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	v := newCampaignView{layout: newLayout("New campaign", s), Form: form, Flows: c.campaigns.Flows,
		MaxList: number(campaigns.MaxList), MaxUpload: fmt.Sprintf("%d MB", maxListUploadBytes>>20)}
	if s.scope() == 0 {
		v.Organisations = orgs
	}
	if v.StaffGroups, v.Departments, err = postgres.AudienceValues(r.Context(), c.db.Pool, s.scope()); err != nil {
		c.serverError(w, r, s, err)
		return
	}
	v.Errors = errs
	c.render(w, r, status, "campaign_new", v)
}

// readCampaignForm reads the new campaign form posted in r as the form
// and the campaigns.New it asks for. A value that cannot be read becomes
// one campaigns.Create refuses (a zero start, an impossible time, an
// empty list for a file readListFile refuses), so that Create remains the
// one check; bad says which fields those were, with the sentence to show
// instead of Create's. A list's entries are the pasted ones and then the
// uploaded file's (list_file), together. It returns an error only when an
// uploaded file that was received cannot be read back.
func (c *Console) readCampaignForm(r *http.Request, s *session) (campaignForm, campaigns.New, map[string]string, error) {
	f := r.PostForm
	form := campaignForm{OrganisationID: s.scope(), Name: f.Get("name"), Vaccine: f.Get("vaccine"), Flow: f.Get("flow"),
		Audience: f.Get("audience"), StaffGroup: f.Get("staff_group"), Department: f.Get("department"), List: f.Get("list"),
		StartsAt: strings.TrimSpace(f.Get("starts_at")), From: strings.TrimSpace(f.Get("window_from")),
		Until: strings.TrimSpace(f.Get("window_until")), RemindDays: strings.TrimSpace(f.Get("remind_after"))}
	bad := map[string]string{}
	if s.scope() == 0 {
		form.OrganisationID, _ = strconv.ParseInt(f.Get("organisation_id"), 10, 64)
	}
	n := campaigns.New{OrganisationID: form.OrganisationID, Name: form.Name, Flow: form.Flow, Vaccine: form.Vaccine,
		Audience: form.Audience, CreatedBy: s.user.ID}
	switch form.Audience {
	case campaigns.AudienceStaffGroup:
		n.AudienceValue = form.StaffGroup
	case campaigns.AudienceDepartment:
		n.AudienceValue = form.Department
	case campaigns.AudienceList:
		n.List, n.ListSource = splitList(form.List), campaigns.ListPasted
		if files := listFiles(r); len(files) > 0 {
			form.FileName = files[0].Filename
			numbers, err := readUploadedList(files[0])
			var unreadable listFileError
			switch {
			case errors.As(err, &unreadable):
				n.List = nil // an empty list Create refuses, with bad's sentence
				bad["list"] = unreadable.Error()
			case err != nil:
				return form, n, bad, err
			case len(n.List) > 0:
				n.List, n.ListSource = append(n.List, numbers...), campaigns.ListPastedAndFile
			default:
				n.List, n.ListSource = numbers, campaigns.ListFile
			}
		}
	}
	if t, err := time.ParseInLocation(datetimeLocal, form.StartsAt, c.loc); err == nil {
		n.StartsAt = t
	} else if form.StartsAt != "" {
		bad["starts_at"] = "Enter the start as a date and time, for example 2026-10-01T09:00"
	}
	var ok bool
	if n.From, ok = readClock(form.From); !ok {
		bad["window_from"] = "Enter the time the window opens, for example 09:00"
	}
	if n.Until, ok = readClock(form.Until); !ok {
		bad["window_until"] = "Enter the time the window closes, for example 17:00"
	}
	checked := map[int]bool{}
	for _, v := range f["window_days"] {
		if d, err := strconv.Atoi(v); err == nil && d >= 1 && d <= 7 && !checked[d] {
			checked[d] = true
			n.Days = append(n.Days, time.Weekday(d%7))
		}
	}
	form.Days = weekdays(func(d int) bool { return checked[d] })
	switch days, err := strconv.ParseFloat(form.RemindDays, 64); {
	case form.RemindDays == "" || (err == nil && days == 0):
	case err != nil || days < 0:
		n.RemindAfter = -1
		bad["remind_after"] = "Enter the days to wait before the reminder as a number, or 0 for no reminder"
	default:
		n.RemindAfter = time.Duration(days * float64(24*time.Hour))
	}
	return form, n, bad, nil
}

// listFiles returns the files posted as list_file.
func listFiles(r *http.Request) []*multipart.FileHeader {
	if r.MultipartForm == nil {
		return nil
	}
	return r.MultipartForm.File["list_file"]
}

// readUploadedList returns readListFile's entries of the uploaded file fh,
// one more than campaigns.MaxList at most.
func readUploadedList(fh *multipart.FileHeader) ([]string, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("open the uploaded list: %w", err)
	}
	defer f.Close()
	return readListFile(f, campaigns.MaxList+1)
}

// readClock reads a time of day, HH:MM; a time it cannot read is one
// campaigns.Create refuses.
func readClock(s string) (triggers.Clock, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return triggers.Clock{Hour: -1}, false
	}
	return triggers.Clock{Hour: t.Hour(), Minute: t.Minute()}, true
}

// campaignFields are campaigns.Problems' fields: the id of the input each
// is shown next to, and its name in the sentence.
var campaignFields = map[string]struct{ id, label string }{
	"organisation":   {"organisation", "Organisation"},
	"name":           {"name", "Campaign name"},
	"flow":           {"flow", "Flow"},
	"vaccine":        {"vaccine", "Vaccine"},
	"audience":       {"audience", "Who it is for"},
	"list":           {"list", "The list of assignment numbers"},
	"starts_at":      {"starts-at", "Start"},
	"window_from":    {"window-from", "The time the window opens"},
	"window_until":   {"window-until", "The time the window closes"},
	"window_days":    {"window-days", "Days"},
	"remind_after":   {"remind-after", "Reminder"},
	"audience_value": {"staff-group", "Staff group"},
}

// campaignErrors returns problems, as the form shows them: each next to
// its input, the sentences in bad replacing Create's, in the form's order.
func campaignErrors(form campaignForm, problems campaigns.Problems, bad map[string]string) []fieldError {
	order := []string{"organisation", "name", "flow", "vaccine", "audience", "audience_value", "list", "starts_at",
		"window_from", "window_until", "window_days", "remind_after"}
	var errs []fieldError
	for _, k := range order {
		msg, ok := problems[k]
		if !ok {
			continue
		}
		fl := campaignFields[k]
		if k == "audience_value" && form.Audience == campaigns.AudienceDepartment {
			fl = struct{ id, label string }{"department", "Department"}
		}
		if k == "list" && form.FileName != "" {
			fl.id = "list-file"
		}
		text := fl.label + " " + msg
		if b, ok := bad[k]; ok {
			text = b
		}
		errs = append(errs, fieldError{Field: fl.id, Message: text})
	}
	for k, msg := range problems { // a field added to campaigns but not yet to the form
		if !slices.Contains(order, k) {
			errs = append(errs, fieldError{Message: k + " " + msg})
		}
	}
	return errs
}
