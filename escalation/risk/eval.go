package risk

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ohcontact/ohcontact"
)

// ReadCorpus reads every *.tsv file of dir, in name order (ReadRows).
func ReadCorpus(dir string) ([]Row, error) { return ReadDir(dir, ReadRows) }

// ReadFiles reads the rows of each named file, in turn (ReadRows).
func ReadFiles(names ...string) ([]Row, error) { return ReadNamed(ReadRows, names...) }

// ReadDir reads every *.tsv file of dir, in name order, with read: the
// layout of a corpus of labelled messages, this package's and the intent
// model's (dialogs/intent) alike.
func ReadDir[T any](dir string, read func(name string, r io.Reader) ([]T, error)) ([]T, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.tsv"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no *.tsv files in %s", dir)
	}
	slices.Sort(names)
	return ReadNamed(read, names...)
}

// ReadNamed reads each named file with read, in turn.
func ReadNamed[T any](read func(name string, r io.Reader) ([]T, error), names ...string) ([]T, error) {
	var rows []T
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		rs, err := read(name, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		rows = append(rows, rs...)
	}
	return rows, nil
}

// Unseen returns the rows that do not nearly repeat a row of corpus (see
// NearIndex), and how many were left out: a blind batch's first-run
// figures are for text the model was not trained on.
func Unseen(rows, corpus []Row) ([]Row, int) {
	texts := make([]string, len(corpus))
	for i, r := range corpus {
		texts[i] = r.Text
	}
	near := NewNearIndex(texts)
	var out []Row
	for _, r := range rows {
		if _, ok := near.Find(r.Text); !ok {
			out = append(out, r)
		}
	}
	return out, len(rows) - len(out)
}

// Tally counts how a screen did on labelled rows. A risky row is a hit
// when the screen is positive; asking alone is counted apart (Asked), not
// as a hit. A benign row screened positive is a false alarm; everyday
// replies (family "everyday") are counted apart from the hard negatives.
type Tally struct {
	Risky, Hits          int // risky rows, and those screened positive
	Urgent, UrgentHits   int // urgent rows, and those screened urgent
	Asked                int // risky rows the screen only asked about
	HardNeg, HardNegFA   int // benign rows other than everyday replies, and false alarms
	Everyday, EverydayFA int // everyday replies, and false alarms
}

func (t *Tally) add(r Row, res ohcontact.RiskResult) {
	if r.Risky() {
		t.Risky++
		switch {
		case res.Priority.Positive():
			t.Hits++
		case res.Ask:
			t.Asked++
		}
		if r.Priority == ohcontact.PriorityUrgent {
			t.Urgent++
			if res.Priority == ohcontact.PriorityUrgent {
				t.UrgentHits++
			}
		}
		return
	}
	fa := res.Priority.Positive()
	if r.Family == "everyday" {
		t.Everyday++
		if fa {
			t.EverydayFA++
		}
		return
	}
	t.HardNeg++
	if fa {
		t.HardNegFA++
	}
}

// Evaluation is a screen's tally on labelled rows: overall, by language
// and by family.
type Evaluation struct {
	All      Tally
	ByLang   map[string]*Tally
	ByFamily map[string]*Tally
}

func newEvaluation() *Evaluation {
	return &Evaluation{ByLang: map[string]*Tally{}, ByFamily: map[string]*Tally{}}
}

func (ev *Evaluation) add(r Row, res ohcontact.RiskResult) {
	ev.All.add(r, res)
	for _, m := range []struct {
		m   map[string]*Tally
		key string
	}{{ev.ByLang, r.Lang}, {ev.ByFamily, r.Family}} {
		t := m.m[m.key]
		if t == nil {
			t = &Tally{}
			m.m[m.key] = t
		}
		t.add(r, res)
	}
}

// Evaluate screens rows with s.
func Evaluate(s *Screener, rows []Row) *Evaluation {
	ev := newEvaluation()
	for _, r := range rows {
		ev.add(r, s.Screen(r.Text))
	}
	return ev
}

// LeaveOneFamilyOut trains the model once per family on every other
// family's rows (with the thresholds and vetoes chosen on all of them) and
// screens the family left out: how the screen does on a kind of message it
// has never seen. The tallies by language add up those held-out results.
func LeaveOneFamilyOut(rows []Row) (*Evaluation, error) {
	ex := prepare(rows)
	full, _, err := train(ex)
	if err != nil {
		return nil, err
	}
	var families []string
	for _, r := range rows {
		if !slices.Contains(families, r.Family) {
			families = append(families, r.Family)
		}
	}
	slices.Sort(families)
	ev := newEvaluation()
	s := newScreener(full) // its model is swapped for each family's
	for _, fam := range families {
		var in []int
		for i := range ex {
			if ex[i].row.Family != fam {
				in = append(in, i)
			}
		}
		m := fit(ex, in)
		m.thr, m.vetoes = full.thr, full.vetoes
		s.mod = m
		for _, r := range rows {
			if r.Family == fam {
				ev.add(r, s.Screen(r.Text))
			}
		}
	}
	return ev, nil
}

// Write prints the evaluation as three tables: all rows, by language, by
// family.
func (ev *Evaluation) Write(w io.Writer) error {
	var b strings.Builder
	head := fmt.Sprintf("%-24s %6s %13s %13s %6s %13s %13s\n", "", "risky", "recall", "urgent→urgent", "asked", "hard-neg FA", "everyday FA")
	row := func(name string, t *Tally) {
		fmt.Fprintf(&b, "%-24s %6d %13s %13s %6d %13s %13s\n", name, t.Risky,
			frac(t.Hits, t.Risky), frac(t.UrgentHits, t.Urgent), t.Asked, frac(t.HardNegFA, t.HardNeg), frac(t.EverydayFA, t.Everyday))
	}
	b.WriteString(head)
	row("all", &ev.All)
	for _, group := range []map[string]*Tally{ev.ByLang, ev.ByFamily} {
		b.WriteString("\n" + head)
		keys := make([]string, 0, len(group))
		for k := range group {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			row(k, group[k])
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// frac prints a/b as "a/b 0.000", or "-" when b is 0.
func frac(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d %.3f", a, b, float64(a)/float64(b))
}
