package console

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/postgres"
)

// referralActions are the referral page's forms, by the last part of
// their path, and the status each moves the referral to.
var referralActions = map[string]postgres.ReferralStatus{
	"accept":         postgres.ReferralAccepted,
	"book":           postgres.ReferralBooked,
	"decline":        postgres.ReferralDeclined,
	"attended":       postgres.ReferralAttended,
	"did-not-attend": postgres.ReferralDidNotAttend,
}

// referralFields are the referral page's inputs (their ids) for the
// fields an escalation.ReferralError names.
var referralFields = map[string]string{
	"appointment_at":    "appointment-date",
	"appointment_kind":  "appointment-kind",
	"appointment_place": "appointment-place",
	"decline_reason":    "decline-reason",
	"note":              "decline-note",
}

// actOnReferral handles POST /console/referrals/{id}/{action}, action one
// of accept, book (form fields date as YYYY-MM-DD and time as HH:MM, both
// in the console's time zone, kind in_person or phone, and place for in
// person), decline (reason, one of escalation.DeclineReasons, and an
// optional note), attended and did-not-attend. The change is made by
// escalation.Referrals.Act alone, in the user's organisation, which checks
// it, audits it and queues the notice to the person. A change made
// redirects (303) to the referral page with a confirmation; a form
// missing or wrong is shown again with the problem next to its field
// (422); a change the referral's status forbids is shown again with why
// (409); another organisation's referral, or an unknown action, is not
// found.
func (c *Console) actOnReferral(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := pathID(r)
	action := r.PathValue("action")
	status, known := referralActions[action]
	if !ok || !known {
		c.notFound(w, r, s)
		return
	}
	f := r.PostForm
	form := referralForm{Date: strings.TrimSpace(f.Get("date")), Time: strings.TrimSpace(f.Get("time")),
		Kind: f.Get("kind"), Place: strings.TrimSpace(f.Get("place")), Reason: f.Get("reason"), Note: strings.TrimSpace(f.Get("note"))}
	change := postgres.ReferralChange{Status: status}
	switch status {
	case postgres.ReferralBooked:
		change.AppointmentKind, change.AppointmentPlace = form.Kind, form.Place
		if form.Date != "" || form.Time != "" {
			at, err := time.ParseInLocation("2006-01-02 15:04", form.Date+" "+form.Time, c.loc)
			if err != nil {
				c.renderReferral(w, r, s, id, http.StatusUnprocessableEntity, form,
					[]fieldError{{"appointment-date", "Enter the date and the time of the appointment, for example 2026-03-14 and 09:30"}})
				return
			}
			change.AppointmentAt = at
		}
	case postgres.ReferralDeclined:
		change.DeclineReason, change.Note = form.Reason, form.Note
	}
	_, err := c.referrals.Act(r.Context(), s.scope(), postgres.Actor{UserID: s.user.ID}, id, change)
	var refused *escalation.ReferralError
	switch {
	case err == nil:
		c.log.Info("console: referral changed", "user_id", s.user.ID, "referral_id", id, "status", string(status))
		c.redirect(w, r, fmt.Sprintf("/console/referrals/%d?done=%s", id, doneKey(status)))
	case errors.As(err, &refused) && refused.Field == "":
		c.renderReferral(w, r, s, id, http.StatusConflict, form, []fieldError{{"", refused.Detail}})
	case errors.As(err, &refused):
		c.renderReferral(w, r, s, id, http.StatusUnprocessableEntity, form, []fieldError{{referralFields[refused.Field], refused.Detail}})
	default:
		c.fail(w, r, s, fmt.Errorf("referral %d: %w", id, err))
	}
}

// doneKey is the referralDone key for a change to status.
func doneKey(status postgres.ReferralStatus) string {
	if status == postgres.ReferralDidNotAttend {
		return "did-not-attend"
	}
	return string(status)
}
