package triggers

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/postgres"
)

// API is the /api/v1 surface for other systems. HR systems open absence
// episodes, record returns to work and changed reasons, and keep the staff
// directory up to date, with JSON bodies that mirror the CSV exports'
// columns; MSK and OH systems take physiotherapy referrals and record what
// they did with them (referrals_api.go). Each request carries
// "Authorization: Bearer <key>" (the scheme's name in any case), a key made by `ohcontact apikey add` for
// one organisation and one scope (stored as its SHA-256): an hr key may use
// only the HR routes, a referrals key only the referral routes (403
// otherwise), and a key reads and writes its own organisation's records
// only. Requests are idempotent: sending the same one again changes
// nothing. Every change, and every read of a person's details, is audited
// in the transaction that makes it. Errors are RFC 9457 problem details;
// openapi.json describes it all.
type API struct {
	DB        *postgres.DB
	Scheduler *Scheduler
	// Referrals makes every change to a referral (the referral routes).
	Referrals *escalation.Referrals
	Log       *slog.Logger
}

// Register adds the API's routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/openapi.json", serveOpenAPI)
	mux.HandleFunc("GET /api/v1/absences", a.authenticated(postgres.ScopeHR, a.listAbsences))
	mux.HandleFunc("POST /api/v1/absences", a.authenticated(postgres.ScopeHR, a.createAbsence))
	mux.HandleFunc("PUT /api/v1/absences/{id}", a.authenticated(postgres.ScopeHR, a.updateAbsence))
	mux.HandleFunc("PUT /api/v1/staff/{assignment_number}", a.authenticated(postgres.ScopeHR, a.putStaff))
	mux.HandleFunc("GET /api/v1/referrals", a.authenticated(postgres.ScopeReferrals, a.listReferrals))
	mux.HandleFunc("GET /api/v1/referrals/{id}", a.authenticated(postgres.ScopeReferrals, a.getReferral))
	mux.HandleFunc("PUT /api/v1/referrals/{id}", a.authenticated(postgres.ScopeReferrals, a.putReferral))
}

//go:embed openapi.json
var openAPIDocument []byte

func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDocument) // an error means the client went away
}

// apiKeyPrefix starts every API key, so a leaked one is recognisable (and
// secret scanners can be taught it).
const apiKeyPrefix = "ohk_"

// NewAPIKey returns a new random API key and the SHA-256 hash to store.
// The key is shown once and never stored.
func NewAPIKey() (key string, hash []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error
	key = apiKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	return key, HashAPIKey(key)
}

// HashAPIKey returns the SHA-256 of key, as api_keys.key_hash stores it.
func HashAPIKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// caller is the API key a request was made with.
type caller = postgres.APIKey

// apiNames names the API of each key scope, for the 403 problem.
var apiNames = map[string]string{postgres.ScopeHR: "HR", postgres.ScopeReferrals: "referrals"}

// authenticated wraps h with the API key check: 401 without a known key,
// 403 for a key whose scope is not scope.
func (a *API) authenticated(scope string, h func(w http.ResponseWriter, r *http.Request, c caller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, ok := bearerToken(r.Header.Get("Authorization"))
		if !ok || !strings.HasPrefix(key, apiKeyPrefix) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ohcontact API"`)
			writeProblem(w, http.StatusUnauthorized, "Send an API key as Authorization: Bearer ohk_…", nil)
			return
		}
		c, err := postgres.APIKeyByHash(r.Context(), a.DB.Pool, HashAPIKey(key))
		switch {
		case errors.Is(err, ohcontact.ErrNotFound):
			w.Header().Set("WWW-Authenticate", `Bearer realm="ohcontact API", error="invalid_token"`)
			writeProblem(w, http.StatusUnauthorized, "The API key is not known, or was revoked.", nil)
			return
		case err != nil:
			a.fail(w, r, err)
			return
		case c.Scope != scope:
			writeProblem(w, http.StatusForbidden, "This key may not use the "+apiNames[scope]+" API.", nil)
			return
		}
		h(w, r, c)
	}
}

// bearerToken returns the token of an Authorization header value in the
// Bearer scheme, whose name is case-insensitive (RFC 9110, section 11.1):
// "Bearer KEY", "bearer KEY" and "BEARER  KEY" all give KEY.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimLeft(token, " ")
	return token, token != ""
}

// fail answers a request that failed on our side, logging ids only.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	a.Log.Error("api: request failed", "route", r.Pattern, "err", err)
	writeProblem(w, http.StatusInternalServerError, "Something went wrong on our side; the request was not applied. Try again later.", nil)
}

// writeError answers a request for the what its path names ("absence",
// "referral") that err stopped, as its kind of error is answered: 404 for
// ohcontact.ErrNotFound (no such record, or another organisation's), and
// otherwise 500 (fail). Refusals a caller can act on are answered before
// this.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, what string, err error) {
	if errors.Is(err, ohcontact.ErrNotFound) {
		writeProblem(w, http.StatusNotFound, "There is no such "+what+".", nil)
		return
	}
	a.fail(w, r, err)
}

// problem is an RFC 9457 problem details object. Errors names each field
// at fault (an extension member).
type problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []fieldError `json:"errors,omitempty"`
}

// fieldError is one field at fault: its name, a JSON pointer to it (body
// fields only, not query parameters), and a sentence saying what is wrong.
type fieldError struct {
	Field   string `json:"field"`
	Pointer string `json:"pointer,omitempty"`
	Detail  string `json:"detail"`
}

func writeProblem(w http.ResponseWriter, status int, detail string, errs []fieldError) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Errors: errs}) // an error means the client went away
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // an error means the client went away
}

// maxBody is the largest request body read.
const maxBody = 64 << 10

// body is a request's JSON object, read as strings (or null), with the
// problems found in it.
type body struct {
	values map[string]*string
	errs   []fieldError
}

// readBody reads the request's JSON object whose members may only be
// allowed, each a string or null. It answers the request itself and
// returns ok false when the body is not a JSON object at all; other
// problems are collected in the body's errs.
func readBody(w http.ResponseWriter, r *http.Request, allowed ...string) (*body, bool) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeProblem(w, http.StatusUnsupportedMediaType, "Send the body as application/json.", nil)
		return nil, false
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	if err := dec.Decode(&raw); err != nil || dec.Decode(&struct{}{}) != io.EOF {
		writeProblem(w, http.StatusBadRequest, "The body is not one JSON object (at most 64 KiB).", nil)
		return nil, false
	}
	b := &body{values: map[string]*string{}}
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		var v *string
		switch {
		case !slices.Contains(allowed, name):
			b.fail(name, fmt.Errorf("is not a field of this request (fields: %s)", strings.Join(allowed, ", ")))
		case json.Unmarshal(raw[name], &v) != nil:
			b.fail(name, errors.New("must be a string or null"))
		case v != nil && controlChar(*v) != nil:
			b.fail(name, controlChar(*v))
		default:
			b.values[name] = v
		}
	}
	return b, true
}

func (b *body) fail(field string, err error) {
	b.errs = append(b.errs, fieldError{Field: field, Pointer: "/" + field, Detail: field + " " + err.Error()})
}

// get returns the trimmed value of field, "" when it is missing or null.
func (b *body) get(field string) string {
	if v := b.values[field]; v != nil {
		return strings.TrimSpace(*v)
	}
	return ""
}

// read checks field's value with check, as the CSV reader checks a cell,
// recording a problem unless the field already has one (not a string).
func read[V any](b *body, field string, check func(string) (V, error)) V {
	v, err := check(b.get(field))
	if err != nil && !slices.ContainsFunc(b.errs, func(e fieldError) bool { return e.Field == field }) {
		b.fail(field, err)
	}
	return v
}

// absenceJSON is an absence episode as the API shows it. It carries the
// ESR reason code, never the words a person gave for it (those are the
// conversation's, which stay with OH).
type absenceJSON struct {
	ID               int64   `json:"id"`
	Reference        *string `json:"reference"`
	AssignmentNumber string  `json:"assignment_number"`
	AbsenceStart     string  `json:"absence_start"`
	AbsenceEnd       *string `json:"absence_end"`
	// ExpectedReturn is a date, "unknown" when the person reported the
	// absence and did not know, or null when nobody asked (HR's own).
	ExpectedReturn *string   `json:"expected_return"`
	Source         string    `json:"source"`
	ReasonCode     string    `json:"reason_code"`
	RelatedReason  *string   `json:"related_reason"`
	ReportedAt     time.Time `json:"reported_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// returnUnknown is expected_return for a person who did not know.
const returnUnknown = "unknown"

func toAbsenceJSON(a postgres.Absence) absenceJSON {
	j := absenceJSON{ID: a.ID, Reference: orNull(a.Reference), AssignmentNumber: a.AssignmentNumber,
		AbsenceStart: DateOf(a.StartsOn).String(), Source: a.Source, ReasonCode: a.ReasonCode,
		RelatedReason: orNull(a.RelatedReason), ReportedAt: a.ReportedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC()}
	if !a.EndsOn.IsZero() {
		j.AbsenceEnd = orNull(DateOf(a.EndsOn).String())
	}
	switch {
	case !a.ExpectedReturn.IsZero():
		j.ExpectedReturn = orNull(DateOf(a.ExpectedReturn).String())
	case a.Source == postgres.SourceSelfReport:
		j.ExpectedReturn = orNull(returnUnknown)
	}
	return j
}

// absenceFields are the fields of an absence that can change.
type absenceFields struct {
	end     Date
	reason  string
	related string
}

// readAbsenceFields reads absence_end, reason_code and related_reason,
// checking the end against start.
func readAbsenceFields(b *body, start Date) absenceFields {
	f := absenceFields{
		end:     read(b, colAbsenceEnd, optionalDate),
		reason:  read(b, colReasonCode, reasonCode),
		related: read(b, colRelatedReason, relatedReason),
	}
	if !f.end.IsZero() && !start.IsZero() && f.end.Before(start) {
		b.fail(colAbsenceEnd, fmt.Errorf("%s is before absence_start %s", f.end, start))
	}
	return f
}

// createAbsence opens an absence episode (POST /api/v1/absences): 201 with
// the episode when new, 200 when the member of staff already has an
// episode starting that day (updated to the request if it differs).
func (a *API) createAbsence(w http.ResponseWriter, r *http.Request, c caller) {
	b, ok := readBody(w, r, colAssignmentNumber, colAbsenceStart, colAbsenceEnd, colReasonCode, colRelatedReason)
	if !ok {
		return
	}
	number := read(b, colAssignmentNumber, assignmentNumber)
	start := read(b, colAbsenceStart, requiredDate)
	fields := readAbsenceFields(b, start)
	if len(b.errs) > 0 {
		writeProblem(w, http.StatusUnprocessableEntity, "The absence has problems: see errors.", b.errs)
		return
	}
	var episode postgres.Absence
	var created bool
	err := a.DB.InTx(r.Context(), func(tx pgx.Tx) error {
		staff, err := postgres.StaffByAssignment(r.Context(), tx, c.OrganisationID, number)
		if errors.Is(err, ohcontact.ErrNotFound) {
			return errUnknownStaff
		}
		if err != nil {
			return err
		}
		id, isNew, err := a.saveAbsence(r.Context(), tx, c, staff.ID, start, fields)
		if err != nil {
			return err
		}
		created = isNew
		episode, err = postgres.AbsenceByID(r.Context(), tx, id)
		return err
	})
	switch {
	case errors.Is(err, errUnknownStaff):
		b.fail(colAssignmentNumber, fmt.Errorf("is not in the staff directory of %s (PUT /api/v1/staff/{assignment_number} first)", c.OrganisationCode))
		writeProblem(w, http.StatusUnprocessableEntity, "The absence has problems: see errors.", b.errs)
	case err != nil:
		a.fail(w, r, err)
	case created:
		w.Header().Set("Location", "/api/v1/absences/"+strconv.FormatInt(episode.ID, 10))
		writeJSON(w, http.StatusCreated, toAbsenceJSON(episode))
	default:
		writeJSON(w, http.StatusOK, toAbsenceJSON(episode))
	}
}

var errUnknownStaff = errors.New("unknown member of staff")

// updateAbsence records a return to work or a changed reason (PUT
// /api/v1/absences/{id}): the episode's end, reason and related reason
// become the request's. The start and the member of staff cannot change:
// a different start is a different episode.
func (a *API) updateAbsence(w http.ResponseWriter, r *http.Request, c caller) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeProblem(w, http.StatusNotFound, "There is no such absence.", nil)
		return
	}
	b, ok := readBody(w, r, colAbsenceEnd, colReasonCode, colRelatedReason)
	if !ok {
		return
	}
	var episode postgres.Absence
	err = a.DB.InTx(r.Context(), func(tx pgx.Tx) error {
		current, err := postgres.AbsenceByID(r.Context(), tx, id)
		if err != nil {
			return err
		}
		if current.OrganisationID != c.OrganisationID {
			return ohcontact.ErrNotFound // another organisation's: not ours to show
		}
		fields := readAbsenceFields(b, DateOf(current.StartsOn))
		if len(b.errs) > 0 {
			return errInvalid
		}
		if _, _, err := a.saveAbsence(r.Context(), tx, c, current.StaffID, DateOf(current.StartsOn), fields); err != nil {
			return err
		}
		episode, err = postgres.AbsenceByID(r.Context(), tx, id)
		return err
	})
	switch {
	case errors.Is(err, errInvalid):
		writeProblem(w, http.StatusUnprocessableEntity, "The absence has problems: see errors.", b.errs)
	case err != nil:
		a.writeError(w, r, "absence", err)
	default:
		writeJSON(w, http.StatusOK, toAbsenceJSON(episode))
	}
}

var errInvalid = errors.New("invalid request")

// saveAbsence upserts an episode in tx and, when it changed, plans it and
// audits the change. It returns the episode's id and whether it is new.
func (a *API) saveAbsence(ctx context.Context, tx pgx.Tx, c caller, staffID int64, start Date, f absenceFields) (int64, bool, error) {
	changed, err := postgres.UpsertAbsences(ctx, tx, []postgres.AbsenceRecord{{StaffID: staffID, StartsOn: start.midnightUTC(),
		EndsOn: zeroOrMidnight(f.end), ReasonCode: f.reason, RelatedReason: f.related}}, postgres.SourceHRFeed)
	if err != nil {
		return 0, false, err
	}
	if len(changed) == 0 {
		id, err := postgres.AbsenceIDByStart(ctx, tx, staffID, start.midnightUTC())
		return id, false, err
	}
	u := changed[0]
	n, err := a.Scheduler.Schedule(ctx, tx, []int64{u.ID})
	if err != nil {
		return 0, false, err
	}
	action := map[bool]string{true: "absence.created", false: "absence.updated"}[u.New]
	err = postgres.Audit(ctx, tx, postgres.AuditEvent{ActorAPIKeyID: c.ID, Action: action, RecordType: "absence_episode",
		RecordID: u.ID, OrganisationID: c.OrganisationID,
		Details: map[string]any{"contacts_scheduled": n.Scheduled, "contacts_cancelled": n.Cancelled, "contacts_skipped": n.Skipped}})
	return u.ID, u.New, err
}

// staffJSON is a member of staff as the API answers a PUT: who, not their
// details, which the caller already has.
type staffJSON struct {
	ID               int64  `json:"id"`
	AssignmentNumber string `json:"assignment_number"`
}

// putStaff creates or updates a member of staff of the key's organisation
// (PUT /api/v1/staff/{assignment_number}): 201 when new, else 200. The
// job_title, department, staff_group and starts_on are optional: missing, null or blank means
// unknown. The language is set only when the record is created: after that it is the
// person's own choice. A key can reach only its own organisation's staff:
// the same assignment number in another organisation is another record. A
// mobile that another organisation's staff already hold is written, and
// recorded as a conflict (auditMobileConflicts).
func (a *API) putStaff(w http.ResponseWriter, r *http.Request, c caller) {
	b, ok := readBody(w, r, colFirstName, colLastName, colMobile, colEmail, colLanguage, colPreferredChannel,
		colJobTitle, colDepartment, colStaffGroup, colStartsOn)
	if !ok {
		return
	}
	number, err := assignmentNumber(r.PathValue("assignment_number"))
	if err != nil {
		b.fail(colAssignmentNumber, err)
	}
	rec := postgres.StaffRecord{OrganisationID: c.OrganisationID, AssignmentNumber: number,
		FirstName: read(b, colFirstName, personName), LastName: read(b, colLastName, personName),
		Mobile: read(b, colMobile, optionalMobile), Email: read(b, colEmail, optionalEmail),
		Language: read(b, colLanguage, languageTag), PreferredChannel: read(b, colPreferredChannel, preferredChannel),
		JobTitle: read(b, colJobTitle, jobWords), Department: read(b, colDepartment, jobWords),
		StaffGroup: read(b, colStaffGroup, jobWords), StartsOn: read(b, colStartsOn, optionalDate).optionalColumn()}
	if len(b.errs) > 0 {
		writeProblem(w, http.StatusUnprocessableEntity, "The member of staff has problems: see errors.", b.errs)
		return
	}
	var out staffJSON
	var created bool
	var conflicts int
	err = a.DB.InTx(r.Context(), func(tx pgx.Tx) error {
		changed, err := postgres.UpsertStaff(r.Context(), tx, []postgres.StaffRecord{rec})
		if err != nil {
			return err
		}
		if len(changed) == 0 {
			staff, err := postgres.StaffByAssignment(r.Context(), tx, c.OrganisationID, number)
			out = staffJSON{ID: staff.ID, AssignmentNumber: number}
			return err
		}
		out, created = staffJSON{ID: changed[0].ID, AssignmentNumber: number}, changed[0].New
		if _, err := a.Scheduler.PlanNewStarter(r.Context(), tx, out.ID); err != nil {
			return err
		}
		action := map[bool]string{true: "staff.created", false: "staff.updated"}[created]
		err = postgres.Audit(r.Context(), tx, postgres.AuditEvent{ActorAPIKeyID: c.ID, Action: action, RecordType: "staff",
			RecordID: out.ID, OrganisationID: c.OrganisationID})
		if err != nil {
			return err
		}
		conflicts, err = auditMobileConflicts(r.Context(), tx, c.ID, changed)
		return err
	})
	if err == nil && conflicts > 0 {
		// The caller is not told: the other organisation's record is not
		// theirs to know of. The admins see it on the Users page.
		a.Log.Warn("api: a staff mobile is also on another organisation's record", "staff_id", out.ID,
			"organisation_id", c.OrganisationID, "api_key_id", c.ID)
	}
	switch {
	case err != nil:
		a.fail(w, r, err)
	case created:
		writeJSON(w, http.StatusCreated, out)
	default:
		writeJSON(w, http.StatusOK, out)
	}
}
