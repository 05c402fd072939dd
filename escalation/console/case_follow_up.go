package console

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/postgres"
)

// setFollowUp handles POST /console/cases/{id}/follow-ups: form fields
// date (2006-01-02) and time (15:04), in Config.Location, and note. Only
// whoever may act on the case (escalation.MayAct) may set one
// (escalation.Cases.SetFollowUp). A time that cannot be read, or is not in
// the future, and a note that is empty or too long, are shown next to
// their field (422).
func (c *Console) setFollowUp(w http.ResponseWriter, r *http.Request, s *session) {
	f := r.PostForm
	form := caseForm{FollowUpDate: strings.TrimSpace(f.Get("date")), FollowUpTime: strings.TrimSpace(f.Get("time")),
		FollowUpNote: strings.TrimSpace(f.Get("note"))}
	var refused *problem
	due, err := time.ParseInLocation("2006-01-02 15:04", form.FollowUpDate+" "+form.FollowUpTime, c.loc)
	if err != nil {
		refused = invalid("follow-up-date", "Enter the date and the time of the follow-up, for example 2026-03-14 and 09:30")
	}
	c.changeCase(w, r, s, "follow-up-set", form, refused,
		func(ctx context.Context, a escalation.Actor, id int64) error {
			_, err := c.cases.SetFollowUp(ctx, a, id, due, form.FollowUpNote)
			var note escalation.FollowUpNoteError
			switch {
			case errors.As(err, new(escalation.FollowUpTimeError)):
				return invalid("follow-up-date", "The follow-up must be in the future: enter a later date or time")
			case errors.As(err, &note) && note.Empty:
				return invalid("follow-up-note", "Enter a note saying what to follow up")
			case errors.As(err, &note):
				return invalid("follow-up-note", "The note must be "+number(postgres.MaxFollowUpNote)+" characters or fewer")
			}
			return err
		})
}

// cancelFollowUp handles POST /console/cases/{id}/follow-ups/{fid}/cancel
// (escalation.Cases.CancelFollowUp). A follow-up no longer pending is
// refused (409).
func (c *Console) cancelFollowUp(w http.ResponseWriter, r *http.Request, s *session) {
	fid, err := strconv.ParseInt(r.PathValue("fid"), 10, 64)
	if err != nil || fid <= 0 {
		c.notFound(w, r, s)
		return
	}
	c.changeCase(w, r, s, "follow-up-cancelled", caseForm{}, nil,
		func(ctx context.Context, a escalation.Actor, id int64) error {
			return c.cases.CancelFollowUp(ctx, a, id, fid)
		})
}

// followUpView is a follow-up as the case page shows it.
type followUpView struct {
	ID     int64
	Due    when
	Note   string
	SetBy  string
	SetAt  when
	Status string // Pending; Due: the alert was sent at …; Done: the case is resolved
	// CanCancel is set for a pending follow-up the user may cancel.
	CanCancel bool
}

// viewFollowUps words case k's follow-ups (postgres.FollowUps) for a user
// who may (canAct) or may not change the case.
func (c *Console) viewFollowUps(k ohcontact.Case, fus []postgres.FollowUp, canAct bool) []followUpView {
	var out []followUpView
	for _, f := range fus {
		v := followUpView{ID: f.ID, Due: c.at(f.Due), Note: f.Note, SetBy: f.SetByName, SetAt: c.at(f.SetAt), Status: "Pending"}
		switch {
		case !f.AlertedAt.IsZero():
			v.Status = "Due: the alert was sent at " + c.at(f.AlertedAt).Text
		case k.Status == "resolved":
			v.Status = "Done: the case is resolved"
		default:
			v.CanCancel = canAct
		}
		out = append(out, v)
	}
	return out
}
