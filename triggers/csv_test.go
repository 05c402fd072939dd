package triggers

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// readAll reads every row, returning the good rows and the bad rows'
// errors as text. Any error that is not a RowError fails the test.
func readAll[T any](t testing.TB, r *Reader[T]) (rows []T, bad []string) {
	t.Helper()
	for {
		row, err := r.Next()
		var rowErr *RowError
		switch {
		case errors.Is(err, io.EOF):
			return rows, bad
		case errors.As(err, &rowErr):
			bad = append(bad, rowErr.Error())
		case err != nil:
			t.Fatalf("Next: %v", err)
		default:
			rows = append(rows, row)
		}
	}
}

func openTestdata(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestReadAbsencesMixedFile(t *testing.T) {
	r, err := NewAbsenceReader(openTestdata(t, "absences.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, bad := readAll(t, r)

	episode := func(start, end Date, code string) Episode {
		return Episode{StartsOn: start, EndsOn: end, ReasonCode: code}
	}
	wantRows := []AbsenceRow{
		{Line: 2, AssignmentNumber: "10000001", Episode: episode(Date{2026, time.March, 2}, Date{}, "S10")},
		{Line: 3, AssignmentNumber: "10000002", Episode: episode(Date{2026, time.March, 14}, Date{2026, time.March, 20}, "S11")},
		{Line: 11, AssignmentNumber: "10000009", Episode: episode(Date{2026, time.March, 3}, Date{2026, time.March, 3}, "S27"), RelatedReason: "COVID-19"},
		{Line: 14, AssignmentNumber: "10000011", Episode: episode(Date{2026, time.March, 1}, Date{}, "S99")},
	}
	if !reflect.DeepEqual(rows, wantRows) {
		t.Errorf("rows:\n got %+v\nwant %+v", rows, wantRows)
	}
	wantBad := []string{
		"line 4: absence_start 2026-02-30 is not a real date",
		"line 5: absence_end 2026-03-01 is before absence_start 2026-03-10",
		"line 6: reason_code S33 is not an ESR sickness absence reason (S10 to S32, S98 or S99)",
		"line 7: assignment_number is empty",
		"line 8: absence_start 01/03/26 needs a four-digit year, e.g. 14/03/2026",
		"line 9: absence_start 03/14/2026 is not a real date (dates are read day/month/year)",
		"line 10: the row has 3 fields but the header has 5",
		"line 12: absence_end 2026-02-30 is not a real date",
	}
	if !reflect.DeepEqual(bad, wantBad) {
		t.Errorf("bad rows:\n got %q\nwant %q", bad, wantBad)
	}
}

func TestReadStaffMixedFile(t *testing.T) {
	r, err := NewStaffReader(openTestdata(t, "staff.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, bad := readAll(t, r)

	wantRows := []StaffRow{
		{Line: 2, AssignmentNumber: "20000001", FirstName: "Aisha", LastName: "Khan", Mobile: "+447700900123",
			Email: "aisha.khan@nhs.net", Organisation: "RTD", Language: "en-GB", PreferredChannel: "sms"},
		{Line: 3, AssignmentNumber: "20000002", FirstName: "Rhys", LastName: "Evans", Mobile: "+447700900124",
			Organisation: "RTD", Language: "cy", PreferredChannel: "webchat"},
		{Line: 8, AssignmentNumber: "20000007", FirstName: "Siobhan", LastName: "Murphy", Mobile: "+353851234567",
			Organisation: "RTD", Language: "en-GB"},
		{Line: 11, AssignmentNumber: "20000010", FirstName: "Piotr", LastName: "Zielinski",
			Organisation: "RTD", Language: "pl", PreferredChannel: "webchat"},
	}
	if !reflect.DeepEqual(rows, wantRows) {
		t.Errorf("rows:\n got %+v\nwant %+v", rows, wantRows)
	}
	wantBad := []string{
		"line 4: mobile is not a mobile number (UK mobiles start 07, but not 070 or 076)",
		"line 5: email is not an email address",
		"line 6: language is not one of en-GB, cy (Welsh) or pl (Polish)",
		"line 7: preferred_channel is not sms or webchat",
		"line 9: mobile is not a real phone number (wrong length, or a range its country does not use; numbers without +country code are read as UK)",
		"line 10: assignment_number is empty",
		"line 12: last_name is empty",
	}
	if !reflect.DeepEqual(bad, wantBad) {
		t.Errorf("bad rows:\n got %q\nwant %q", bad, wantBad)
	}
}

// TestReadStaffJobColumns: job_title, department and staff_group are
// optional columns; a blank cell is unknown, and a long or two-line value
// is a bad row.
func TestReadStaffJobColumns(t *testing.T) {
	const header = "assignment_number,first_name,last_name,mobile,email,organisation,language,preferred_channel,Job Title,Department,Staff Group\n"
	r, err := NewStaffReader(strings.NewReader(header +
		"1,Ann,Example,,,RTD,,,Staff Nurse,Ward 7,Nursing and Midwifery Registered\n" +
		"2,Bryn,Example,,,RTD,,,,,\n" +
		"3,Jo,Example,,,RTD,,," + strings.Repeat("x", 101) + ",Ward 7,\n" +
		"4,Sam,Example,,,RTD,,,Porter,\"Ward\n7\",\n" +
		"5,Zofia,Example,,,RTD,,,Porter,Estates," + strings.Repeat("x", 101) + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	rows, bad := readAll(t, r)
	want := []StaffRow{
		{Line: 2, AssignmentNumber: "1", FirstName: "Ann", LastName: "Example", Organisation: "RTD", Language: "en-GB",
			JobTitle: "Staff Nurse", Department: "Ward 7", StaffGroup: "Nursing and Midwifery Registered"},
		{Line: 3, AssignmentNumber: "2", FirstName: "Bryn", LastName: "Example", Organisation: "RTD", Language: "en-GB"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", rows, want)
	}
	wantBad := []string{"line 4: job_title is longer than 100 characters", "line 5: department has a line break in it",
		"line 7: staff_group is longer than 100 characters"}
	if !reflect.DeepEqual(bad, wantBad) {
		t.Errorf("bad rows:\n got %q\nwant %q", bad, wantBad)
	}
}

// TestReadStaffStartsOn: starts_on is an optional date column (ISO or day
// first); blank is unknown, and a date that is not one is a bad row.
func TestReadStaffStartsOn(t *testing.T) {
	const header = "assignment_number,first_name,last_name,mobile,email,organisation,language,preferred_channel,Starts On\n"
	r, err := NewStaffReader(strings.NewReader(header +
		"1,Ann,Example,,,RTD,,,2026-03-14\n" +
		"2,Bryn,Example,,,RTD,,,14/03/2026\n" +
		"3,Jo,Example,,,RTD,,,\n" +
		"4,Sam,Example,,,RTD,,,2026-02-30\n"))
	if err != nil {
		t.Fatal(err)
	}
	rows, bad := readAll(t, r)
	first := Date{2026, time.March, 14}
	want := []StaffRow{
		{Line: 2, AssignmentNumber: "1", FirstName: "Ann", LastName: "Example", Organisation: "RTD", Language: "en-GB", StartsOn: first},
		{Line: 3, AssignmentNumber: "2", FirstName: "Bryn", LastName: "Example", Organisation: "RTD", Language: "en-GB", StartsOn: first},
		{Line: 4, AssignmentNumber: "3", FirstName: "Jo", LastName: "Example", Organisation: "RTD", Language: "en-GB"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", rows, want)
	}
	if wantBad := []string{"line 5: starts_on 2026-02-30 is not a real date"}; !reflect.DeepEqual(bad, wantBad) {
		t.Errorf("bad rows:\n got %q\nwant %q", bad, wantBad)
	}
}

func TestRowErrorNamesTheColumn(t *testing.T) {
	r, err := NewStaffReader(strings.NewReader("assignment_number,first_name,last_name,mobile,email,organisation,language,preferred_channel\n" +
		"1,A,B,01632 960001,,RTD,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Next()
	var rowErr *RowError
	if !errors.As(err, &rowErr) {
		t.Fatalf("Next = %v, want a RowError", err)
	}
	if rowErr.Line != 2 || rowErr.Column != "mobile" {
		t.Errorf("RowError = %+v, want line 2, column mobile", rowErr)
	}
	if strings.Contains(rowErr.Reason, "01632") {
		t.Errorf("reason %q repeats the number", rowErr.Reason)
	}
}

// TestShiftedColumnsAreNotRepeated reads rows whose cells moved a column or
// two (a column missing from the data but not the header): a mobile number
// or a name in a checked column must not reach the report, which is shown
// and logged.
func TestShiftedColumnsAreNotRepeated(t *testing.T) {
	tests := []struct {
		name, header, row string
		secret            string
		want              string
	}{
		{"a surname as the language", staffHeader, "1,Ann,Example,,,RTD,Example-Smith,", "Example-Smith",
			"line 2: language is not one of en-GB, cy (Welsh) or pl (Polish)"},
		{"a mobile as the preferred channel", staffHeader, "1,Ann,Example,,,RTD,en,07700 900123", "07700",
			"line 2: preferred_channel is not sms or webchat"},
		{"an email as the organisation", staffHeader, "1,Ann,Example,,,ann.example@nhs.net,,", "ann.example",
			"line 2: organisation is not an organisation code (1 to 32 letters, digits, _ or -)"},
		{"a name as the reason code", absenceHeader, "1,2026-03-02,,Ann Example,", "Ann",
			"line 2: reason_code is not an ESR sickness absence reason (S10 to S32, S98 or S99)"},
		{"a mobile as the reason code", absenceHeader, "1,2026-03-02,,07700900123,", "07700",
			"line 2: reason_code is not an ESR sickness absence reason (S10 to S32, S98 or S99)"},
		{"a mobile as the start", absenceHeader, "1,07700 900123,,S10,", "07700",
			"line 2: absence_start is not a date: write 2026-03-14 or 14/03/2026"},
		{"a mobile as a UK date's year", absenceHeader, "1,1/2/07700900123,,S10,", "07700",
			"line 2: absence_start is not a date: write 2026-03-14 or 14/03/2026"},
		{"a name as the end", absenceHeader, "1,2026-03-02,Ann Example,S10,", "Ann",
			"line 2: absence_end is not a date: write 2026-03-14 or 14/03/2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bad []string
			if tt.header == staffHeader {
				r, err := NewStaffReader(strings.NewReader(tt.header + "\n" + tt.row + "\n"))
				if err != nil {
					t.Fatal(err)
				}
				_, bad = readAll(t, r)
			} else {
				r, err := NewAbsenceReader(strings.NewReader(tt.header + "\n" + tt.row + "\n"))
				if err != nil {
					t.Fatal(err)
				}
				_, bad = readAll(t, r)
			}
			if len(bad) != 1 || bad[0] != tt.want {
				t.Fatalf("bad rows %q, want [%q]", bad, tt.want)
			}
			if strings.Contains(bad[0], tt.secret) {
				t.Fatalf("%q repeats the cell", bad[0])
			}
		})
	}
}

const (
	staffHeader   = "assignment_number,first_name,last_name,mobile,email,organisation,language,preferred_channel"
	absenceHeader = "assignment_number,absence_start,absence_end,reason_code,related_reason"
)

func TestHeaders(t *testing.T) {
	tests := []struct {
		name    string
		csv     string
		want    []AbsenceRow
		wantErr string
	}{
		{
			name: "byte-order mark, odd case, spaces and hyphens, any order, extra columns",
			csv: "\ufeff Reason Code ,Absence-Start,ASSIGNMENT NUMBER,Notes,related reason,absence_end,Organisation\n" +
				"s10,14/03/2026,123,called in,,,RTD\n",
			want: []AbsenceRow{{Line: 2, AssignmentNumber: "123", Organisation: "RTD",
				Episode: Episode{StartsOn: Date{2026, time.March, 14}, ReasonCode: "S10"}}},
		},
		{
			name: "columns that are not read are not checked, even repeated or not UTF-8",
			csv:  "assignment_number,absence_start,absence_end,reason_code,related_reason,notes,notes\n1,2026-03-02,,S13,,\xff,b\n",
			want: []AbsenceRow{{Line: 2, AssignmentNumber: "1", Episode: Episode{StartsOn: Date{2026, time.March, 2}, ReasonCode: "S13"}}},
		},
		{
			name:    "missing columns are named",
			csv:     "assignment_number,absence_start,related_reason\n1,2026-03-02,\n",
			wantErr: "header: missing column(s) absence_end, reason_code",
		},
		{
			name:    "a repeated column that is read",
			csv:     "assignment_number,absence_start,absence_end,reason_code,related_reason,Reason Code\n",
			wantErr: "header: column reason_code appears twice",
		},
		{
			name:    "empty file",
			csv:     "",
			wantErr: "the file is empty: no header line",
		},
		{
			name:    "only a byte-order mark",
			csv:     "\ufeff",
			wantErr: "the file is empty: no header line",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewAbsenceReader(strings.NewReader(tt.csv))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("NewAbsenceReader error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rows, bad := readAll(t, r)
			if len(bad) > 0 || !reflect.DeepEqual(rows, tt.want) {
				t.Errorf("got %+v, bad %q; want %+v", rows, bad, tt.want)
			}
		})
	}
}

func TestLineNumbersCountQuotedNewlines(t *testing.T) {
	const file = "assignment_number,first_name,last_name,mobile,email,organisation,language,preferred_channel,notes\n" +
		`1,Mary,Jones,,,RTD,,,"phoned in;` + "\n" + `will call back"` + "\n" +
		"\n" +
		`2,Bob,Smith,07700900999,,RTD,,,"a ""quoted"" note"` + "\n" +
		`3,"Ann` + "\n" + `Marie",Lee,,,RTD,,,` + "\n" +
		"4,Bad,Row,02079460000,,RTD,,,\n"
	r, err := NewStaffReader(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	rows, bad := readAll(t, r)
	var lines []int
	for _, row := range rows {
		lines = append(lines, row.Line)
	}
	if want := []int{2, 5}; !reflect.DeepEqual(lines, want) {
		t.Errorf("good rows on lines %v, want %v", lines, want)
	}
	wantBad := []string{
		"line 6: first_name has a line break in it",
		"line 8: mobile is not a mobile number (UK mobiles start 07, but not 070 or 076)",
	}
	if !reflect.DeepEqual(bad, wantBad) {
		t.Errorf("bad rows:\n got %q\nwant %q", bad, wantBad)
	}
}

func TestMalformedRowsAreSkipped(t *testing.T) {
	const file = "assignment_number,absence_start,absence_end,reason_code,related_reason\n" +
		`1,2026-03-02,,S1"0,` + "\n" +
		"2,2026-03-02,,S10,\xff\xfe\n" +
		"3,2026-03-02,,S10,\n" +
		`4,2026-03-02,,"S10,` + "\n" +
		"5,2026-03-02,,S10,\n"
	r, err := NewAbsenceReader(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	rows, bad := readAll(t, r)
	if len(rows) != 1 || rows[0].AssignmentNumber != "3" {
		t.Errorf("rows = %+v, want only assignment 3", rows)
	}
	wantBad := []string{
		`line 2: the row is not valid CSV (bare " in non-quoted-field)`,
		`line 3: related_reason is not UTF-8 text (save the file as "CSV UTF-8")`,
		// An unclosed quote runs to the end of the file, taking row 5 with it.
		`line 5: the row is not valid CSV (extraneous or missing " in quoted-field)`,
	}
	if !reflect.DeepEqual(bad, wantBad) {
		t.Errorf("bad rows:\n got %q\nwant %q", bad, wantBad)
	}
}

func TestOffsetReportsProgress(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "absences.csv"))
	if err != nil {
		t.Fatal(err)
	}
	data = append([]byte("\ufeff"), data...)
	r, err := NewAbsenceReader(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	header := int64(len("\ufeffassignment_number,absence_start,absence_end,reason_code,related_reason\n"))
	if got := r.Offset(); got != header {
		t.Errorf("Offset after the header = %d, want %d", got, header)
	}
	last := r.Offset()
	for {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if got := r.Offset(); got <= last {
			t.Fatalf("Offset went from %d to %d", last, got)
		}
		last = r.Offset()
	}
	if got := r.Offset(); got != int64(len(data)) {
		t.Errorf("Offset at the end = %d, want the size %d", got, len(data))
	}
}

// FuzzReadAbsences checks that no input panics or stops the reader before
// the end, and that every row it lets through is one the database accepts.
func FuzzReadAbsences(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "absences.csv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("\ufeffReason Code,absence start,assignment-number,absence_end,related_reason,organisation\n s10 ,1/2/2026,A-1,,\"x\ny\",RTD\n"))
	f.Add([]byte("assignment_number,absence_start,absence_end,reason_code,related_reason\n1,\"2026-03-02,,S10,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewAbsenceReader(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		for calls := 0; ; calls++ {
			if calls > len(data)+1 {
				t.Fatal("Next did not reach the end")
			}
			row, err := r.Next()
			var rowErr *RowError
			switch {
			case errors.Is(err, io.EOF):
				if r.Offset() != int64(len(data)) {
					t.Fatalf("Offset at the end = %d, want %d", r.Offset(), len(data))
				}
				return
			case errors.As(err, &rowErr):
				if rowErr.Line < 2 || rowErr.Reason == "" {
					t.Fatalf("bad RowError %+v", rowErr)
				}
				continue
			case err != nil:
				t.Fatalf("Next: %v", err)
			}
			if row.Line < 2 || !assignmentPattern.MatchString(row.AssignmentNumber) || !validReasonCodes[row.ReasonCode] ||
				row.StartsOn.IsZero() || (!row.EndsOn.IsZero() && row.EndsOn.Before(row.StartsOn)) ||
				!utf8.ValidString(row.RelatedReason) || (row.Organisation != "" && !orgCodePattern.MatchString(row.Organisation)) {
				t.Fatalf("a bad row got through: %+v", row)
			}
		}
	})
}

// TestCellHygiene: control characters and dates outside 1900 to 2100 are a
// row's error, never the import's failure.
func TestCellHygiene(t *testing.T) {
	const staffHeader = "assignment_number,first_name,last_name,mobile,email,organisation,language,preferred_channel"
	const absenceHeader = "assignment_number,absence_start,absence_end,reason_code,related_reason"
	tests := []struct {
		name, header, row, want string
	}{
		{"NUL in a name", staffHeader, "1,Ann\x00,Example,,,RTD,,", `line 2: first_name is not UTF-8 text (save the file as "CSV UTF-8")`},
		{"escape in a name", staffHeader, "1,Ann,Ex\x1bample,,,RTD,,", "line 2: last_name has a control character in it (such as NUL); only tabs and line breaks are allowed"},
		{"backspace in an assignment number", staffHeader, "1\b,Ann,Example,,,RTD,,", "line 2: assignment_number has a control character in it (such as NUL); only tabs and line breaks are allowed"},
		{"DEL in an email", staffHeader, "1,Ann,Example,,a\x7f@nhs.net,RTD,,", "line 2: email has a control character in it (such as NUL); only tabs and line breaks are allowed"},
		{"impossible mobile", staffHeader, `1,Ann,Example,"+1 (555) 123",,RTD,,`, "line 2: mobile is not a real phone number (wrong length, or a range its country does not use; numbers without +country code are read as UK)"},
		{"start in year 1", absenceHeader, "1,0001-01-01,,S10,", "line 2: absence_start 0001-01-01 is outside the dates this service takes (1900-01-01 to 2100-12-31)"},
		{"end in year 9999", absenceHeader, "1,2026-03-02,9999-12-31,S10,", "line 2: absence_end 9999-12-31 is outside the dates this service takes (1900-01-01 to 2100-12-31)"},
		{"start before 1900", absenceHeader, "1,31/12/1899,,S10,", "line 2: absence_start 31/12/1899 is outside the dates this service takes (1900-01-01 to 2100-12-31)"},
		{"tab in related reason", absenceHeader, "1,2026-03-02,,S10,COVID\t19", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bad []string
			if tt.header == staffHeader {
				r, err := NewStaffReader(strings.NewReader(tt.header + "\n" + tt.row + "\n"))
				if err != nil {
					t.Fatal(err)
				}
				_, bad = readAll(t, r)
			} else {
				r, err := NewAbsenceReader(strings.NewReader(tt.header + "\n" + tt.row + "\n"))
				if err != nil {
					t.Fatal(err)
				}
				_, bad = readAll(t, r)
			}
			var want []string
			if tt.want != "" {
				want = []string{tt.want}
			}
			if !reflect.DeepEqual(bad, want) {
				t.Errorf("bad rows %q, want %q", bad, want)
			}
		})
	}
}
