package risk

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Near duplicates. Writers who never met write the same short sentences
// ("I've tried to kill myself before"), so a held-out message can turn up
// in the corpus: TestHeldOutNotInCorpus fails on one, and `risk eval`
// leaves out of a blind batch any message that nearly repeats a corpus row
// (it is not unseen text).

var nonWord = regexp.MustCompile(`[^\p{L}\p{N}]+`)

// words folds text for comparison: lower case, accents and punctuation
// dropped.
func words(text string) []string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(strings.ToLower(text)) {
		if !unicode.Is(unicode.Mn, r) && r != '\'' && r != '\u2019' {
			b.WriteRune(r)
		}
	}
	return strings.Fields(nonWord.ReplaceAllString(b.String(), " "))
}

// NearIndex finds, among messages of three or more words, the one that
// shares four-fifths of another's words (Jaccard ≥ 0.8), through an index
// from each word to the messages that have it. The intent corpus uses it
// too (dialogs/intent), so both leave out near repeats alike.
type NearIndex struct {
	texts  []string
	sizes  []int
	byWord map[string][]int
}

// NewNearIndex indexes texts (those of fewer than three words are left out).
func NewNearIndex(texts []string) *NearIndex {
	x := &NearIndex{byWord: map[string][]int{}}
	for _, text := range texts {
		ws := wordSet(text)
		if len(ws) < 3 {
			continue
		}
		for w := range ws {
			x.byWord[w] = append(x.byWord[w], len(x.texts))
		}
		x.texts, x.sizes = append(x.texts, text), append(x.sizes, len(ws))
	}
	return x
}

// Find returns an indexed message nearly the same as text, if there is one;
// a text of fewer than three words never is.
func (x *NearIndex) Find(text string) (string, bool) {
	ws := wordSet(text)
	if len(ws) < 3 {
		return "", false
	}
	shared := map[int]int{}
	for w := range ws {
		for _, i := range x.byWord[w] {
			shared[i]++
		}
	}
	for i, n := range shared {
		if float64(n)/float64(len(ws)+x.sizes[i]-n) >= 0.8 {
			return x.texts[i], true
		}
	}
	return "", false
}

// wordSet is the set of text's folded words.
func wordSet(text string) map[string]bool {
	s := map[string]bool{}
	for _, w := range words(text) {
		s[w] = true
	}
	return s
}

// blindFirstRuns are each blind batch's first-run figures (RISK.md).
var blindFirstRuns = map[string]struct{ hits, urgentHits, hardNegFA, everydayFA int }{
	"blind-2026-12-05-1":  {82, 32, 7, 0},
	"blind-2026-12-05-2":  {79, 33, 6, 0},
	"blind-2026-12-05-3":  {81, 35, 5, 1},
	"blind-2026-12-05-4":  {84, 29, 8, 0},
	"blind-2026-12-05-5":  {86, 34, 4, 0},
	"blind-2026-12-05-6":  {89, 37, 12, 0},
	"blind-2026-12-05-7":  {88, 38, 11, 0},
	"blind-2026-12-05-8":  {86, 30, 3, 0},
	"blind-2026-12-05-9":  {81, 37, 5, 0},
	"blind-2026-12-05-10": {84, 33, 8, 0},
	"blind-2026-12-05-11": {97, 31, 6, 1},
	"blind-2026-12-05-12": {88, 32, 13, 3},
	"blind-2026-12-05-13": {87, 35, 6, 0},
	"blind-2026-12-05-14": {97, 36, 3, 2},
	"blind-2026-12-05-15": {89, 32, 6, 0},
	"blind-2026-12-05-16": {84, 33, 6, 0},
	"blind-2026-12-05-17": {92, 32, 7, 0},
	"blind-2026-12-05-18": {84, 29, 8, 2},
}
