package dialogs

import (
	"testing"
)

func TestParseYesNo(t *testing.T) {
	tests := []struct {
		in   string
		want yesNo
	}{
		{"yes", ynYes}, {"Y", ynYes}, {"yeah", ynYes}, {"yep", ynYes}, {"yup", ynYes}, {"ok", ynYes},
		{"okay", ynYes}, {"OK!", ynYes}, {"sure", ynYes}, {"Yes please", ynYes}, {"yes thanks x", ynYes},
		{"go on then", ynYes}, {"go on", ynYes}, {"aye", ynYes}, {"ok then mate", ynYes}, {"deffo", ynYes}, {"no problem", ynYes}, {"of course", ynYes},
		{"yess", ynYes}, {"yesss", ynYes}, {"yse", ynYes}, {"ues", ynYes}, {"yrs", ynYes}, {"yeh", ynYes},
		{"ie", ynYes}, {"iawn", ynYes}, {"tak", ynYes},
		{"no", ynNo}, {"N", ynNo}, {"nope", ynNo}, {"nah", ynNo}, {"No thanks", ynNo}, {"no thank you", ynNo},
		{"nooo", ynNo}, {"nop", ynNo}, {"not really", ynNo}, {"na", ynNo}, {"nie", ynNo},
		{"not now", ynNotNow}, {"Not now thanks", ynNotNow}, {"later", ynNotNow}, {"not today", ynNotNow},
		{"nie teraz", ynNotNow}, {"nah ta", ynNo}, {"no need", ynNo}, {"nac ydw", ynNo}, {"ie plis", ynYes}, {"tak poproszę", ynYes}, {"raczej nie", ynNo}, {"no tak", ynYes},
		{"not sure", ynUnsure}, {"don't know", ynUnsure}, {"dunno", ynUnsure}, {"nie wiem", ynUnsure},
		{"ddim yn siŵr", ynUnsure},
		// Never flip: contradictions and ambiguous typos are not understood.
		{"yes no", ynNone}, {"ok no", ynNone}, {"no yes", ynNone}, {"on", ynNone}, {"now", ynNone},
		{"yo", ynNone}, {"", ynNone}, {"maybe", ynUnsure}, {"banana", ynNone}, {"ok not really", ynNone},
	}
	for _, tt := range tests {
		if got := parseYesNo(normalize(tt.in)); got != tt.want {
			t.Errorf("parseYesNo(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// TestTypoOfYesNeverNo checks every one-edit typo of every yes word (and
// the reverse): it may be understood, or not, but never as the opposite.
func TestTypoOfYesNeverNo(t *testing.T) {
	letters := "abcdefghijklmnopqrstuvwxyz"
	typos := func(w string) []string {
		var out []string
		for i := 0; i <= len(w); i++ {
			for _, c := range letters {
				out = append(out, w[:i]+string(c)+w[i:]) // insert
				if i < len(w) {
					out = append(out, w[:i]+string(c)+w[i+1:]) // substitute
				}
			}
			if i < len(w) {
				out = append(out, w[:i]+w[i+1:]) // delete
			}
			if i+1 < len(w) {
				out = append(out, w[:i]+string(w[i+1])+string(w[i])+w[i+2:]) // swap
			}
		}
		return out
	}
	for w := range yesWords {
		for _, typo := range typos(w) {
			if yesWords[typo] || noWords[typo] || answerPhrases[typo] != 0 {
				continue // a real word, not a typo
			}
			if got := parseYesNo(typo); got == ynNo || got == ynNotNow {
				t.Errorf("typo %q of yes word %q read as no", typo, w)
			}
		}
	}
	for w := range noWords {
		for _, typo := range typos(w) {
			if yesWords[typo] || noWords[typo] || answerPhrases[typo] != 0 {
				continue
			}
			if got := parseYesNo(typo); got == ynYes {
				t.Errorf("typo %q of no word %q read as yes", typo, w)
			}
		}
	}
}
