package dialogs

import (
	"strconv"
	"strings"
)

var numberWords = map[string]int{
	"zero": 0, "nought": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
	"dim": 0, "un": 1, "dau": 2, "dwy": 2, "tri": 3, "tair": 3, "pedwar": 4, "pedair": 4, "pump": 5, "chwech": 6,
	"saith": 7, "wyth": 8, "naw": 9, "deg": 10,
	"jeden": 1, "jedna": 1, "dwa": 2, "dwie": 2, "trzy": 3, "cztery": 4, "piec": 5, "szesc": 6, "siedem": 7,
	"osiem": 8, "dziewiec": 9, "dziesiec": 10,
}

// choiceFillers may surround a menu number: "option 2", "number 3 please".
var choiceFillers = map[string]bool{
	"option": true, "opt": true, "number": true, "num": true, "nr": true, "no": true, "choice": true, "reply": true,
	"opsiwn": true, "rhif": true, "opcja": true, "numer": true, "odpowiedz": true, "and": true, "a": true, "ac": true,
	"i": true, "oraz": true, "&": true, "please": true, "pls": true, "thanks": true, "diolch": true, "prosze": true,
	"dziekuje": true, "both": true, "x": true,
}

// parseChoices reads menu choices: one or more numbers from lo to hi ("2",
// "option 2", "two", "1 and 3"). It returns nil when the answer has anything
// else in it or a number out of range.
func parseChoices(n string, lo, hi int) []int {
	if n == "" {
		return nil
	}
	var out []int
	for _, w := range strings.Fields(n) {
		v, ok := wordNumber(w)
		if !ok {
			if choiceFillers[w] {
				continue
			}
			return nil
		}
		if v < lo || v > hi {
			return nil
		}
		dup := false
		for _, x := range out {
			dup = dup || x == v
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}

// parseChoice reads exactly one menu choice from lo to hi.
func parseChoice(n string, lo, hi int) (int, bool) {
	c := parseChoices(n, lo, hi)
	if len(c) != 1 {
		return 0, false
	}
	return c[0], true
}

func wordNumber(w string) (int, bool) {
	if w == "" {
		return 0, false
	}
	if w[0] >= '0' && w[0] <= '9' {
		// "2", "2nd", "3rd"
		d := strings.TrimRight(w, "ndrsth")
		v, err := strconv.Atoi(d)
		if err != nil || len(d) > 3 || (d != w && v == 0) {
			return 0, false
		}
		return v, true
	}
	if v, ok := numberWords[w]; ok {
		return v, true
	}
	if len(w) >= 5 {
		for k, v := range numberWords {
			if len(k) >= 5 && within1(w, k) {
				return v, true
			}
		}
	}
	return 0, false
}

// scalePhrases are the PHQ/GAD answer options in words.
var scalePhrases = map[string]int{
	"not at all": 0, "never": 0, "none": 0, "no": 0, "nope": 0,
	"several days": 1, "some days": 1, "a few days": 1, "few days": 1,
	"more than half the days": 2, "more than half": 2, "more than half of the days": 2, "most days": 2,
	"nearly every day": 3, "every day": 3, "almost every day": 3, "all the time": 3, "everyday": 3,
	// Welsh
	"ddim o gwbl": 0, "dim o gwbl": 0, "sawl diwrnod": 1, "mwy na hanner y dyddiau": 2, "bron bob dydd": 3, "bob dydd": 3,
	// Polish
	"wcale": 0, "wcale nie": 0, "nigdy": 0, "kilka dni": 1, "wiecej niz polowe dni": 2, "ponad polowe dni": 2,
	"prawie codziennie": 3, "niemal codziennie": 3, "codziennie": 3,
}

// parseScale reads a PHQ/GAD answer: 0 to 3 as a number or the option's
// words.
func parseScale(n string) (int, bool) {
	if v, ok := parseChoice(n, 0, 3); ok {
		return v, true
	}
	if v, ok := scalePhrases[n]; ok {
		return v, true
	}
	if v, ok := scalePhrases[strings.TrimSuffix(n, " please")]; ok {
		return v, true
	}
	return 0, false
}

// negations turn an answer's meaning around: "not better" must not choose
// "Better".
var negations = map[string]bool{"not": true, "no": true, "never": true, "isnt": true, "dont": true, "nie": true,
	"ddim": true, "dim": true, "nid": true, "na": true}

// matchOption reads an answer given in words against a rendered menu whose
// lines are "N Label" ("2 About the same", "3 Back, muscle or joint pain"),
// in the conversation's language. It matches when the answer is a label, or
// when its words of 4 letters or more (allowing one typo in words of 5 or
// more) name exactly one label; an answer with a negation matches only a
// label with one, and the reverse ("great" is not "Not great"). It returns
// the option's number.
func matchOption(menu, n string, lo, hi int) (int, bool) {
	if n == "" {
		return 0, false
	}
	answerWords := strings.Fields(n)
	negated := false
	for _, w := range answerWords {
		negated = negated || negations[w]
	}
	found, hits := 0, 0
	for _, line := range strings.Split(menu, "\n") {
		num, label, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		v, err := strconv.Atoi(num)
		if err != nil || v < lo || v > hi {
			continue
		}
		l := normalize(label)
		if l == n {
			return v, true
		}
		labelWords := strings.Fields(l)
		labelNegated := false
		for _, w := range labelWords {
			labelNegated = labelNegated || negations[w]
		}
		if negated != labelNegated {
			continue
		}
		match := false
		for _, w := range answerWords {
			if len(w) < 4 {
				continue
			}
			for _, lw := range labelWords {
				if lw == w || (len(w) >= 5 && len(lw) >= 5 && within1(w, lw)) {
					match = true
				}
			}
		}
		if match {
			found = v
			hits++
		}
	}
	if hits != 1 {
		return 0, false
	}
	return found, true
}
