package intent

import (
	"path/filepath"
	"testing"

	"github.com/ohcontact/ohcontact/escalation/risk"
)

// blindRows reads the blind batches (INTENT.md).
func blindRows(t *testing.T) []Row {
	t.Helper()
	names, err := filepath.Glob("testdata/blind/*.tsv")
	if err != nil || len(names) == 0 {
		t.Fatalf("no blind batches in testdata/blind: %v", err)
	}
	rows, err := ReadFiles(names...)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestBlindNotInCorpus fails if a blind row, or a near duplicate of one
// (risk.NearIndex), is in the corpus: the blind figures are for text the
// model was not trained on. As for the risk screen, rows of one or two
// words ("yes", "2", "dim diolch", "STOP") are exempt: any two writers
// write the same bare answers, and they are in both on purpose.
func TestBlindNotInCorpus(t *testing.T) {
	corpus, err := ReadCorpus("corpus")
	if err != nil {
		t.Fatal(err)
	}
	texts := make([]string, len(corpus))
	for i, r := range corpus {
		texts[i] = r.Text
	}
	near := risk.NewNearIndex(texts)
	for _, r := range blindRows(t) {
		if c, ok := near.Find(r.Text); ok {
			t.Errorf("blind row %q (%s) nearly repeats corpus row %q", r.Text, r.Batch, c)
		}
	}
}

// TestBlindNoWorseThanFirstRun fails when a change to the corpus, the
// features or the training finds fewer absence reports in the blind
// batches, or takes more other messages for one, than the first run did
// (INTENT.md): a change that lowers detection must be seen.
func TestBlindNoWorseThanFirstRun(t *testing.T) {
	const firstRecall, firstAbsences, firstFalse, firstOthers = 215, 238, 9, 350
	ev := Evaluate(New(), blindRows(t))
	r, rn := ev.All.AbsenceRecall()
	f, fn := ev.All.FalseAbsence()
	if rn != firstAbsences || fn != firstOthers {
		t.Fatalf("the blind batches have %d absence and %d other rows, the first run had %d and %d", rn, fn, firstAbsences, firstOthers)
	}
	if r < firstRecall {
		t.Errorf("absence recall on the blind batches is %d/%d, below the first run's %d", r, rn, firstRecall)
	}
	if f > firstFalse {
		t.Errorf("false absences on the blind batches are %d/%d, above the first run's %d", f, fn, firstFalse)
	}
}
