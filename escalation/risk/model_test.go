package risk

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"
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

// TestHeldOutNotInCorpus fails if a frozen or blind message of three or
// more words, or a near duplicate of one (four-fifths of the same words),
// is in the training corpus. Shorter messages ("2", "tak", "no thanks")
// recur in any set and carry no phrasing to learn.
func TestHeldOutNotInCorpus(t *testing.T) {
	t.Parallel()
	near := NewNearIndex(heldOut(t))
	for _, r := range readCorpus(t) {
		if h, ok := near.Find(r.Text); ok {
			t.Errorf("corpus row %q is, or nearly is, the held-out row %q", r.Text, h)
		}
	}
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
