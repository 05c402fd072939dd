package triggers

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ohcontact/ohcontact"
)

// Episode is one continuous absence, as in absence_episodes.
type Episode struct {
	StartsOn   Date
	EndsOn     Date   // the last day of absence; zero while the absence is open
	ReasonCode string // ESR code in upper case, e.g. "S10"
}

// Rules are an organisation's trigger rules. Plan reads the first group of
// fields; the rest say what happens to a contact once sent, for the jobs
// that send it. Parse and Defaults return complete, valid Rules.
type Rules struct {
	// Location is the organisation's time zone; days are counted on its
	// calendar. It must not be nil.
	Location *time.Location
	// DueTime is the local time at which triggers fall due on their day:
	// the send window's opening time.
	DueTime Clock
	// StressAfterWorkingDays: a stress trigger falls due on this working
	// day after the absence starts (1: the next working day; 0: the first
	// day if it is a working day, else the next one). Working days are
	// Monday to Friday except BankHolidays.
	StressAfterWorkingDays int
	// MSKAfterDays: an MSK trigger falls due this many calendar days after
	// the first day (1: day 2 of the absence).
	MSKAfterDays int
	// MSKCodes are the reason codes that start the MSK pathway (S11 and S12;
	// S28, injuries, where the organisation agrees).
	MSKCodes []string
	// LongTermDays: a long-term trigger falls due on this calendar day of a
	// continuous absence (28: the first day plus 27).
	LongTermDays int
	// BankHolidays are not working days (see StressAfterWorkingDays).
	BankHolidays []Date
	// Grace: a trigger due longer than this before the absence was recorded
	// is skipped rather than sent late.
	Grace time.Duration

	// ReminderAfter is how long after an unanswered contact a reminder is
	// sent.
	ReminderAfter time.Duration
	// CloseAfter is how long after the reminder an unanswered contact is
	// closed as no_response.
	CloseAfter time.Duration
	// FollowUpUnanswered are the triggers whose contacts open a case for a
	// person when closed unanswered (stress and long_term).
	FollowUpUnanswered []ohcontact.Trigger
	// SMSFallbackAfter is how long a contact (or a campaign's invitation)
	// sent by web chat may go unseen before it is sent by SMS instead
	// (WebChatFallbackDue, campaigns.FallbackArgs); 0 never.
	SMSFallbackAfter time.Duration
}

// englandAndWalesBankHolidays are the default bank holidays, from GOV.UK's
// list for England and Wales (https://www.gov.uk/bank-holidays). They need a
// new year each year; organisations in Scotland or Northern Ireland, or
// with local closures, set their own with bank_holidays.
var englandAndWalesBankHolidays = []Date{
	{2026, time.January, 1},   // New Year's Day
	{2026, time.April, 3},     // Good Friday
	{2026, time.April, 6},     // Easter Monday
	{2026, time.May, 4},       // Early May bank holiday
	{2026, time.May, 25},      // Spring bank holiday
	{2026, time.August, 31},   // Summer bank holiday
	{2026, time.December, 25}, // Christmas Day
	{2026, time.December, 28}, // Boxing Day (substitute day)
	{2027, time.January, 1},   // New Year's Day
	{2027, time.March, 26},    // Good Friday
	{2027, time.March, 29},    // Easter Monday
	{2027, time.May, 3},       // Early May bank holiday
	{2027, time.May, 31},      // Spring bank holiday
	{2027, time.August, 30},   // Summer bank holiday
	{2027, time.December, 27}, // Christmas Day (substitute day)
	{2027, time.December, 28}, // Boxing Day (substitute day)
}

// defaultRules returns the rules that apply unless an organisation's
// configuration says otherwise, in loc.
func defaultRules(loc *time.Location) Rules {
	return Rules{
		Location:               loc,
		DueTime:                Clock{9, 0},
		StressAfterWorkingDays: 1,
		MSKAfterDays:           1,
		MSKCodes:               []string{"S11", "S12"},
		LongTermDays:           28,
		BankHolidays:           slices.Clone(englandAndWalesBankHolidays),
		Grace:                  72 * time.Hour,
		ReminderAfter:          48 * time.Hour,
		CloseAfter:             72 * time.Hour,
		FollowUpUnanswered:     []ohcontact.Trigger{ohcontact.TriggerStress, ohcontact.TriggerLongTerm},
		SMSFallbackAfter:       24 * time.Hour,
	}
}

// Due is a trigger that applies to an episode.
type Due struct {
	Trigger ohcontact.Trigger
	// DueAt is when the contact falls due: DueTime on the due day. It may be
	// in the past (within Rules.Grace), and may fall outside the send
	// window: Window.Next says when to send.
	DueAt time.Time
	// Skipped is set when DueAt was more than Rules.Grace before now;
	// SkipReason says so in a sentence for contacts.state_reason.
	Skipped    bool
	SkipReason string
}

// Plan returns the triggers that apply to ep under r, in order of DueAt:
//
//   - stress, for reason S10, StressAfterWorkingDays working days after the
//     start;
//   - msk, for a reason in MSKCodes, MSKAfterDays calendar days after the
//     start;
//   - long_term, for any reason, on calendar day LongTermDays of the
//     absence.
//
// Each is due at DueTime on its day, in r.Location. A trigger whose day
// comes after the episode's end does not apply (the person returned to work
// first); an episode ending on the due day still gets it. A trigger due more
// than r.Grace before now is returned with Skipped set, so the decision is
// recorded. Plan reads no clock: now is when the absence is being recorded.
// Planning the same episode again gives the same triggers, so it can be
// re-run whenever an episode changes; the contacts table keeps one contact
// per episode and trigger.
func Plan(ep Episode, r Rules, now time.Time) []Due {
	type candidate struct {
		trigger ohcontact.Trigger
		day     Date
	}
	var candidates []candidate
	if ep.ReasonCode == "S10" {
		candidates = append(candidates, candidate{ohcontact.TriggerStress, r.workingDayAfter(ep.StartsOn, r.StressAfterWorkingDays)})
	}
	if slices.Contains(r.MSKCodes, ep.ReasonCode) {
		candidates = append(candidates, candidate{ohcontact.TriggerMSK, ep.StartsOn.AddDays(r.MSKAfterDays)})
	}
	candidates = append(candidates, candidate{ohcontact.TriggerLongTerm, ep.StartsOn.AddDays(r.LongTermDays - 1)})

	var due []Due
	for _, c := range candidates {
		if !ep.EndsOn.IsZero() && ep.EndsOn.Before(c.day) {
			continue
		}
		d := Due{Trigger: c.trigger, DueAt: c.day.At(r.DueTime, r.Location)}
		if now.Sub(d.DueAt) > r.Grace {
			d.Skipped = true
			d.SkipReason = fmt.Sprintf("due %s was more than %s ago when the absence was recorded",
				d.DueAt.Format("Mon 2 Jan 2006 15:04"), shortDuration(r.Grace))
		}
		due = append(due, d)
	}
	slices.SortStableFunc(due, func(a, b Due) int { return a.DueAt.Compare(b.DueAt) })
	return due
}

// workingDayAfter returns the nth working day after start; for n = 0, start
// itself if it is a working day, else the next working day.
func (r Rules) workingDayAfter(start Date, n int) Date {
	d := start
	for n > 0 || !r.isWorkingDay(d) {
		d = d.AddDays(1)
		if n > 0 && r.isWorkingDay(d) {
			n--
		}
	}
	return d
}

// isWorkingDay reports whether d is a weekday that is not a bank holiday.
func (r Rules) isWorkingDay(d Date) bool {
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday && !slices.Contains(r.BankHolidays, d)
}

// shortDuration formats d without trailing zero units: 72h, not 72h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
