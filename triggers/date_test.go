package triggers

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Date
		wantErr string
	}{
		{"ISO", "2026-03-14", Date{2026, time.March, 14}, ""},
		{"UK", "14/03/2026", Date{2026, time.March, 14}, ""},
		{"UK without leading zeros", "4/3/2026", Date{2026, time.March, 4}, ""},
		{"UK is day first, never month first", "03/04/2026", Date{2026, time.April, 3}, ""},
		{"leap day", "29/02/2028", Date{2028, time.February, 29}, ""},
		{"US order is not a real date", "03/14/2026", Date{}, "03/14/2026 is not a real date (dates are read day/month/year)"},
		{"30 February", "2026-02-30", Date{}, "2026-02-30 is not a real date"},
		{"29 February outside a leap year", "29/02/2026", Date{}, "29/02/2026 is not a real date (dates are read day/month/year)"},
		{"month 13", "2026-13-01", Date{}, "2026-13-01 is not a real date"},
		{"day 0", "2026-03-00", Date{}, "2026-03-00 is not a real date"},
		{"year 0", "0000-01-01", Date{}, "0000-01-01 is not a real date"},
		{"year 1", "0001-01-01", Date{}, "0001-01-01 is outside the dates this service takes (1900-01-01 to 2100-12-31)"},
		{"the day before the first", "31/12/1899", Date{}, "31/12/1899 is outside the dates this service takes (1900-01-01 to 2100-12-31)"},
		{"the first", "1900-01-01", Date{1900, time.January, 1}, ""},
		{"the last", "31/12/2100", Date{2100, time.December, 31}, ""},
		{"the day after the last", "2101-01-01", Date{}, "2101-01-01 is outside the dates this service takes (1900-01-01 to 2100-12-31)"},
		{"year 9999", "9999-12-31", Date{}, "9999-12-31 is outside the dates this service takes (1900-01-01 to 2100-12-31)"},
		{"two-digit year", "14/03/26", Date{}, "14/03/26 needs a four-digit year, e.g. 14/03/2026"},
		{"three-digit year", "14/03/026", Date{}, "14/03/026 needs a four-digit year, e.g. 14/03/2026"},
		{"with a time", "2026-03-14T09:00", Date{}, "is not a date: write 2026-03-14 or 14/03/2026"},
		{"words", "14 March 2026", Date{}, "is not a date: write 2026-03-14 or 14/03/2026"},
		{"five-digit year", "14/03/20266", Date{}, "is not a date: write 2026-03-14 or 14/03/2026"},
		{"a mobile number", "07700 900123", Date{}, "is not a date: write 2026-03-14 or 14/03/2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseDate(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestDateArithmetic(t *testing.T) {
	d := Date{2026, time.December, 30}
	if got, want := d.AddDays(3), (Date{2027, time.January, 2}); got != want {
		t.Errorf("AddDays(3) = %v, want %v", got, want)
	}
	if got, want := d.AddDays(-30), (Date{2026, time.November, 30}); got != want {
		t.Errorf("AddDays(-30) = %v, want %v", got, want)
	}
	if got := d.Weekday(); got != time.Wednesday {
		t.Errorf("Weekday = %v, want Wednesday", got)
	}
	if !d.Before(d.AddDays(1)) || d.Before(d) || d.AddDays(1).Before(d) {
		t.Error("Before does not order consecutive days")
	}
	if !(Date{2026, time.December, 1}).Before(Date{2027, time.January, 1}) {
		t.Error("Before does not order across years")
	}
	if !(Date{}).IsZero() || d.IsZero() {
		t.Error("IsZero wrong")
	}
	if got := (Date{2026, time.March, 4}).String(); got != "2026-03-04" {
		t.Errorf("String = %q", got)
	}
}

// london loads Europe/London for a test.
func london(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestDateAt(t *testing.T) {
	loc := london(t)
	tests := []struct {
		name    string
		day     Date
		clock   Clock
		wantUTC string
	}{
		{"winter: GMT", Date{2026, time.January, 5}, Clock{9, 0}, "2026-01-05 09:00"},
		{"summer: BST", Date{2026, time.July, 6}, Clock{9, 0}, "2026-07-06 08:00"},
		{"clocks go forward: 09:00 is BST", Date{2026, time.March, 29}, Clock{9, 0}, "2026-03-29 08:00"},
		{"clocks go back: 09:00 is GMT", Date{2026, time.October, 25}, Clock{9, 0}, "2026-10-25 09:00"},
		{"a time the clocks skip is the moment they jump", Date{2026, time.March, 29}, Clock{1, 30}, "2026-03-29 01:00"},
		{"a time that happens twice is the first", Date{2026, time.October, 25}, Clock{1, 30}, "2026-10-25 00:30"},
		{"just after the repeated hour", Date{2026, time.October, 25}, Clock{2, 0}, "2026-10-25 02:00"},
		{"midnight before the clocks go forward", Date{2026, time.March, 29}, Clock{0, 0}, "2026-03-29 00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.day.At(tt.clock, loc)
			if s := got.UTC().Format("2006-01-02 15:04"); s != tt.wantUTC {
				t.Errorf("At = %s UTC (%s), want %s UTC", s, got.Format("15:04 MST"), tt.wantUTC)
			}
			if got.Location() != loc {
				t.Errorf("At is in %v, want %v", got.Location(), loc)
			}
		})
	}
	if got := (Date{2026, time.March, 29}).At(Clock{1, 30}, time.UTC); !got.Equal(time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)) {
		t.Errorf("At in UTC = %v", got)
	}
}
