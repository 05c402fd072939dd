package risk

import (
	"bytes"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

func readCorpus(t *testing.T) []Row {
	t.Helper()
	rows, err := ReadCorpus("corpus")
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestModelRetrainsByteIdentically retrains the model from the corpus and
// compares it with the embedded model.bin: the model is what the corpus
// and train.go make of it, nothing tuned by hand. After changing either,
// run `go generate ./escalation/risk`.
func TestModelRetrainsByteIdentically(t *testing.T) {
	t.Parallel()
	got, err := Train(readCorpus(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, modelBin) {
		t.Fatalf("retraining gives %d bytes that differ from model.bin (%d bytes): run go generate ./escalation/risk", len(got), len(modelBin))
	}
	if len(modelBin) > 2<<20 {
		t.Errorf("model.bin is %d bytes, want at most 2 MiB", len(modelBin))
	}
}

// TestCorpusShape holds the corpus to what corpus/README.md promises.
func TestCorpusShape(t *testing.T) {
	t.Parallel()
	rows := readCorpus(t)
	var risky, benign, hardNeg int
	families := map[string]bool{}
	langs := map[string]int{}
	for _, r := range rows {
		langs[r.Lang]++
		switch {
		case r.Risky():
			risky++
			families[r.Family] = true
		default:
			benign++
			if r.Family != "everyday" {
				hardNeg++
			}
		}
	}
	checks := []struct {
		what      string
		got, want int
	}{
		{"rows", len(rows), 6000}, {"risky rows", risky, 2500}, {"risky families", len(families), 40},
		{"benign rows", benign, 2500}, {"hard negatives", hardNeg, 1500},
		{"Welsh rows", langs["cy"], 400}, {"Polish rows", langs["pl"], 400},
	}
	for _, c := range checks {
		if c.got < c.want {
			t.Errorf("corpus has %d %s, want at least %d", c.got, c.what, c.want)
		}
	}
}

// heldOut reads the frozen set and every blind batch: the rows the model
// must never be trained on.
func heldOut(t *testing.T) []string {
	t.Helper()
	var texts []string
	for _, c := range loadEval(t) {
		texts = append(texts, c.text)
	}
	for _, r := range readBlind(t) {
		texts = append(texts, r.Text)
	}
	return texts
}

// readBlind reads the blind batches, in name order.
func readBlind(t *testing.T) []Row {
	t.Helper()
	rows, err := ReadCorpus(filepath.Join("testdata", "blind"))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

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

// TestHeldOutNotInCorpus fails if a frozen or blind message of three or
// more words, or a near duplicate of one (four-fifths of the same words),
// is in the training corpus. Shorter messages ("2", "tak", "no thanks")
// recur in any set and carry no phrasing to learn.
func TestHeldOutNotInCorpus(t *testing.T) {
	t.Parallel()
	near := newNearIndex(heldOut(t))
	for _, r := range readCorpus(t) {
		if h, ok := near.find(r.Text); ok {
			t.Errorf("corpus row %q is, or nearly is, the held-out row %q", r.Text, h)
		}
	}
}

// nearIndex finds, among messages of three or more words, the one that
// shares four-fifths of another's words (Jaccard ≥ 0.8), through an index
// from each word to the messages that have it.
type nearIndex struct {
	texts  []string
	sizes  []int
	byWord map[string][]int
}

func newNearIndex(texts []string) *nearIndex {
	x := &nearIndex{byWord: map[string][]int{}}
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

// find returns an indexed message nearly the same as text.
func (x *nearIndex) find(text string) (string, bool) {
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

// blindFalseAlarms are the false alarms the accepted model raises over all
// the blind batches (hard negatives, everyday replies): a ratchet, lowered
// when a better model is accepted, never raised without saying why in
// RISK.md.
var blindFalseAlarms = struct{ hardNeg, everyday int }{114, 8}

// TestBlindBatches screens every blind batch and fails where, over all the
// batches together, the screen finds fewer risky or urgent messages than on
// their first runs (a change that lowers detection on text nobody tuned
// on), or raises more false alarms than the accepted model
// (blindFalseAlarms). Together, because any retraining moves a row or two
// of one batch either way.
func TestBlindBatches(t *testing.T) {
	t.Parallel()
	byBatch := map[string][]Row{}
	for _, r := range readBlind(t) {
		byBatch[r.Batch] = append(byBatch[r.Batch], r)
	}
	var now, first struct{ hits, urgentHits, hardNegFA, everydayFA int }
	for batch, rows := range byBatch {
		f, ok := blindFirstRuns[batch]
		if !ok {
			t.Errorf("blind batch %s has no first-run figures in blindFirstRuns (and RISK.md)", batch)
			continue
		}
		a := Evaluate(testScreener, rows).All
		t.Logf("%s: recall %d/%d, urgent %d/%d, asked %d, hard-negative false alarms %d/%d, everyday %d/%d (first run %+v)",
			batch, a.Hits, a.Risky, a.UrgentHits, a.Urgent, a.Asked, a.HardNegFA, a.HardNeg, a.EverydayFA, a.Everyday, f)
		now.hits, now.urgentHits, now.hardNegFA, now.everydayFA = now.hits+a.Hits, now.urgentHits+a.UrgentHits, now.hardNegFA+a.HardNegFA, now.everydayFA+a.EverydayFA
		first.hits, first.urgentHits, first.hardNegFA, first.everydayFA = first.hits+f.hits, first.urgentHits+f.urgentHits, first.hardNegFA+f.hardNegFA, first.everydayFA+f.everydayFA
	}
	if now.hits < first.hits || now.urgentHits < first.urgentHits {
		t.Errorf("the blind batches together find fewer risky or urgent messages (%+v) than on their first runs (%+v)", now, first)
	}
	if now.hardNegFA > blindFalseAlarms.hardNeg || now.everydayFA > blindFalseAlarms.everyday {
		t.Errorf("the blind batches together raise more false alarms (%d on hard negatives, %d on everyday replies) than the accepted model (%+v)",
			now.hardNegFA, now.everydayFA, blindFalseAlarms)
	}
}

// TestModelOnlyRaises checks the decision table: the model never lowers
// the lexicon's priority, and a model-only finding is possible_risk with
// the words the model weighed.
func TestModelOnlyRaises(t *testing.T) {
	t.Parallel()
	for _, r := range slices.Concat(readBlind(t), readCorpus(t)[:500]) {
		lex := lexiconScreen(r.Text)
		got := testScreener.Screen(r.Text)
		if got.Priority.Rank() < lex.Priority.Rank() {
			t.Errorf("Screen(%q) = %s, lower than the lexicon's %s", r.Text, got.Priority, lex.Priority)
		}
		if got.Priority.Positive() && !lex.Priority.Positive() {
			if got.Category != CategoryPossibleRisk {
				t.Errorf("Screen(%q): model-only category %q, want %s", r.Text, got.Category, CategoryPossibleRisk)
			}
			if !slices.ContainsFunc(got.Evidence, func(e string) bool { return strings.HasPrefix(e, "model ") }) {
				t.Errorf("Screen(%q): model-only result without the model's words: %v", r.Text, got.Evidence)
			}
		}
	}
}

// TestEverydayRepliesPass checks the replies people send most, to the
// flows' own questions, in each language: none is flagged, and the bot asks
// about none of them.
func TestEverydayRepliesPass(t *testing.T) {
	t.Parallel()
	replies := []string{
		"yes", "Yes", "yes please", "y", "yeah", "no", "No thanks", "not sure", "ok", "thanks", "1", "2", "3", "4", "5",
		"1 and 3", "back monday", "STOP", "TALK", "SICK", "help", "maybe", "not now", "👍",
		"ie", "na", "diolch", "iawn", "tak", "nie", "dziękuję", "nie wiem", "ok dzięki",
	}
	for _, text := range replies {
		if got := testScreener.Screen(text); got.Priority.Positive() || got.Ask {
			t.Errorf("Screen(%q) = %s, ask %v, %v: want it left to the flow", text, got.Priority, got.Ask, got.Evidence)
		}
	}
}
