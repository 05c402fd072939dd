package dialogs

import (
	"testing"
)

func TestNameMatches(t *testing.T) {
	tests := []struct {
		answer, first string
		want          bool
	}{
		{"Sam", "Sam", true}, {"sam.", "Sam", true}, {"It's Sam", "Sam", true}, {"Samantha", "Sam", true},
		{"Rob", "Robert", true}, {"Sian", "Siân", true}, {"Katherine", "Katharine", true}, {"Gwenllian", "Gwenllïan", true},
		{"Alex", "Sam", false}, {"Jo", "Joanne", false}, {"", "Sam", false}, {"Sam", "", false},
	}
	for _, tt := range tests {
		if got := nameMatches(tt.answer, tt.first); got != tt.want {
			t.Errorf("nameMatches(%q, %q) = %v, want %v", tt.answer, tt.first, got, tt.want)
		}
	}
}

// TestIsThanks: a thank-you alone answers a closing message; anything it
// carries besides is read as a message.
func TestIsThanks(t *testing.T) {
	for text, want := range map[string]bool{
		"thanks":                        true,
		"Thank you so much x":           true,
		"cheers, bye":                   true,
		"Diolch yn fawr":                true,
		"dziękuję bardzo":               true,
		"ok":                            false, // acknowledges, thanks nobody
		"thank you":                     true,
		"thanks but I'm still not good": false,
		"you":                           false,
		"thanks, can I talk to someone": false,
		"":                              false,
	} {
		if got := isThanks(normalize(text)); got != want {
			t.Errorf("isThanks(%q) = %v, want %v", text, got, want)
		}
	}
}
