package intent

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/ohcontact/ohcontact/escalation/risk"
)

// The model is a multinomial (softmax) logistic regression over hashed
// features of the message's canonical words (risk.Words: the risk screen's
// normalisation, so both models read "cant", "can't" and "cannot" alike):
//   - word unigrams, and bigrams and skip-bigrams (two words with one
//     between) that do not cross into another clause,
//   - the first word of the message, as its own feature,
//   - the word classes of concepts.go ("@ill", "@leave", "@other",
//     "@past", "@back") as words of their own, and in bigrams in place of
//     their members.
//
// Character 3- and 4-grams were tried and left out: on the corpus they
// lowered cross-validated absence recall at 1.5% false absences from 0.70
// to 0.58 (INTENT.md). The concept classes raised it from 0.71 to 0.82.
//
// model.bin is written by `ohcontact intent train` (or go generate) from
// the corpus in corpus/, deterministically: the same corpus gives the same
// bytes (TestModelRetrainsByteIdentically). Its layout, little-endian:
// "OHINTE02", bits (uint8), the number of intents (uint8), the absence, ask
// and other thresholds (float32 probabilities), per intent its bias and scale (float32), then for each
// of the 2^bits buckets one int16 weight per intent (weight = int16 ×
// scale).
//
//go:generate go run ../../cmd/ohcontact intent train --corpus corpus --out model.bin
//go:embed model.bin
var modelBin []byte

const (
	modelMagic = "OHINTE02"
	modelBits  = 15 // 2^15 buckets × 8 intents × 2 bytes: 512 KiB
)

// model is a trained model ready to score.
type model struct {
	bits uint8
	// absence is the probability of absence at or above which a message
	// is an absence report; ask the probability at or above which, below
	// absence, the engine asks whether it is one (Result.AskAbsence);
	// other the probability another intent (not none) needs to be taken.
	absence, ask, other float32
	bias, scale         [nIntents]float32
	w                   []int16 // bucket-major: w[bucket*nIntents+intent]
}

// parseModel reads model.bin's layout.
func parseModel(b []byte) (*model, error) {
	if len(b) < len(modelMagic)+2 || string(b[:len(modelMagic)]) != modelMagic {
		return nil, errors.New("not an intent model")
	}
	b = b[len(modelMagic):]
	m := &model{bits: b[0]}
	if b[1] != nIntents {
		return nil, fmt.Errorf("model has %d intents, want %d", b[1], nIntents)
	}
	b = b[2:]
	if m.bits < 8 || m.bits > 20 {
		return nil, fmt.Errorf("model has %d feature bits", m.bits)
	}
	n := (1 << m.bits) * nIntents
	if want := 12 + nIntents*8 + 2*n; len(b) != want {
		return nil, fmt.Errorf("model is %d bytes, want %d", len(b), want)
	}
	f32 := func() float32 {
		v := math.Float32frombits(binary.LittleEndian.Uint32(b))
		b = b[4:]
		return v
	}
	m.absence, m.ask, m.other = f32(), f32(), f32()
	for c := range nIntents {
		m.bias[c], m.scale[c] = f32(), f32()
	}
	m.w = make([]int16, n)
	for i := range m.w {
		m.w[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return m, nil
}

// marshal writes m in model.bin's layout.
func (m *model) marshal() []byte {
	out := make([]byte, 0, len(modelMagic)+2+12+nIntents*8+2*len(m.w))
	out = append(out, modelMagic...)
	out = append(out, m.bits, nIntents)
	f32 := func(v float32) { out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v)) }
	f32(m.absence)
	f32(m.ask)
	f32(m.other)
	for c := range nIntents {
		f32(m.bias[c])
		f32(m.scale[c])
	}
	for _, w := range m.w {
		out = binary.LittleEndian.AppendUint16(out, uint16(w))
	}
	return out
}

// Seeds keep the kinds of feature apart in the hash.
const (
	seedWord   = 0x9e3779b9
	seedBigram = 0x85ebca6b
	seedFirst  = 0xc2b2ae35
	seedSkip   = 0x165667b1
)

// hashString continues an FNV-1a hash h over s.
func hashString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// features returns the hashed features of text (buckets below 2^bits),
// appended to buf.
func features(text string, bits uint8, buf []uint32) []uint32 {
	mask := uint32(1)<<bits - 1
	words := risk.Words(text)
	out := buf[:0]
	prevC := ""
	for i, w := range words {
		c := concept(w.Text)
		out = append(out, hashString(seedWord, w.Text)&mask)
		if c != "" {
			out = append(out, hashString(seedWord, c)&mask)
		}
		if i == 0 {
			out = append(out, hashString(seedFirst, w.Text)&mask)
		} else if !w.Clause {
			prev := words[i-1].Text
			h := hashString(seedBigram, prev)
			out = append(out, hashString(h^' ', w.Text)&mask)
			if c != "" || prevC != "" {
				if prevC != "" {
					prev = prevC
				}
				cur := w.Text
				if c != "" {
					cur = c
				}
				h := hashString(seedBigram, prev)
				out = append(out, hashString(h^' ', cur)&mask)
			}
			if i > 1 && !words[i-1].Clause {
				h := hashString(seedSkip, words[i-2].Text)
				out = append(out, hashString(h^' ', w.Text)&mask)
			}
		}
		prevC = c
	}
	if strings.ContainsRune(text, '?') {
		out = append(out, hashString(seedWord, "@?")&mask)
	}
	return out
}

// probs returns the model's probability of each intent for features f.
func (m *model) probs(f []uint32) [nIntents]float32 {
	var sums [nIntents]int64
	for _, idx := range f {
		row := m.w[int(idx)*nIntents : int(idx)*nIntents+nIntents]
		for c := range nIntents {
			sums[c] += int64(row[c])
		}
	}
	var z [nIntents]float64
	top := math.Inf(-1)
	for c := range nIntents {
		z[c] = float64(m.bias[c] + float32(float32(sums[c])*m.scale[c]))
		top = max(top, z[c])
	}
	var p [nIntents]float32
	total := 0.0
	for c := range nIntents {
		z[c] = risk.Exp(z[c] - top)
		total += z[c]
	}
	for c := range nIntents {
		p[c] = float32(z[c] / total)
	}
	return p
}

// decide turns probabilities into an intent and its score: absence when
// its probability reaches the absence threshold; else the likeliest other
// intent when it reaches the other threshold; else none. Below the absence
// threshold, AskAbsence is set when the probability of absence reaches the
// ask threshold.
func (m *model) decide(p [nIntents]float32) Result {
	if p[iAbsence] >= m.absence {
		return Result{Intent: Absence, Score: p[iAbsence]}
	}
	ask := p[iAbsence] >= m.ask
	best := -1
	for c := range nIntents {
		if c == iAbsence || c == iNone {
			continue
		}
		if best < 0 || p[c] > p[best] {
			best = c
		}
	}
	if p[best] >= m.other {
		return Result{Intent: Intents[best], Score: p[best], AskAbsence: ask}
	}
	return Result{Intent: None, Score: p[iNone], AskAbsence: ask}
}
