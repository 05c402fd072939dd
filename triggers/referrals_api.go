package triggers

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/postgres"
)

// The referrals API: an MSK or OH system, with a referrals key of one
// organisation, takes that organisation's fast-track physiotherapy
// referrals (GET /api/v1/referrals, GET /api/v1/referrals/{id}) and says
// what it did with each (PUT /api/v1/referrals/{id}): accepted, booked
// with an appointment, declined with a reason, then attended or did not
// attend. Every change goes through escalation.Referrals.Act, as the
// console's do, so it is checked, recorded in the referral's history,
// audited, and told to the person. Every read of referrals is audited
// (they carry the person's contact details and health answers). With
// "Accept: application/fhir+json" the GETs answer in FHIR R4 (fhir.go).

// Referral paging: the default and largest page.
const (
	defaultReferralPage = 100
	maxReferralPage     = 500
)

// referralJSON is a referral as the API shows it.
type referralJSON struct {
	ID           int64                `json:"id"`
	Status       string               `json:"status"`
	Organisation string               `json:"organisation"`
	MadeAt       time.Time            `json:"made_at"`
	SLADueAt     time.Time            `json:"sla_due_at"`
	UpdatedAt    time.Time            `json:"updated_at"`
	Person       referralPersonJSON   `json:"person"`
	Answers      map[string]*string   `json:"answers"`
	Appointment  *appointmentJSON     `json:"appointment,omitempty"`
	Decline      *referralDeclineJSON `json:"decline,omitempty"`
}

type referralPersonJSON struct {
	AssignmentNumber string  `json:"assignment_number"`
	FirstName        string  `json:"first_name"`
	LastName         string  `json:"last_name"`
	Mobile           *string `json:"mobile"`
	Email            *string `json:"email"`
	Language         string  `json:"language"`
	OptedOut         bool    `json:"opted_out"`
}

type appointmentJSON struct {
	At    time.Time `json:"at"`
	Kind  string    `json:"kind"`
	Place *string   `json:"place"`
}

type referralDeclineJSON struct {
	Reason string  `json:"reason"`
	Note   *string `json:"note"`
}

// referralAnswers are the questions a referral's answers are shown for,
// each a code (or null when the person was not asked it).
var referralAnswers = []string{"area", "duration", "red_flags", "can_work", "progress", "contact"}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toReferralJSON(r postgres.Referral) referralJSON {
	j := referralJSON{ID: r.ID, Status: string(r.Status), Organisation: r.OrganisationCode,
		MadeAt: r.CreatedAt.UTC(), SLADueAt: r.SLADue.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		Person: referralPersonJSON{AssignmentNumber: r.AssignmentNumber, FirstName: r.FirstName, LastName: r.LastName,
			Mobile: orNull(r.Mobile), Email: orNull(r.Email), Language: r.Language, OptedOut: r.OptedOut},
		Answers: map[string]*string{}}
	for _, q := range referralAnswers {
		j.Answers[q] = orNull(r.Answers[q])
	}
	if !r.AppointmentAt.IsZero() {
		j.Appointment = &appointmentJSON{At: r.AppointmentAt.UTC(), Kind: r.AppointmentKind, Place: orNull(r.AppointmentPlace)}
	}
	if r.DeclineReason != "" {
		j.Decline = &referralDeclineJSON{Reason: r.DeclineReason, Note: orNull(r.DeclineNote)}
	}
	return j
}

// wantsFHIR reports whether the request's Accept header asks for
// application/fhir+json (with a quality above 0).
func wantsFHIR(r *http.Request) bool {
	for _, h := range r.Header.Values("Accept") {
		for part := range strings.SplitSeq(h, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil || mt != fhirMediaType {
				continue
			}
			if q, err := strconv.ParseFloat(params["q"], 64); params["q"] == "" || (err == nil && q > 0) {
				return true
			}
		}
	}
	return false
}

// queryError is a query parameter at fault: a 400 naming it.
type queryError struct{ param, detail string }

// referralQuery reads the list's query parameters: status (repeated or
// comma-separated), since (RFC 3339 with an offset), after (an id) and
// limit (1 to maxReferralPage). Any other parameter is an error, so that
// a misspelt filter is not silently ignored.
func referralQuery(q url.Values, orgScope int64) (postgres.ReferralFilter, *queryError) {
	f := postgres.ReferralFilter{OrgScope: orgScope, Limit: defaultReferralPage, Paging: true}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		values := q[name]
		if name != "status" && len(values) > 1 {
			return f, &queryError{name, name + " may be given once"}
		}
		switch name {
		case "status":
			for _, v := range values {
				for s := range strings.SplitSeq(v, ",") {
					st := postgres.ReferralStatus(strings.TrimSpace(s))
					if !slices.Contains(referralStatuses, st) {
						return f, &queryError{name, fmt.Sprintf("status %q is not one of new, accepted, booked, declined, attended, did_not_attend", s)}
					}
					if !slices.Contains(f.Statuses, st) {
						f.Statuses = append(f.Statuses, st)
					}
				}
			}
		case "since":
			t, err := time.Parse(time.RFC3339, values[0])
			if err != nil {
				return f, &queryError{name, "since must be a date and time with an offset (RFC 3339), e.g. 2026-05-04T09:00:00Z"}
			}
			f.Since = t
		case "after":
			n, err := strconv.ParseInt(values[0], 10, 64)
			if err != nil || n < 0 {
				return f, &queryError{name, "after must be a referral id (a whole number, 0 or more)"}
			}
			f.AfterID = n
		case "limit":
			n, err := strconv.Atoi(values[0])
			if err != nil || n < 1 || n > maxReferralPage {
				return f, &queryError{name, fmt.Sprintf("limit must be a whole number from 1 to %d", maxReferralPage)}
			}
			f.Limit = n
		default:
			return f, &queryError{name, name + " is not a parameter of this request (parameters: status, since, after, limit)"}
		}
	}
	return f, nil
}

var referralStatuses = []postgres.ReferralStatus{postgres.ReferralNew, postgres.ReferralAccepted, postgres.ReferralBooked,
	postgres.ReferralDeclined, postgres.ReferralAttended, postgres.ReferralDidNotAttend}

// nextPage returns the URL (relative to the server) of the page of path
// after one that ended with record lastID, keeping the request's filters.
func nextPage(path string, q url.Values, lastID int64) string {
	next := url.Values{}
	for name, values := range q {
		next[name] = values
	}
	next.Set("after", strconv.FormatInt(lastID, 10))
	return path + "?" + next.Encode()
}

// listReferrals answers GET /api/v1/referrals: a page of the key's
// organisation's referrals, in id order, filtered by status and by when
// they last changed (since), with the next page's URL when the page is
// full. A system polling for work asks for ?status=new, or for everything
// changed since its last poll. The page is audited (referral.list, with
// its ids) before it is sent.
func (a *API) listReferrals(w http.ResponseWriter, r *http.Request, c caller) {
	f, qerr := referralQuery(r.URL.Query(), c.OrganisationID)
	if qerr != nil {
		writeProblem(w, http.StatusBadRequest, qerr.detail, []fieldError{{Field: qerr.param, Detail: qerr.detail}})
		return
	}
	refs, err := postgres.ListReferrals(r.Context(), a.DB.Pool, f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ids := make([]int64, len(refs))
	for i, ref := range refs {
		ids[i] = ref.ID
	}
	if len(ids) > 0 {
		if err := postgres.RecordReferralListView(r.Context(), a.DB.Pool, c.OrganisationID, ids, postgres.Actor{APIKeyID: c.ID}); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	var next string
	if len(refs) == f.Limit {
		next = nextPage(r.URL.Path, r.URL.Query(), refs[len(refs)-1].ID)
	}
	if wantsFHIR(r) {
		writeFHIR(w, http.StatusOK, toFHIRBundle(refs, next))
		return
	}
	page := struct {
		Referrals []referralJSON `json:"referrals"`
		Next      string         `json:"next,omitempty"`
	}{Referrals: make([]referralJSON, len(refs)), Next: next}
	for i, ref := range refs {
		page.Referrals[i] = toReferralJSON(ref)
	}
	writeJSON(w, http.StatusOK, page)
}

// referralID reads the {id} of the path, answering 404 itself when it is
// not an id.
func referralID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeProblem(w, http.StatusNotFound, "There is no such referral.", nil)
		return 0, false
	}
	return id, true
}

// getReferral answers GET /api/v1/referrals/{id}: one referral of the
// key's organisation (another organisation's is not found), audited
// (referral.view) before it is sent.
func (a *API) getReferral(w http.ResponseWriter, r *http.Request, c caller) {
	id, ok := referralID(w, r)
	if !ok {
		return
	}
	ref, err := postgres.ReferralByID(r.Context(), a.DB.Pool, c.OrganisationID, id)
	if err != nil {
		a.writeError(w, r, "referral", err)
		return
	}
	if err := postgres.RecordReferralView(r.Context(), a.DB.Pool, ref, postgres.Actor{APIKeyID: c.ID}); err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeReferral(w, r, ref)
}

func (a *API) writeReferral(w http.ResponseWriter, r *http.Request, ref postgres.Referral) {
	if wantsFHIR(r) {
		writeFHIR(w, http.StatusOK, toServiceRequest(ref))
		return
	}
	writeJSON(w, http.StatusOK, toReferralJSON(ref))
}

// The fields of a PUT to a referral.
const (
	fieldStatus           = "status"
	fieldAppointmentAt    = "appointment_at"
	fieldAppointmentKind  = "appointment_kind"
	fieldAppointmentPlace = "appointment_place"
	fieldDeclineReason    = "decline_reason"
	fieldNote             = "note"
)

// appointmentTime reads an appointment time: RFC 3339 with an offset, on a
// day from FirstDate to LastDate, or nothing.
func appointmentTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, errors.New("must be a date and time with an offset (RFC 3339), e.g. 2026-05-06T14:30:00+01:00")
	}
	if d := DateOf(t); d.Before(FirstDate) || LastDate.Before(d) {
		return time.Time{}, fmt.Errorf("must be from %s to %s", FirstDate, LastDate)
	}
	return t, nil
}

// putReferral answers PUT /api/v1/referrals/{id}: it moves the referral to
// the body's status with what that status needs, through
// escalation.Referrals.Act, and answers 200 with the referral as it then
// is, recording the view. A PUT that leaves the referral as it is (the
// status it has, with the same appointment when booked or the same reason
// and note when declined) changes nothing and answers 200, so a system may
// resend it safely (escalation.Referrals.Act). A move the referral's status forbids (only forward)
// is 409; a change missing what its status needs, or with a field that is
// not valid, is 422 naming the field.
func (a *API) putReferral(w http.ResponseWriter, r *http.Request, c caller) {
	id, ok := referralID(w, r)
	if !ok {
		return
	}
	b, ok := readBody(w, r, fieldStatus, fieldAppointmentAt, fieldAppointmentKind, fieldAppointmentPlace, fieldDeclineReason, fieldNote)
	if !ok {
		return
	}
	change := postgres.ReferralChange{
		Status:           postgres.ReferralStatus(read(b, fieldStatus, required)),
		AppointmentAt:    read(b, fieldAppointmentAt, appointmentTime),
		AppointmentKind:  b.get(fieldAppointmentKind),
		AppointmentPlace: b.get(fieldAppointmentPlace),
		DeclineReason:    b.get(fieldDeclineReason),
		Note:             b.get(fieldNote),
	}
	if len(b.errs) > 0 {
		writeProblem(w, http.StatusUnprocessableEntity, "The change has problems: see errors.", b.errs)
		return
	}
	by := postgres.Actor{APIKeyID: c.ID}
	ref, err := a.Referrals.Act(r.Context(), c.OrganisationID, by, id, change)
	var refused *escalation.ReferralError
	switch {
	case errors.As(err, &refused) && refused.Field == "":
		writeProblem(w, http.StatusConflict, refused.Detail, nil)
	case errors.As(err, &refused):
		writeProblem(w, http.StatusUnprocessableEntity, "The change has problems: see errors.", []fieldError{{
			Field: refused.Field, Pointer: "/" + refused.Field, Detail: refused.Field + ": " + refused.Detail}})
	case err != nil:
		a.writeError(w, r, "referral", err)
	default:
		// The answer carries the person's details: a view, like a GET.
		if err := postgres.RecordReferralView(r.Context(), a.DB.Pool, ref, by); err != nil {
			a.fail(w, r, err)
			return
		}
		a.writeReferral(w, r, ref)
	}
}

// required accepts any value but nothing.
func required(s string) (string, error) {
	if s == "" {
		return "", errors.New("is required")
	}
	return s, nil
}
