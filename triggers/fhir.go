package triggers

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ohcontact/ohcontact/postgres"
)

// FHIR R4 for the referrals API: with "Accept: application/fhir+json" a
// referral is a ServiceRequest, and a page of them a searchset Bundle, so
// an MSK or OH system that imports FHIR referrals (as NHS systems exchange
// them) can take them as they are. The mapping uses only base R4 elements,
// no extensions, and says in words what has no coded home:
//
//   - resourceType ServiceRequest, id and identifier (system
//     referralIdentifierSystem, value the referral's id); meta.lastUpdated
//     the last change.
//   - status, from the referral's (FHIR request-status): new, accepted and
//     booked are active (the request stands); attended is completed (the
//     requested physiotherapy was done); declined is revoked (ended by the
//     physio team before it was done); did_not_attend is revoked too,
//     because completed would claim the physiotherapy was done: the
//     request ended unfulfilled, and a note says the person did not
//     attend.
//   - intent order; priority routine; category the OH self-referral (text);
//     code SNOMED CT 91251008 "Physical therapy procedure", with the text
//     "Fast-track physiotherapy (MSK)".
//   - subject and requester a contained Patient ("#patient": the person
//     referred themselves) with their name, their assignment number (an
//     identifier whose system names the organisation), mobile and email
//     as telecom, and their language as communication.
//   - authoredOn when the referral was made; occurrenceDateTime the
//     appointment once booked, and locationCode its place (or "By
//     telephone").
//   - bodySite the area in words; reasonCode how long the problem has
//     lasted and the cauda equina red flag answer, in words.
//   - note: the other answers (progress, whether they can do their job,
//     how to contact them), in words, then what happened (declined and
//     why, did not attend, opted out of messages).

// fhirMediaType is FHIR's JSON media type.
const fhirMediaType = "application/fhir+json"

// referralIdentifierSystem names ohcontact's referral ids.
const referralIdentifierSystem = "https://ohcontact.nhs.uk/referral"

// assignmentSystem names an organisation's assignment numbers.
func assignmentSystem(orgCode string) string {
	return "https://ohcontact.nhs.uk/organisation/" + orgCode + "/assignment-number"
}

const snomed = "http://snomed.info/sct"

func writeFHIR(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", fhirMediaType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // an error means the client went away
}

type fhirCoding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

type fhirConcept struct {
	Coding []fhirCoding `json:"coding,omitempty"`
	Text   string       `json:"text,omitempty"`
}

type fhirIdentifier struct {
	System string `json:"system"`
	Value  string `json:"value"`
}

type fhirReference struct {
	Reference string `json:"reference"`
}

type fhirAnnotation struct {
	Text string `json:"text"`
}

type fhirMeta struct {
	LastUpdated string `json:"lastUpdated"`
}

type fhirHumanName struct {
	Use    string   `json:"use"`
	Family string   `json:"family"`
	Given  []string `json:"given"`
}

type fhirContactPoint struct {
	System string `json:"system"`
	Value  string `json:"value"`
	Use    string `json:"use,omitempty"`
}

type fhirCommunication struct {
	Language  fhirConcept `json:"language"`
	Preferred bool        `json:"preferred"`
}

// fhirPatient is the person a ServiceRequest is about, contained in it.
type fhirPatient struct {
	ResourceType  string              `json:"resourceType"`
	ID            string              `json:"id"`
	Identifier    []fhirIdentifier    `json:"identifier"`
	Name          []fhirHumanName     `json:"name"`
	Telecom       []fhirContactPoint  `json:"telecom,omitempty"`
	Communication []fhirCommunication `json:"communication"`
}

// fhirServiceRequest is a referral as a FHIR R4 ServiceRequest.
type fhirServiceRequest struct {
	ResourceType       string           `json:"resourceType"`
	ID                 string           `json:"id"`
	Meta               fhirMeta         `json:"meta"`
	Contained          []fhirPatient    `json:"contained"`
	Identifier         []fhirIdentifier `json:"identifier"`
	Status             string           `json:"status"`
	Intent             string           `json:"intent"`
	Category           []fhirConcept    `json:"category"`
	Priority           string           `json:"priority"`
	Code               fhirConcept      `json:"code"`
	Subject            fhirReference    `json:"subject"`
	OccurrenceDateTime string           `json:"occurrenceDateTime,omitempty"`
	AuthoredOn         string           `json:"authoredOn"`
	Requester          fhirReference    `json:"requester"`
	PerformerType      *fhirConcept     `json:"performerType,omitempty"`
	LocationCode       []fhirConcept    `json:"locationCode,omitempty"`
	ReasonCode         []fhirConcept    `json:"reasonCode,omitempty"`
	BodySite           []fhirConcept    `json:"bodySite,omitempty"`
	Note               []fhirAnnotation `json:"note,omitempty"`
}

// fhirStatuses maps a referral's status to FHIR's request-status (see the
// mapping above).
var fhirStatuses = map[postgres.ReferralStatus]string{
	postgres.ReferralNew:          "active",
	postgres.ReferralAccepted:     "active",
	postgres.ReferralBooked:       "active",
	postgres.ReferralAttended:     "completed",
	postgres.ReferralDeclined:     "revoked",
	postgres.ReferralDidNotAttend: "revoked",
}

// answerWords says each answer code in words, by question, as the flow
// offered it in English.
var answerWords = map[string]map[string]string{
	"area": {"back": "Back", "neck": "Neck", "shoulder": "Shoulder", "elbow_wrist_hand": "Elbow, wrist or hand",
		"hip": "Hip", "knee": "Knee", "ankle_foot": "Ankle or foot", "other_or_several": "Somewhere else, or several places"},
	"duration": {"under_2_weeks": "less than 2 weeks", "2_to_6_weeks": "2 to 6 weeks", "6_to_12_weeks": "6 to 12 weeks",
		"over_12_weeks": "more than 12 weeks"},
	"red_flags": {
		"no":        "Cauda equina red flags (numbness around the bottom or genitals, new bladder or bowel trouble, weakness in both legs): none reported",
		"yes":       "Cauda equina red flags (numbness around the bottom or genitals, new bladder or bowel trouble, weakness in both legs): reported; the person was told to go to A&E or call 999 now",
		"not_asked": "Cauda equina red flags: not asked (not a back problem)",
	},
	"can_work": {"yes_as_normal": "yes, as normal", "yes_with_changes": "yes, with changes or lighter duties", "no": "no"},
	"progress": {"better": "getting better", "same": "about the same", "worse": "getting worse"},
	"contact": {"phone_any_time": "a phone call, any time", "phone_morning": "a phone call in the morning",
		"phone_afternoon": "a phone call in the afternoon", "text_first": "a text message first"},
}

// declineWords says why a referral was declined, as the person is told.
var declineWords = map[string]string{
	"see_gp":     "the person should see their GP",
	"self_refer": "the person should refer themselves to their local NHS physiotherapy service",
	"under_care": "the person is already under the care of a physiotherapy service",
	"oh_call":    "the OH team will call the person",
}

// words returns answer code of question q in words: "not answered" when
// the person could not answer, the code itself when it is not known.
func words(q, code string) string {
	if code == "not_given" {
		return "not answered"
	}
	if w, ok := answerWords[q][code]; ok {
		return w
	}
	return code
}

func fhirTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// toServiceRequest maps referral r to a FHIR R4 ServiceRequest (see the
// mapping above).
func toServiceRequest(r postgres.Referral) fhirServiceRequest {
	id := strconv.FormatInt(r.ID, 10)
	patient := fhirPatient{ResourceType: "Patient", ID: "patient",
		Identifier: []fhirIdentifier{{System: assignmentSystem(r.OrganisationCode), Value: r.AssignmentNumber}},
		Name:       []fhirHumanName{{Use: "official", Family: r.LastName, Given: []string{r.FirstName}}},
		Communication: []fhirCommunication{{Preferred: true, Language: fhirConcept{
			Coding: []fhirCoding{{System: "urn:ietf:bcp:47", Code: r.Language}}}}},
	}
	if r.Mobile != "" {
		patient.Telecom = append(patient.Telecom, fhirContactPoint{System: "phone", Value: r.Mobile, Use: "mobile"})
	}
	if r.Email != "" {
		patient.Telecom = append(patient.Telecom, fhirContactPoint{System: "email", Value: r.Email, Use: "work"})
	}
	sr := fhirServiceRequest{
		ResourceType: "ServiceRequest",
		ID:           id,
		Meta:         fhirMeta{LastUpdated: fhirTime(r.UpdatedAt)},
		Contained:    []fhirPatient{patient},
		Identifier:   []fhirIdentifier{{System: referralIdentifierSystem, Value: id}},
		Status:       fhirStatuses[r.Status],
		Intent:       "order",
		Category:     []fhirConcept{{Text: "Occupational health self-referral"}},
		Priority:     "routine",
		Code: fhirConcept{Coding: []fhirCoding{{System: snomed, Code: "91251008", Display: "Physical therapy procedure"}},
			Text: "Fast-track physiotherapy (MSK)"},
		Subject:       fhirReference{Reference: "#patient"},
		AuthoredOn:    fhirTime(r.CreatedAt),
		Requester:     fhirReference{Reference: "#patient"},
		PerformerType: &fhirConcept{Text: "Physiotherapy team of " + r.OrganisationName},
	}
	if !r.AppointmentAt.IsZero() {
		sr.OccurrenceDateTime = fhirTime(r.AppointmentAt)
		place := r.AppointmentPlace
		if r.AppointmentKind == "phone" {
			place = "By telephone"
		}
		if place != "" {
			sr.LocationCode = []fhirConcept{{Text: place}}
		}
	}
	if area := r.Answers["area"]; area != "" && area != "not_given" {
		sr.BodySite = []fhirConcept{{Text: words("area", area)}}
	}
	if d := r.Answers["duration"]; d != "" {
		sr.ReasonCode = append(sr.ReasonCode, fhirConcept{Text: "Back, muscle or joint problem; how long: " + words("duration", d)})
	}
	if rf := r.Answers["red_flags"]; rf != "" {
		text := words("red_flags", rf)
		if rf == "not_given" {
			text = "Cauda equina red flags: not answered"
		}
		sr.ReasonCode = append(sr.ReasonCode, fhirConcept{Text: text})
	}
	var answers []string
	for _, q := range []struct{ key, label string }{
		{"area", "Where"}, {"progress", "How it is going"}, {"can_work", "Could do their job"}, {"contact", "How to contact them"},
	} {
		if v := r.Answers[q.key]; v != "" {
			answers = append(answers, q.label+": "+words(q.key, v)+".")
		}
	}
	if len(answers) > 0 {
		sr.Note = append(sr.Note, fhirAnnotation{Text: "The person's answers. " + strings.Join(answers, " ")})
	}
	switch r.Status {
	case postgres.ReferralDeclined:
		text := "Declined by the physio team: " + declineWords[r.DeclineReason] + "."
		if r.DeclineNote != "" {
			text += " Note: " + r.DeclineNote
		}
		sr.Note = append(sr.Note, fhirAnnotation{Text: text})
	case postgres.ReferralDidNotAttend:
		sr.Note = append(sr.Note, fhirAnnotation{Text: "The person did not attend the appointment."})
	}
	if r.OptedOut {
		sr.Note = append(sr.Note, fhirAnnotation{Text: "The person has opted out of messages from this service."})
	}
	return sr
}

// fhirBundle is a searchset Bundle of ServiceRequests.
type fhirBundle struct {
	ResourceType string            `json:"resourceType"`
	Type         string            `json:"type"`
	Link         []fhirBundleLink  `json:"link,omitempty"`
	Entry        []fhirBundleEntry `json:"entry,omitempty"`
}

type fhirBundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

type fhirBundleEntry struct {
	Resource fhirServiceRequest `json:"resource"`
	Search   fhirBundleSearch   `json:"search"`
}

type fhirBundleSearch struct {
	Mode string `json:"mode"`
}

// toFHIRBundle maps a page of referrals to a searchset Bundle, with a
// "next" link to the next page when there is one.
func toFHIRBundle(refs []postgres.Referral, next string) fhirBundle {
	b := fhirBundle{ResourceType: "Bundle", Type: "searchset"}
	if next != "" {
		b.Link = []fhirBundleLink{{Relation: "next", URL: next}}
	}
	for _, r := range refs {
		b.Entry = append(b.Entry, fhirBundleEntry{Resource: toServiceRequest(r), Search: fhirBundleSearch{Mode: "match"}})
	}
	return b
}
