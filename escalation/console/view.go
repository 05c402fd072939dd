package console

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// How the console words and formats what it shows.

// priorityView is a priority as shown: always in words, the colour only
// repeats it.
type priorityView struct {
	Label string
	Class string // tag-urgent, tag-high or tag-routine
}

func viewPriority(p ohcontact.Priority) priorityView {
	switch p {
	case ohcontact.PriorityUrgent:
		return priorityView{"Urgent", "tag-urgent"}
	case ohcontact.PriorityHigh:
		return priorityView{"High", "tag-high"}
	}
	return priorityView{"Routine", "tag-routine"}
}

// priorityOptions are the priorities a clinician may set, highest first.
var priorityOptions = []outcome{
	{string(ohcontact.PriorityUrgent), "Urgent"},
	{string(ohcontact.PriorityHigh), "High"},
	{string(ohcontact.PriorityRoutine), "Routine"},
}

// categoryLabels name, in plain words, why cases are opened: the risk
// screen's categories (escalation/risk) and the requests and promises of
// the flows (dialogs.RequestClinician's reasons).
var categoryLabels = map[string]string{
	"suicide_risk":            "Suicide risk",
	"self_harm":               "Self-harm",
	"past_attempt":            "Suicide attempt in the past",
	"bereavement_by_suicide":  "Bereaved by suicide",
	"hopelessness":            "Hopelessness or not coping",
	"safeguarding":            "Safeguarding: domestic abuse",
	"harm_to_others":          "Thoughts of harming others",
	"low_mood":                "Low mood",
	"anxiety":                 "Anxiety",
	"possible_risk":           "Possible risk",
	"asked_to_talk":           "Asked to talk to someone",
	"callback_requested":      "Asked for a call back",
	"appointment_requested":   "Asked for an appointment with OH",
	"long_term_talk":          "On long-term absence: asked to talk to OH",
	"screen_positive":         "Stress check-in: asked to talk to OH",
	"msk_red_flags":           "Muscle or joint problem with warning signs",
	"could_not_understand":    "The service could not understand the replies",
	"opted_out_when_asked":    "Opted out when asked whether they are safe",
	"physio_declined":         "Physio referral declined: OH to call",
	"referral_unknown_person": "Asked for a physio referral, not on the staff record",
	"vaccination_question":    "Vaccination campaign: a question for OH",
}

// categoryLabel turns a case category such as suicide_risk into words;
// one not in categoryLabels has its underscores made spaces, never shown
// as a code.
func categoryLabel(category string) string {
	if l, ok := categoryLabels[category]; ok {
		return l
	}
	s := strings.ReplaceAll(category, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// channelLabel is ch's label, or "None" for a case that did not come from
// a conversation.
func channelLabel(ch ohcontact.Channel) string {
	if ch == "" {
		return "None"
	}
	return ch.Label()
}

// statusLabel says where a case is: "Open", "Claimed by Sam Jones".
func statusLabel(status, claimedBy, resolvedBy string) string {
	switch status {
	case "claimed":
		return "Claimed by " + claimedBy
	case "resolved":
		return "Resolved by " + resolvedBy
	}
	return "Open"
}

// when is a moment as shown: the words, and the machine-readable value for
// a <time> element.
type when struct {
	Text     string
	DateTime string
}

// at formats t for people: "14:02" today, "Mon 2 Mar 14:02" otherwise.
func (c *Console) at(t time.Time) when {
	local, now := t.In(c.loc), c.now().In(c.loc)
	text := local.Format("15:04")
	if y, m, d := local.Date(); y != now.Year() {
		text = local.Format("2 Jan 2006 15:04")
	} else if m != now.Month() || d != now.Day() {
		text = local.Format("Mon 2 Jan 15:04")
	}
	return when{Text: text, DateTime: t.UTC().Format(time.RFC3339)}
}

// number formats n (not negative) for people, thousands separated by
// commas: "1,600".
func number(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// approx words a duration to the minute: "less than a minute", "12 min",
// "3 h 5 min", "2 days 4 h".
func approx(d time.Duration) string {
	d = d.Abs()
	minutes := int(d / time.Minute)
	hours, days := minutes/60, minutes/(24*60)
	switch {
	case minutes < 1:
		return "less than a minute"
	case minutes < 60:
		return fmt.Sprintf("%d min", minutes)
	case hours < 48:
		if m := minutes % 60; m != 0 {
			return fmt.Sprintf("%d h %d min", hours, m)
		}
		return fmt.Sprintf("%d h", hours)
	}
	if h := hours % 24; h != 0 {
		return fmt.Sprintf("%d days %d h", days, h)
	}
	return fmt.Sprintf("%d days", days)
}

// slaView is where a case stands against its SLA, which is about being
// claimed: "due in 12 min" or "overdue by 3 min" while open, "met" or
// "missed by 5 min" once claimed (or resolved without a claim).
type slaView struct {
	Text    string
	Due     when
	Overdue bool // open past its deadline
	// Breached is set when the case was not claimed by its deadline:
	// overdue, or missed.
	Breached bool
}

// viewSLA says where a case with status stands against its deadline due.
// A case is measured at claimedAt, when someone first picked it up, or at
// resolvedAt when it was resolved without ever being claimed.
func (c *Console) viewSLA(status string, due, claimedAt, resolvedAt time.Time) slaView {
	v := slaView{Due: c.at(due)}
	pickedUp := claimedAt
	if pickedUp.IsZero() {
		pickedUp = resolvedAt
	}
	switch {
	case status != "open" && !pickedUp.After(due):
		v.Text = "met"
	case status != "open":
		v.Text, v.Breached = "missed by "+approx(pickedUp.Sub(due)), true
	case c.now().Before(due):
		v.Text = "due in " + approx(due.Sub(c.now()))
	default:
		v.Text, v.Overdue, v.Breached = "overdue by "+approx(c.now().Sub(due)), true, true
	}
	return v
}

// outcome is one way a case can be resolved. Code is stored in
// cases.outcome; Label is what people read.
type outcome struct {
	Code, Label string
}

// outcomes are the ways a case can be resolved, in the order offered.
var outcomes = []outcome{
	{"support_arranged", "Contacted – support arranged"},
	{"no_further_action", "Contacted – no further action needed"},
	{"referred_crisis_or_gp", "Referred to the crisis team or GP"},
	{"emergency_services", "Emergency services contacted"},
	{"safeguarding_referral", "Safeguarding referral made"},
	{"unable_to_contact", "Unable to contact – passed to the OH lead"},
	{"no_risk_found", "Reviewed – no risk found"},
}

// outcomeLabel returns the words for an outcome code; one no longer
// offered has its underscores made spaces, never shown as a code.
func outcomeLabel(code string) string {
	for _, o := range outcomes {
		if o.Code == code {
			return o.Label
		}
	}
	return categoryLabel(code)
}

// eventView is one line of a case's timeline.
type eventView struct {
	Text string
	Note string
	At   when
}

func (c *Console) viewEvent(e postgres.CaseEvent) eventView {
	by := e.UserName
	if by == "" {
		by = "the service"
	}
	v := eventView{Note: e.Note, At: c.at(e.At)}
	switch e.Kind {
	case "opened":
		v.Text = "Case opened by the service"
	case "claimed":
		v.Text = "Claimed by " + by
	case "released":
		v.Text = "Released back to the queue by " + by
	case "reassigned":
		v.Text = "Reassigned by " + by
	case "note":
		v.Text = "Note by " + by
	case "replied":
		v.Text = "Reply sent by " + by
	case "handed_back":
		v.Text = "Conversation handed back to the automated service by " + by
	case "resolved":
		v.Text = "Resolved by " + by
	case "sla_breached":
		v.Text = "Not claimed within its SLA"
	case "priority_changed":
		v.Text = "Priority changed by " + by
	case "follow_up_set":
		v.Text = "Follow-up set by " + by
	case "follow_up_cancelled":
		v.Text = "Follow-up cancelled by " + by
	case "follow_up_due":
		v.Text = "Follow-up due"
	default:
		v.Text = categoryLabel(e.Kind)
	}
	return v
}

// messageView is one message of a transcript.
type messageView struct {
	ID       int64
	Who      string
	Inbound  bool
	Body     string
	At       when
	Delivery string // for outbound messages
	// Later marks the first message of a conversation the person started
	// after the case's conversation was handed back.
	Later bool
}

func (c *Console) viewMessage(m postgres.TranscriptMessage, staffName string) messageView {
	v := messageView{ID: m.ID, Body: m.Body, At: c.at(m.At), Inbound: m.Direction == ohcontact.DirectionInbound}
	switch m.Author {
	case ohcontact.AuthorStaff:
		v.Who = staffName
	case ohcontact.AuthorClinician:
		v.Who = m.AuthorName + " (clinician)"
	default:
		v.Who = "Automated service"
	}
	if !v.Inbound {
		v.Delivery = deliveryLabel(m.DeliveryStatus)
		if m.ErrorReason != "" {
			v.Delivery += ": " + m.ErrorReason
		}
	}
	return v
}

func deliveryLabel(status string) string {
	switch status {
	case "queued":
		return "Queued"
	case "sending":
		return "Sending"
	case "sent":
		return "Sent"
	case "delivered":
		return "Delivered"
	case "undelivered":
		return "Not delivered"
	case "failed":
		return "Failed"
	}
	return status
}

// alertView is an alert as the queue page shows it: a banner until the
// user marks it seen or claims the case.
type alertView struct {
	ID, CaseID int64
	Text       string // what happened
	Status     string // where the case is now: "Urgent, claimed by Sam Jones"
	At         when
	CSRF       string // for the "Mark seen" form
}

func (c *Console) viewAlert(a postgres.Alert, csrf string) alertView {
	v := alertView{ID: a.ID, CaseID: a.CaseID, At: c.at(a.At), CSRF: csrf,
		Text: fmt.Sprintf("Case %d was not claimed within its SLA", a.CaseID)}
	if a.Kind == "follow_up_due" {
		// The note stays on the case page: the whole team may see alerts.
		v.Text = fmt.Sprintf("Follow-up due: case %d, %s", a.CaseID, c.at(a.FollowUpDue).Text)
	}
	status := statusLabel(a.CaseStatus, a.ClaimedByName, a.ResolvedByName)
	v.Status = viewPriority(a.Priority).Label + ", " + strings.ToLower(status[:1]) + status[1:]
	return v
}
