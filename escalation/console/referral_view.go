package console

import (
	"fmt"
	"strings"
	"time"

	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/postgres"
)

// How the physio worklist words a referral: the person's answers, its
// status and SLA, and its history, always in words (colour only repeats
// them).

// answerWords are the person's answers to the referral questions
// (dialogs' MSK check-in) as the physio team reads them, by question and
// recorded value.
var answerWords = map[string]map[string]string{
	"area": {
		"back": "Back", "neck": "Neck", "shoulder": "Shoulder", "elbow_wrist_hand": "Elbow, wrist or hand",
		"hip": "Hip", "knee": "Knee", "ankle_foot": "Ankle or foot", "other_or_several": "Somewhere else, or several places",
	},
	"duration": {
		"under_2_weeks": "Less than 2 weeks", "2_to_6_weeks": "2 to 6 weeks", "6_to_12_weeks": "6 to 12 weeks",
		"over_12_weeks": "More than 12 weeks",
	},
	"can_work": {"yes_as_normal": "Yes, as normal", "yes_with_changes": "Yes, with changes or lighter duties", "no": "No"},
	"progress": {"better": "Getting better", "same": "About the same", "worse": "Getting worse"},
	"contact": {
		"phone_any_time": "A phone call, any time", "phone_morning": "A phone call in the morning",
		"phone_afternoon": "A phone call in the afternoon", "text_first": "A text message first",
	},
}

// answerText says the person's answer to question, recorded as value:
// "Not given" when they did not answer in a way the service understood.
func answerText(question, value string) string {
	switch value {
	case "", "not_given":
		return "Not given: ask them"
	}
	if w, ok := answerWords[question][value]; ok {
		return w
	}
	return categoryLabel(value)
}

// redFlagsView is the answer to the red flags of cauda equina syndrome
// (asked about back problems only). Alert is set when the answer was yes
// or not given: the words say so, the colour only repeats it.
type redFlagsView struct {
	Short string // for the worklist
	Text  string // for the referral page
	Alert bool
}

func viewRedFlags(value string) redFlagsView {
	switch value {
	case "no":
		return redFlagsView{Short: "None", Text: "None: no numbness around the bottom or genitals, no new bladder or bowel problems, no weakness in both legs"}
	case "not_asked":
		return redFlagsView{Short: "Not asked", Text: "Not asked: the service asks about them for back problems only"}
	case "yes":
		return redFlagsView{Short: "YES: check now", Alert: true,
			Text: "YES: they reported signs of cauda equina syndrome (numbness around the bottom or genitals, new bladder or bowel problems, or weakness in both legs). They were told to go to A&E or call 999. Check on them now."}
	}
	return redFlagsView{Short: "NOT ANSWERED: ask first", Alert: true,
		Text: "NOT ANSWERED: ask them first about numbness around the bottom or genitals, new bladder or bowel problems, and weakness in both legs."}
}

// referralStatusLabel is a referral's status in words, capitalised: "Did
// not attend".
func referralStatusLabel(s postgres.ReferralStatus) string {
	t := escalation.StatusText(s)
	return strings.ToUpper(t[:1]) + t[1:]
}

// referralSLAView is where a referral stands against its SLA, which is
// about being acted on (accepted, booked or declined): "due in 3 h" or
// "overdue by 2 days" while new, "met" or "missed by 1 h" once acted on.
type referralSLAView struct {
	Text    string
	Due     when
	Overdue bool // new past its deadline
}

func (c *Console) viewReferralSLA(r postgres.Referral) referralSLAView {
	v := referralSLAView{Due: c.at(r.SLADue)}
	now := c.now()
	switch {
	case r.Status != postgres.ReferralNew && !r.ActedAt.After(r.SLADue):
		v.Text = "Met"
	case r.Status != postgres.ReferralNew:
		v.Text = "Missed by " + approx(r.ActedAt.Sub(r.SLADue))
	case now.Before(r.SLADue):
		v.Text = "Due in " + approx(r.SLADue.Sub(now))
	default:
		v.Text, v.Overdue = "Overdue by "+approx(now.Sub(r.SLADue)), true
	}
	return v
}

// day formats t for an appointment, in full: "Monday 9 March 2026 at
// 14:30".
func (c *Console) day(t time.Time) string {
	return t.In(c.loc).Format("Monday 2 January 2006 at 15:04")
}

// appointmentText says when and how a referral's appointment is.
func (c *Console) appointmentText(r postgres.Referral) string {
	if r.AppointmentAt.IsZero() {
		return ""
	}
	if r.AppointmentKind == "phone" {
		return c.day(r.AppointmentAt) + ", a phone call"
	}
	return c.day(r.AppointmentAt) + ", in person at " + r.AppointmentPlace
}

// declineReason is a reason a referral may be declined for, with what the
// person is told.
type declineReason struct {
	Code, Label, Told string
}

// declineReasons are escalation.DeclineReasons in words, in that order.
var declineReasons = []declineReason{
	{"see_gp", "They should see their GP",
		"They are told the physio team cannot take the referral, and to see their GP, who can refer them to the right service."},
	{"self_refer", "They should refer themselves to NHS physiotherapy",
		"They are told to refer themselves to their local NHS physiotherapy service, and that their GP practice can tell them how."},
	{"under_care", "They are already being seen by a physiotherapy service",
		"They are told to carry on with the service that is already seeing them."},
	{"oh_call", "The OH team should call them about other support",
		"They are told the OH team will call them. A routine case opens in the clinicians' queue so that someone does."},
}

func declineLabel(code string) string {
	for _, d := range declineReasons {
		if d.Code == code {
			return d.Label
		}
	}
	return categoryLabel(code)
}

// referralEventView is one line of a referral's history.
type referralEventView struct {
	Text string
	Note string
	At   when
}

func (c *Console) viewReferralEvent(e postgres.ReferralEvent) referralEventView {
	by := e.UserName
	switch {
	case e.BySystem:
		by = "a referral system"
	case by == "":
		by = "the service"
	}
	v := referralEventView{Note: e.Note, At: c.at(e.At)}
	switch e.Kind {
	case "made":
		v.Text = "Referral made: the person agreed to it in a conversation with the service"
	case "accepted":
		v.Text = "Accepted by " + by
	case "booked":
		v.Text = "Appointment booked by " + by
	case "declined":
		v.Text = "Declined by " + by
	case "attended":
		v.Text = "Marked as attended by " + by
	case "did_not_attend":
		v.Text = "Marked as did not attend by " + by
	case "sla_breached":
		v.Text = "Not acted on within its SLA"
	case "person_told":
		v.Text = "The person was told"
	case "person_not_told":
		v.Text = "The person could not be told"
	default:
		v.Text = categoryLabel(e.Kind)
	}
	return v
}

// personName is the person's name as the worklist shows it.
func personName(r postgres.Referral) string {
	return strings.TrimSpace(fmt.Sprintf("%s %s", r.FirstName, r.LastName))
}
