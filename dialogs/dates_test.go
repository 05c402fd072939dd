package dialogs

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	today := time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC) // a Wednesday
	d := func(m time.Month, day int) string {
		return time.Date(2026, m, day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	tests := []struct {
		in   string
		past bool
		want string // "" for not understood
	}{
		{"today", true, d(11, 18)}, {"Yesterday", true, d(11, 17)}, {"ddoe", true, d(11, 17)},
		{"wczoraj", true, d(11, 17)}, {"dziś", true, d(11, 18)}, {"monday", true, d(11, 16)},
		{"last Monday", true, d(11, 16)}, {"wednesday", true, d(11, 18)}, {"Friday", true, d(11, 13)},
		{"3/11", true, d(11, 3)}, {"3.11", true, d(11, 3)}, {"3/11/2026", true, d(11, 3)}, {"3/11/26", true, d(11, 3)},
		{"3 Nov", true, d(11, 3)}, {"3rd November", true, d(11, 3)}, {"Nov 3", true, d(11, 3)},
		{"30/11", true, "2025-11-30"}, // a past date cannot be in the future
		{"tomorrow", false, d(11, 19)}, {"friday", false, d(11, 20)}, {"wednesday", false, d(11, 25)},
		{"28/11", false, d(11, 28)}, {"in 3 days", false, d(11, 21)}, {"2 weeks", false, d(12, 2)},
		{"1/1", false, "2027-01-01"}, {"next week", false, d(11, 25)},
		{"since tues", true, d(11, 17)}, {"monday just gone", true, d(11, 16)}, {"last night", true, d(11, 17)},
		{"this morning", true, d(11, 18)}, {"2 days ago", true, d(11, 16)}, {"a week ago", true, d(11, 11)},
		{"the 3rd", true, d(11, 3)}, {"the 20th", true, d(10, 20)}, {"od wczoraj", true, d(11, 17)},
		{"w poniedziałek", true, d(11, 16)}, {"ers ddoe", true, d(11, 17)}, {"ar ddydd Llun", true, d(11, 16)},
		{"about a month", false, d(12, 18)}, {"a fortnight", false, d(12, 2)}, {"3 wks", false, d(12, 9)},
		{"next monday", false, d(11, 23)}, {"till Friday", false, d(11, 20)}, {"do piątku", false, d(11, 20)},
		{"dydd Llun nesaf", false, d(11, 23)}, {"the 3rd", false, d(12, 3)}, {"end of the week", false, d(11, 20)},
		{"end of next week", false, d(11, 27)}, {"after the weekend", false, d(11, 23)},
		{"end of the month", false, d(11, 30)}, {"probably a couple of weeks", false, d(12, 2)},
		{"about a month", true, ""}, {"3", false, ""}, {"the 31st", false, d(12, 31)}, {"2 days ago", false, ""},
		{"31/11", true, ""}, {"soon", true, ""}, {"13/13", true, ""}, {"back pain", true, ""}, {"", true, ""},
	}
	for _, tt := range tests {
		got, ok := parseDate(tt.in, today, tt.past)
		s := ""
		if ok {
			s = got.Format(time.DateOnly)
		}
		if s != tt.want {
			t.Errorf("parseDate(%q, past=%v) = %q, want %q", tt.in, tt.past, s, tt.want)
		}
	}
}
