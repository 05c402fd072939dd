package triggers

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ohcontact/ohcontact/phone"
)

// cleanText reports whether s is valid UTF-8 with no control character
// but tab and line breaks: what PostgreSQL and the console may be given.
func cleanText(s string) bool { return utf8.ValidString(s) && controlChar(s) == nil }

// FuzzCSV reads any file as a staff export and as an absence export. A
// reader may refuse the header or a row, but never panics, never loops,
// and passes on only rows whose every field is clean: text without control
// characters, mobiles in E.164, dates from FirstDate to LastDate.
func FuzzCSV(f *testing.F) {
	for _, name := range []string{"staff.csv", "absences.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("\ufeffassignment_number,first_name,last_name,mobile,organisation\n1,\"Ann\nMarie\",Lee,\"+1 (555) 123\",RTD\n"))
	f.Add([]byte("assignment_number,absence_start,absence_end,reason_code\n1,0001-01-01,9999-12-31,S10\n2,31/12/1899,,s11\n"))
	f.Add([]byte("assignment_number,first_name,last_name,organisation\n1,Ann\x00,Ex\x1bample,RTD\n"))
	f.Add([]byte("\xff\xfea\x00s\x00"))

	f.Fuzz(func(t *testing.T, data []byte) {
		if r, err := NewStaffReader(strings.NewReader(string(data))); err == nil {
			for _, row := range readRows(t, r) {
				for _, s := range []string{row.AssignmentNumber, row.FirstName, row.LastName, row.Email, row.Organisation} {
					if !cleanText(s) {
						t.Fatalf("staff row with %q", s)
					}
				}
				if row.Mobile != "" && !phone.IsE164(row.Mobile) {
					t.Fatalf("staff row with mobile %q", row.Mobile)
				}
			}
		}
		if r, err := NewAbsenceReader(strings.NewReader(string(data))); err == nil {
			for _, row := range readRows(t, r) {
				if !cleanText(row.AssignmentNumber) || !cleanText(row.Organisation) || !cleanText(row.RelatedReason) {
					t.Fatalf("absence row %+v", row)
				}
				for _, d := range []Date{row.StartsOn, row.EndsOn} {
					if !d.IsZero() && (d.Before(FirstDate) || LastDate.Before(d)) {
						t.Fatalf("absence row with date %s", d)
					}
				}
			}
		}
	})
}

// readRows returns r's good rows, failing on any error but a RowError and
// on more rows than the data could hold.
func readRows[T any](t *testing.T, r *Reader[T]) []T {
	t.Helper()
	var rows []T
	for n := 0; ; n++ {
		if n > 1<<16 {
			t.Fatal("the reader does not stop")
		}
		row, err := r.Next()
		var rowErr *RowError
		switch {
		case errors.Is(err, io.EOF):
			return rows
		case errors.As(err, &rowErr):
			if !utf8.ValidString(rowErr.Error()) {
				t.Fatalf("row error %q is not UTF-8", rowErr.Error())
			}
		case err != nil:
			return rows // a malformed file stops the read; the import reports it
		default:
			rows = append(rows, row)
		}
	}
}

// FuzzReadBody gives the HR API's body reader any body, and checks a
// member of staff's fields as PUT /api/v1/staff/{assignment_number} does.
// The reader answers 400 or 415 itself, or returns values that are
// strings without control characters; the checks pass on only clean
// fields.
func FuzzReadBody(f *testing.F) {
	for _, s := range []string{
		`{"first_name": "Ann", "last_name": "Example", "mobile": "07700 900123", "email": "ann@nhs.net", "language": "cy", "preferred_channel": "sms"}`,
		`{"assignment_number": "100", "absence_start": "2026-02-30", "absence_end": "2026-01-01", "reason_code": "S33", "reasn": "x"}`,
		`{"first_name": "", "last_name": "Example", "mobile": "01632 960001", "preferred_channel": "fax"}`,
		`{"first_name": "Ann\u0000", "last_name": "Ex\u001b[31mample", "mobile": "+1 (555) 123"}`,
		`{"assignment_number": 100}`,
		`{"assignment_number": "100",`,
		`{} {}`,
		`{"first_name": null, "last_name": ["x"]}`,
	} {
		f.Add(s)
	}
	fields := []string{colFirstName, colLastName, colMobile, colEmail, colLanguage, colPreferredChannel}
	f.Fuzz(func(t *testing.T, data string) {
		r := httptest.NewRequest(http.MethodPut, "/api/v1/staff/1", strings.NewReader(data))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		b, ok := readBody(w, r, fields...)
		if !ok {
			if w.Code != http.StatusBadRequest && w.Code != http.StatusUnsupportedMediaType {
				t.Fatalf("readBody refused with %d", w.Code)
			}
			return
		}
		for name, v := range b.values {
			if v != nil && controlChar(*v) != nil {
				t.Fatalf("field %q passed with a control character", name)
			}
		}
		first, last := read(b, colFirstName, personName), read(b, colLastName, personName)
		mobile, email := read(b, colMobile, optionalMobile), read(b, colEmail, optionalEmail)
		if len(b.errs) > 0 {
			return
		}
		for _, s := range []string{first, last, mobile, email} {
			if !cleanText(s) || strings.ContainsAny(first+last, "\r\n") {
				t.Fatalf("accepted %q", s)
			}
		}
		if mobile != "" && !phone.IsE164(mobile) {
			t.Fatalf("accepted mobile %q", mobile)
		}
	})
}
