package console

import (
	"cmp"
	"net/http"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// personView is the person page: a member of staff and everything the
// service has had to do with them, newest first.
type personView struct {
	layout
	Person        postgres.Person
	Name          string
	Language      string
	Consent       string
	Cases         []personCaseView
	Conversations []personConversationView
	Referrals     []personReferralView
	Absences      []personAbsenceView
	// OpensReferrals is set for a user who may open referral pages.
	OpensReferrals bool
}

type personCaseView struct {
	ID       int64
	Category string
	Priority priorityView
	Status   string
	Outcome  string // resolved cases only
	Channel  string
	Opened   when
}

type personConversationView struct {
	ID       int64
	Channel  string
	Flow     string
	Status   string
	Started  when
	Messages []messageView
}

type personReferralView struct {
	ID     int64
	Status string
	Area   string
	Made   when
}

type personAbsenceView struct {
	Reason    string
	From, To  string // To is "still absent" while open
	Source    string
	Reference string
}

// showPerson handles GET /console/people/{id}, id a staff record's: the
// person, their cases, conversations with transcripts, referrals and
// absence episodes, read in one transaction that records a person.view
// audit event with the ids of everything shown. A person of another
// organisation is not found.
func (c *Console) showPerson(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return
	}
	ctx := r.Context()
	var v personView
	err := c.db.InTx(ctx, func(tx pgx.Tx) error {
		p, err := postgres.PersonByID(ctx, tx, s.scope(), id)
		if err != nil {
			return err
		}
		v = c.viewPerson(s, p)
		var shown postgres.PersonShown

		cases, err := postgres.PersonCases(ctx, tx, s.scope(), id)
		if err != nil {
			return err
		}
		for _, k := range cases {
			shown.Cases = append(shown.Cases, k.ID)
			cv := personCaseView{ID: k.ID, Category: categoryLabel(k.Category), Priority: viewPriority(k.Priority),
				Status: statusLabel(k.Status, k.ClaimedByName, k.ResolvedByName), Channel: channelLabel(k.Channel), Opened: c.at(k.CreatedAt)}
			if k.Status == ohcontact.CaseResolved {
				cv.Outcome = outcomeLabel(k.Outcome)
			}
			v.Cases = append(v.Cases, cv)
		}

		convs, err := postgres.PersonConversations(ctx, tx, s.scope(), id)
		if err != nil {
			return err
		}
		for _, conv := range convs {
			shown.Conversations = append(shown.Conversations, conv.ID)
		}
		transcripts, err := postgres.Transcripts(ctx, tx, shown.Conversations)
		if err != nil {
			return err
		}
		for _, conv := range convs {
			cv := personConversationView{ID: conv.ID, Channel: channelLabel(conv.Channel), Flow: flowLabel(conv.Flow),
				Status: conversationStatus(conv), Started: c.at(conv.CreatedAt)}
			for _, m := range transcripts[conv.ID] {
				cv.Messages = append(cv.Messages, c.viewMessage(m, p.FirstName))
			}
			v.Conversations = append(v.Conversations, cv)
		}

		refs, err := postgres.ListReferrals(ctx, tx, postgres.ReferralFilter{OrgScope: s.scope(), StaffID: id, Paging: true})
		if err != nil {
			return err
		}
		slices.Reverse(refs) // id order: newest last
		for _, ref := range refs {
			shown.Referrals = append(shown.Referrals, ref.ID)
			v.Referrals = append(v.Referrals, personReferralView{ID: ref.ID, Status: referralStatusLabel(ref.Status),
				Area: answerText("area", ref.Answers["area"]), Made: c.at(ref.CreatedAt)})
		}

		absences, err := postgres.ListAbsences(ctx, tx, postgres.AbsenceFilter{OrganisationID: p.OrganisationID, StaffID: id})
		if err != nil {
			return err
		}
		reasons, err := postgres.AbsenceReasonNames(ctx, tx)
		if err != nil {
			return err
		}
		slices.SortStableFunc(absences, func(a, b postgres.Absence) int { return b.StartsOn.Compare(a.StartsOn) })
		for _, a := range absences {
			shown.Absences = append(shown.Absences, a.ID)
			av := personAbsenceView{Reason: a.ReasonCode + " " + reasons[a.ReasonCode], From: a.StartsOn.Format(absenceDay),
				To: "Still absent", Source: "HR record", Reference: a.Reference}
			if !a.EndsOn.IsZero() {
				av.To = a.EndsOn.Format(absenceDay)
			}
			if a.Source == postgres.SourceSelfReport {
				av.Source = "Reported by the person"
			}
			v.Absences = append(v.Absences, av)
		}
		return postgres.RecordPersonView(ctx, tx, p, s.user.ID, shown)
	})
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, http.StatusOK, "person", v)
}

func (c *Console) viewPerson(s *session, p postgres.Person) personView {
	name := strings.TrimSpace(p.FirstName + " " + p.LastName)
	v := personView{layout: newLayout(name, s), Person: p, Name: name, Language: languageNames[p.Language],
		OpensReferrals: worksReferrals(s.user)}
	switch p.Consent {
	case "opted_out":
		v.Consent = "Opted out of messages from the service, " + c.at(p.ConsentChangedAt).Text
	case "opted_in":
		v.Consent = "Opted in to messages from the service, " + c.at(p.ConsentChangedAt).Text
	default:
		v.Consent = "Not recorded"
	}
	return v
}

// absenceDay formats the calendar day of an absence (stored at midnight
// UTC): "Mon 2 Mar 2026".
const absenceDay = "Mon 2 Jan 2006"

var languageNames = map[string]string{"en-GB": "English", "cy": "Welsh", "pl": "Polish"}

// flowLabels name the flows (dialogs) in plain words.
var flowLabels = map[string]string{
	"absence-report":    "Absence report",
	"stress-checkin":    "Stress check-in",
	"msk-checkin":       "Muscle and joint (MSK) check-in",
	"long-term-checkin": "Long-term absence check-in",
	"support":           "Asked for support",
}

func flowLabel(flow string) string {
	return cmp.Or(flowLabels[flow], categoryLabel(strings.ReplaceAll(flow, "-", "_")))
}

// closedReasons say why a conversation closed.
var closedReasons = map[string]string{
	"completed":        "Closed: finished",
	"opted_out":        "Closed: the person opted out",
	"no_response":      "Closed: no reply",
	"returned_to_work": "Closed: back at work",
	"resolved":         "Closed: its case was resolved",
	"purged":           "Closed: deleted under the retention schedule",
}

// conversationStatus says where a conversation is.
func conversationStatus(conv postgres.PersonConversation) string {
	switch {
	case conv.Status == "closed":
		return cmp.Or(closedReasons[conv.ClosedReason], "Closed")
	case conv.Owner == "clinician":
		return "Open, with clinicians"
	}
	return "Open, with the automated service"
}
