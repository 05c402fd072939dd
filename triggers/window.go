package triggers

import (
	"fmt"
	"slices"
	"time"
)

// Window is an organisation's send window: the days and hours, on its local
// clock, when non-urgent messages (first contacts, reminders) may be sent.
// Urgent messages (crisis contacts, replies to someone who has just
// written) never wait for it.
type Window struct {
	// Location is the organisation's time zone. It must not be nil.
	Location *time.Location
	// Days are the days of the week the window opens.
	Days []time.Weekday
	// From and Until are the local opening and closing times; From is
	// inside the window and Until is not. The window does not cross
	// midnight.
	From, Until Clock
}

// defaultWindow returns the window that applies unless an organisation's
// configuration says otherwise: Monday to Saturday, 09:00 to 18:00 in loc.
func defaultWindow(loc *time.Location) Window {
	return Window{
		Location: loc,
		Days:     []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday},
		From:     Clock{9, 0},
		Until:    Clock{18, 0},
	}
}

// defaultTeamHours returns the OH team's hours unless an organisation's
// configuration says otherwise: Monday to Friday, 09:00 to 17:00 in loc.
func defaultTeamHours(loc *time.Location) Window {
	return Window{
		Location: loc,
		Days:     []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
		From:     Clock{9, 0},
		Until:    Clock{17, 0},
	}
}

// QuietHours are a person's own hours not to be messaged, on the
// organisation's local clock (staff.quiet_from and quiet_until): From is
// quiet and Until is not. They may cross midnight: 22:00 to 07:00, or 08:00
// to 16:00 for a night worker sleeping by day. From equal to Until means
// no quiet hours.
type QuietHours struct {
	From, Until Clock
}

// ErrNoSendTime is returned by Window.Next when no moment in the search is
// inside the window and outside the quiet hours: the window has no days, or
// closes before it opens, or the quiet hours cover it.
var ErrNoSendTime = fmt.Errorf("triggers: no send time in the next %d days: the send window and quiet hours leave none", searchDays)

// searchDays bounds Window.Next. The window and the quiet hours repeat every
// week, so a week and a day would do; two weeks leaves no doubt.
const searchDays = 14

// Next returns the earliest moment at or after t when a non-urgent message
// may be sent to a person with quiet hours quiet (nil for none): t itself
// when it is already allowed, else an opening of the window or the end of
// the quiet hours. Openings and closings are local clock times on each side
// of a clock change (Date.At says what happens to a time the clocks skip).
// It looks at the 14 days from t's local date and returns ErrNoSendTime when
// none of them has a moment that fits.
func (w Window) Next(t time.Time, quiet *QuietHours) (time.Time, error) {
	today := DateOf(t.In(w.Location))
	for i := range searchDays {
		day := today.AddDays(i)
		if !slices.Contains(w.Days, day.Weekday()) {
			continue
		}
		opens, closes := day.At(w.From, w.Location), day.At(w.Until, w.Location)
		candidate := opens
		if t.After(opens) {
			candidate = t
		}
		for _, q := range quiet.spans(day, w.Location) {
			if !candidate.Before(q.start) && candidate.Before(q.end) {
				candidate = q.end
			}
		}
		if candidate.Before(closes) {
			return candidate, nil
		}
	}
	return time.Time{}, ErrNoSendTime
}

// span is a stretch of time from start, inclusive, to end, exclusive.
type span struct{ start, end time.Time }

// spans returns, in order, the quiet stretches that overlap day: the one
// starting that day and, for quiet hours that cross midnight, the one
// carried over from the day before. A nil q has none.
func (q *QuietHours) spans(day Date, loc *time.Location) []span {
	switch {
	case q == nil || q.From == q.Until:
		return nil
	case q.From.minutes() < q.Until.minutes():
		return []span{{day.At(q.From, loc), day.At(q.Until, loc)}}
	}
	yesterday, tomorrow := day.AddDays(-1), day.AddDays(1)
	return []span{
		{yesterday.At(q.From, loc), day.At(q.Until, loc)},
		{day.At(q.From, loc), tomorrow.At(q.Until, loc)},
	}
}
