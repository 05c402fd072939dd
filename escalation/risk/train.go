package risk

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/ohcontact/ohcontact"
)

// Row is one labelled message of the corpus (corpus/README.md).
type Row struct {
	Priority ohcontact.Priority // the lowest priority a clinician would accept
	Family   string
	Lang     string // en, cy or pl
	Batch    string
	Text     string
}

// Risky reports whether the row must bring a person in.
func (r Row) Risky() bool { return r.Priority.Positive() }

// ReadRows reads corpus rows, priority<TAB>family<TAB>language<TAB>batch<TAB>text,
// skipping blank lines and lines starting with '#'. name is used in errors.
func ReadRows(name string, r io.Reader) ([]Row, error) {
	var rows []Row
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 5 || cols[4] == "" {
			return nil, fmt.Errorf("%s:%d: want priority, family, language, batch and text, tab-separated", name, n)
		}
		p := ohcontact.Priority(cols[0])
		if p != ohcontact.PriorityNone && p.Rank() == 0 {
			return nil, fmt.Errorf("%s:%d: unknown priority %q", name, n, cols[0])
		}
		switch cols[2] {
		case "en", "cy", "pl":
		default:
			return nil, fmt.Errorf("%s:%d: unknown language %q", name, n, cols[2])
		}
		rows = append(rows, Row{Priority: p, Family: cols[1], Lang: cols[2], Batch: cols[3], Text: cols[4]})
	}
	return rows, sc.Err()
}

// Training settings. Changing any changes model.bin.
const (
	trainEpochs = 10
	trainRate   = 0.05 // AdaGrad step
	cvFolds     = 5    // for thresholds and vetoes
	cvBlock     = 10   // consecutive rows kept in one fold: minimal pairs stay together
	targetAny   = 0.98 // cross-validated recall the Positive threshold aims at
	targetAsk   = 0.99 // … counting asks, for the Ask threshold
	targetHigh  = 0.97 // high-or-urgent rows flagged high or urgent
	targetUrg   = 0.97 // urgent rows flagged urgent
	// The Positive threshold never goes below what keeps false alarms
	// within these shares (cross-validated, with the lexicon's own); what
	// it then misses, the Ask band is there to catch. Hard negatives here
	// are those written on their own: minimal pairs (families "pair…")
	// are built to sit next to a risky message, so they train the model
	// but would overstate how often everyday risk words raise alarms.
	maxHardNegFA   = 0.10
	maxEverydayFA  = 0.02
	maxEverydayAsk = 0.10 // share of everyday replies the Ask band may take
)

// example is a row ready for training: its features and what the lexicon
// made of it.
type example struct {
	row    Row
	feats  []feature
	lexPri ohcontact.Priority
	lexCat string
	vetoes vetoSet
	words  int
}

func (e *example) label(h int) bool {
	switch h {
	case headAny:
		return e.row.Priority.Positive()
	case headHigh:
		return e.row.Priority.Rank() >= ohcontact.PriorityHigh.Rank()
	}
	return e.row.Priority == ohcontact.PriorityUrgent
}

// prepare tokenises every row once, with the lexicon.
func prepare(rows []Row) []example {
	s := newScreener(&model{bits: modelBits})
	out := make([]example, len(rows))
	sc := new(riskScratch)
	for i, r := range rows {
		s.tokenise(sc, r.Text)
		s.findHits(sc)
		lex := s.decide(sc)
		sc.features(1<<modelBits - 1)
		out[i] = example{row: r, feats: slices.Clone(sc.feats), lexPri: lex.Priority, lexCat: lex.Category, vetoes: sc.vetoes,
			words: len(sc.toks)}
	}
	return out
}

// Train trains the model on rows and returns model.bin's bytes. It is
// deterministic: the same rows in the same order give the same bytes on
// every machine (fixed seeds, a fixed order of floating-point operations,
// explicit conversions that keep the compiler from fusing them).
func Train(rows []Row) ([]byte, error) {
	m, _, err := train(prepare(rows))
	if err != nil {
		return nil, err
	}
	return m.marshal(), nil
}

// train fits the heads on every example, with thresholds and vetoes chosen
// from cross-validated scores. It returns the model and those scores.
func train(ex []example) (*model, []modelScore, error) {
	if len(ex) < 10*cvFolds {
		return nil, nil, errors.New("risk: too few rows to train on")
	}
	oof := make([]modelScore, len(ex))
	var buf [][nHeads]int64
	for f := range cvFolds {
		var in, out []int
		for i := range ex {
			if (i/cvBlock)%cvFolds == f {
				out = append(out, i)
			} else {
				in = append(in, i)
			}
		}
		m := fit(ex, in)
		for _, i := range out {
			oof[i] = m.score(ex[i].feats, &buf)
			if ex[i].words < modelMinWords {
				oof[i] = silent // as verdict reads it
			}
		}
	}
	all := make([]int, len(ex))
	for i := range all {
		all[i] = i
	}
	m := fit(ex, all)
	m.thr, m.vetoes = choose(ex, oof)
	return m, oof, nil
}

// fit trains the three heads on ex[idx] by logistic regression with
// AdaGrad, each class weighted to count half, and quantises the weights.
func fit(ex []example, idx []int) *model {
	n := 1 << modelBits
	m := &model{bits: modelBits}
	order := slices.Clone(idx)
	for h := range nHeads {
		w := make([]float64, n)
		g2 := make([]float64, n)
		var bias, bias2 float64
		pos := 0
		for _, i := range idx {
			if ex[i].label(h) {
				pos++
			}
		}
		wPos := float64(len(idx)) / float64(2*max(pos, 1))
		wNeg := float64(len(idx)) / float64(2*max(len(idx)-pos, 1))
		rng := rand.New(rand.NewPCG(uint64(h)+1, 0x0c0ffee))
		for range trainEpochs {
			rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
			for _, i := range order {
				z := bias
				for _, f := range ex[i].feats {
					z += w[f.idx]
				}
				p := 1 / (1 + Exp(-z))
				y, cw := 0.0, wNeg
				if ex[i].label(h) {
					y, cw = 1, wPos
				}
				g := float64((p - y) * cw)
				bias2 += float64(g * g)
				bias -= float64(trainRate * g / (math.Sqrt(bias2) + 1e-8))
				for _, f := range ex[i].feats {
					g2[f.idx] += float64(g * g)
					w[f.idx] -= float64(trainRate * g / (math.Sqrt(g2[f.idx]) + 1e-8))
				}
			}
		}
		maxAbs := 0.0
		for _, v := range w {
			maxAbs = max(maxAbs, math.Abs(v))
		}
		scale := max(maxAbs/32767, 1e-9)
		m.bias[h], m.scale[h] = float32(bias), float32(scale)
		m.w[h] = make([]int16, n)
		for i, v := range w {
			m.w[h][i] = int16(math.Round(v / scale))
		}
	}
	return m
}

// choose picks the thresholds and vetoes from cross-validated scores, so
// that the lexicon and the model together reach the targets above on rows
// neither was trained on: the highest threshold that does (fewest false
// alarms at that recall), and the Ask band no lower than everyday replies
// allow. A lexicon veto applies only if it would cancel no risky row the
// model caught.
func choose(ex []example, oof []modelScore) (thresholds, vetoSet) {
	var thr thresholds
	// need returns the highest threshold on head h that catches enough of
	// the rows in want that the lexicon has not: target of want in all.
	need := func(h int, target float64, want, caught, gate func(i int) bool) float32 {
		total, have := 0, 0
		var open []float32
		for i := range ex {
			if !want(i) {
				continue
			}
			total++
			switch {
			case caught(i):
				have++
			case gate(i):
				open = append(open, oof[i][h])
			}
		}
		k := int(math.Ceil(target*float64(total))) - have
		slices.SortFunc(open, func(a, b float32) int { return cmp.Compare(b, a) })
		switch {
		case k <= 0:
			return float32(math.Inf(1))
		case k > len(open):
			return float32(math.Inf(-1))
		}
		return open[k-1]
	}
	always := func(int) bool { return true }
	risky := func(i int) bool { return ex[i].row.Risky() }
	lexPositive := func(i int) bool { return ex[i].lexPri.Positive() }
	thr.Positive = need(headAny, targetAny, risky, lexPositive, always)
	thr.Ask = need(headAny, targetAsk, risky, lexPositive, always)
	everyday := func(i int) bool { return !ex[i].row.Risky() && ex[i].row.Family == "everyday" }
	hardNeg := func(i int) bool {
		r := ex[i].row
		return !r.Risky() && r.Family != "everyday" && !strings.HasPrefix(r.Family, "pair")
	}
	thr.Positive = max(thr.Positive, faCap(ex, oof, hardNeg, maxHardNegFA), faCap(ex, oof, everyday, maxEverydayFA))
	thr.Ask = max(thr.Ask, faCap(ex, oof, everyday, maxEverydayAsk))
	thr.Ask = min(thr.Ask, thr.Positive)
	positive := func(i int) bool { return oof[i][headAny] >= thr.Positive }
	// The priority heads are judged on the rows the screen finds at all.
	found := func(i int) bool { return lexPositive(i) || positive(i) }
	thr.High = need(headHigh, targetHigh,
		func(i int) bool { return ex[i].row.Priority.Rank() >= ohcontact.PriorityHigh.Rank() && found(i) },
		func(i int) bool { return ex[i].lexPri.Rank() >= ohcontact.PriorityHigh.Rank() }, positive)
	thr.Urgent = need(headUrgent, targetUrg,
		func(i int) bool { return ex[i].row.Priority == ohcontact.PriorityUrgent && found(i) },
		func(i int) bool { return ex[i].lexPri == ohcontact.PriorityUrgent }, positive)

	var vetoes vetoSet
	for _, c := range []cutReason{cutException, cutNegated, cutOtherSubject, cutLaughter} {
		loses := false
		for i := range ex {
			e := &ex[i]
			if e.row.Risky() && !e.lexPri.Positive() && e.vetoes.has(c) && positive(i) {
				loses = true
				break
			}
		}
		if !loses {
			vetoes |= 1 << c
		}
	}
	return thr, vetoes
}

// faCap returns the lowest threshold on the any-risk head at which at most
// share of the benign rows in group are positive, counting those the
// lexicon flags already.
func faCap(ex []example, oof []modelScore, group func(i int) bool, share float64) float32 {
	total, flagged := 0, 0
	var open []float32
	for i := range ex {
		if !group(i) {
			continue
		}
		total++
		if ex[i].lexPri.Positive() {
			flagged++
			continue
		}
		open = append(open, oof[i][headAny])
	}
	allowed := int(share*float64(total)) - flagged
	slices.SortFunc(open, func(a, b float32) int { return cmp.Compare(b, a) })
	switch {
	case allowed < 0:
		return float32(math.Inf(1))
	case allowed >= len(open):
		return float32(math.Inf(-1))
	}
	return nextAbove(open[allowed])
}

// Exp returns e^x with the same operations on every machine: math.Exp may
// use fused multiply-add where the CPU has it, which would change a
// trained model's bytes from one machine to another (this model's and the
// intent model's, dialogs/intent). x = k·ln2 + r with
// |r| ≤ ln2/2, e^r by its Taylor series to the 13th term (error below
// 1e-15), each operation rounded on its own (explicit conversions).
func Exp(x float64) float64 {
	x = max(min(x, 700), -700)
	k := math.Round(x / math.Ln2)
	r := x - float64(k*math.Ln2)
	sum, term := 1.0, 1.0
	for i := 1; i <= 13; i++ {
		term = float64(term*r) / float64(i)
		sum += term
	}
	return math.Ldexp(sum, int(k))
}

// nextAbove returns the smallest float32 above v.
func nextAbove(v float32) float32 { return math.Nextafter32(v, float32(math.Inf(1))) }
