package risk

import "sync"

// Word is one canonical word of a message, as the risk model reads it.
type Word struct {
	Text string // canonical form; "#" for a number; an emoji or symbol with no word of its own is itself
	// Clause is set on a word that starts a new clause after the first:
	// after a sentence break, or a contrast word such as "but" (itself a
	// word of the new clause).
	Clause bool
}

// tokeniser is the lexicon's tokeniser, without a model, for Words.
var tokeniser = sync.OnceValue(func() *Screener { return newScreener(nil) })

// Words returns the canonical words of text, in order: normalised as the
// risk screen normalises it (text.go: accents folded, lower case,
// contractions and text-speak expanded, misspellings corrected, split
// words merged), numbers as "#", and emoji and symbols that map to no word
// as themselves. It is the one text normalisation the trained models share
// (the intent model, dialogs/intent, reads messages through it). It never
// fails and is safe for concurrent use; the first call compiles the
// lexicon.
func Words(text string) []Word {
	s := tokeniser()
	sc := s.pool.Get().(*riskScratch)
	s.tokenise(sc, text)
	out := make([]Word, 0, len(sc.toks)+len(sc.symbols))
	sym := 0
	for i := range sc.toks {
		t := &sc.toks[i]
		clause := i > 0 && (t.brk == brkHard || contrast[t.w])
		for ; sym < len(sc.symbols) && sc.symbols[sym].before <= int32(i); sym++ {
			out = append(out, Word{Text: string(sc.symbols[sym].r)})
		}
		out = append(out, Word{Text: modelWord(t), Clause: clause})
	}
	for ; sym < len(sc.symbols); sym++ {
		out = append(out, Word{Text: string(sc.symbols[sym].r)})
	}
	if cap(sc.raw) <= 64<<10 {
		s.pool.Put(sc)
	}
	return out
}
