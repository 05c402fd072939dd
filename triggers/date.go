package triggers

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Date is a calendar day with no time of day and no time zone, as in a
// PostgreSQL date column: the days of an absence, a bank holiday. The zero
// Date means "no date" (an absence that is still open has a zero EndsOn).
// Dates are comparable with == and usable as map keys.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

var (
	isoDate = regexp.MustCompile(`^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$`)
	ukDate  = regexp.MustCompile(`^([0-9]{1,2})/([0-9]{1,2})/([0-9]{1,4})$`)
)

// errNotADate is ParseDate's error for text that is not shaped like a date.
var errNotADate = errors.New("is not a date: write 2026-03-14 or 14/03/2026")

// The earliest and latest dates ParseDate accepts: nobody now employed was
// born before the first, and no absence or contact is planned after the
// last (a date such as 9999-12-31 is a placeholder for "no end", not a day
// to act on).
var (
	FirstDate = Date{1900, time.January, 1}
	LastDate  = Date{2100, time.December, 31}
)

// ParseDate reads an ISO 8601 date (2026-03-14) or a UK one, day first
// (14/03/2026 or 14/3/2026), from FirstDate to LastDate. It never reads
// month first, and refuses two-digit years. Errors read after a column name, and repeat the text
// only when it is shaped like a date, digits and separators that cannot
// be a phone number or a name: "2026-02-30 is not a real date", but "is
// not a date: write 2026-03-14 or 14/03/2026".
func ParseDate(s string) (Date, error) {
	var year, month, day string
	dayFirst := false
	if m := isoDate.FindStringSubmatch(s); m != nil {
		year, month, day = m[1], m[2], m[3]
	} else if m := ukDate.FindStringSubmatch(s); m != nil {
		day, month, year, dayFirst = m[1], m[2], m[3], true
		if len(year) != 4 {
			return Date{}, fmt.Errorf("%s needs a four-digit year, e.g. 14/03/2026", s)
		}
	} else {
		return Date{}, errNotADate
	}
	// The patterns admit only digits, so Atoi cannot fail.
	y, _ := strconv.Atoi(year)
	m, _ := strconv.Atoi(month)
	d, _ := strconv.Atoi(day)
	date := Date{y, time.Month(m), d}
	if y == 0 || date.AddDays(0) != date { // AddDays(0) normalises 30 February to 2 March
		if dayFirst {
			return Date{}, fmt.Errorf("%s is not a real date (dates are read day/month/year)", s)
		}
		return Date{}, fmt.Errorf("%s is not a real date", s)
	}
	if date.Before(FirstDate) || LastDate.Before(date) {
		return Date{}, fmt.Errorf("%s is outside the dates this service takes (%s to %s)", s, FirstDate, LastDate)
	}
	return date, nil
}

// String formats d as 2006-01-02.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool { return d == Date{} }

// AddDays returns the date n calendar days after d (before it when n < 0).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// Clock is a time of day on a local wall clock, to the minute: a send
// window's opening, the start of someone's quiet hours.
type Clock struct {
	Hour, Minute int
}

var clockPattern = regexp.MustCompile(`^([0-9]{1,2}):([0-9]{2})$`)

// parseClock reads a 24-hour clock time such as "09:00" or "9:00".
func parseClock(s string) (Clock, error) {
	m := clockPattern.FindStringSubmatch(s)
	if m == nil {
		return Clock{}, fmt.Errorf("%q is not a time of day such as 09:00", s)
	}
	h, _ := strconv.Atoi(m[1])
	minute, _ := strconv.Atoi(m[2])
	if h > 23 || minute > 59 {
		return Clock{}, fmt.Errorf("%q is not a time of day such as 09:00", s)
	}
	return Clock{h, minute}, nil
}

// String formats c as 15:04.
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

// minutes returns c as minutes since midnight, for ordering.
func (c Clock) minutes() int { return c.Hour*60 + c.Minute }

// At returns the moment on day d when the wall clock in loc shows c.
//
// Around a change of the clocks it is defined, not left to chance: when c
// does not exist that day (the clocks jump past it, as 01:30 on 29 March 2026
// in Europe/London) it returns the moment of the jump (02:00 BST); when c
// happens twice (the clocks go back past it, as 01:30 on 25 October 2026) it
// returns the first (01:30 BST).
func (d Date) At(c Clock, loc *time.Location) time.Time {
	t := time.Date(d.Year, d.Month, d.Day, c.Hour, c.Minute, 0, 0, loc)
	want := time.Date(d.Year, d.Month, d.Day, c.Hour, c.Minute, 0, 0, time.UTC)
	shown := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	start, end := t.ZoneBounds()
	switch {
	case shown.After(want): // c was skipped and t is after the jump
		return start
	case shown.Before(want): // c was skipped and t is before the jump
		return end
	case start.IsZero(): // a zone with no clock changes
		return t
	}
	// The same wall time may also have been shown under the previous offset,
	// just before this zone began (clocks going back): prefer that moment.
	_, offset := t.Zone()
	_, previousOffset := start.Add(-time.Second).Zone()
	if first := t.Add(time.Duration(offset-previousOffset) * time.Second); first.Before(start) && first.Hour() == c.Hour && first.Minute() == c.Minute {
		return first
	}
	return t
}
