package risk

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ohcontact/ohcontact"
)

// A rule pattern is a sequence of slots separated by spaces, matched against
// canonical tokens:
//
//	word          the token itself (canonical form: "can not", not "can't")
//	a|b|c         any of the alternatives
//	pre*          a token starting with pre
//	@class        any word of a class (see riskClasses), or a test such as @bignum
//	slot?         the slot may be absent
//	~N            up to N tokens of anything, within one sentence
//	$             the end of a clause (punctuation or the end of the message)
//	[a b|c|]      a group: the pattern is expanded once per alternative,
//	              which may be several words or none; [a b|c]? is [a b|c|]
//
// The first slot must be a plain slot without "?", and its prefixes at least
// four letters long.

// patternSlot is one position of a compiled pattern.
type patternSlot struct {
	words     []string // alternatives as written, until the lexicon is finalised
	ids       []int32  // few alternatives, as word IDs
	bits      []uint64 // many alternatives, as a set of word IDs
	pre       []string
	preds     []func(*riskToken) bool
	predNames []string
	opt       bool
	gap       int
	end       bool
}

func (s *patternSlot) matches(t *riskToken) bool {
	if id := t.id; id != 0 {
		for _, a := range s.ids {
			if a == id {
				return true
			}
		}
		if i := int(id >> 6); i < len(s.bits) && s.bits[i]&(1<<(id&63)) != 0 {
			return true
		}
	}
	for _, p := range s.pre {
		if strings.HasPrefix(t.w, p) {
			return true
		}
	}
	for _, f := range s.preds {
		if f(t) {
			return true
		}
	}
	return false
}

// trieNode is a node of the pattern trie: patterns that begin with the same
// slots share nodes, so each slot is tested once per position.
type trieNode struct {
	slot     patternSlot
	key      string  // the slot as written, to find shared nodes
	children []int32 // nodes that may follow
	rules    []int32 // rules whose pattern ends here
}

// walk matches the trie below node n against toks from ti, for a match that
// began at start, recording each rule that completes.
func (lx *riskLexicon) walk(sc *riskScratch, n int32, start, ti int) {
	toks := sc.toks
	nd := &lx.nodes[n]
	for _, r := range nd.rules {
		sc.record(r, start, ti)
	}
	for _, c := range nd.children {
		s := &lx.nodes[c].slot
		switch {
		case s.end:
			if ti == len(toks) || toks[ti].brk != 0 {
				lx.walk(sc, c, start, ti)
			}
		case s.gap > 0:
			for k := 0; k <= s.gap; k++ {
				j := ti + k
				if j > len(toks) || (k > 0 && (toks[j-1].brk == brkHard || (j < len(toks) && toks[j].brk == brkHard))) {
					break // a gap stays within a sentence
				}
				lx.walk(sc, c, start, j)
			}
		default:
			if ti < len(toks) && s.matches(&toks[ti]) {
				lx.walk(sc, c, start, ti+1)
			}
			if s.opt {
				lx.walk(sc, c, start, ti)
			}
		}
	}
}

// record adds a hit of rule r on [start, end), keeping one (the shortest)
// per rule and start.
func (sc *riskScratch) record(r int32, start, end int) {
	for i := len(sc.hits) - 1; i >= 0 && sc.hits[i].start == int32(start); i-- {
		if h := &sc.hits[i]; h.rule == r {
			h.end = min(h.end, int32(end))
			return
		}
	}
	sc.hits = append(sc.hits, riskHit{rule: r, start: int32(start), end: int32(end)})
}

// insert adds a compiled pattern of rule r to the trie.
func (lx *riskLexicon) insert(slots []patternSlot, r int32) {
	n := int32(0)
	for i := range slots {
		key := slotKey(&slots[i])
		next := int32(-1)
		for _, c := range lx.nodes[n].children {
			if lx.nodes[c].key == key {
				next = c
				break
			}
		}
		if next < 0 {
			next = int32(len(lx.nodes))
			lx.nodes = append(lx.nodes, trieNode{slot: slots[i], key: key})
			lx.nodes[n].children = append(lx.nodes[n].children, next)
		}
		n = next
	}
	lx.nodes[n].rules = append(lx.nodes[n].rules, r)
}

func slotKey(s *patternSlot) string {
	words := slices.Clone(s.words)
	slices.Sort(words)
	pre := slices.Clone(s.pre)
	slices.Sort(pre)
	preds := slices.Clone(s.predNames)
	slices.Sort(preds)
	return fmt.Sprintf("%v|%v|%v|%v|%d|%v", words, pre, preds, s.opt, s.gap, s.end)
}

// expandGroups expands the first [..|..] group of p, recursively.
func expandGroups(p string) ([]string, error) {
	open := strings.IndexByte(p, '[')
	if open < 0 {
		if strings.ContainsAny(p, "]") {
			return nil, fmt.Errorf("unbalanced ]")
		}
		return []string{strings.Join(strings.Fields(p), " ")}, nil
	}
	closing := strings.IndexByte(p[open:], ']')
	if closing < 0 {
		return nil, fmt.Errorf("unbalanced [")
	}
	closing += open
	inner := p[open+1 : closing]
	if strings.ContainsAny(inner, "[") {
		return nil, fmt.Errorf("nested groups")
	}
	alts, after := strings.Split(inner, "|"), p[closing+1:]
	if strings.HasPrefix(after, "?") { // [a|b]? is [a|b|]
		alts, after = append(alts, ""), after[1:]
	}
	// A group of single words is one slot with alternatives, not one
	// pattern per word.
	var single []string
	optional := false
	for _, alt := range alts {
		switch f := strings.Fields(alt); len(f) {
		case 0:
			optional = true
		case 1:
			if !strings.ContainsAny(f[0], "?~$") {
				single = append(single, f[0])
			}
		}
	}
	if len(single)+boolToInt(optional) == len(alts) && len(single) > 0 {
		s := strings.Join(single, "|")
		if optional {
			s += "?"
		}
		return expandGroups(p[:open] + " " + s + " " + after)
	}
	var out []string
	for _, alt := range alts {
		rest, err := expandGroups(p[:open] + " " + alt + " " + after)
		if err != nil {
			return nil, err
		}
		out = append(out, rest...)
	}
	return out, nil
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// compilePattern compiles one expanded pattern.
func (lx *riskLexicon) compilePattern(flat string) ([]patternSlot, error) {
	fields := strings.Fields(flat)
	if len(fields) == 0 {
		return nil, fmt.Errorf("empty pattern")
	}
	slots := make([]patternSlot, 0, len(fields))
	for i, f := range fields {
		switch {
		case f == "$":
			if i == 0 {
				return nil, fmt.Errorf("starts with $")
			}
			slots = append(slots, patternSlot{end: true})
			continue
		case strings.HasPrefix(f, "~"):
			n, err := strconv.Atoi(f[1:])
			if err != nil || n < 1 || n > 8 || i == 0 || i == len(fields)-1 {
				return nil, fmt.Errorf("bad gap %q", f)
			}
			slots = append(slots, patternSlot{gap: n})
			continue
		}
		var s patternSlot
		if strings.HasSuffix(f, "?") {
			if i == 0 {
				return nil, fmt.Errorf("optional first slot %q", f)
			}
			s.opt = true
			f = strings.TrimSuffix(f, "?")
		}
		var words []string
		for _, alt := range strings.Split(f, "|") {
			switch {
			case alt == "":
				return nil, fmt.Errorf("empty alternative in %q", f)
			case strings.HasPrefix(alt, "@"):
				if pred, ok := riskPredicates[alt[1:]]; ok {
					if i == 0 {
						return nil, fmt.Errorf("test %s as first slot", alt)
					}
					s.preds = append(s.preds, pred)
					s.predNames = append(s.predNames, alt)
					continue
				}
				members, ok := lx.classes[alt[1:]]
				if !ok {
					return nil, fmt.Errorf("unknown class %s", alt)
				}
				words = append(words, members...)
			case strings.HasSuffix(alt, "*"):
				pre := strings.TrimSuffix(alt, "*")
				if len(pre) < 3 || (i == 0 && len(pre) < 4) {
					return nil, fmt.Errorf("prefix %q too short", alt)
				}
				if err := checkLiteral(pre); err != nil {
					return nil, err
				}
				s.pre = append(s.pre, pre)
			default:
				if err := lx.checkCanonical(alt); err != nil {
					return nil, err
				}
				words = append(words, alt)
			}
		}
		s.words = words
		slots = append(slots, s)
	}
	return slots, nil
}

func checkLiteral(w string) error {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !('a' <= c && c <= 'z') && !('0' <= c && c <= '9') {
			return fmt.Errorf("%q: literals are lower-case a-z and digits (write Polish and Welsh without accents)", w)
		}
	}
	return nil
}

// checkCanonical reports whether w is a word the tokeniser can produce as
// it stands: rules must be written in canonical forms.
func (lx *riskLexicon) checkCanonical(w string) error {
	if err := checkLiteral(w); err != nil {
		return err
	}
	if exp, ok := lx.expandSrc[w]; ok {
		return fmt.Errorf("%q is rewritten to %q before matching: use that", w, strings.Join(exp, " "))
	}
	return nil
}

// signalGroup is the kind of signal a rule gives.
type signalGroup uint8

const (
	_ signalGroup = iota // the zero value is no signal
	// strong signals: each alone makes a message positive
	gIdeation // explicit suicidal ideation
	gIntent   // plan, intent, preparation
	gMethod   // a method of suicide named with action
	gMeans    // medication with quantity, stockpiling, overdose
	gPassive  // passive ideation, entrapment
	gBurden   // perceived burdensomeness
	gGoodbye  // goodbyes, final acts
	gAttempt  // a suicide attempt: timing decides the priority
	gSelfHarm
	gBereaved
	gHopeless
	gAbuse
	gOthers
	// weak signals: only combine with others
	wMeds      // a medication or pills named
	wPillEmoji // the pill emoji
	wPlace     // a height, bridge or railway named
	wLigature  // rope, belt, cord named
	wTime      // imminent timing ("tonight")
	wIntent    // resolve or preparation ("made up my mind")
	wRuminate  // dwelling on a method ("calling me")
	wFarewell  // a sign-off word
	wTreatment // medication as treatment (GP, prescribed, dose)
	wSeverity  // an injury needing care
	wRecent    // recent time ("last night")
	wPast      // distant time ("years ago")
	wLaugh     // laughter ("lol")
	wAlcohol   // alcohol
	gException // cancels any hit it overlaps
	nGroups
)

// signalGroupInfo describes how a group's hits are treated.
type signalGroupInfo struct {
	category   string
	strong     bool
	suicidal   bool // a suicide-related signal for combinations
	negatable  bool // a denial before it cancels it
	thirdParty bool // cancelled when the subject is someone else
	idiomProne bool // cancelled by laughter in the same message
}

var signalGroups = [nGroups]signalGroupInfo{
	gIdeation: {category: CategorySuicideRisk, strong: true, suicidal: true, negatable: true, thirdParty: true},
	gIntent:   {category: CategorySuicideRisk, strong: true, suicidal: true, negatable: true, thirdParty: true},
	gMethod:   {category: CategorySuicideRisk, strong: true, suicidal: true, negatable: true, thirdParty: true},
	gMeans:    {category: CategorySuicideRisk, strong: true, suicidal: true, negatable: true, thirdParty: true},
	gPassive:  {category: CategorySuicideRisk, strong: true, suicidal: true, negatable: true, thirdParty: true},
	gBurden:   {category: CategorySuicideRisk, strong: true, suicidal: true, negatable: true, thirdParty: true},
	gGoodbye:  {category: CategorySuicideRisk, strong: true, suicidal: true, negatable: true, thirdParty: true},
	gAttempt:  {category: CategorySuicideRisk, strong: true, suicidal: true, negatable: true, thirdParty: true},
	gSelfHarm: {category: CategorySelfHarm, strong: true, negatable: true, thirdParty: true},
	gBereaved: {category: CategoryBereavement, strong: true, negatable: true},
	gHopeless: {category: CategoryHopelessness, strong: true, negatable: true, thirdParty: true},
	gAbuse:    {category: CategorySafeguarding, strong: true, negatable: true},
	gOthers:   {category: CategoryHarmToOthers, strong: true, negatable: true, thirdParty: true, idiomProne: true},
}

// riskRuleSpec is a rule as written in the lexicon.
type riskRuleSpec struct {
	group    signalGroup
	priority ohcontact.Priority // strong rules only
	why      string             // for the clinician: what the words signal
	patterns []string
}

// riskLexicon is the compiled form of the rules and word lists. Every word it
// knows has an ID (from 1); tokens carry the ID so that rules compare
// integers and test sets as bitsets.
type riskLexicon struct {
	lookup    map[string]int32 // word → ID (> 0), or −index into exps for a word to rewrite
	table     wordTable        // lookup, for the tokeniser
	exps      [][]int32        // canonical words a rewritten word becomes
	words     []string         // ID → word
	flags     []wordFlags      // ID → what the word is to context checks
	merges    map[[2]int32]int32
	skeletons map[string]int32 // skeleton → word ID
	fuzzyIdx  map[byte][]string
	censor    []string
	classes   map[string][]string
	rules     []riskRule
	patterns  int                // patterns compiled, after expanding groups
	nodes     []trieNode         // the pattern trie; node 0 is the root
	byID      [][]int32          // word ID → first-level nodes that may match it
	byPrefix  map[string][]int32 // first four letters of a first-slot prefix → first-level nodes
	prefix2   [26 * 26]bool      // first two letters of a first-slot prefix
	expandSrc map[string][]string
}

// wordFlags says what a word is to the context checks.
type wordFlags uint16

const (
	fNegation wordFlags = 1 << iota
	fPseudo
	fBridge
	fFirst
	fThird
	fStranger
	fRel
	fMergeFirst // may merge with the next word
	fAfterNo    // may follow a denying "no"
)

func (lx *riskLexicon) has(t *riskToken, f wordFlags) bool { return lx.flags[t.id]&f != 0 }

// id returns the ID of a known word, adding it if new.
func (lx *riskLexicon) id(w string) int32 {
	if id := lx.lookup[w]; id > 0 {
		return id
	}
	id := int32(len(lx.words))
	lx.words = append(lx.words, w)
	lx.flags = append(lx.flags, 0)
	lx.lookup[w] = id
	return id
}

// riskRule is a compiled rule's meaning.
type riskRule struct {
	group    signalGroup
	priority ohcontact.Priority
	why      string
}

// compileLexicon compiles the rules and lists of lexicon.go.
func compileLexicon() (*riskLexicon, error) {
	lx := &riskLexicon{
		lookup:    map[string]int32{},
		exps:      [][]int32{nil},
		words:     []string{""},
		flags:     []wordFlags{0},
		merges:    map[[2]int32]int32{},
		classes:   riskClasses,
		byPrefix:  map[string][]int32{},
		expandSrc: map[string][]string{},
		censor:    censorable,
		nodes:     []trieNode{{}},
	}
	for k, v := range riskExpansions {
		if err := checkLiteral(k); err != nil {
			return nil, fmt.Errorf("expansion: %w", err)
		}
		lx.expandSrc[k] = strings.Fields(v)
	}
	for k, v := range lx.expandSrc {
		var ids []int32
		for _, w := range v {
			if err := lx.checkCanonical(w); err != nil {
				return nil, fmt.Errorf("expansion of %q: %w", k, err)
			}
			ids = append(ids, lx.id(w))
		}
		lx.lookup[k] = -int32(len(lx.exps))
		lx.exps = append(lx.exps, ids)
	}
	for k, v := range riskMerges {
		for _, w := range []string{k[0], k[1], v} {
			if err := lx.checkCanonical(w); err != nil {
				return nil, fmt.Errorf("merge: %w", err)
			}
		}
		lx.merges[[2]int32{lx.id(k[0]), lx.id(k[1])}] = lx.id(v)
		lx.flags[lx.id(k[0])] |= fMergeFirst
	}
	for name, members := range riskClasses {
		for _, w := range members {
			if err := lx.checkCanonical(w); err != nil {
				return nil, fmt.Errorf("class %s: %w", name, err)
			}
			lx.id(w)
		}
	}
	for _, w := range emojiWords {
		lx.id(w)
	}
	for _, l := range [][]string{fuzzyTargets, knownWords, censorable} {
		for _, w := range l {
			if err := lx.checkCanonical(w); err != nil {
				return nil, fmt.Errorf("word list: %w", err)
			}
			lx.id(w)
		}
	}
	for _, l := range []struct {
		words []string
		flag  wordFlags
	}{
		{negationCues, fNegation}, {pseudoNegations, fPseudo}, {negationBridges, fBridge}, {firstPerson, fFirst},
		{thirdParty, fThird}, {strangers, fStranger}, {riskClasses["rel"], fRel}, {riskClasses["relposs"], fRel},
		{afterNo, fAfterNo},
	} {
		for _, w := range l.words {
			if err := lx.checkCanonical(w); err != nil {
				return nil, fmt.Errorf("word list: %w", err)
			}
			lx.flags[lx.id(w)] |= l.flag
		}
	}

	for ri, spec := range riskRules {
		if (spec.priority == "") == signalGroups[spec.group].strong {
			return nil, fmt.Errorf("rule %d (%s): strong rules need a priority, weak ones none", ri, spec.why)
		}
		lx.rules = append(lx.rules, riskRule{group: spec.group, priority: spec.priority, why: spec.why})
		for _, p := range spec.patterns {
			flats, err := expandGroups(p)
			if err != nil {
				return nil, fmt.Errorf("pattern %q: %w", p, err)
			}
			for _, flat := range flats {
				slots, err := lx.compilePattern(flat)
				if err != nil {
					return nil, fmt.Errorf("pattern %q: %w", flat, err)
				}
				if err := lx.checkMerges(slots); err != nil {
					return nil, fmt.Errorf("pattern %q: %w", flat, err)
				}
				for _, sl := range slots {
					for _, w := range sl.words {
						lx.id(w)
					}
				}
				lx.insert(slots, int32(ri))
				lx.patterns++
			}
		}
	}

	// The vocabulary is complete: turn slot words into IDs and index the
	// first level of the trie by word.
	n := len(lx.words)
	lx.byID = make([][]int32, n)
	sets := map[string][]uint64{} // identical word sets share a bitset
	for ni := 1; ni < len(lx.nodes); ni++ {
		sl := &lx.nodes[ni].slot
		if len(sl.words) > 4 {
			key := strings.Join(sl.words, " ")
			if sl.bits = sets[key]; sl.bits == nil {
				sl.bits = make([]uint64, (n+63)/64)
				for _, w := range sl.words {
					id := lx.id(w)
					sl.bits[id>>6] |= 1 << (id & 63)
				}
				sets[key] = sl.bits
			}
		} else {
			for _, w := range sl.words {
				sl.ids = append(sl.ids, lx.id(w))
			}
		}
	}
	for _, ni := range lx.nodes[0].children {
		sl := &lx.nodes[ni].slot
		seen := map[int32]bool{}
		for _, w := range sl.words {
			if id := lx.id(w); !seen[id] {
				seen[id] = true
				lx.byID[id] = append(lx.byID[id], ni)
			}
		}
		for _, pre := range sl.pre {
			lx.byPrefix[pre[:4]] = append(lx.byPrefix[pre[:4]], ni)
			if a, b := pre[0]-'a', pre[1]-'a'; a < 26 && b < 26 {
				lx.prefix2[int(a)*26+int(b)] = true
			} else {
				return nil, fmt.Errorf("prefix %q must start with two letters", pre)
			}
		}
	}
	for ni := range lx.nodes {
		lx.nodes[ni].slot.words = nil
	}
	if len(lx.words) != n {
		return nil, fmt.Errorf("vocabulary grew while indexing")
	}
	lx.skeletons = map[string]int32{}
	for id := 1; id < n; id++ {
		w := lx.words[id]
		sk := skeleton([]byte(w))
		if old, ok := lx.skeletons[sk]; !ok || w < lx.words[old] {
			lx.skeletons[sk] = int32(id)
		}
	}
	lx.table = newWordTable(lx.lookup)
	lx.fuzzyIdx = map[byte][]string{}
	for _, w := range fuzzyTargets {
		lx.fuzzyIdx[w[0]] = append(lx.fuzzyIdx[w[0]], w)
	}
	return lx, nil
}

// candidates returns the first-level trie nodes that may match at t.
func (lx *riskLexicon) candidates(t *riskToken, buf []int32) []int32 {
	buf = append(buf[:0], lx.byID[t.id]...)
	if w := t.w; len(w) >= 4 {
		if a, b := w[0]-'a', w[1]-'a'; a < 26 && b < 26 && lx.prefix2[int(a)*26+int(b)] {
			buf = append(buf, lx.byPrefix[w[:4]]...)
		}
	}
	return buf
}

// checkMerges rejects two adjacent literal slots the tokeniser would have
// merged into one word ("no one" becomes "nobody").
func (lx *riskLexicon) checkMerges(slots []patternSlot) error {
	for i := 0; i+1 < len(slots); i++ {
		a, b := &slots[i], &slots[i+1]
		for _, x := range a.words {
			for _, y := range b.words {
				if m, ok := riskMerges[[2]string{x, y}]; ok {
					return fmt.Errorf("%q %q is merged into %q before matching: use that", x, y, m)
				}
			}
		}
	}
	return nil
}

// uncensor resolves a word with '*' standing in for letters ("s*icidal")
// against the words people censor.
func (lx *riskLexicon) uncensor(word []byte) int32 {
	lit := 0
	for _, c := range word {
		if c != '*' {
			lit++
		}
	}
	if lit < 2 {
		return 0
	}
	for _, w := range lx.censor {
		if globMatch(word, w) {
			return lx.lookup[w]
		}
	}
	return 0
}

// globMatch matches pattern p, where '*' stands for one or more bytes, against w.
func globMatch(p []byte, w string) bool {
	if len(p) == 0 {
		return len(w) == 0
	}
	if p[0] == '*' {
		for i := 1; i <= len(w); i++ {
			if globMatch(p[1:], w[i:]) {
				return true
			}
		}
		return false
	}
	return len(w) > 0 && p[0] == w[0] && globMatch(p[1:], w[1:])
}

// unleet resolves digits used as letters ("su1c1dal") when that gives a
// known word.
func (lx *riskLexicon) unleet(word []byte) int32 {
	if len(word) > 40 {
		return 0
	}
	var buf [40]byte
	out := buf[:len(word)]
	for i, c := range word {
		switch c {
		case '0':
			c = 'o'
		case '1':
			c = 'i'
		case '3':
			c = 'e'
		case '4':
			c = 'a'
		case '5':
			c = 's'
		case '7':
			c = 't'
		}
		out[i] = c
	}
	if id := lx.lookup[string(out)]; id > 0 {
		return id
	}
	return 0
}

// fuzzy resolves a misspelling of a long, distinctive word: one edit, or
// two for words of ten letters or more, with the first letter right.
func (lx *riskLexicon) fuzzy(word []byte) int32 {
	if len(word) < 6 || len(word) > 40 {
		return 0
	}
	for _, c := range word {
		if c < 'a' || c > 'z' {
			return 0
		}
	}
	for _, t := range lx.fuzzyIdx[word[0]] {
		max := 1
		if len(t) >= 10 {
			max = 2
		}
		if damerau(word, t, max) <= max {
			return lx.lookup[t]
		}
	}
	return 0
}
