package console

import (
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/postgres"
)

// referralView is the referral page.
type referralView struct {
	layout
	Referral postgres.Referral
	Status   string
	SLA      referralSLAView
	Made     when
	Acted    when

	// The consented summary, in words.
	Area, Duration, CanWork, Progress, Contact, Language string
	RedFlags                                             redFlagsView

	Name        string
	Appointment string
	Decline     string
	Events      []referralEventView

	// The actions its status allows (escalation.CanMove).
	CanAccept, CanBook, CanDecline, CanAttend bool
	Reasons                                   []declineReason
	MaxNote                                   int // characters
	Form                                      referralForm
}

// referralForm is what the user typed into the referral page's forms,
// kept when one of them is refused.
type referralForm struct {
	Date, Time, Kind, Place, Reason, Note string
}

// showReferral handles GET /console/referrals/{id}. Every view is
// audited.
func (c *Console) showReferral(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return
	}
	c.renderReferral(w, r, s, id, http.StatusOK, referralForm{}, nil)
}

// renderReferral shows referral id of the user's organisation with status,
// form and errs, and records the view in the audit log in the same
// transaction: nobody sees a person's answers and contact details without
// a record of it. Another organisation's referral is not found.
func (c *Console) renderReferral(w http.ResponseWriter, r *http.Request, s *session, id int64, status int, form referralForm, errs []fieldError) {
	ctx := r.Context()
	var v referralView
	err := c.db.InTx(ctx, func(tx pgx.Tx) error {
		ref, err := postgres.ReferralByID(ctx, tx, s.scope(), id)
		if err != nil {
			return err
		}
		events, err := postgres.ReferralEvents(ctx, tx, id)
		if err != nil {
			return err
		}
		v = c.viewReferral(s, ref, events)
		return postgres.RecordReferralView(ctx, tx, ref, postgres.Actor{UserID: s.user.ID})
	})
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	v.Form, v.Errors, v.Done = form, errs, referralDone[r.URL.Query().Get("done")]
	c.render(w, r, status, "referral", v)
}

func (c *Console) viewReferral(s *session, ref postgres.Referral, events []postgres.ReferralEvent) referralView {
	a := ref.Answers
	v := referralView{
		layout: newLayout(fmt.Sprintf("Referral %d", ref.ID), s), Referral: ref,
		Status: referralStatusLabel(ref.Status), SLA: c.viewReferralSLA(ref), Made: c.at(ref.CreatedAt), Acted: c.at(ref.ActedAt),
		Area: answerText("area", a["area"]), Duration: answerText("duration", a["duration"]),
		CanWork: answerText("can_work", a["can_work"]), Progress: answerText("progress", a["progress"]),
		Contact: answerText("contact", a["contact"]), Language: languageLabel(ref.Language),
		RedFlags: viewRedFlags(a["red_flags"]), Name: personName(ref), Appointment: c.appointmentText(ref),
		Reasons: declineReasons, MaxNote: maxReferralNote,
		CanAccept:  escalation.CanMove(ref.Status, postgres.ReferralAccepted),
		CanBook:    escalation.CanMove(ref.Status, postgres.ReferralBooked),
		CanDecline: escalation.CanMove(ref.Status, postgres.ReferralDeclined),
		CanAttend:  escalation.CanMove(ref.Status, postgres.ReferralAttended),
	}
	if ref.DeclineReason != "" {
		v.Decline = declineLabel(ref.DeclineReason)
	}
	for _, e := range events {
		v.Events = append(v.Events, c.viewReferralEvent(e))
	}
	return v
}

// maxReferralNote is the longest note a decline may carry, in characters
// (escalation.Referrals.Act's limit).
const maxReferralNote = 500

// referralDone confirm, after the redirect, what a form did.
var referralDone = map[string]string{
	"accepted":       "You have accepted this referral. Book the appointment when you have agreed it with the person.",
	"booked":         "The appointment has been booked. The person will be sent its details: the history shows when they have been.",
	"declined":       "The referral has been declined. The person will be told what to do instead: the history shows when they have been.",
	"attended":       "The referral has been marked as attended.",
	"did-not-attend": "The referral has been marked as did not attend.",
}
