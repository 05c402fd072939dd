package dialogs

import (
	"slices"
	"strings"
)

// Keyword is a word that means the same at every step of every flow.
type Keyword string

const (
	KeywordNone     Keyword = ""
	KeywordOptOut   Keyword = "opt_out"  // STOP, STOP ALL, UNSUBSCRIBE, END, CANCEL, QUIT
	KeywordOptIn    Keyword = "opt_in"   // START
	KeywordHelp     Keyword = "help"     // HELP, INFO
	KeywordSupport  Keyword = "support"  // SUPPORT, MENU
	KeywordAbsence  Keyword = "absence"  // SICK, ABSENT
	KeywordTalk     Keyword = "talk"     // TALK, AGENT
	KeywordLanguage Keyword = "language" // Cymraeg, Welsh, Polski, Polish, English
)

// keywords maps a whole normalised message to its keyword. Welsh and Polish
// equivalents are included; the English ones work in every language, as the
// texts tell people to use them.
var keywords = map[string]Keyword{
	"stop": KeywordOptOut, "stop all": KeywordOptOut, "stopall": KeywordOptOut, "unsubscribe": KeywordOptOut,
	"end": KeywordOptOut, "cancel": KeywordOptOut, "quit": KeywordOptOut, "stops": KeywordOptOut,
	"stop texting me": KeywordOptOut, "stop messaging me": KeywordOptOut, "stop texts": KeywordOptOut,
	"no more texts": KeywordOptOut, "unsubscribe me": KeywordOptOut, "opt out": KeywordOptOut,
	"stopio": KeywordOptOut, "dad danysgrifio": KeywordOptOut, "koniec": KeywordOptOut, "wypisz": KeywordOptOut,
	"start": KeywordOptIn, "unstop": KeywordOptIn, "opt in": KeywordOptIn, "dechrau": KeywordOptIn,
	"help": KeywordHelp, "info": KeywordHelp, "cymorth": KeywordHelp, "help me": KeywordHelp, "pomoc": KeywordHelp,
	"support": KeywordSupport, "menu": KeywordSupport, "cefnogaeth": KeywordSupport, "wsparcie": KeywordSupport,
	"sick": KeywordAbsence, "absent": KeywordAbsence, "absence": KeywordAbsence, "off sick": KeywordAbsence,
	"sal": KeywordAbsence, "chory": KeywordAbsence, "chora": KeywordAbsence,
	"talk": KeywordTalk, "agent": KeywordTalk, "talk to someone": KeywordTalk, "speak to someone": KeywordTalk,
	"human": KeywordTalk, "person": KeywordTalk, "siarad": KeywordTalk, "rozmowa": KeywordTalk,
	"cymraeg": KeywordLanguage, "welsh": KeywordLanguage, "polski": KeywordLanguage, "polish": KeywordLanguage,
	"english": KeywordLanguage, "saesneg": KeywordLanguage, "angielski": KeywordLanguage, "po polsku": KeywordLanguage,
	"yn gymraeg": KeywordLanguage, "in english": KeywordLanguage, "in welsh": KeywordLanguage, "in polish": KeywordLanguage,
}

var languageNames = map[string]string{
	"cymraeg": "cy", "welsh": "cy", "yn gymraeg": "cy", "in welsh": "cy",
	"polski": "pl", "polish": "pl", "po polsku": "pl", "in polish": "pl",
	"english": "en-GB", "saesneg": "en-GB", "angielski": "en-GB", "in english": "en-GB",
}

// notKeywords are real words one edit from a keyword that must not be read
// as it: "cancer" is an answer, not CANCEL.
var notKeywords = map[string]bool{"cancer": true, "canter": true, "smart": true, "stars": true, "stare": true,
	"stark": true, "agents": true, "pilish": true}

// polite words that may come with a keyword: "stop please", "help pls".
var politeWords = map[string]bool{"please": true, "pls": true, "plz": true, "thanks": true, "thank": true, "you": true,
	"thx": true, "ta": true, "now": true, "diolch": true, "prosze": true, "dziekuje": true}

// ParseKeyword returns the keyword text is, and for KeywordLanguage the
// language tag asked for. Text that merely contains a keyword is not one:
// "I can't stop worrying" is KeywordNone.
func ParseKeyword(text string) (Keyword, string) {
	return parseKeyword(normalize(text))
}

func parseKeyword(n string) (Keyword, string) {
	if n == "" {
		return KeywordNone, ""
	}
	if k, ok := keywords[n]; ok {
		return k, languageNames[n]
	}
	// Drop polite words around the keyword.
	words := strings.Fields(n)
	var core []string
	for _, w := range words {
		if !politeWords[w] {
			core = append(core, w)
		}
	}
	if len(core) > 0 && len(core) < len(words) {
		c := strings.Join(core, " ")
		if k, ok := keywords[c]; ok {
			return k, languageNames[c]
		}
	}
	// One-word typos of the longer keywords, and neighbour swaps of short
	// ones ("stpo", "hlep"), accepted only when they are near one keyword
	// (and language) and are not real words that mean something else.
	if len(core) == 1 && !notKeywords[core[0]] {
		type hit struct {
			k    Keyword
			lang string
		}
		var hits []hit
		for k, kw := range keywords {
			if strings.Contains(k, " ") || !near(core[0], k) {
				continue
			}
			h := hit{kw, languageNames[k]}
			if !slices.Contains(hits, h) {
				hits = append(hits, h)
			}
		}
		if len(hits) == 1 {
			return hits[0].k, hits[0].lang
		}
	}
	return KeywordNone, ""
}
