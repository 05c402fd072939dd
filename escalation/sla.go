package escalation

import (
	"time"

	"github.com/ohcontact/ohcontact"
)

// SLA is how soon a case of each priority must be claimed by a clinician.
type SLA struct {
	Urgent, High time.Duration
	// RoutineWorkingDays counts Monday to Friday in the organisation's time
	// zone: a routine case opened on Friday evening with 2 working days is due
	// on Tuesday at the same time.
	RoutineWorkingDays int
}

// DefaultSLA is the policy unless an organisation sets its own: urgent
// within 15 minutes, high within 4 hours, routine within 2 working days.
var DefaultSLA = SLA{Urgent: 15 * time.Minute, High: 4 * time.Hour, RoutineWorkingDays: 2}

// Due returns when a case of priority p opened at opened must be claimed by.
// Times are computed in loc, so working days follow the local calendar
// through clock changes.
func (s SLA) Due(p ohcontact.Priority, opened time.Time, loc *time.Location) time.Time {
	switch p {
	case ohcontact.PriorityUrgent:
		return opened.Add(s.Urgent)
	case ohcontact.PriorityHigh:
		return opened.Add(s.High)
	}
	local := opened.In(loc)
	// A case opened at the weekend starts counting from Monday morning.
	for isWeekend(local) {
		y, m, d := local.Date()
		local = time.Date(y, m, d+1, 9, 0, 0, 0, loc)
	}
	for n := 0; n < s.RoutineWorkingDays; {
		y, m, d := local.Date()
		local = time.Date(y, m, d+1, local.Hour(), local.Minute(), local.Second(), 0, loc)
		if !isWeekend(local) {
			n++
		}
	}
	return local
}

func isWeekend(t time.Time) bool {
	return t.Weekday() == time.Saturday || t.Weekday() == time.Sunday
}

// Renotify returns when a case of priority p, past its SLA and still
// unclaimed at from, is breached again: urgent cases every SLA.Urgent
// (15 minutes), high every hour, routine every working day at the same
// time.
func (s SLA) Renotify(p ohcontact.Priority, from time.Time, loc *time.Location) time.Time {
	switch p {
	case ohcontact.PriorityUrgent:
		return from.Add(s.Urgent)
	case ohcontact.PriorityHigh:
		return from.Add(time.Hour)
	}
	return SLA{RoutineWorkingDays: 1}.Due(p, from, loc)
}
