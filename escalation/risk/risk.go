// Package risk is the risk screen: the check that runs on every inbound
// message and on structured screening answers (PHQ-2, GAD-2, PHQ-9 item 9),
// deciding whether a person must be brought in and how fast. It is the only
// home of those instruments' scoring. See RISK.md for the method, its
// evaluation and its known limits.
package risk

import (
	"fmt"
	"math"
	"sync"

	"github.com/ohcontact/ohcontact"
)

// Risk categories: what kind of risk a positive screen found.
const (
	CategorySuicideRisk  = "suicide_risk"           // ideation, plans, means, goodbyes, recent attempts
	CategorySelfHarm     = "self_harm"              // self-harm behaviour or urges
	CategoryPastAttempt  = "past_attempt"           // an attempt in the past
	CategoryBereavement  = "bereavement_by_suicide" // someone close died by suicide
	CategoryHopelessness = "hopelessness"           // hopelessness, entrapment, not coping
	CategorySafeguarding = "safeguarding"           // domestic abuse: its own route
	CategoryHarmToOthers = "harm_to_others"         // thoughts or threats of harming others
	CategoryLowMood      = "low_mood"               // positive PHQ-2
	CategoryAnxiety      = "anxiety"                // positive GAD-2
	// CategoryPossibleRisk is risk the model found in words no rule names:
	// the clinician reads the message and the words the model weighed.
	CategoryPossibleRisk = "possible_risk"
)

// Categories are every risk category, in the order declared above: the
// categories of the cases the risk screen opens, each a disclosure (as
// opposed to a request a flow makes, such as a call back).
var Categories = []string{CategorySuicideRisk, CategorySelfHarm, CategoryPastAttempt, CategoryBereavement, CategoryHopelessness,
	CategorySafeguarding, CategoryHarmToOthers, CategoryLowMood, CategoryAnxiety, CategoryPossibleRisk}

// riskCategoryOrder breaks ties between hits of equal priority.
var riskCategoryOrder = map[string]int{
	CategorySuicideRisk: 0, CategorySelfHarm: 1, CategoryHarmToOthers: 2, CategorySafeguarding: 3,
	CategoryPastAttempt: 4, CategoryBereavement: 5, CategoryHopelessness: 6, CategoryPossibleRisk: 7,
}

// Limits on what a result carries.
const (
	maxRiskEvidence = 6  // evidence strings per result
	maxQuoteBytes   = 60 // bytes of message quoted per evidence string
)

// Screener screens free text for risk with the lexicon and the model
// together. It is safe for concurrent use; make one with New and share it.
type Screener struct {
	lex  *riskLexicon
	mod  *model
	pool sync.Pool // *riskScratch
}

// New compiles the lexicon, loads the embedded model and returns a
// Screener. It panics if either is malformed, which the package tests rule
// out.
func New() *Screener {
	m, err := parseModel(modelBin)
	if err != nil {
		panic("risk: model.bin: " + err.Error())
	}
	return newScreener(m)
}

func newScreener(m *model) *Screener {
	lx, err := compileLexicon()
	if err != nil {
		panic("risk: lexicon: " + err.Error())
	}
	s := &Screener{lex: lx, mod: m}
	s.pool.New = func() any { return new(riskScratch) }
	return s
}

// Screen screens one message of free text, from any channel and at any
// point of a conversation. It never fails: odd input (empty, invalid UTF-8,
// emoji only) gives PriorityNone or a valid priority. A positive result has
// a category and evidence that quotes only the words that weighed. Ask is
// set where the bot should ask directly (see verdict).
func (s *Screener) Screen(text string) ohcontact.RiskResult {
	sc := s.pool.Get().(*riskScratch)
	s.tokenise(sc, text)
	s.findHits(sc)
	lex := s.decide(sc)
	sc.features(1<<s.mod.bits - 1)
	ms := s.mod.score(sc.feats, &sc.sentSums)
	v := verdict(lex.Priority, lex.Category, sc.vetoes, ms, s.mod, len(sc.toks))
	res := s.explainModel(sc, lex, v, ms)
	if cap(sc.raw) <= 64<<10 {
		s.pool.Put(sc)
	}
	return res
}

// modelMinWords is the fewest words (tokens) a message needs for the model
// to count: on one or two words ("yes", "not sure", "nie wiem") a score is
// no evidence, and such replies answer the flow's own questions. The
// lexicon still reads them ("kms").
const modelMinWords = 3

// silent is a model score below every threshold.
var silent = modelScore{float32(math.Inf(-1)), float32(math.Inf(-1)), float32(math.Inf(-1))}

// outcome is what the decision table makes of the lexicon and the model.
type outcome struct {
	pri   ohcontact.Priority
	ask   bool
	model bool // the model raised the priority above the lexicon's
}

// verdict is the one decision table that joins the lexicon and the model:
//
//   - The model is positive when its any-risk head reaches the Positive
//     threshold; it is then urgent, high or routine by its other two heads.
//   - The result is the higher of the lexicon's priority and the model's
//     (the union, for recall): the model never lowers the lexicon.
//   - A lexicon veto (a denial, someone else's risk, laughter, an exception
//     phrase cancelled every strong hit) cancels a positive model only for
//     the kinds of veto that cross-validation found to lose no risky row
//     (model.vetoes, chosen when training).
//   - Ask directly when nothing is positive but the any-risk head reached
//     the Ask band (and no veto applies), or when the result is routine on
//     weak evidence alone: the lexicon's hopelessness (not coping, breaking
//     point, dark thoughts) or the model's routine.
//   - The model counts only in messages of at least modelMinWords words.
func verdict(lexPri ohcontact.Priority, lexCat string, vetoes vetoSet, ms modelScore, m *model, words int) outcome {
	if words < modelMinWords {
		ms = silent
	}
	mp := ohcontact.PriorityNone
	if ms[headAny] >= m.thr.Positive {
		mp = ohcontact.PriorityRoutine
		if ms[headHigh] >= m.thr.High {
			mp = ohcontact.PriorityHigh
		}
		if ms[headUrgent] >= m.thr.Urgent {
			mp = ohcontact.PriorityUrgent
		}
	}
	vetoed := !lexPri.Positive() && vetoes&m.vetoes != 0
	if vetoed {
		mp = ohcontact.PriorityNone
	}
	out := outcome{pri: lexPri}
	if mp.Rank() > lexPri.Rank() {
		out.pri, out.model = mp, true
	}
	switch out.pri {
	case ohcontact.PriorityNone:
		out.ask = !vetoed && ms[headAny] >= m.thr.Ask
	case ohcontact.PriorityRoutine:
		out.ask = out.model || lexCat == CategoryHopelessness
	}
	return out
}

// findHits matches the pattern trie at every token.
func (s *Screener) findHits(sc *riskScratch) {
	lx := s.lex
	for i := range sc.toks {
		sc.cands = lx.candidates(&sc.toks[i], sc.cands)
		for _, n := range sc.cands {
			if lx.nodes[n].slot.matches(&sc.toks[i]) {
				lx.walk(sc, n, i, i+1)
			}
		}
	}
}

// scaleAnswers are the PHQ and GAD answer options, by score: "Over the last
// 2 weeks, how often have you been bothered by…".
var scaleAnswers = [4]string{"Not at all", "Several days", "More than half the days", "Nearly every day"}

// PHQ9Item9 screens the answer to PHQ-9 item 9, "Over the last 2 weeks, how
// often have you been bothered by thoughts that you would be better off
// dead, or of hurting yourself in some way?" (PHQ-9, Kroenke, Spitzer and
// Williams; Pfizer, free to use). Score is 0 Not at all to 3 Nearly every
// day. Any answer above 0 starts the risk pathway, whatever else was
// answered: it is urgent with category "suicide_risk". A score outside 0–3
// is treated as positive.
func PHQ9Item9(score int) ohcontact.RiskResult {
	if score == 0 {
		return ohcontact.RiskResult{Priority: ohcontact.PriorityNone}
	}
	answer := "out of range: treated as positive"
	if score > 0 && score < len(scaleAnswers) {
		answer = scaleAnswers[score]
	}
	return ohcontact.RiskResult{
		Priority: ohcontact.PriorityUrgent,
		Category: CategorySuicideRisk,
		Evidence: []string{fmt.Sprintf("PHQ-9 item 9 (thoughts of being better off dead or of self-harm) scored %d: %s", score, answer)},
	}
}

// ScreenPositive reports whether a PHQ-2 or GAD-2 total (two items, each 0
// to 3) is a positive screen: 3 or more. A total outside 0–6 is treated as
// positive.
func ScreenPositive(total int) bool { return total >= 3 || total < 0 || total > 6 }

// PHQ2GAD2 screens the PHQ-2 and GAD-2 totals. PHQ-2 asks about "little
// interest or pleasure in doing things" and "feeling down, depressed, or
// hopeless"; GAD-2 about "feeling nervous, anxious, or on edge" and "not
// being able to stop or control worrying" (Kroenke, Spitzer, Williams and
// Löwe; Pfizer, free to use). A positive total (ScreenPositive) is routine,
// category "low_mood" for PHQ-2 (checked first) or "anxiety" for GAD-2.
func PHQ2GAD2(phq2, gad2 int) ohcontact.RiskResult {
	res := ohcontact.RiskResult{Priority: ohcontact.PriorityNone}
	if ScreenPositive(phq2) {
		res.Priority, res.Category = ohcontact.PriorityRoutine, CategoryLowMood
		res.Evidence = append(res.Evidence, fmt.Sprintf("PHQ-2 total %d (3 or more is a positive screen)", phq2))
	}
	if ScreenPositive(gad2) {
		if res.Category == "" {
			res.Priority, res.Category = ohcontact.PriorityRoutine, CategoryAnxiety
		}
		res.Evidence = append(res.Evidence, fmt.Sprintf("GAD-2 total %d (3 or more is a positive screen)", gad2))
	}
	return res
}
