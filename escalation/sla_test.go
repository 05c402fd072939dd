package escalation

import (
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
)

func TestSLADue(t *testing.T) {
	t.Parallel()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04 Mon", s, london)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name     string
		priority ohcontact.Priority
		opened   string
		want     string
	}{
		{"urgent: 15 minutes", ohcontact.PriorityUrgent, "2026-11-20 17:55 Fri", "2026-11-20 18:10 Fri"},
		{"high: 4 hours, through the night", ohcontact.PriorityHigh, "2026-11-20 22:00 Fri", "2026-11-21 02:00 Sat"},
		{"routine: Monday to Wednesday", ohcontact.PriorityRoutine, "2026-11-16 10:30 Mon", "2026-11-18 10:30 Wed"},
		{"routine: Friday evening to Tuesday", ohcontact.PriorityRoutine, "2026-11-20 18:00 Fri", "2026-11-24 18:00 Tue"},
		{"routine: opened on Sunday counts from Monday 09:00", ohcontact.PriorityRoutine, "2026-11-22 03:00 Sun", "2026-11-25 09:00 Wed"},
		{"routine: across the October clock change", ohcontact.PriorityRoutine, "2026-10-23 09:00 Fri", "2026-10-27 09:00 Tue"},
		{"routine: across the March clock change", ohcontact.PriorityRoutine, "2026-03-27 09:00 Fri", "2026-03-31 09:00 Tue"},
		{"urgent: across the March clock change in real minutes", ohcontact.PriorityUrgent, "2026-03-29 00:50 Sun", "2026-03-29 02:05 Sun"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := DefaultSLA.Due(tt.priority, at(tt.opened), london)
			if want := at(tt.want); !got.Equal(want) {
				t.Fatalf("Due = %s, want %s", got.In(london).Format("2006-01-02 15:04 Mon MST"), want.Format("2006-01-02 15:04 Mon MST"))
			}
		})
	}
}
