package console

import (
	_ "embed"
	"strings"
	"unicode"
)

// commonPasswordList is the deny-list CheckPassword refuses, described in
// the file itself: a hand-written list of a few hundred common passwords
// and the words at their core, not the NCSC's full top 100,000 (which
// could not be fetched when this was written). Together with the patterns
// isCommonPassword applies (a listed word with digits or symbols around
// it, letter swaps, repeats, keyboard and alphabet runs) it catches the
// guesses an attacker tries first.
//
//go:embed common_passwords.txt
var commonPasswordList string

// commonPasswords is commonPasswordList as a set, each entry as
// normalisePassword leaves it.
var commonPasswords = func() map[string]bool {
	set := map[string]bool{}
	for line := range strings.Lines(commonPasswordList) {
		if line = normalisePassword(strings.TrimSpace(line)); line != "" && !strings.HasPrefix(line, "#") {
			set[line] = true
		}
	}
	return set
}()

// runs are strings whose runs people type as passwords: the alphabet,
// digits and keyboard rows, forwards (reversed ones are checked too).
var runs = []string{
	"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
	"01234567890123456789012345678901234567890",
	"qwertyuiopasdfghjklzxcvbnmqwertyuiopasdfghjklzxcvbnm",
	"1234567890qwertyuiopasdfghjklzxcvbnm",
	"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
	"qazwsxedcrfvtgbyhnujmikolpqazwsxedcrfvtgbyhnujmikolp",
	"1q2w3e4r5t6y7u8i9o0p1q2w3e4r5t6y7u8i9o0p",
	"q1w2e3r4t5y6u7i8o9p0q1w2e3r4t5y6u7i8o9p0",
}

// leetSymbols are the symbols leet turns into letters.
const leetSymbols = "@$!|+"

// leet undoes the letter swaps people make to dress up a word.
var leet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "8", "b", "@", "a", "$", "s", "!", "i", "|", "l", "+", "t")

// normalisePassword lower-cases p and drops white space and the
// separators people put between words (- _ . ,).
func normalisePassword(p string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || strings.ContainsRune("-_.,", r) {
			return -1
		}
		return unicode.ToLower(r)
	}, p)
}

// isCommonPassword reports whether p is on the deny-list or made from it
// in the usual ways: a listed password or word, whatever its case and
// separators, with digits or symbols before or after it, with letters
// swapped for look-alike digits and symbols (p@ssw0rd), or repeated; or a
// single short string repeated (aaaaaaaaaaaa, 202620262026); or a run of
// the alphabet, the digits or the keyboard, forwards or backwards, with
// or without digits or symbols around it.
func isCommonPassword(p string) bool {
	s := normalisePassword(p)
	if s == "" || commonPasswords[s] || repeatsShort(s) || isRun(s) {
		return true
	}
	core := strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	if core == "" {
		return false
	}
	// A swap for a symbol may start or end the word ($ecret2026): keep
	// those symbols while trimming the rest.
	symbolEnds := strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !strings.ContainsRune(leetSymbols, r) })
	for _, c := range []string{core, leet.Replace(core), leet.Replace(symbolEnds)} {
		c = strings.TrimFunc(c, func(r rune) bool { return !unicode.IsLetter(r) })
		if c == "" {
			continue
		}
		if commonPasswords[c] || isRun(c) || commonPasswords[repeatUnit(c)] {
			return true
		}
	}
	return false
}

// repeatUnit returns the shortest string s is a repetition of (s itself
// when it is none).
func repeatUnit(s string) string {
	for n := 1; n <= len(s)/2; n++ {
		if len(s)%n == 0 && strings.Repeat(s[:n], len(s)/n) == s {
			return s[:n]
		}
	}
	return s
}

// repeatsShort reports whether s is a string of at most 4 bytes repeated.
func repeatsShort(s string) bool {
	u := repeatUnit(s)
	return u != s && len(u) <= 4
}

// isRun reports whether s, at least 4 long, is a run of one of runs,
// forwards or backwards.
func isRun(s string) bool {
	if len(s) < 4 {
		return false
	}
	rev := []rune(s)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	for _, r := range runs {
		if strings.Contains(r, s) || strings.Contains(r, string(rev)) {
			return true
		}
	}
	return false
}
