package risk

import (
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/ohcontact/ohcontact"
)

// riskHit is one rule matched at tokens [start, end).
type riskHit struct {
	rule       int32
	start, end int32
	cut        cutReason
	pri        ohcontact.Priority // effective priority, for strong hits
	cat        string             // effective category, for strong hits
	why        string
}

// cutReason records why a hit no longer counts.
type cutReason uint8

const (
	notCut cutReason = iota
	cutException
	cutOverlap
	cutNegated
	cutOtherSubject
	cutLaughter
)

// vetoSet records which cut reasons cancelled a strong hit in a message,
// as bits 1<<cutReason: the lexicon's vetoes of the model (see Screen).
type vetoSet uint8

func (v vetoSet) has(c cutReason) bool { return v&(1<<c) != 0 }

func (h *riskHit) overlaps(o *riskHit) bool { return h.start < o.end && o.start < h.end }

// riskSignals is what decide learns about one message's hits.
type riskSignals struct {
	weak    [nGroups]int32 // first live hit of each weak group, plus one; 0 if none
	intents int            // distinct intent phrases
	live    []int32        // strong hits that count, best first
}

func (sg *riskSignals) has(g signalGroup) bool { return sg.weak[g] != 0 }

// decide turns the hits into a result, in four steps: resolve which hits
// stand, judge each in its context, combine signals, and explain.
func (s *Screener) decide(sc *riskScratch) ohcontact.RiskResult {
	if len(sc.hits) == 0 {
		return ohcontact.RiskResult{Priority: ohcontact.PriorityNone}
	}
	sg := &sc.signals
	*sg = riskSignals{live: sg.live[:0]}
	s.resolve(sc)
	s.judge(sc)
	up, cat := s.combine(sc)
	return s.explain(sc, up, cat)
}

func (s *Screener) groupOf(h *riskHit) signalGroup { return s.lex.rules[h.rule].group }
func (s *Screener) strong(h *riskHit) bool         { return signalGroups[s.groupOf(h)].strong }

// forOverlapping calls fn for each hit overlapping hits[i] until fn returns
// false. Hits come in order of start and are short, so they lie in a window
// around i.
func forOverlapping(hits []riskHit, maxSpan int32, i int, fn func(j int) bool) {
	h := &hits[i]
	for j := i - 1; j >= 0 && hits[j].start+maxSpan > h.start; j-- {
		if hits[j].overlaps(h) && !fn(j) {
			return
		}
	}
	for j := i + 1; j < len(hits) && hits[j].start < h.end; j++ {
		if !fn(j) {
			return
		}
	}
}

// resolve cancels hits that an exception overlaps, lets the longer of two
// overlapping strong hits stand, and notes which tokens strong hits cover
// and which weak signals are present.
func (s *Screener) resolve(sc *riskScratch) {
	hits, sg := sc.hits, &sc.signals
	maxSpan := int32(0)
	for i := range hits {
		maxSpan = max(maxSpan, hits[i].end-hits[i].start)
	}
	for i := range hits {
		if s.groupOf(&hits[i]) == gException {
			hits[i].cut = cutException
			forOverlapping(hits, maxSpan, i, func(j int) bool {
				if s.strong(&hits[j]) {
					sc.vetoes |= 1 << cutException
				}
				hits[j].cut = cutException
				return true
			})
		}
	}
	// The longer hit stands when it is at least as urgent, or when it
	// exists to re-time or re-attribute the shorter: "tried to kill myself"
	// (an attempt, timed later) over "kill myself", "my brother took his
	// own life" (a bereavement) over "take my life".
	overrides := func(long, short *riskHit) bool {
		lr, sr := &s.lex.rules[long.rule], &s.lex.rules[short.rule]
		return lr.group == gAttempt || lr.group == gBereaved || lr.priority.Rank() >= sr.priority.Rank()
	}
	for i := range hits {
		hi := &hits[i]
		if hi.cut != notCut || !s.strong(hi) {
			continue
		}
		forOverlapping(hits, maxSpan, i, func(j int) bool {
			hj := &hits[j]
			if hj.cut != cutException && s.strong(hj) && hj.end-hj.start > hi.end-hi.start && overrides(hj, hi) {
				hi.cut = cutOverlap
				return false
			}
			return true
		})
	}
	sc.cover(func(h *riskHit) bool { return h.cut == notCut && s.strong(h) })
	for i := range hits {
		h := &hits[i]
		if h.cut != notCut || s.strong(h) {
			continue
		}
		g := s.groupOf(h)
		if g == wIntent && (sg.weak[g] == 0 || !hits[sg.weak[g]-1].overlaps(h)) {
			sg.intents++ // distinct phrases only
		}
		if sg.weak[g] == 0 {
			sg.weak[g] = int32(i) + 1
		}
	}
}

// cover marks the tokens covered by the hits keep accepts.
func (sc *riskScratch) cover(keep func(*riskHit) bool) {
	sc.covered = slices.Grow(sc.covered[:0], len(sc.toks))[:len(sc.toks)]
	clear(sc.covered)
	for i := range sc.hits {
		if h := &sc.hits[i]; keep(h) {
			for k := h.start; k < h.end; k++ {
				sc.covered[k] = true
			}
		}
	}
}

// judge cancels strong hits that are denied, about someone else, or
// laughed off, sets the priority of the rest (an attempt's from the time
// words around it), and lists them best first.
func (s *Screener) judge(sc *riskScratch) {
	hits, sg := sc.hits, &sc.signals
	for i := range hits {
		h := &hits[i]
		if h.cut != notCut || !s.strong(h) {
			continue
		}
		r := &s.lex.rules[h.rule]
		gi := signalGroups[r.group]
		switch {
		case gi.negatable && s.negated(sc, h):
			h.cut = cutNegated
		case gi.thirdParty && s.otherSubject(sc, h):
			h.cut = cutOtherSubject
		case r.group == gBereaved && s.stranger(sc, h):
			h.cut = cutOtherSubject
		case gi.idiomProne && sg.has(wLaugh):
			h.cut = cutLaughter
		}
		if h.cut != notCut {
			sc.vetoes |= 1 << h.cut
			continue
		}
		h.pri, h.cat, h.why = r.priority, gi.category, r.why
		if r.group == gAttempt {
			switch {
			case sg.has(wRecent):
				h.pri, h.cat, h.why = ohcontact.PriorityUrgent, CategorySuicideRisk, "attempt: recent"
			case sg.has(wPast):
				h.pri, h.cat, h.why = ohcontact.PriorityRoutine, CategoryPastAttempt, "attempt: in the past"
			}
		}
		sg.live = append(sg.live, int32(i))
	}
	slices.SortStableFunc(sg.live, func(a, b int32) int {
		ha, hb := &hits[a], &hits[b]
		if ra, rb := ha.pri.Rank(), hb.pri.Rank(); ra != rb {
			return rb - ra
		}
		if ca, cb := riskCategoryOrder[ha.cat], riskCategoryOrder[hb.cat]; ca != cb {
			return ca - cb
		}
		return int(ha.start - hb.start)
	})
}

// combine raises the priority where signals together mean more than
// apart: means named beside suicidal words, the pill emoji beside distress,
// timing or resolve beside ideation, several kinds of suicidal signal at
// once, self-harm with an injury that needs care. It returns the raised
// priority and its category, and lists the weak hits that raised it in
// sc.contrib.
func (s *Screener) combine(sc *riskScratch) (ohcontact.Priority, string) {
	hits, sg := sc.hits, &sc.signals
	var (
		suicidal, suicidalHigh, hopeless, selfHarm bool
		kinds                                      uint64 // suicidal and hopeless groups seen, as bits
	)
	for _, i := range sg.live {
		h := &hits[i]
		switch g := s.groupOf(h); {
		case g == gHopeless:
			hopeless = true
			kinds |= 1 << g
		case g == gSelfHarm:
			selfHarm = true
		case signalGroups[g].suicidal && h.cat == CategorySuicideRisk:
			suicidal = true
			kinds |= 1 << g
			suicidalHigh = suicidalHigh || h.pri.Rank() >= ohcontact.PriorityHigh.Rank()
		}
	}
	// A means counts only where named outside the strong hits:
	// "paracetamol" in "saving up my paracetamol" is counted already.
	sc.cover(func(h *riskHit) bool { return h.cut == notCut && h.pri != "" })
	apart := func(gs ...signalGroup) int32 {
		for i := range hits {
			h := &hits[i]
			if h.cut != notCut || !slices.Contains(gs, s.groupOf(h)) || slices.Contains(sc.covered[h.start:h.end], true) {
				continue
			}
			return int32(i) + 1
		}
		return 0
	}
	means := apart(wMeds, wPlace, wLigature)
	emoji := apart(wPillEmoji)
	firstOf := func(gs ...signalGroup) int32 {
		for _, g := range gs {
			if sg.weak[g] != 0 {
				return sg.weak[g]
			}
		}
		return 0
	}

	up, cat := ohcontact.PriorityNone, ""
	sc.contrib = sc.contrib[:0]
	raise := func(p ohcontact.Priority, c string, why ...int32) {
		if p.Rank() > up.Rank() {
			up, cat = p, c
		}
		for _, w := range why {
			if w != 0 {
				sc.contrib = append(sc.contrib, w-1)
			}
		}
	}
	if (means != 0 || emoji != 0) && suicidal {
		raise(ohcontact.PriorityUrgent, CategorySuicideRisk, emoji, means)
	}
	if emoji != 0 && hopeless {
		raise(ohcontact.PriorityUrgent, CategorySuicideRisk, emoji)
	}
	if means != 0 && (hopeless || sg.has(wRuminate)) && !sg.has(wTreatment) {
		raise(ohcontact.PriorityHigh, CategorySuicideRisk, means, sg.weak[wRuminate])
	}
	if emoji != 0 && sg.has(wRuminate) {
		raise(ohcontact.PriorityHigh, CategorySuicideRisk, emoji, sg.weak[wRuminate])
	}
	if (means != 0 || emoji != 0) && sg.has(wIntent) {
		raise(ohcontact.PriorityUrgent, CategorySuicideRisk, emoji, means, sg.weak[wIntent])
	}
	if suicidalHigh {
		if w := firstOf(wTime, wIntent, wFarewell, wAlcohol); w != 0 {
			raise(ohcontact.PriorityUrgent, CategorySuicideRisk, w)
		}
	}
	if bits.OnesCount64(kinds) >= 2 && (suicidalHigh || hits[sg.live[0]].pri.Rank() >= ohcontact.PriorityHigh.Rank()) {
		raise(ohcontact.PriorityUrgent, CategorySuicideRisk)
	}
	if selfHarm && sg.has(wSeverity) {
		raise(ohcontact.PriorityUrgent, CategorySelfHarm, sg.weak[wSeverity])
	}
	if sg.intents >= 2 {
		raise(ohcontact.PriorityUrgent, CategorySuicideRisk)
		for i := range hits {
			if hits[i].cut == notCut && s.groupOf(&hits[i]) == wIntent {
				sc.contrib = append(sc.contrib, int32(i))
			}
		}
	}
	return up, cat
}

// explain builds the result: the best strong hit's priority and category
// unless combine raised them, and evidence quoting the hits behind it.
func (s *Screener) explain(sc *riskScratch, up ohcontact.Priority, upCat string) ohcontact.RiskResult {
	hits, sg := sc.hits, &sc.signals
	res := ohcontact.RiskResult{Priority: ohcontact.PriorityNone}
	if len(sg.live) > 0 {
		best := &hits[sg.live[0]]
		res.Priority, res.Category = best.pri, best.cat
	}
	if up.Rank() > res.Priority.Rank() {
		res.Priority, res.Category = up, upCat
	}
	if !res.Priority.Positive() {
		return ohcontact.RiskResult{Priority: ohcontact.PriorityNone}
	}
	res.Evidence = make([]string, 0, 2)
	add := func(h *riskHit, why string) {
		if len(res.Evidence) >= maxRiskEvidence {
			return
		}
		if e := strconv.Quote(s.quote(sc, h)) + " (" + why + ")"; !slices.Contains(res.Evidence, e) {
			res.Evidence = append(res.Evidence, e)
		}
	}
	for _, i := range sg.live {
		add(&hits[i], hits[i].why)
	}
	if up == res.Priority {
		for _, i := range sc.contrib {
			add(&hits[i], s.lex.rules[hits[i].rule].why)
		}
	}
	if len(res.Evidence) == 0 { // raised by weak signals alone: name them
		for i := range hits {
			if h := &hits[i]; h.cut == notCut && !s.strong(h) && s.groupOf(h) != gException {
				add(h, s.lex.rules[h.rule].why)
			}
		}
	}
	return res
}

// quote returns the words of h as the person wrote them (normalised), cut
// short if long.
func (s *Screener) quote(sc *riskScratch, h *riskHit) string {
	q := sc.display(sc.toks[h.start].src0, sc.toks[h.end-1].src1)
	if len(q) <= maxQuoteBytes {
		return q
	}
	cut := maxQuoteBytes
	for cut > 0 && !utf8.RuneStart(q[cut]) {
		cut--
	}
	return q[:cut] + "…"
}

// negated reports whether a denial governs h: a negation cue before it with
// only bridging words ("not feeling", "no thoughts of") or other hits
// ("no suicidal thoughts or self-harm") between, within one sentence.
func (s *Screener) negated(sc *riskScratch, h *riskHit) bool {
	toks, lx := sc.toks, s.lex
	n := 0
	for k := int(h.start) - 1; k >= 0; k-- {
		next := &toks[k+1]
		if next.brk == brkHard || (next.brk == brkSoft && !sc.covered[k]) {
			return false
		}
		t := &toks[k]
		// A cue inside another risk phrase ("can not go on", "nie daje
		// rady") is that phrase's word, not a denial of this one.
		if lx.has(t, fNegation) && !sc.covered[k] {
			if k+1 == int(h.start) {
				return true
			}
			next := &toks[k+1]
			if t.w == "no" && !lx.has(next, fAfterNo) && !sc.covered[k+1] {
				return false // "no i want to die": an answer, not a denial
			}
			return !lx.has(next, fPseudo)
		}
		if !lx.has(t, fBridge) && !sc.covered[k] {
			return false
		}
		if n++; n > 6 {
			return false
		}
	}
	return false
}

// otherSubject reports whether h is about someone else: no first-person
// word in it, and the nearest person word before it, in the same sentence,
// is another person ("a patient took an overdose", "she wants to die").
func (s *Screener) otherSubject(sc *riskScratch, h *riskHit) bool {
	toks, lx := sc.toks, s.lex
	for k := h.start; k < h.end; k++ {
		if lx.has(&toks[k], fFirst) {
			return false
		}
	}
	for k := int(h.start) - 1; k >= 0 && int(h.start)-k <= 8; k-- {
		if toks[k+1].brk == brkHard {
			return false
		}
		if lx.has(&toks[k], fFirst) {
			return false
		}
		if lx.has(&toks[k], fThird) {
			return true
		}
	}
	return false
}

// stranger reports whether a suicide h describes is a stranger's (a
// patient's, someone in the news) rather than the death of the speaker's
// own family, friend or colleague. With neither named, it is taken as a
// bereavement.
func (s *Screener) stranger(sc *riskScratch, h *riskHit) bool {
	toks, lx := sc.toks, s.lex
	for k := int(h.end) - 1; k >= 0 && int(h.start)-k <= 10; k-- {
		if k < int(h.end)-1 && toks[k+1].brk == brkHard {
			return false
		}
		if lx.has(&toks[k], fRel) {
			return false
		}
		if lx.has(&toks[k], fStranger) {
			return true
		}
	}
	return false
}
