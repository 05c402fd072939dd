package dialogs

import (
	"strings"
	"unicode"
)

// Reply understanding is deterministic: tables and a small edit-distance
// rule, no models. The rules, chosen to fail safe:
//
//   - Text is compared case-folded, with accents folded (ŵ → w, ł → l),
//     apostrophes dropped ("don't" → "dont") and other punctuation read as
//     space, so "Yes!", " YES " and "yes." are the same.
//   - Keywords (STOP, START, HELP, ...) count only when they are the whole
//     message, perhaps with a polite word ("stop please"). "I can't stop
//     worrying" or "at the end of my tether" must never opt anyone out or
//     silence the bot.
//   - Typos: a word of 5 letters or more may be one edit (insert, delete,
//     substitute, or swap two neighbours) from a known word. Shorter words
//     may only swap two neighbours ("stpo", "yse") or stretch a letter
//     ("yesss", "nooo"): one substitution turns "stop" into "step" or
//     "shop", and "no" into "so". A typo is accepted only when it is near
//     words of one meaning; when it is near both a yes and a no word it is
//     not understood, so a typo of "yes" never becomes "no" (or the
//     reverse): the person is asked again.
//   - English forms are understood in every language; Welsh and Polish forms
//     too ("ie", "tak", "na", "nie", "dau", "dwa").

// normalize lower-cases s, folds accents, drops apostrophes, turns other
// punctuation into spaces and collapses runs of space.
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading space
	for _, r := range s {
		switch {
		case r == '\'' || r == '’' || r == '‘' || r == '`':
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(fold(unicode.ToLower(r)))
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// fold maps the accented letters of Welsh, Polish and common loan words to
// their base letter.
func fold(r rune) rune {
	if r < 0x80 {
		return r
	}
	switch r {
	case 'â', 'ä', 'á', 'à', 'ą', 'ã', 'å':
		return 'a'
	case 'ê', 'ë', 'é', 'è', 'ę':
		return 'e'
	case 'î', 'ï', 'í', 'ì':
		return 'i'
	case 'ô', 'ö', 'ó', 'ò', 'õ', 'ø':
		return 'o'
	case 'û', 'ü', 'ú', 'ù':
		return 'u'
	case 'ŵ', 'ẅ', 'ẃ', 'ẁ':
		return 'w'
	case 'ŷ', 'ÿ', 'ý', 'ỳ':
		return 'y'
	case 'ć', 'ç':
		return 'c'
	case 'ł':
		return 'l'
	case 'ń', 'ñ':
		return 'n'
	case 'ś':
		return 's'
	case 'ź', 'ż':
		return 'z'
	}
	return r
}

// near reports whether word is an accepted typo of target (see the rules
// at the top of this file). Equal words are near.
func near(word, target string) bool {
	if word == target {
		return true
	}
	if len(target) >= 5 && len(word) >= 4 {
		return within1(word, target)
	}
	if len(word) >= 3 && len(word) == len(target) && swapped(word, target) {
		return true
	}
	return len(word) > len(target) && len(target) >= 2 && squeeze(word) == squeeze(target)
}

// swapped reports whether a becomes b by swapping two neighbouring letters.
func swapped(a, b string) bool {
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}

// squeeze collapses runs of one letter: "yesss" → "yes", "noo" → "no".
func squeeze(s string) string {
	if len(s) < 2 {
		return s
	}
	b := []byte{s[0]}
	for i := 1; i < len(s); i++ {
		if s[i] != s[i-1] {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// within1 reports whether a and b are at most one edit apart (insert,
// delete, substitute, or swap of neighbours).
func within1(a, b string) bool {
	if a == b {
		return true
	}
	la, lb := len(a), len(b)
	if la-lb > 1 || lb-la > 1 {
		return false
	}
	i := 0
	for i < la && i < lb && a[i] == b[i] {
		i++
	}
	switch {
	case la == lb:
		if a[i+1:] == b[i+1:] {
			return true
		}
		return swapped(a, b)
	case la > lb:
		return a[i+1:] == b[i:]
	default:
		return a[i:] == b[i+1:]
	}
}
