package triggers

import (
	"errors"
	"testing"
	"time"
)

func TestWindowNext(t *testing.T) {
	loc := london(t)
	standard := defaultWindow(loc) // Monday to Saturday, 09:00 to 18:00
	everyDay := defaultWindow(loc)
	everyDay.Days = append(everyDay.Days, time.Sunday)
	longDay := everyDay
	longDay.From, longDay.Until = Clock{6, 0}, Clock{23, 0}
	allDay := everyDay
	allDay.From, allDay.Until = Clock{0, 0}, Clock{23, 59}

	nightWorker := &QuietHours{From: Clock{8, 0}, Until: Clock{16, 0}}
	overnight := &QuietHours{From: Clock{22, 0}, Until: Clock{7, 0}}
	lateToLate := &QuietHours{From: Clock{17, 0}, Until: Clock{10, 0}}
	endsInTheSkippedHour := &QuietHours{From: Clock{22, 0}, Until: Clock{1, 30}}
	none := &QuietHours{From: Clock{9, 0}, Until: Clock{9, 0}}

	tests := []struct {
		name   string
		window Window
		quiet  *QuietHours
		t      string // local, "2006-01-02 15:04"; or UTC when it ends in Z
		want   string // local, "Mon 2006-01-02 15:04 MST"
	}{
		{"inside the window: t itself", standard, nil, "2026-03-02 10:00", "Mon 2026-03-02 10:00 GMT"},
		{"at the opening", standard, nil, "2026-03-02 09:00", "Mon 2026-03-02 09:00 GMT"},
		{"before the opening", standard, nil, "2026-03-06 07:00", "Fri 2026-03-06 09:00 GMT"},
		{"after closing on Friday: Saturday", standard, nil, "2026-03-06 18:30", "Sat 2026-03-07 09:00 GMT"},
		{"Saturday 17:59 is allowed", standard, nil, "2026-03-07 17:59", "Sat 2026-03-07 17:59 GMT"},
		{"Saturday 18:00: Monday", standard, nil, "2026-03-07 18:00", "Mon 2026-03-09 09:00 GMT"},
		{"Sunday: Monday", standard, nil, "2026-03-08 12:00", "Mon 2026-03-09 09:00 GMT"},
		{"t in another zone", standard, nil, "2026-03-30 07:30Z", "Mon 2026-03-30 09:00 BST"},

		{"night worker asleep: after their quiet hours", standard, nightWorker, "2026-03-02 10:00", "Mon 2026-03-02 16:00 GMT"},
		{"night worker awake", standard, nightWorker, "2026-03-02 17:00", "Mon 2026-03-02 17:00 GMT"},
		{"night worker after closing: next day after quiet hours", standard, nightWorker, "2026-03-02 18:00", "Tue 2026-03-03 16:00 GMT"},
		{"night worker on Saturday evening: Monday afternoon", standard, nightWorker, "2026-03-07 18:00", "Mon 2026-03-09 16:00 GMT"},
		{"quiet hours across midnight, early morning", longDay, overnight, "2026-03-02 06:30", "Mon 2026-03-02 07:00 GMT"},
		{"quiet hours across midnight, late evening", longDay, overnight, "2026-03-02 22:30", "Tue 2026-03-03 07:00 GMT"},
		{"quiet hours across midnight, just before", longDay, overnight, "2026-03-02 21:59", "Mon 2026-03-02 21:59 GMT"},
		{"quiet until 10:00 and from 17:00", standard, lateToLate, "2026-03-02 08:00", "Mon 2026-03-02 10:00 GMT"},
		{"quiet from 17:00 to 10:00 the next day", standard, lateToLate, "2026-03-02 17:00", "Tue 2026-03-03 10:00 GMT"},
		{"quiet from Saturday 17:00 to Monday 10:00", standard, lateToLate, "2026-03-07 17:30", "Mon 2026-03-09 10:00 GMT"},
		{"equal from and until: no quiet hours", standard, none, "2026-03-02 10:00", "Mon 2026-03-02 10:00 GMT"},

		{"March clock change: Saturday evening to Monday 09:00 BST", standard, nil, "2026-03-28 18:00", "Mon 2026-03-30 09:00 BST"},
		{"March clock change: opens 09:00 BST that Sunday", everyDay, nil, "2026-03-29 00:30", "Sun 2026-03-29 09:00 BST"},
		{"March clock change: quiet until a time that does not exist ends when the clocks jump", allDay, endsInTheSkippedHour, "2026-03-29 00:45", "Sun 2026-03-29 02:00 BST"},
		{"October clock change: Saturday evening to Monday 09:00 GMT", standard, nil, "2026-10-24 18:00", "Mon 2026-10-26 09:00 GMT"},
		{"October clock change: opens 09:00 GMT that Sunday", everyDay, nil, "2026-10-25 00:30", "Sun 2026-10-25 09:00 GMT"},
		{"October clock change: quiet overnight ends 07:00 GMT", longDay, overnight, "2026-10-24 23:00", "Sun 2026-10-25 07:00 GMT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var from time.Time
			var err error
			if n := len(tt.t); tt.t[n-1] == 'Z' {
				from, err = time.ParseInLocation("2006-01-02 15:04", tt.t[:n-1], time.UTC)
			} else {
				from, err = time.ParseInLocation("2006-01-02 15:04", tt.t, loc)
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := tt.window.Next(from, tt.quiet)
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if s := got.In(loc).Format("Mon 2006-01-02 15:04 MST"); s != tt.want {
				t.Errorf("Next(%s) = %s, want %s", from.In(loc).Format("Mon 15:04 MST"), s, tt.want)
			}
			if got.Before(from) {
				t.Errorf("Next went back in time: %v before %v", got, from)
			}
		})
	}
}

func TestWindowNextNoSendTime(t *testing.T) {
	loc := london(t)
	noDays := defaultWindow(loc)
	noDays.Days = nil
	backwards := defaultWindow(loc)
	backwards.From, backwards.Until = Clock{18, 0}, Clock{9, 0}
	tests := []struct {
		name   string
		window Window
		quiet  *QuietHours
	}{
		{"no days", noDays, nil},
		{"closes before it opens", backwards, nil},
		{"quiet through the window", defaultWindow(loc), &QuietHours{From: Clock{8, 0}, Until: Clock{19, 0}}},
		{"quiet all but a minute at midnight", defaultWindow(loc), &QuietHours{From: Clock{0, 0}, Until: Clock{23, 59}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.window.Next(time.Date(2026, 3, 2, 10, 0, 0, 0, loc), tt.quiet)
			if !errors.Is(err, ErrNoSendTime) || !got.IsZero() {
				t.Errorf("Next = %v, %v; want the zero time and ErrNoSendTime", got, err)
			}
		})
	}
}
