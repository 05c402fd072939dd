package risk

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ohcontact/ohcontact"
)

// The model is a logistic regression with three heads over hashed features
// of the normalised message (the lexicon's tokens: text-speak expanded,
// misspellings corrected, meaningful emoji as words):
//   - word unigrams and bigrams (a bigram never crosses into another
//     clause; numbers are one word),
//   - every other emoji or symbol as itself.
//
// Character n-grams were tried and left out: on the corpus they lowered
// the cross-validated AUC from 0.955 to 0.935 (RISK.md); the normaliser
// already folds the misspellings they would catch.
//
// The heads estimate, each on its own: any risk (a label of routine or
// above), high or above, and urgent. A message is scored as a whole and
// clause by clause (a clause ends at a sentence break or before "but" and
// its like), and each head takes the highest of those logits, so that a
// risky clause in a long message is not diluted by the rest.
//
// model.bin is written by `ohcontact risk train` (or go generate) from the
// corpus in corpus/, deterministically: the same corpus gives the same
// bytes (TestModelRetrainsByteIdentically). Its layout, little-endian:
// "OHRISK01", bits (uint8), the lexicon vetoes that apply (uint8, bits
// 1<<cutReason), the four thresholds (float32 logits: positive,
// ask, high, urgent), then per head its bias and scale (float32) and 2^bits
// int16 weights (weight = int16 × scale).
//
//go:generate go run ../../cmd/ohcontact risk train --corpus corpus --out model.bin
//go:embed model.bin
var modelBin []byte

const (
	modelMagic = "OHRISK01"
	modelBits  = 18 // 2^18 hashed features: 1.5 MiB for three heads
)

// The model's heads.
const (
	headAny    = iota // any risk: a label of routine or above
	headHigh          // high or urgent
	headUrgent        // urgent
	nHeads
)

// thresholds are the model's cut-offs, as logits, chosen by cross-validation
// on the corpus when it is trained (train.go).
type thresholds struct {
	Positive float32 // headAny at or above: positive
	Ask      float32 // headAny at or above, yet below Positive: ask directly
	High     float32 // headHigh at or above (when positive): high
	Urgent   float32 // headUrgent at or above (when positive): urgent
}

// model is a trained model ready to score.
type model struct {
	bits   uint8
	vetoes vetoSet // the lexicon's vetoes that cancel a positive model
	thr    thresholds
	bias   [nHeads]float32
	scale  [nHeads]float32
	w      [nHeads][]int16
}

// parseModel reads model.bin's layout.
func parseModel(b []byte) (*model, error) {
	if len(b) < len(modelMagic)+2 || string(b[:len(modelMagic)]) != modelMagic {
		return nil, errors.New("not a risk model")
	}
	b = b[len(modelMagic):]
	m := &model{bits: b[0], vetoes: vetoSet(b[1])}
	b = b[2:]
	if m.bits < 8 || m.bits > 24 {
		return nil, fmt.Errorf("model has %d feature bits", m.bits)
	}
	n := 1 << m.bits
	if len(b) != 16+nHeads*(8+2*n) {
		return nil, fmt.Errorf("model is %d bytes, want %d", len(b), 16+nHeads*(8+2*n))
	}
	f32 := func() float32 {
		v := math.Float32frombits(binary.LittleEndian.Uint32(b))
		b = b[4:]
		return v
	}
	m.thr = thresholds{Positive: f32(), Ask: f32(), High: f32(), Urgent: f32()}
	for h := range nHeads {
		m.bias[h], m.scale[h] = f32(), f32()
		m.w[h] = make([]int16, n)
		for i := range m.w[h] {
			m.w[h][i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
		}
		b = b[2*n:]
	}
	return m, nil
}

// marshal writes m in model.bin's layout.
func (m *model) marshal() []byte {
	n := 1 << m.bits
	out := make([]byte, 0, len(modelMagic)+2+16+nHeads*(8+2*n))
	out = append(out, modelMagic...)
	out = append(out, m.bits, byte(m.vetoes))
	f32 := func(v float32) { out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v)) }
	f32(m.thr.Positive)
	f32(m.thr.Ask)
	f32(m.thr.High)
	f32(m.thr.Urgent)
	for h := range nHeads {
		f32(m.bias[h])
		f32(m.scale[h])
		for _, w := range m.w[h] {
			out = binary.LittleEndian.AppendUint16(out, uint16(w))
		}
	}
	return out
}

// feature is one hashed feature of a message: its bucket, the token it
// belongs to (for a bigram, the second word) and its clause (sent).
type feature struct {
	idx    uint32
	tok    int32
	sent   int32
	bigram bool
}

// Seeds keep the kinds of feature apart in the hash.
const (
	seedWord   = 0x9e3779b9
	seedBigram = 0x85ebca6b
	seedSymbol = 0x27d4eb2f
)

// hashString continues an FNV-1a hash h over s.
func hashString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

func hashByte(h uint32, b byte) uint32 {
	h ^= uint32(b)
	return h * 16777619
}

// contrast are the words that start a clause of their own for the model
// ("no, but I've got the tablets ready"): a clause is scored alone, so a
// denial or an everyday clause before it cannot hide it.
var contrast = map[string]bool{"but": true, "ond": true, "ale": true, "lecz": true, "although": true, "though": true}

// modelWord is the word a token stands for in the model: numbers are one
// word, so that "30 tablets" and "50 tablets" are alike.
func modelWord(t *riskToken) string {
	if t.num >= 0 {
		return "#"
	}
	return t.w
}

// features lists the hashed features of the tokenised message in sc.feats,
// with mask = 2^bits − 1.
func (sc *riskScratch) features(mask uint32) {
	feats := sc.feats[:0]
	sent := int32(0)
	sym := 0
	for i := range sc.toks {
		t := &sc.toks[i]
		newClause := i > 0 && (t.brk == brkHard || contrast[t.w])
		if newClause {
			sent++
		}
		for ; sym < len(sc.symbols) && sc.symbols[sym].before <= int32(i); sym++ {
			h := hashString(seedSymbol, string(sc.symbols[sym].r))
			feats = append(feats, feature{idx: h & mask, tok: -1, sent: sent})
		}
		w := modelWord(t)
		feats = append(feats, feature{idx: hashString(seedWord, w) & mask, tok: int32(i), sent: sent})
		if i > 0 && !newClause {
			h := hashString(seedBigram, modelWord(&sc.toks[i-1]))
			h = hashString(hashByte(h, ' '), w)
			feats = append(feats, feature{idx: h & mask, tok: int32(i), sent: sent, bigram: true})
		}
	}
	for ; sym < len(sc.symbols); sym++ {
		h := hashString(seedSymbol, string(sc.symbols[sym].r))
		feats = append(feats, feature{idx: h & mask, tok: -1, sent: sent})
	}
	sc.feats = feats
}

// modelScore is the model's logit for each head.
type modelScore [nHeads]float32

// score scores a message's features: per head, the highest logit of the
// whole message and of each of its clauses. buf is scratch space.
func (m *model) score(feats []feature, buf *[][nHeads]int64) modelScore {
	nSent := 1
	if len(feats) > 0 {
		nSent = int(feats[len(feats)-1].sent) + 1
	}
	sums := slices.Grow((*buf)[:0], nSent)[:nSent]
	clear(sums)
	for _, f := range feats {
		for h := range nHeads {
			sums[f.sent][h] += int64(m.w[h][f.idx])
		}
	}
	*buf = sums
	var out modelScore
	for h := range nHeads {
		whole := int64(0) // no overflow: a 1 MiB line has under 2^20 features of at most 2^15
		best := int64(math.MinInt64)
		for _, s := range sums {
			whole += s[h]
			best = max(best, s[h])
		}
		if nSent > 1 {
			best = max(best, whole)
		}
		out[h] = m.bias[h] + float32(float32(best)*m.scale[h]) // never fused: the same on every machine
	}
	return out
}

// drivers returns up to n tokens whose features pushed the any-risk head up
// the most, strongest first.
func (m *model) drivers(sc *riskScratch, n int) []int32 {
	contrib := slices.Grow(sc.contribTok[:0], len(sc.toks))[:len(sc.toks)]
	clear(contrib)
	for _, f := range sc.feats {
		if f.tok < 0 {
			continue
		}
		w := float32(m.w[headAny][f.idx])
		if f.bigram {
			contrib[f.tok] += w / 2
			contrib[f.tok-1] += w / 2
			continue
		}
		contrib[f.tok] += w
	}
	sc.contribTok = contrib
	var out []int32
	for range n {
		best, bestV := int32(-1), float32(0)
		for i, v := range contrib {
			if v > bestV && !slices.ContainsFunc(out, func(o int32) bool { return sc.toks[o].src0 == sc.toks[i].src0 }) {
				best, bestV = int32(i), v
			}
		}
		if best < 0 {
			break
		}
		out = append(out, best)
	}
	return out
}

// explainModel joins the model's outcome v to the lexicon's result lex:
// the priority the table chose, possible_risk where the model alone found it,
// Ask, and the words the model weighed as evidence whenever it reached the
// Ask band.
func (s *Screener) explainModel(sc *riskScratch, lex ohcontact.RiskResult, v outcome, ms modelScore) ohcontact.RiskResult {
	res := lex
	if v.model {
		res.Priority = v.pri
		if res.Category == "" {
			res.Category = CategoryPossibleRisk
		}
	}
	res.Ask = v.ask
	if ms[headAny] < s.mod.thr.Ask || !(res.Priority.Positive() || res.Ask) || len(res.Evidence) >= maxRiskEvidence {
		return res
	}
	var b strings.Builder
	fmt.Fprintf(&b, "model %.2f:", sigmoid(ms[headAny]))
	for i, t := range s.mod.drivers(sc, 3) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(" " + strconv.Quote(sc.display(sc.toks[t].src0, sc.toks[t].src1)))
	}
	res.Evidence = append(res.Evidence, b.String()+" (words the model weighed)")
	return res
}

// sigmoid turns a logit into a probability.
func sigmoid(x float32) float32 { return float32(1 / (1 + math.Exp(-float64(x)))) }
