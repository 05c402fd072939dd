package triggers

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Column names of the HR exports, after normalisation (see NewStaffReader).
const (
	colAssignmentNumber = "assignment_number"
	colFirstName        = "first_name"
	colLastName         = "last_name"
	colMobile           = "mobile"
	colEmail            = "email"
	colOrganisation     = "organisation"
	colLanguage         = "language"
	colPreferredChannel = "preferred_channel"
	colJobTitle         = "job_title"
	colDepartment       = "department"
	colStaffGroup       = "staff_group"
	colStartsOn         = "starts_on"
	colAbsenceStart     = "absence_start"
	colAbsenceEnd       = "absence_end"
	colReasonCode       = "reason_code"
	colRelatedReason    = "related_reason"
)

var (
	staffColumns = []string{colAssignmentNumber, colFirstName, colLastName, colMobile, colEmail,
		colOrganisation, colLanguage, colPreferredChannel}
	staffOptionalColumns = []string{colJobTitle, colDepartment, colStaffGroup, colStartsOn}
	absenceColumns       = []string{colAssignmentNumber, colAbsenceStart, colAbsenceEnd, colReasonCode, colRelatedReason}
)

// StaffRow is one good row of a staff export.
type StaffRow struct {
	Line             int    // physical line where the row starts; the header is line 1
	AssignmentNumber string // ESR assignment number
	FirstName        string
	LastName         string
	Mobile           string // E.164 (see MobileE164), or empty when not known
	Email            string // or empty
	Organisation     string // organisation code
	Language         string // "en-GB" (also when the file left it empty), "cy" or "pl"
	PreferredChannel string // "sms", "webchat" (an ohcontact.Channel), or empty for no preference
	JobTitle         string // or empty when not known
	Department       string // or empty when not known
	StaffGroup       string // ESR staff group (campaigns pick staff by it), or empty when not known
	StartsOn         Date   // a new starter's first day (OH welcomes them before it), or zero when not known
}

// AbsenceRow is one good row of an absence export.
type AbsenceRow struct {
	Line             int // physical line where the row starts; the header is line 1
	AssignmentNumber string
	// Organisation is the organisation code, for files whose assignment
	// numbers are not unique across organisations; empty when the file has
	// no organisation column or the cell is empty.
	Organisation string
	Episode      // starts_on, ends_on (zero while open) and the reason code, in upper case
	// RelatedReason is ESR's related reason (COVID-19 is recorded here, not
	// as a reason code), or empty.
	RelatedReason string
}

// RowError is a row that was skipped. Reason is a plain-English sentence
// that names the column and never repeats a mobile number, email address or
// name, so it may be shown and logged: "absence_end 2026-02-30 is not a
// real date".
type RowError struct {
	Line   int    // physical line where the row starts; the header is line 1
	Column string // the column at fault; empty when the whole row is (a wrong number of fields, broken quoting)
	Reason string
}

// Error returns the reason with its line: "line 7: absence_end 2026-02-30
// is not a real date".
func (e *RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Reader reads an HR export one row at a time, so files of any length take
// little memory; T is StaffRow or AbsenceRow. Rows are checked as they are
// read: a bad row is reported and skipped, and reading goes on.
type Reader[T any] struct {
	csv     *csv.Reader
	width   int            // number of columns in the header
	index   map[string]int // column name → position of its first appearance
	bomSize int64          // bytes of byte-order mark skipped before the csv.Reader
	parse   func(record) (T, error)
}

// NewStaffReader reads the header of a staff export from r and returns a
// Reader for its rows. The columns assignment_number, first_name,
// last_name, mobile, email, organisation, language and preferred_channel
// are required, in any order; job_title, department, staff_group and starts_on are optional (a
// blank cell, or no such column, means unknown, and so clears what was
// stored); other columns are ignored. Header names are
// matched ignoring case and surrounding spaces, with spaces and hyphens read
// as underscores ("Assignment Number" is assignment_number), and a UTF-8
// byte-order mark is skipped. A missing or repeated column is an error
// naming it.
func NewStaffReader(r io.Reader) (*Reader[StaffRow], error) {
	return newReader(r, staffColumns, staffOptionalColumns, parseStaff)
}

// NewAbsenceReader is NewStaffReader for an absence export, whose required
// columns are assignment_number, absence_start, absence_end (empty while the
// absence is open), reason_code and related_reason, and which may also have
// an organisation column.
func NewAbsenceReader(r io.Reader) (*Reader[AbsenceRow], error) {
	return newReader(r, absenceColumns, []string{colOrganisation}, parseAbsence)
}

// NewNumberReader is NewStaffReader for any export with an
// assignment_number column, such as an ESR report listing staff for a
// campaign: its rows are that column's cells, trimmed but not checked
// (the caller checks them), and its other columns are ignored.
func NewNumberReader(r io.Reader) (*Reader[string], error) {
	return newReader(r, []string{colAssignmentNumber}, nil, func(rec record) (string, error) { return rec.get(colAssignmentNumber), nil })
}

func newReader[T any](r io.Reader, required, optional []string, parse func(record) (T, error)) (*Reader[T], error) {
	br := bufio.NewReader(r)
	bom := []byte("\ufeff")
	var bomSize int64
	if start, _ := br.Peek(len(bom)); bytes.Equal(start, bom) {
		n, _ := br.Discard(len(bom))
		bomSize = int64(n)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // Next counts fields itself, for a plainer RowError
	cr.ReuseRecord = true
	header, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nil, errors.New("the file is empty: no header line")
	case err != nil:
		return nil, fmt.Errorf("read header: %w", err)
	}
	index := map[string]int{}
	var problems []string
	for i, h := range header {
		c := columnName(h)
		if _, seen := index[c]; !seen {
			index[c] = i
		} else if slices.Contains(required, c) || slices.Contains(optional, c) {
			problems = append(problems, fmt.Sprintf("column %s appears twice", c))
		}
	}
	var missing []string
	for _, c := range required {
		if _, ok := index[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		problems = append(problems, "missing column(s) "+strings.Join(missing, ", "))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("header: %s", strings.Join(problems, "; "))
	}
	return &Reader[T]{csv: cr, width: len(header), index: index, bomSize: bomSize, parse: parse}, nil
}

// columnName normalises a header name: "Absence Start " and "absence-start"
// are both absence_start.
func columnName(h string) string {
	return strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(h)))
}

// Next returns the next good row. It returns a *RowError for a bad row,
// which is skipped: call Next again for the rest. At the end of the input it
// returns io.EOF; any other error means the input could not be read, and
// the Reader should not be used again.
func (r *Reader[T]) Next() (T, error) {
	var zero T
	fields, err := r.csv.Read()
	var parseErr *csv.ParseError
	switch {
	case errors.Is(err, io.EOF):
		return zero, io.EOF
	case errors.As(err, &parseErr):
		return zero, &RowError{Line: parseErr.StartLine, Reason: fmt.Sprintf("the row is not valid CSV (%v)", parseErr.Err)}
	case err != nil:
		return zero, fmt.Errorf("read CSV: %w", err)
	}
	line, _ := r.csv.FieldPos(0)
	if len(fields) != r.width {
		return zero, &RowError{Line: line, Reason: fmt.Sprintf("the row has %d fields but the header has %d", len(fields), r.width)}
	}
	return r.parse(record{line: line, fields: fields, index: r.index})
}

// Offset returns how many bytes of the input have been read: the end of the
// last row returned, and the size of the input once Next has returned
// io.EOF. Compare it with the file's size for a progress bar.
func (r *Reader[T]) Offset() int64 { return r.bomSize + r.csv.InputOffset() }

// record is one row of the file.
type record struct {
	line   int
	fields []string
	index  map[string]int // column name → position
}

// get returns the trimmed value in column, or "" when the file has no such
// column.
func (rec record) get(column string) string {
	i, ok := rec.index[column]
	if !ok {
		return ""
	}
	return strings.TrimSpace(rec.fields[i])
}

// fail reports the row as bad because of column; err is the rest of the
// sentence after the column's name.
func (rec record) fail(column string, err error) *RowError {
	return &RowError{Line: rec.line, Column: column, Reason: column + " " + err.Error()}
}

// check reads rec's value in column with read into dst, unless an earlier
// check failed: checks run in column order and the row is reported with the
// first problem found. Text that is not UTF-8 (a file saved from a
// spreadsheet in the Windows character set) fails every column.
func check[V any](rec record, failed **RowError, dst *V, column string, read func(string) (V, error)) {
	if *failed != nil {
		return
	}
	s := rec.get(column)
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		*failed = rec.fail(column, errors.New(`is not UTF-8 text (save the file as "CSV UTF-8")`))
		return
	}
	if err := controlChar(s); err != nil {
		*failed = rec.fail(column, err)
		return
	}
	v, err := read(s)
	if err != nil {
		*failed = rec.fail(column, err)
		return
	}
	*dst = v
}

func parseStaff(rec record) (StaffRow, error) {
	s := StaffRow{Line: rec.line}
	var failed *RowError
	check(rec, &failed, &s.AssignmentNumber, colAssignmentNumber, assignmentNumber)
	check(rec, &failed, &s.FirstName, colFirstName, personName)
	check(rec, &failed, &s.LastName, colLastName, personName)
	check(rec, &failed, &s.Mobile, colMobile, optionalMobile)
	check(rec, &failed, &s.Email, colEmail, optionalEmail)
	check(rec, &failed, &s.Organisation, colOrganisation, requiredOrganisation)
	check(rec, &failed, &s.Language, colLanguage, languageTag)
	check(rec, &failed, &s.PreferredChannel, colPreferredChannel, preferredChannel)
	check(rec, &failed, &s.JobTitle, colJobTitle, jobWords)
	check(rec, &failed, &s.Department, colDepartment, jobWords)
	check(rec, &failed, &s.StaffGroup, colStaffGroup, jobWords)
	check(rec, &failed, &s.StartsOn, colStartsOn, optionalDate)
	if failed != nil {
		return StaffRow{}, failed
	}
	return s, nil
}

func parseAbsence(rec record) (AbsenceRow, error) {
	a := AbsenceRow{Line: rec.line}
	var failed *RowError
	check(rec, &failed, &a.AssignmentNumber, colAssignmentNumber, assignmentNumber)
	check(rec, &failed, &a.Organisation, colOrganisation, optionalOrganisation)
	check(rec, &failed, &a.StartsOn, colAbsenceStart, requiredDate)
	check(rec, &failed, &a.EndsOn, colAbsenceEnd, optionalDate)
	check(rec, &failed, &a.ReasonCode, colReasonCode, reasonCode)
	check(rec, &failed, &a.RelatedReason, colRelatedReason, relatedReason)
	if failed == nil && !a.EndsOn.IsZero() && a.EndsOn.Before(a.StartsOn) {
		failed = rec.fail(colAbsenceEnd, fmt.Errorf("%s is before absence_start %s", a.EndsOn, a.StartsOn))
	}
	if failed != nil {
		return AbsenceRow{}, failed
	}
	return a, nil
}
