package intent

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

	"github.com/ohcontact/ohcontact/escalation/risk"
)

// Row is one labelled message of the corpus (corpus/README.md).
type Row struct {
	Intent Intent
	Family string
	Lang   string // en, cy or pl
	Batch  string
	Text   string
}

// ReadRows reads corpus rows, intent<TAB>family<TAB>language<TAB>batch<TAB>text,
// skipping blank lines and lines starting with '#'. name is used in errors.
func ReadRows(name string, r io.Reader) ([]Row, error) {
	var rows []Row
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 5 || strings.TrimSpace(cols[4]) == "" {
			return nil, fmt.Errorf("%s:%d: want intent, family, language, batch and text, tab-separated", name, n)
		}
		in := Intent(strings.TrimSpace(cols[0]))
		if index(in) < 0 {
			return nil, fmt.Errorf("%s:%d: unknown intent %q", name, n, cols[0])
		}
		switch cols[2] {
		case "en", "cy", "pl":
		default:
			return nil, fmt.Errorf("%s:%d: unknown language %q", name, n, cols[2])
		}
		rows = append(rows, Row{Intent: in, Family: cols[1], Lang: cols[2], Batch: cols[3], Text: cols[4]})
	}
	return rows, sc.Err()
}

// ReadCorpus reads every *.tsv file of dir, in name order (ReadRows).
func ReadCorpus(dir string) ([]Row, error) { return risk.ReadDir(dir, ReadRows) }

// ReadFiles reads the rows of each named file, in turn (ReadRows).
func ReadFiles(names ...string) ([]Row, error) { return risk.ReadNamed(ReadRows, names...) }

// Training settings. Changing any changes model.bin.
const (
	trainEpochs = 6
	trainRate   = 0.05 // AdaGrad step
	cvFolds     = 5
	cvBlock     = 10 // consecutive rows kept in one fold: rows written as variants stay together
	// The absence threshold is the highest that keeps targetAbsence of the
	// absence rows on cross-validation, but never so low that more than
	// maxFalseAbsence of the other rows are taken for an absence report.
	targetAbsence   = 0.97
	maxFalseAbsence = 0.015
	// The ask threshold is the highest that keeps targetAsked of the
	// absence rows taken or asked about on cross-validation, but never so
	// low that more than maxAsked of the other rows are asked about.
	targetAsked = 0.99
	maxAsked    = 0.10
	// The other threshold is the lowest at which the intents other than
	// absence and none taken on cross-validation are right at least
	// minOtherPrecision of the time; never below minOther.
	minOtherPrecision = 0.9
	minOther          = 0.4
)

// example is a row ready for training.
type example struct {
	y     int // index of the row's intent
	feats []uint32
}

func prepare(rows []Row) []example {
	out := make([]example, len(rows))
	for i, r := range rows {
		out[i] = example{y: index(r.Intent), feats: features(r.Text, modelBits, nil)}
	}
	return out
}

// Train trains the model on rows and returns model.bin's bytes. It is
// deterministic: the same rows in the same order give the same bytes on
// every machine (a fixed shuffle, a fixed order of floating-point
// operations, explicit conversions that keep the compiler from fusing
// them, and risk.Exp).
func Train(rows []Row) ([]byte, error) {
	m, _, err := train(rows)
	if err != nil {
		return nil, err
	}
	return m.marshal(), nil
}

// train fits the model on every row, with thresholds chosen from
// cross-validated probabilities, which it also returns (by row).
func train(rows []Row) (*model, [][nIntents]float32, error) {
	if len(rows) < 10*cvFolds {
		return nil, nil, errors.New("intent: too few rows to train on")
	}
	for _, in := range Intents {
		if !slices.ContainsFunc(rows, func(r Row) bool { return r.Intent == in }) {
			return nil, nil, fmt.Errorf("intent: no row of intent %s", in)
		}
	}
	ex := prepare(rows)
	oof := make([][nIntents]float32, len(ex))
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
			oof[i] = m.probs(ex[i].feats)
		}
	}
	all := make([]int, len(ex))
	for i := range all {
		all[i] = i
	}
	m := fit(ex, all)
	m.absence, m.ask, m.other = choose(ex, oof)
	return m, oof, nil
}

// fit trains a softmax regression on ex[idx] with AdaGrad, each intent
// weighted by the square root of its rarity, and quantises the weights.
func fit(ex []example, idx []int) *model {
	n := 1 << modelBits
	m := &model{bits: modelBits}
	var count [nIntents]int
	for _, i := range idx {
		count[ex[i].y]++
	}
	var cw [nIntents]float64
	for c := range nIntents {
		cw[c] = math.Sqrt(float64(len(idx)) / float64(nIntents*max(count[c], 1)))
	}
	w := make([]float64, n*nIntents)
	g2 := make([]float64, n*nIntents)
	var bias, bias2 [nIntents]float64
	order := slices.Clone(idx)
	rng := rand.New(rand.NewPCG(1, 0x1e47e47))
	var z [nIntents]float64
	for range trainEpochs {
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, i := range order {
			e := &ex[i]
			z = bias
			for _, f := range e.feats {
				row := w[int(f)*nIntents:]
				for c := range nIntents {
					z[c] += row[c]
				}
			}
			top := math.Inf(-1)
			for c := range nIntents {
				top = max(top, z[c])
			}
			total := 0.0
			for c := range nIntents {
				z[c] = risk.Exp(z[c] - top)
				total += z[c]
			}
			for c := range nIntents {
				y := 0.0
				if c == e.y {
					y = 1
				}
				g := float64((z[c]/total - y) * cw[e.y])
				gg := float64(g * g)
				bias2[c] += gg
				bias[c] -= float64(trainRate * g / (math.Sqrt(bias2[c]) + 1e-8))
				for _, f := range e.feats {
					k := int(f)*nIntents + c
					g2[k] += gg
					w[k] -= float64(trainRate * g / (math.Sqrt(g2[k]) + 1e-8))
				}
			}
		}
	}
	m.w = make([]int16, n*nIntents)
	for c := range nIntents {
		maxAbs := 0.0
		for b := range n {
			maxAbs = max(maxAbs, math.Abs(w[b*nIntents+c]))
		}
		scale := max(maxAbs/32767, 1e-9)
		m.bias[c], m.scale[c] = float32(bias[c]), float32(scale)
		for b := range n {
			m.w[b*nIntents+c] = int16(math.Round(w[b*nIntents+c] / scale))
		}
	}
	return m
}

// choose picks the absence, ask and other thresholds from cross-validated
// probabilities (see the settings above).
func choose(ex []example, oof [][nIntents]float32) (absence, ask, other float32) {
	var pos, neg []float32
	for i := range ex {
		if ex[i].y == iAbsence {
			pos = append(pos, oof[i][iAbsence])
		} else {
			neg = append(neg, oof[i][iAbsence])
		}
	}
	desc := func(a, b float32) int { return cmp.Compare(b, a) }
	slices.SortFunc(pos, desc)
	slices.SortFunc(neg, desc)
	k := int(math.Ceil(targetAbsence * float64(len(pos))))
	absence = pos[min(max(k, 1), len(pos))-1]
	if allowed := int(maxFalseAbsence * float64(len(neg))); allowed < len(neg) {
		absence = max(absence, math.Nextafter32(neg[allowed], float32(math.Inf(1))))
	}
	k = int(math.Ceil(targetAsked * float64(len(pos))))
	ask = pos[min(max(k, 1), len(pos))-1]
	falseAbsences := 0 // the others taken for absence come first in neg
	for falseAbsences < len(neg) && neg[falseAbsences] >= absence {
		falseAbsences++
	}
	if allowed := falseAbsences + int(maxAsked*float64(len(neg))); allowed < len(neg) {
		ask = max(ask, math.Nextafter32(neg[allowed], float32(math.Inf(1))))
	}
	ask = min(ask, absence)

	// Other intents: walk the messages not taken for absence from the
	// surest, and keep the lowest probability at which the ones taken so
	// far are still right often enough.
	type taken struct {
		p     float32
		right bool
	}
	var ts []taken
	for i := range ex {
		p := oof[i]
		if p[iAbsence] >= absence {
			continue
		}
		m := &model{absence: absence, ask: absence, other: 0}
		r := m.decide(p)
		ts = append(ts, taken{r.Score, index(r.Intent) == ex[i].y})
	}
	slices.SortFunc(ts, func(a, b taken) int { return cmp.Compare(b.p, a.p) })
	other = 1
	right := 0
	for j, t := range ts {
		if t.right {
			right++
		}
		if t.p >= minOther && float64(right) >= minOtherPrecision*float64(j+1) {
			other = t.p
		}
	}
	return absence, ask, max(other, minOther)
}
