// Package escalation brings people at risk to a clinician. This file holds
// the risk screen: the check that runs on every inbound message and on
// structured screening answers, deciding whether a person must be brought
// in and how fast. See RISK.md for the method and its known limits.
package escalation

import (
	"fmt"
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
)

// riskCategoryOrder breaks ties between hits of equal priority.
var riskCategoryOrder = map[string]int{
	CategorySuicideRisk: 0, CategorySelfHarm: 1, CategoryHarmToOthers: 2, CategorySafeguarding: 3,
	CategoryPastAttempt: 4, CategoryBereavement: 5, CategoryHopelessness: 6,
}

// Limits on what a result carries.
const (
	maxRiskEvidence = 6  // evidence strings per result
	maxQuoteBytes   = 60 // bytes of message quoted per evidence string
)

// Screener screens free text for risk. It is safe for concurrent use; make
// one with NewScreener and share it.
type Screener struct {
	lex  *riskLexicon
	pool sync.Pool // *riskScratch
}

// NewScreener compiles the lexicon and returns a Screener. It panics if the
// built-in lexicon is malformed, which the package tests rule out.
func NewScreener() *Screener {
	lx, err := compileLexicon()
	if err != nil {
		panic("escalation: risk lexicon: " + err.Error())
	}
	s := &Screener{lex: lx}
	s.pool.New = func() any { return new(riskScratch) }
	return s
}

// Screen screens one message of free text, from any channel and at any
// point of a conversation. It never fails: odd input (empty, invalid UTF-8,
// emoji only) gives PriorityNone or a valid priority. A positive result has
// a category and evidence that quotes only the words that matched.
func (s *Screener) Screen(text string) ohcontact.RiskResult {
	sc := s.pool.Get().(*riskScratch)
	s.tokenise(sc, text)
	s.findHits(sc)
	res := s.decide(sc)
	if cap(sc.raw) <= 64<<10 {
		s.pool.Put(sc)
	}
	return res
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

// ScreenPHQ9Item9 screens the answer to PHQ-9 item 9, "Over the last 2
// weeks, how often have you been bothered by thoughts that you would be
// better off dead, or of hurting yourself in some way?" (PHQ-9, Kroenke,
// Spitzer and Williams; Pfizer, free to use). Score is 0 Not at all, 1
// Several days, 2 More than half the days, 3 Nearly every day. Any answer
// above 0 starts the risk pathway, whatever else was answered: it is urgent
// with category "suicide_risk". A score outside 0–3 is treated as positive.
func ScreenPHQ9Item9(score int) ohcontact.RiskResult {
	if score == 0 {
		return ohcontact.RiskResult{Priority: ohcontact.PriorityNone}
	}
	answer := map[int]string{1: "several days", 2: "more than half the days", 3: "nearly every day"}[score]
	if answer == "" {
		answer = "out of range: treated as positive"
	}
	return ohcontact.RiskResult{
		Priority: ohcontact.PriorityUrgent,
		Category: CategorySuicideRisk,
		Evidence: []string{fmt.Sprintf("PHQ-9 item 9 (thoughts of being better off dead or of self-harm) scored %d: %s", score, answer)},
	}
}

// ScreenPHQ2GAD2 screens the PHQ-2 and GAD-2 totals (each 0–6: two items
// scored 0 Not at all to 3 Nearly every day, "over the last 2 weeks").
// PHQ-2 asks about "little interest or pleasure in doing things" and
// "feeling down, depressed, or hopeless"; GAD-2 about "feeling nervous,
// anxious, or on edge" and "not being able to stop or control worrying"
// (Kroenke, Spitzer, Williams and Löwe; Pfizer, free to use). A total of 3
// or more is a positive screen: routine, category "low_mood" for PHQ-2
// (checked first) or "anxiety" for GAD-2. A total outside 0–6 is treated
// as positive.
func ScreenPHQ2GAD2(phq2, gad2 int) ohcontact.RiskResult {
	res := ohcontact.RiskResult{Priority: ohcontact.PriorityNone}
	positive := func(score int) bool { return score >= 3 || score < 0 }
	if positive(phq2) {
		res.Priority, res.Category = ohcontact.PriorityRoutine, CategoryLowMood
		res.Evidence = append(res.Evidence, fmt.Sprintf("PHQ-2 total %d (3 or more is a positive screen)", phq2))
	}
	if positive(gad2) {
		if res.Category == "" {
			res.Priority, res.Category = ohcontact.PriorityRoutine, CategoryAnxiety
		}
		res.Evidence = append(res.Evidence, fmt.Sprintf("GAD-2 total %d (3 or more is a positive screen)", gad2))
	}
	return res
}
