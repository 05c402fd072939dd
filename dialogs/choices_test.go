package dialogs

import (
	"slices"
	"testing"
)

func TestParseChoices(t *testing.T) {
	tests := []struct {
		in   string
		want []int
	}{
		{"2", []int{2}}, {" 2 ", []int{2}}, {"2.", []int{2}}, {"option 2", []int{2}}, {"Option 2 please", []int{2}},
		{"two", []int{2}}, {"Two!", []int{2}}, {"number 3", []int{3}}, {"#3", []int{3}}, {"3rd", []int{3}},
		{"1 and 3", []int{1, 3}}, {"1,3", []int{1, 3}}, {"1, 3 and 4", []int{1, 3, 4}}, {"2 2", []int{2}},
		{"dau", []int{2}}, {"dwa", []int{2}}, {"pięć", []int{5}}, {"2 i 3", []int{2, 3}},
		{"6", nil}, {"0", nil}, {"12", nil}, {"2 apples", nil}, {"", nil}, {"yes", nil},
	}
	for _, tt := range tests {
		if got := parseChoices(normalize(tt.in), 1, 5); !slices.Equal(got, tt.want) {
			t.Errorf("parseChoices(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseScale(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"0", 0, true}, {"3", 3, true}, {"three", 3, true}, {"Not at all", 0, true}, {"several days", 1, true},
		{"More than half the days", 2, true}, {"nearly every day", 3, true}, {"no", 0, true}, {"never", 0, true},
		{"bron bob dydd", 3, true}, {"kilka dni", 1, true}, {"4", 0, false}, {"sometimes", 0, false},
		{"yes", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseScale(normalize(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseScale(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMatchOption(t *testing.T) {
	menu := "Where is the problem?\n1 Back\n2 Neck\n3 Shoulder\n4 Elbow, wrist or hand\n8 Somewhere else, or several places"
	mood := "How are you?\n1 OK\n2 Not great\n3 Struggling\nOr tell me."
	tests := []struct {
		menu, in string
		want     int
		ok       bool
	}{
		{menu, "back", 1, true}, {menu, "lower back", 1, true}, {menu, "my wrist", 4, true}, {menu, "sholder", 3, true},
		{menu, "leg", 0, false}, {menu, "back and neck", 0, false},
		{mood, "not great", 2, true}, {mood, "struggling a lot", 3, true}, {mood, "ok", 1, true},
		{mood, "not struggling", 0, false}, {mood, "great", 0, false},
	}
	for _, tt := range tests {
		got, ok := matchOption(tt.menu, normalize(tt.in), 1, 8)
		if got != tt.want || ok != tt.ok {
			t.Errorf("matchOption(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
