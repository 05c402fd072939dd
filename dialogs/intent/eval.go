package intent

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ohcontact/ohcontact/escalation/risk"
)

// Unseen returns the rows that do not nearly repeat a row of corpus (the
// risk screen's near-duplicate check, risk.NearIndex), and how many were
// left out: a blind batch's figures are for text the model was not
// trained on.
func Unseen(rows, corpus []Row) ([]Row, int) {
	texts := make([]string, len(corpus))
	for i, r := range corpus {
		texts[i] = r.Text
	}
	near := risk.NewNearIndex(texts)
	var out []Row
	for _, r := range rows {
		if _, ok := near.Find(r.Text); !ok {
			out = append(out, r)
		}
	}
	return out, len(rows) - len(out)
}

// Tally counts how the classifier did on labelled rows: per intent, the
// rows labelled with it (Labelled), those classified as it (Taken), those
// both (Right), and those labelled with it that the engine would ask
// about (Asked: Result.AskAbsence).
type Tally struct {
	Rows                          int
	Labelled, Taken, Right, Asked [nIntents]int
}

func (t *Tally) add(r Row, got Result) {
	t.Rows++
	want, g := index(r.Intent), index(got.Intent)
	t.Labelled[want]++
	t.Taken[g]++
	if want == g {
		t.Right[g]++
	}
	if got.AskAbsence {
		t.Asked[want]++
	}
}

// AbsenceRecall is the share of absence reports classified as absence.
func (t *Tally) AbsenceRecall() (int, int) { return t.Right[iAbsence], t.Labelled[iAbsence] }

// FalseAbsence is the share of other messages classified as absence.
func (t *Tally) FalseAbsence() (int, int) {
	return t.Taken[iAbsence] - t.Right[iAbsence], t.Rows - t.Labelled[iAbsence]
}

// AbsenceAsked is the share of absence reports the engine would ask about.
func (t *Tally) AbsenceAsked() (int, int) { return t.Asked[iAbsence], t.Labelled[iAbsence] }

// AbsenceMissed is the share of absence reports neither taken nor asked
// about.
func (t *Tally) AbsenceMissed() (int, int) {
	n := t.Labelled[iAbsence]
	return n - t.Right[iAbsence] - t.Asked[iAbsence], n
}

// OthersAsked is the share of other messages the engine would ask about.
func (t *Tally) OthersAsked() (int, int) {
	asked := 0
	for c, n := range t.Asked {
		if c != iAbsence {
			asked += n
		}
	}
	return asked, t.Rows - t.Labelled[iAbsence]
}

// Evaluation is the classifier's tally on labelled rows: overall, by
// language and by family.
type Evaluation struct {
	All      Tally
	ByLang   map[string]*Tally
	ByFamily map[string]*Tally
}

func newEvaluation() *Evaluation {
	return &Evaluation{ByLang: map[string]*Tally{}, ByFamily: map[string]*Tally{}}
}

func (ev *Evaluation) add(r Row, got Result) {
	ev.All.add(r, got)
	for _, m := range []struct {
		m   map[string]*Tally
		key string
	}{{ev.ByLang, r.Lang}, {ev.ByFamily, r.Family}} {
		t := m.m[m.key]
		if t == nil {
			t = &Tally{}
			m.m[m.key] = t
		}
		t.add(r, got)
	}
}

// Evaluate classifies rows with c.
func Evaluate(c *Classifier, rows []Row) *Evaluation {
	ev := newEvaluation()
	for _, r := range rows {
		ev.add(r, c.Classify(r.Text))
	}
	return ev
}

// CrossValidate returns the cross-validated figures of a model trained on
// rows: each row classified by the model of the fold that left it out,
// with the thresholds chosen on all the folds (as Train chooses them).
func CrossValidate(rows []Row) (*Evaluation, error) {
	m, oof, err := train(rows)
	if err != nil {
		return nil, err
	}
	ev := newEvaluation()
	for i, r := range rows {
		ev.add(r, m.decide(oof[i]))
	}
	return ev, nil
}

// LeaveOneFamilyOut trains the model once per family on every other
// family's rows (with the thresholds chosen on all of them) and classifies
// the family left out: how the classifier does on a kind of message it has
// never seen.
func LeaveOneFamilyOut(rows []Row) (*Evaluation, error) {
	full, _, err := train(rows)
	if err != nil {
		return nil, err
	}
	ex := prepare(rows)
	var families []string
	for _, r := range rows {
		if !slices.Contains(families, r.Family) {
			families = append(families, r.Family)
		}
	}
	slices.Sort(families)
	ev := newEvaluation()
	for _, fam := range families {
		var in []int
		for i, r := range rows {
			if r.Family != fam {
				in = append(in, i)
			}
		}
		m := fit(ex, in)
		m.absence, m.ask, m.other = full.absence, full.ask, full.other
		for i, r := range rows {
			if r.Family == fam {
				ev.add(r, m.decide(m.probs(ex[i].feats)))
			}
		}
	}
	return ev, nil
}

// Write prints the evaluation: per intent recall and precision over all
// rows, then overall, by language and by family: absence reports taken
// directly (absence recall), other messages taken for one (false
// absence), absence reports asked about and missed (neither taken nor
// asked), and other messages asked about.
func (ev *Evaluation) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%-14s %6s %15s %15s\n", "intent", "rows", "recall", "precision")
	for c, in := range Intents {
		t := &ev.All
		fmt.Fprintf(&b, "%-14s %6d %15s %15s\n", in, t.Labelled[c], frac(t.Right[c], t.Labelled[c]), frac(t.Right[c], t.Taken[c]))
	}
	head := fmt.Sprintf("\n%-24s %6s %15s %15s %15s %15s %15s\n", "", "rows", "absence recall", "false absence",
		"absence asked", "absence missed", "others asked")
	row := func(name string, t *Tally) {
		r, rn := t.AbsenceRecall()
		f, fn := t.FalseAbsence()
		a, an := t.AbsenceAsked()
		m, mn := t.AbsenceMissed()
		o, on := t.OthersAsked()
		fmt.Fprintf(&b, "%-24s %6d %15s %15s %15s %15s %15s\n", name, t.Rows, frac(r, rn), frac(f, fn), frac(a, an), frac(m, mn), frac(o, on))
	}
	b.WriteString(head)
	row("all", &ev.All)
	for _, group := range []map[string]*Tally{ev.ByLang, ev.ByFamily} {
		b.WriteString(head)
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
