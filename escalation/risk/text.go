package risk

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Break kinds recorded on the token that follows them.
const (
	brkSoft uint8 = 1 // comma, colon, semicolon, bracket, dash
	brkHard uint8 = 2 // end of sentence or line
)

// riskToken is one word of a normalised message.
type riskToken struct {
	w          string // canonical form
	id         int32  // w's ID in the lexicon; 0 for an unknown word
	woff, wend int32  // an unknown w's bytes in the display buffer, until w is set
	src0, src1 int32  // display words this token came from
	num        int32  // value of an all-digit word, else -1
	brk        uint8  // break before this token
	emoji      bool   // came from an emoji
}

// riskSpan is a range of bytes in the display buffer.
type riskSpan struct{ off, end int32 }

// riskScratch holds the buffers for screening one message; Screener pools them.
type riskScratch struct {
	raw     []byte      // display form of every word, back to back
	words   []riskSpan  // display words
	toks    []riskToken // canonical tokens
	hits    []riskHit
	cands   []int32
	signals riskSignals
	contrib []int32 // weak hits that raised the priority
	covered []bool  // token covered by a strong hit
	text    string  // string(raw), set after tokenising
	vetoes  vetoSet // why strong hits were cut (decide)

	// The model's buffers (model.go).
	symbols    []symbol // emoji and symbols with no word of their own
	feats      []feature
	sentSums   [][nHeads]int64
	contribTok []float32
}

// symbol is an emoji or other symbol that maps to no word, and the token
// it comes before.
type symbol struct {
	r      rune
	before int32
}

func (sc *riskScratch) reset() {
	sc.raw = sc.raw[:0]
	sc.words = sc.words[:0]
	sc.toks = sc.toks[:0]
	sc.hits = sc.hits[:0]
	sc.covered = sc.covered[:0]
	sc.text = ""
	sc.cands = sc.cands[:0]
	sc.symbols = sc.symbols[:0]
	sc.vetoes = 0
}

// display returns the display words from..to (inclusive), space separated.
func (sc *riskScratch) display(from, to int32) string {
	if from == to {
		w := sc.words[from]
		return sc.text[w.off:w.end]
	}
	var b strings.Builder
	for i := from; i <= to; i++ {
		if i > from {
			b.WriteByte(' ')
		}
		w := sc.words[i]
		b.WriteString(sc.text[w.off:w.end])
	}
	return b.String()
}

// riskWordState tracks the word being read.
type riskWordState struct {
	start           int  // offset of the word in raw; -1 when outside a word
	letters, digits int  // counts
	stars           int  // '*' characters (censored words)
	aposAt          int  // length of the word when an apostrophe was seen, or -1
	elongated       bool // a run of 3 or more identical letters was shortened
	last            rune // last letter appended
	run             int  // length of the current run of last
	nonASCII        bool // a letter outside a-z
	pendingBrk      uint8
}

// tokenise normalises text into sc.toks: Unicode NFKD with marks dropped
// (accents off, compatibility forms such as full-width letters folded),
// lower case, apostrophes removed, punctuation to breaks, runs of a letter
// capped at two, emoji that carry meaning mapped to words, then each word
// mapped to its canonical form (contractions and text-speak expanded,
// misspellings corrected, split words merged).
func (s *Screener) tokenise(sc *riskScratch, text string) {
	sc.reset()
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, " ")
	}
	if !isASCIIString(text) && !norm.NFKD.IsNormalString(text) {
		text = norm.NFKD.String(text)
	}
	st := riskWordState{start: -1, aposAt: -1}
	for i := 0; i < len(text); {
		c := text[i]
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		i += size
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
			s.addLetter(sc, &st, r|0x20)
		case '0' <= r && r <= '9':
			s.addByte(sc, &st, byte(r))
			st.digits++
			st.last, st.run = 0, 0
		case r == '\'' || r == '\u2019' || r == '\u2018' || r == '\u02bc' || r == '`' || r == '\u00b4' || r == '\u2032':
			if st.start >= 0 && st.aposAt < 0 {
				st.aposAt = len(sc.raw) - st.start
			}
		case r == '*':
			if st.start >= 0 || (i < len(text) && isASCIILetter(text[i])) {
				s.addByte(sc, &st, '*')
				st.stars++
			}
		case r == '.' || r == '!' || r == '?' || r == '\n' || r == '\r' || r == '\u2026':
			s.endWord(sc, &st)
			if r == '.' && i < len(text) && isASCIIAlnum(text[i]) {
				continue // "2.5mg", "s.u.i.c.i.d.e"
			}
			st.pendingBrk = brkHard
		case r == ',' || r == ';' || r == ':' || r == '(' || r == ')' || r == '\u2013' || r == '\u2014' || r == '"' || r == '\u201c' || r == '\u201d':
			s.endWord(sc, &st)
			if st.pendingBrk < brkSoft {
				st.pendingBrk = brkSoft
			}
		case r < utf8.RuneSelf:
			s.endWord(sc, &st) // space, other ASCII punctuation and control characters
		case unicode.Is(unicode.Mn, r):
			// combining mark (accent, variation selector): dropped
		case unicode.IsLetter(r):
			s.addLetter(sc, &st, foldLetter(unicode.ToLower(r)))
		case unicode.IsDigit(r):
			s.addRune(sc, &st, r)
			st.digits++
		default:
			s.endWord(sc, &st)
			if w, ok := emojiWords[r]; ok {
				s.emitEmoji(sc, &st, r, w)
			} else if unicode.IsSymbol(r) {
				sc.symbols = append(sc.symbols, symbol{r: r, before: int32(len(sc.toks))})
			}
		}
	}
	s.endWord(sc, &st)
	sc.text = string(sc.raw)
	for i := range sc.toks {
		t := &sc.toks[i]
		if t.w == "" {
			t.w = sc.text[t.woff:t.wend]
		}
	}
}

func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isASCIIAlnum(c byte) bool  { return isASCIILetter(c) || ('0' <= c && c <= '9') }

// foldLetter maps letters that NFKD does not decompose to plain ones.
func foldLetter(r rune) rune {
	switch r {
	case 'ł':
		return 'l'
	case 'ø':
		return 'o'
	case 'đ', 'ð':
		return 'd'
	case 'ı':
		return 'i'
	}
	return r
}

func (s *Screener) begin(sc *riskScratch, st *riskWordState) {
	if st.start < 0 {
		st.start = len(sc.raw)
	}
}

func (s *Screener) addByte(sc *riskScratch, st *riskWordState, b byte) {
	s.begin(sc, st)
	sc.raw = append(sc.raw, b)
}

func (s *Screener) addRune(sc *riskScratch, st *riskWordState, r rune) {
	s.begin(sc, st)
	sc.raw = utf8.AppendRune(sc.raw, r)
}

func (s *Screener) addLetter(sc *riskScratch, st *riskWordState, r rune) {
	s.begin(sc, st)
	if r == st.last {
		st.run++
		if st.run > 2 {
			st.elongated = true
			return
		}
	} else {
		st.last, st.run = r, 1
	}
	st.letters++
	switch r {
	case 'ß':
		sc.raw = append(sc.raw, 's', 's')
		return
	case 'æ':
		sc.raw = append(sc.raw, 'a', 'e')
		return
	case 'œ':
		sc.raw = append(sc.raw, 'o', 'e')
		return
	}
	if r < utf8.RuneSelf {
		sc.raw = append(sc.raw, byte(r))
		return
	}
	st.nonASCII = true
	sc.raw = utf8.AppendRune(sc.raw, r)
}

// emitEmoji adds an emoji as a word of its own, displayed as itself.
func (s *Screener) emitEmoji(sc *riskScratch, st *riskWordState, r rune, w string) {
	off := int32(len(sc.raw))
	sc.raw = utf8.AppendRune(sc.raw, r)
	src := int32(len(sc.words))
	sc.words = append(sc.words, riskSpan{off, int32(len(sc.raw))})
	s.appendToken(sc, st, riskToken{w: w, id: s.lex.lookup[w], src0: src, src1: src, num: -1, emoji: true})
}

// endWord turns the word being read, if any, into tokens.
func (s *Screener) endWord(sc *riskScratch, st *riskWordState) {
	if st.start < 0 {
		return
	}
	start, end := st.start, len(sc.raw)
	letters, digits, stars, aposAt, elongated, nonASCII := st.letters, st.digits, st.stars, st.aposAt, st.elongated, st.nonASCII
	st.start, st.letters, st.digits, st.stars, st.aposAt = -1, 0, 0, 0, -1
	st.elongated, st.nonASCII, st.last, st.run = false, false, 0, 0
	if letters+digits == 0 {
		sc.raw = sc.raw[:start] // a lone '*'
		return
	}
	src := int32(len(sc.words))
	sc.words = append(sc.words, riskSpan{int32(start), int32(end)})
	word := sc.raw[start:end]
	t := riskToken{src0: src, src1: src, num: -1, woff: int32(start), wend: int32(end)}

	lx := s.lex
	v, known := lx.table.get(word)
	switch {
	case aposAt == 2 && (string(word) == "odd" || string(word) == "oded"):
		t.id = lx.lookup["overdosed"] // "OD'd", "OD'ed"
	case letters == 0 && stars == 0:
		t.num = parseNum(word)
		t.id = max(v, 0)
	case v < 0 && string(word) == "kms" && len(sc.toks) > 0 && kilometres(sc.toks[len(sc.toks)-1].num):
		// "40 kms": kilometres ("want 2 kms" is not)
	case v < 0:
		for i, id := range lx.exps[-v] {
			e := t
			e.id, e.w = id, lx.words[id]
			if i > 0 {
				e.brk = 0
			}
			s.appendToken(sc, st, e)
		}
		return
	case known:
		t.id = v
	case stars > 0:
		t.id = lx.uncensor(word)
	case elongated && lx.skeletons[skeleton(word)] != 0:
		t.id = lx.skeletons[skeleton(word)]
	case digits > 0:
		t.id = lx.unleet(word)
	case !nonASCII:
		t.id = lx.fuzzy(word)
	}
	if t.id != 0 {
		t.w = lx.words[t.id]
	}
	s.appendToken(sc, st, t)
}

// appendToken adds t, merging it with the previous token when the two are
// one word written apart ("my self", "co codamol").
func (s *Screener) appendToken(sc *riskScratch, st *riskWordState, t riskToken) {
	if st.pendingBrk != 0 {
		t.brk = st.pendingBrk
		st.pendingBrk = 0
	}
	if n := len(sc.toks); n > 0 && t.brk == 0 && t.id != 0 {
		prev := &sc.toks[n-1]
		if s.lex.flags[prev.id]&fMergeFirst != 0 {
			if m, ok := s.lex.merges[[2]int32{prev.id, t.id}]; ok {
				prev.id, prev.w = m, s.lex.words[m]
				prev.src1 = t.src1
				prev.emoji = false
				return
			}
		}
	}
	sc.toks = append(sc.toks, t)
}

// kilometres reports whether a number n before "kms" makes it a distance;
// 2 and 4 are text-speak for "to" and "for".
func kilometres(n int32) bool { return n >= 0 && n != 2 && n != 4 }

func parseNum(b []byte) int32 {
	var n int32
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		if n > 1_000_000 {
			return n
		}
		n = n*10 + int32(c-'0')
	}
	return n
}

// wordTable is an open-addressing hash table from words to lookup values,
// faster than a map for the one lookup every word needs.
type wordTable struct {
	mask  uint32
	slots []wordSlot
}

type wordSlot struct {
	key string
	val int32
}

func fnv1a(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	return h
}

func newWordTable(m map[string]int32) wordTable {
	size := 1
	for size < 4*len(m) {
		size <<= 1
	}
	t := wordTable{mask: uint32(size - 1), slots: make([]wordSlot, size)}
	for k, v := range m {
		i := fnv1a([]byte(k)) & t.mask
		for t.slots[i].key != "" {
			i = (i + 1) & t.mask
		}
		t.slots[i] = wordSlot{k, v}
	}
	return t
}

// get returns the value for word b and whether it is there.
func (t *wordTable) get(b []byte) (int32, bool) {
	for i := fnv1a(b) & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.key == "" {
			return 0, false
		}
		if s.key == string(b) {
			return s.val, true
		}
	}
}

// skeleton returns b with every run of a letter shortened to one letter:
// the key for words written with a letter held down ("diiie").
func skeleton(b []byte) string {
	var buf [64]byte
	out := buf[:0]
	for i, c := range b {
		if i > 0 && c == b[i-1] {
			continue
		}
		out = append(out, c)
	}
	return string(out)
}

// damerau returns the optimal string alignment distance between a and b,
// or max+1 when it is larger than max.
func damerau(a []byte, b string, max int) int {
	la, lb := len(a), len(b)
	if d := la - lb; d > max || -d > max {
		return max + 1
	}
	if la > 40 || lb > 40 {
		return max + 1
	}
	var rows [3][41]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= lb; j++ {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			best = min(best, v)
		}
		if best > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[lb]
}
