package dialogs

import (
	"strings"
)

// hasContactDetails reports whether text gives a way to reach its writer:
// an email address, or a phone number (10 digits or more, perhaps with
// spaces, dashes, brackets or a leading +).
func hasContactDetails(text string) bool {
	for _, w := range strings.Fields(text) {
		if at := strings.IndexByte(w, '@'); at > 0 && strings.Contains(w[at+1:], ".") {
			return true
		}
	}
	digits := 0
	for _, r := range text {
		switch {
		case r >= '0' && r <= '9':
			digits++
			if digits >= 10 {
				return true
			}
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '+' || r == '.':
		default:
			digits = 0
		}
	}
	return false
}

// nameMatches reports whether an answer gives the first name on record:
// any word of it equal to the name (accents and case folded), one a prefix
// of the other of 3 letters or more ("Rob" for "Robert"), or one edit apart
// for names of 5 letters or more.
func nameMatches(answer, first string) bool {
	want := normalize(first)
	if want == "" {
		return false
	}
	wantWords := strings.Fields(want)
	for _, w := range strings.Fields(normalize(answer)) {
		for _, t := range wantWords {
			switch {
			case w == t:
				return true
			case len(w) >= 3 && len(t) >= 3 && (strings.HasPrefix(t, w) || strings.HasPrefix(w, t)):
				return true
			case len(t) >= 5 && within1(w, t):
				return true
			}
		}
	}
	return false
}

// thanksWords are the words of a thank-you or a sign-off; thanking says
// which of them carry it ("you" alone thanks nobody).
var (
	thanksWords = map[string]bool{"thanks": true, "thank": true, "you": true, "ta": true, "cheers": true, "thx": true,
		"ty": true, "tyvm": true, "many": true, "so": true, "very": true, "much": true, "ok": true, "okay": true,
		"great": true, "lovely": true, "brilliant": true, "will": true, "do": true, "bye": true, "x": true, "xx": true,
		"xxx": true, "again": true, "for": true, "everything": true, "all": true, "your": true, "help": true,
		"diolch": true, "yn": true, "fawr": true, "dziekuje": true, "dzieki": true, "bardzo": true, "pa": true}
	thanking = map[string]bool{"thanks": true, "thank": true, "ta": true, "cheers": true, "thx": true, "ty": true,
		"tyvm": true, "diolch": true, "dziekuje": true, "dzieki": true}
)

// isThanks reports whether normalised text n is a thank-you and nothing
// else: "thanks x", "thank you so much", "diolch yn fawr", "dziękuję
// bardzo".
func isThanks(n string) bool {
	words := strings.Fields(n)
	thanked := false
	for _, w := range words {
		if !thanksWords[w] {
			return false
		}
		thanked = thanked || thanking[w]
	}
	return thanked
}
