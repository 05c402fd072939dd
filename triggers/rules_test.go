package triggers

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
)

func TestPlan(t *testing.T) {
	loc := london(t)
	defaults := defaultRules(loc)
	withS28 := defaultRules(loc)
	withS28.MSKCodes = append(withS28.MSKCodes, "S28")
	sameDay := defaultRules(loc)
	sameDay.StressAfterWorkingDays, sameDay.MSKAfterDays = 0, 0
	twoWorkingDays := defaultRules(loc)
	twoWorkingDays.StressAfterWorkingDays = 2

	day := func(s string) Date {
		d, err := ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name  string
		rules Rules
		start string
		end   string // empty: still open
		code  string
		now   string // when the absence is recorded; empty: 08:00 on the first day
		want  []string
	}{
		{"stress: the next working day, then long-term on day 28", defaults, "2026-03-04", "", "S10", "",
			[]string{"stress Thu 2026-03-05 09:00 GMT", "long_term Tue 2026-03-31 09:00 BST"}},
		{"stress: starting Friday, due Monday", defaults, "2026-03-06", "2026-03-10", "S10", "",
			[]string{"stress Mon 2026-03-09 09:00 GMT"}},
		{"stress: starting Saturday, due Monday", defaults, "2026-03-07", "2026-03-10", "S10", "",
			[]string{"stress Mon 2026-03-09 09:00 GMT"}},
		{"stress: starting Sunday, due Monday", defaults, "2026-03-08", "2026-03-10", "S10", "",
			[]string{"stress Mon 2026-03-09 09:00 GMT"}},
		{"stress: over Christmas and Boxing Day (substitute Monday)", defaults, "2026-12-24", "2026-12-31", "S10", "",
			[]string{"stress Tue 2026-12-29 09:00 GMT"}},
		{"stress: over Good Friday and Easter Monday", defaults, "2026-04-02", "2026-04-10", "S10", "",
			[]string{"stress Tue 2026-04-07 09:00 BST"}},
		{"stress: over the March clock change, 09:00 BST", defaults, "2026-03-27", "2026-04-01", "S10", "",
			[]string{"stress Mon 2026-03-30 09:00 BST"}},
		{"stress: over the October clock change, 09:00 GMT", defaults, "2026-10-23", "2026-10-30", "S10", "",
			[]string{"stress Mon 2026-10-26 09:00 GMT"}},
		{"stress: 0 working days on a working day is the first day", sameDay, "2026-03-02", "2026-03-05", "S10", "",
			[]string{"stress Mon 2026-03-02 09:00 GMT"}},
		{"stress: 0 working days at the weekend is Monday", sameDay, "2026-03-07", "2026-03-10", "S10", "",
			[]string{"stress Mon 2026-03-09 09:00 GMT"}},
		{"stress: 2 working days over a weekend", twoWorkingDays, "2026-03-06", "2026-03-12", "S10", "",
			[]string{"stress Tue 2026-03-10 09:00 GMT"}},
		{"stress: 2 working days over Christmas", twoWorkingDays, "2026-12-24", "2026-12-31", "S10", "",
			[]string{"stress Wed 2026-12-30 09:00 GMT"}},
		{"msk: back problems, day 2", defaults, "2026-03-04", "2026-03-06", "S11", "",
			[]string{"msk Thu 2026-03-05 09:00 GMT"}},
		{"msk: day 2 is a Sunday (the window moves it, not Plan)", defaults, "2026-03-07", "2026-03-10", "S12", "",
			[]string{"msk Sun 2026-03-08 09:00 GMT"}},
		{"msk: day 2 is the day the clocks go forward", defaults, "2026-03-28", "2026-04-03", "S11", "",
			[]string{"msk Sun 2026-03-29 09:00 BST"}},
		{"msk: day 2 is the day the clocks go back", defaults, "2026-10-24", "2026-10-30", "S12", "",
			[]string{"msk Sun 2026-10-25 09:00 GMT"}},
		{"msk: 0 days is the first day", sameDay, "2026-03-04", "2026-03-06", "S11", "",
			[]string{"msk Wed 2026-03-04 09:00 GMT"}},
		{"msk: injury is not MSK by default", defaults, "2026-03-04", "2026-03-06", "S28", "", nil},
		{"msk: injury is MSK when the organisation lists S28", withS28, "2026-03-04", "2026-03-06", "S28", "",
			[]string{"msk Thu 2026-03-05 09:00 GMT"}},
		{"long-term: any reason, day 28 (start + 27), BST", defaults, "2026-03-02", "", "S13", "",
			[]string{"long_term Sun 2026-03-29 09:00 BST"}},
		{"long-term: over the October clock change, GMT", defaults, "2026-10-01", "", "S99", "",
			[]string{"long_term Wed 2026-10-28 09:00 GMT"}},
		{"long-term: ended on day 28 still applies", defaults, "2026-03-02", "2026-03-29", "S13", "",
			[]string{"long_term Sun 2026-03-29 09:00 BST"}},
		{"long-term: ended on day 27 does not", defaults, "2026-03-02", "2026-03-28", "S13", "", nil},
		{"returned to work before the stress contact", defaults, "2026-03-06", "2026-03-08", "S10", "", nil},
		{"returned to work on the due day still gets it", defaults, "2026-03-04", "2026-03-05", "S11", "",
			[]string{"msk Thu 2026-03-05 09:00 GMT"}},
		{"no trigger for a short cold", defaults, "2026-03-04", "2026-03-06", "S13", "", nil},
		{"recorded late but within grace: due, in the past", defaults, "2026-03-02", "2026-03-20", "S10", "2026-03-06 09:00",
			[]string{"stress Tue 2026-03-03 09:00 GMT"}},
		{"recorded after grace: skipped, not dropped", defaults, "2026-03-02", "2026-03-20", "S10", "2026-03-06 09:01",
			[]string{"stress Tue 2026-03-03 09:00 GMT skipped: due Tue 3 Mar 2026 09:00 was more than 72h ago when the absence was recorded"}},
		{"a long absence recorded late: stress skipped, long-term still due", defaults, "2026-03-02", "", "S10", "2026-03-20 12:00",
			[]string{
				"stress Tue 2026-03-03 09:00 GMT skipped: due Tue 3 Mar 2026 09:00 was more than 72h ago when the absence was recorded",
				"long_term Sun 2026-03-29 09:00 BST",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := Episode{StartsOn: day(tt.start), ReasonCode: tt.code}
			if tt.end != "" {
				ep.EndsOn = day(tt.end)
			}
			now := ep.StartsOn.At(Clock{8, 0}, loc)
			if tt.now != "" {
				now = at(tt.now)
			}
			var got []string
			for _, d := range Plan(ep, tt.rules, now) {
				s := fmt.Sprintf("%s %s", d.Trigger, d.DueAt.In(loc).Format("Mon 2006-01-02 15:04 MST"))
				if d.Skipped {
					s += " skipped: " + d.SkipReason
				}
				got = append(got, s)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Plan:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestTriggerFlows(t *testing.T) {
	want := map[ohcontact.Trigger]string{ohcontact.TriggerStress: "stress-checkin", ohcontact.TriggerMSK: "msk-checkin", ohcontact.TriggerLongTerm: "long-term-checkin", "covid": ""}
	for trigger, flow := range want {
		if got := trigger.Flow(); got != flow {
			t.Errorf("%s.Flow() = %q, want %q", trigger, got, flow)
		}
	}
}

// TestDefaultBankHolidays checks the built-in list against the calendar:
// every date a weekday, and Good Friday and Easter Monday two days either
// side of Easter Sunday.
func TestDefaultBankHolidays(t *testing.T) {
	for _, d := range englandAndWalesBankHolidays {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.Errorf("%s is a %s", d, wd)
		}
	}
	for _, year := range []int{2026, 2027} {
		easter := easterSunday(year)
		for _, d := range []Date{easter.AddDays(-2), easter.AddDays(1)} {
			if !slices.Contains(englandAndWalesBankHolidays, d) {
				t.Errorf("%d: %s (Easter %s) is missing", year, d, easter)
			}
		}
	}
	if len(englandAndWalesBankHolidays) != 16 {
		t.Errorf("%d dates, want 8 a year for 2026 and 2027", len(englandAndWalesBankHolidays))
	}
}

// easterSunday computes Western Easter (the anonymous Gregorian algorithm).
func easterSunday(y int) Date {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Date{y, time.Month(month), day}
}
