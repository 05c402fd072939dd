package dialogs

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Reply understanding is deterministic: tables and a small edit-distance
// rule, no models. The rules, chosen to fail safe:
//
//   - Text is compared case-folded, with accents folded (ŵ → w, ł → l),
//     apostrophes dropped ("don't" → "dont") and other punctuation read as
//     space, so "Yes!", " YES " and "yes." are the same.
//   - Keywords (STOP, START, HELP, ...) count only when they are the whole
//     message, perhaps with a polite word ("stop please"). "I can't stop
//     worrying" or "at the end of my tether" must never opt anyone out or
//     silence the bot.
//   - Typos: a word of 5 letters or more may be one edit (insert, delete,
//     substitute, or swap two neighbours) from a known word. Shorter words
//     may only swap two neighbours ("stpo", "yse") or stretch a letter
//     ("yesss", "nooo"): one substitution turns "stop" into "step" or
//     "shop", and "no" into "so". A typo is accepted only when it is near
//     words of one meaning; when it is near both a yes and a no word it is
//     not understood, so a typo of "yes" never becomes "no" (or the
//     reverse): the person is asked again.
//   - English forms are understood in every language; Welsh and Polish forms
//     too ("ie", "tak", "na", "nie", "dau", "dwa").

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

// normalize lower-cases s, folds accents, drops apostrophes, turns other
// punctuation into spaces and collapses runs of space.
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading space
	for _, r := range s {
		switch {
		case r == '\'' || r == '’' || r == '‘' || r == '`':
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(fold(unicode.ToLower(r)))
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// fold maps the accented letters of Welsh, Polish and common loan words to
// their base letter.
func fold(r rune) rune {
	if r < 0x80 {
		return r
	}
	switch r {
	case 'â', 'ä', 'á', 'à', 'ą', 'ã', 'å':
		return 'a'
	case 'ê', 'ë', 'é', 'è', 'ę':
		return 'e'
	case 'î', 'ï', 'í', 'ì':
		return 'i'
	case 'ô', 'ö', 'ó', 'ò', 'õ', 'ø':
		return 'o'
	case 'û', 'ü', 'ú', 'ù':
		return 'u'
	case 'ŵ', 'ẅ', 'ẃ', 'ẁ':
		return 'w'
	case 'ŷ', 'ÿ', 'ý', 'ỳ':
		return 'y'
	case 'ć', 'ç':
		return 'c'
	case 'ł':
		return 'l'
	case 'ń', 'ñ':
		return 'n'
	case 'ś':
		return 's'
	case 'ź', 'ż':
		return 'z'
	}
	return r
}

// near reports whether word is an accepted typo of target (see the rules
// at the top of this file). Equal words are near.
func near(word, target string) bool {
	if word == target {
		return true
	}
	if len(target) >= 5 && len(word) >= 4 {
		return within1(word, target)
	}
	if len(word) >= 3 && len(word) == len(target) && swapped(word, target) {
		return true
	}
	return len(word) > len(target) && len(target) >= 2 && squeeze(word) == squeeze(target)
}

// swapped reports whether a becomes b by swapping two neighbouring letters.
func swapped(a, b string) bool {
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}

// squeeze collapses runs of one letter: "yesss" → "yes", "noo" → "no".
func squeeze(s string) string {
	if len(s) < 2 {
		return s
	}
	b := []byte{s[0]}
	for i := 1; i < len(s); i++ {
		if s[i] != s[i-1] {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// within1 reports whether a and b are at most one edit apart (insert,
// delete, substitute, or swap of neighbours).
func within1(a, b string) bool {
	if a == b {
		return true
	}
	la, lb := len(a), len(b)
	if la-lb > 1 || lb-la > 1 {
		return false
	}
	i := 0
	for i < la && i < lb && a[i] == b[i] {
		i++
	}
	switch {
	case la == lb:
		if a[i+1:] == b[i+1:] {
			return true
		}
		return swapped(a, b)
	case la > lb:
		return a[i+1:] == b[i:]
	default:
		return a[i:] == b[i+1:]
	}
}

// yesNo is the meaning of an answer to a yes/no question.
type yesNo int

const (
	ynNone   yesNo = iota // not understood
	ynYes                 // yes, ok, sure
	ynNo                  // no, nope, no thanks
	ynNotNow              // not now, later: a no that asks for another time
	ynUnsure              // not sure, don't know
)

var yesWords = map[string]bool{
	"yes": true, "y": true, "yeah": true, "yea": true, "yep": true, "yup": true, "ya": true, "ye": true, "yh": true,
	"ok": true, "okay": true, "okey": true, "oki": true, "okie": true, "k": true, "kk": true, "sure": true,
	"fine": true, "alright": true, "aye": true, "please": true, "definitely": true, "absolutely": true, "certainly": true,
	"defo": true, "deffo": true, "yesh": true,
	"ie": true, "ia": true, "ydw": true, "ydy": true, "oes": true, "iawn": true, "do": true, // Welsh
	"tak": true, "dobrze": true, "jasne": true, "okej": true, "pewnie": true, "oczywiscie": true, "chetnie": true, // Polish
}

var noWords = map[string]bool{
	"no": true, "n": true, "nope": true, "nah": true, "na": true, "nay": true, "never": true, "negative": true,
	"nage": true, "naddo": true, "nac": true, // Welsh
	"nie": true, // Polish
}

// yesPhrases and noPhrases are whole answers whose first word misleads.
var answerPhrases = map[string]yesNo{
	"no problem": ynYes, "no worries": ynYes, "no probs": ynYes, "why not": ynYes, "of course": ynYes, "go on": ynYes,
	"go ahead": ynYes, "go on then": ynYes, "ok then": ynYes, "go for it": ynYes, "please do": ynYes,
	"yes please do": ynYes, "that would help": ynYes, "that would be good": ynYes, "no tak": ynYes, "tak tak": ynYes,
	"no need": ynNo, "not interested": ynNo, "not for me": ynNo, "nac ydw": ynNo, "nac oes": ynNo, "nac ydy": ynNo,
	"na dim diolch": ynNo, "nie trzeba": ynNo, "raczej nie": ynNo, "nie dzieki": ynNo, "sounds good": ynYes, "thats fine": ynYes, "thats me": ynYes, "its me": ynYes,
	"not really": ynNo, "not at the moment": ynNotNow, "no thanks": ynNo, "no thank you": ynNo, "dim diolch": ynNo,
	"not now": ynNotNow, "not today": ynNotNow, "not right now": ynNotNow, "later": ynNotNow, "maybe later": ynNotNow,
	"another time": ynNotNow, "not yet": ynNotNow, "ddim nawr": ynNotNow, "nid nawr": ynNotNow, "wedyn": ynNotNow,
	"nie teraz": ynNotNow, "pozniej": ynNotNow,
	"not sure": ynUnsure, "dont know": ynUnsure, "dunno": ynUnsure, "unsure": ynUnsure, "maybe": ynUnsure,
	"idk": ynUnsure, "i dont know": ynUnsure, "im not sure": ynUnsure, "dim syniad": ynUnsure,
	"ddim yn gwybod": ynUnsure, "dwi ddim yn gwybod": ynUnsure, "nie wiem": ynUnsure, "nie jestem pewien": ynUnsure,
	"thats all": ynNo, "thats it": ynNo, "nothing": ynNo, "nothing else": ynNo, "nothing more": ynNo,
	"all done": ynNo, "done": ynNo, "finished": ynNo, "no more": ynNo, "dyna i gyd": ynNo, "dynar cyfan": ynNo,
	"dim byd": ynNo, "to wszystko": ynNo, "nic": ynNo, "nic wiecej": ynNo,
	"nie jestem pewna": ynUnsure, "ddim yn siwr": ynUnsure, "dim yn siwr": ynUnsure, "dwi ddim yn siwr": ynUnsure,
}

// fillers may follow a yes or no without changing it: "yes please",
// "no thank you", "ok go on".
var fillers = map[string]bool{
	"please": true, "pls": true, "plz": true, "thanks": true, "thank": true, "you": true, "ta": true, "cheers": true,
	"thx": true, "x": true, "xx": true, "xxx": true, "i": true, "am": true, "im": true, "it": true, "is": true,
	"its": true, "me": true, "that": true, "thats": true, "would": true, "like": true, "to": true, "go": true,
	"on": true, "ahead": true, "fine": true, "good": true, "sure": true, "ok": true, "okay": true, "happy": true,
	"diolch": true, "prosze": true, "dziekuje": true, "dzieki": true, "yes": true, "yeah": true, "yep": true,
	"do": true, "it s": true, "really": true, "course": true, "of": true, "this": true, "then": true, "mate": true,
	"love": true, "pal": true, "hun": true, "pet": true, "ty": true, "plis": true, "poprosze": true,
}

// parseYesNo reads an answer to a yes/no question.
func parseYesNo(n string) yesNo {
	if n == "" {
		return ynNone
	}
	if v, ok := answerPhrases[n]; ok {
		return v
	}
	words := strings.Fields(n)
	// "not now please", "no thanks x": a phrase followed by fillers.
	for i := len(words) - 1; i >= 1; i-- {
		if v, ok := answerPhrases[strings.Join(words[:i], " ")]; ok && allFillers(words[i:]) {
			return v
		}
	}
	first := wordYesNo(words[0])
	if first != ynYes && first != ynNo {
		return ynNone
	}
	if len(words) > 1 {
		second := wordYesNo(words[1])
		if (second == ynYes || second == ynNo) && second != first {
			return ynNone // "yes no", "ok no": contradictory
		}
		if first == ynYes && len(words) > 1 && (words[1] == "not" || words[1] == "but") && len(words) <= 3 {
			return ynNone // "ok not really", "yes but"
		}
	}
	return first
}

// bareYesNo reports whether normalised answer n is a yes or a no of at
// most two words ("no thanks", "nie dziękuję"): an answer, not news.
func bareYesNo(n string) bool {
	return parseYesNo(n) != ynNone && len(strings.Fields(n)) <= 2
}

func allFillers(ws []string) bool {
	for _, w := range ws {
		if !fillers[w] {
			return false
		}
	}
	return true
}

// noFuzzy are real words one edit from a yes or no word that must not be
// read as one: "now" is not "no".
var noFuzzy = map[string]bool{"now": true, "new": true, "nor": true, "not": true, "yet": true, "yo": true, "bye": true}

// nearAny reports whether w is an accepted typo of a word in set, or, for
// words of 3 to 5 letters, one edit from one. Used on both meanings, so a
// word one edit from a yes word and from a no word ("nok": ok, no) is
// neither.
func nearAny(w string, set map[string]bool) bool {
	for k := range set {
		if (len(k) >= 2 && near(w, k)) || (len(w) >= 3 && len(w) <= 5 && within1(w, k)) {
			return true
		}
	}
	return false
}

// wordYesNo classifies one word, allowing typos near only one meaning.
func wordYesNo(w string) yesNo {
	if yesWords[w] {
		return ynYes
	}
	if noWords[w] {
		return ynNo
	}
	if noFuzzy[w] {
		return ynNone
	}
	yes, no := nearAny(w, yesWords), nearAny(w, noWords)
	switch {
	case yes && !no:
		return ynYes
	case no && !yes:
		return ynNo
	}
	return ynNone
}

var numberWords = map[string]int{
	"zero": 0, "nought": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
	"dim": 0, "un": 1, "dau": 2, "dwy": 2, "tri": 3, "tair": 3, "pedwar": 4, "pedair": 4, "pump": 5, "chwech": 6,
	"saith": 7, "wyth": 8, "naw": 9, "deg": 10,
	"jeden": 1, "jedna": 1, "dwa": 2, "dwie": 2, "trzy": 3, "cztery": 4, "piec": 5, "szesc": 6, "siedem": 7,
	"osiem": 8, "dziewiec": 9, "dziesiec": 10,
}

// choiceFillers may surround a menu number: "option 2", "number 3 please".
var choiceFillers = map[string]bool{
	"option": true, "opt": true, "number": true, "num": true, "nr": true, "no": true, "choice": true, "reply": true,
	"opsiwn": true, "rhif": true, "opcja": true, "numer": true, "odpowiedz": true, "and": true, "a": true, "ac": true,
	"i": true, "oraz": true, "&": true, "please": true, "pls": true, "thanks": true, "diolch": true, "prosze": true,
	"dziekuje": true, "both": true, "x": true,
}

// parseChoices reads menu choices: one or more numbers from lo to hi ("2",
// "option 2", "two", "1 and 3"). It returns nil when the answer has anything
// else in it or a number out of range.
func parseChoices(n string, lo, hi int) []int {
	if n == "" {
		return nil
	}
	var out []int
	for _, w := range strings.Fields(n) {
		v, ok := wordNumber(w)
		if !ok {
			if choiceFillers[w] {
				continue
			}
			return nil
		}
		if v < lo || v > hi {
			return nil
		}
		dup := false
		for _, x := range out {
			dup = dup || x == v
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}

// parseChoice reads exactly one menu choice from lo to hi.
func parseChoice(n string, lo, hi int) (int, bool) {
	c := parseChoices(n, lo, hi)
	if len(c) != 1 {
		return 0, false
	}
	return c[0], true
}

func wordNumber(w string) (int, bool) {
	if w == "" {
		return 0, false
	}
	if w[0] >= '0' && w[0] <= '9' {
		// "2", "2nd", "3rd"
		d := strings.TrimRight(w, "ndrsth")
		v, err := strconv.Atoi(d)
		if err != nil || len(d) > 3 || (d != w && v == 0) {
			return 0, false
		}
		return v, true
	}
	if v, ok := numberWords[w]; ok {
		return v, true
	}
	if len(w) >= 5 {
		for k, v := range numberWords {
			if len(k) >= 5 && within1(w, k) {
				return v, true
			}
		}
	}
	return 0, false
}

// scalePhrases are the PHQ/GAD answer options in words.
var scalePhrases = map[string]int{
	"not at all": 0, "never": 0, "none": 0, "no": 0, "nope": 0,
	"several days": 1, "some days": 1, "a few days": 1, "few days": 1,
	"more than half the days": 2, "more than half": 2, "more than half of the days": 2, "most days": 2,
	"nearly every day": 3, "every day": 3, "almost every day": 3, "all the time": 3, "everyday": 3,
	// Welsh
	"ddim o gwbl": 0, "dim o gwbl": 0, "sawl diwrnod": 1, "mwy na hanner y dyddiau": 2, "bron bob dydd": 3, "bob dydd": 3,
	// Polish
	"wcale": 0, "wcale nie": 0, "nigdy": 0, "kilka dni": 1, "wiecej niz polowe dni": 2, "ponad polowe dni": 2,
	"prawie codziennie": 3, "niemal codziennie": 3, "codziennie": 3,
}

// parseScale reads a PHQ/GAD answer: 0 to 3 as a number or the option's
// words.
func parseScale(n string) (int, bool) {
	if v, ok := parseChoice(n, 0, 3); ok {
		return v, true
	}
	if v, ok := scalePhrases[n]; ok {
		return v, true
	}
	if v, ok := scalePhrases[strings.TrimSuffix(n, " please")]; ok {
		return v, true
	}
	return 0, false
}

// Dates.

var weekdays = map[string]time.Weekday{
	"monday": time.Monday, "mon": time.Monday, "tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday,
	"wednesday": time.Wednesday, "wed": time.Wednesday, "thursday": time.Thursday, "thu": time.Thursday,
	"thur": time.Thursday, "thurs": time.Thursday, "friday": time.Friday, "fri": time.Friday,
	"saturday": time.Saturday, "sat": time.Saturday, "sunday": time.Sunday, "sun": time.Sunday,
	"dydd llun": time.Monday, "llun": time.Monday, "dydd mawrth": time.Tuesday, "dydd mercher": time.Wednesday,
	"mercher": time.Wednesday, "dydd iau": time.Thursday, "iau": time.Thursday, "dydd gwener": time.Friday,
	"gwener": time.Friday, "dydd sadwrn": time.Saturday, "sadwrn": time.Saturday, "dydd sul": time.Sunday,
	"poniedzialek": time.Monday, "wtorek": time.Tuesday, "sroda": time.Wednesday, "czwartek": time.Thursday,
	"piatek": time.Friday, "sobota": time.Saturday, "niedziela": time.Sunday,
	// Polish weekdays after a preposition: "w srode", "do piatku", "od poniedzialku".
	"poniedzialku": time.Monday, "wtorku": time.Tuesday, "srode": time.Wednesday, "srody": time.Wednesday,
	"czwartku": time.Thursday, "piatku": time.Friday, "sobote": time.Saturday, "soboty": time.Saturday,
	"niedziele": time.Sunday, "niedzieli": time.Sunday,
}

var months = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
	"jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
	"oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

var relativeDays = map[string]int{
	"today": 0, "tdy": 0, "2day": 0, "heddiw": 0, "heno": 0, "bore ma": 0, "dzis": 0, "dzisiaj": 0,
	"this morning": 0, "tonight": 0,
	"yesterday": -1, "ddoe": -1, "neithiwr": -1, "wczoraj": -1, "last night": -1,
	"day before yesterday": -2, "the day before yesterday": -2, "echdoe": -2, "przedwczoraj": -2,
	"tomorrow": 1, "tmrw": 1, "tmr": 1, "yfory": 1, "jutro": 1,
	"next week": 7, "wythnos nesaf": 7, "w przyszlym tygodniu": 7,
}

// datePrefixes may come before a date without changing it: "on Monday",
// "since tues", "back on the 3rd", "till Friday", "w piatek", "od wczoraj",
// "ers ddoe", "ar ddydd Llun". Trimmed in this order, each at most once.
var datePrefixes = []string{"probably ", "hopefully ", "maybe ", "back ", "at work ", "in work ", "on ", "from ",
	"since ", "until ", "till ", "til ", "by ", "last ", "this ", "next ", "the ", "w ", "we ", "od ", "do ", "ers ",
	"ar ", "o ", "ddydd ", "dydd "}

// dateSuffixes may follow a date: "monday just gone", "dydd llun nesaf".
var dateSuffixes = []string{" just gone", " gone", " coming", " nesaf", " nesa", " diwethaf", " dwetha"}

// parseDate reads a date relative to today: "today", "yesterday",
// "tomorrow", a weekday, "3/11", "3/11/2026", "3 Nov", "Nov 3rd", "the 3rd",
// "in 3 days", "2 days ago", "end of the week", "after the weekend", and,
// for a date ahead, a duration ("about a month", "a fortnight").
// past chooses how to read a weekday or a date without a year or month:
// the latest such date on or before today (past), or the next one after
// today.
func parseDate(raw string, today time.Time, past bool) (time.Time, bool) {
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	n := normalize(raw)
	if d, ok := relativeDays[n]; ok { // before "last " and "this " go: "last night", "this morning"
		return today.AddDate(0, 0, d), true
	}
	for _, p := range datePrefixes {
		n = strings.TrimPrefix(n, p)
	}
	for _, sfx := range dateSuffixes {
		n = strings.TrimSuffix(n, sfx)
	}
	if d, ok := relativeDays[n]; ok {
		return today.AddDate(0, 0, d), true
	}
	if d, ok := relativeWeekDays(n, today, past); ok {
		return d, true
	}
	if wd, ok := weekdays[n]; ok {
		diff := int(wd - today.Weekday())
		if past {
			if diff > 0 {
				diff -= 7
			}
		} else if diff <= 0 {
			diff += 7
		}
		return today.AddDate(0, 0, diff), true
	}
	// "2 days ago", "a week ago" (past); "in 3 days", "2 weeks", "about a
	// month" (ahead).
	if before, ok := strings.CutSuffix(n, " ago"); ok && past {
		if days, ok := parseDuration(before); ok && days <= 366 {
			return today.AddDate(0, 0, -int(math.Round(days))), true
		}
	}
	if !past && !hasDigitDate(raw) && !strings.HasSuffix(n, " ago") {
		if days, ok := parseDuration(n); ok && days >= 1 && days <= 366 {
			return today.AddDate(0, 0, int(math.Round(days))), true
		}
	}
	// Numeric: d/m, d/m/yy, d/m/yyyy, with / . or - between.
	var nums []int
	for _, f := range strings.FieldsFunc(strings.TrimSpace(raw), func(r rune) bool { return r == '/' || r == '.' || r == '-' || r == ' ' }) {
		v, err := strconv.Atoi(f)
		if err != nil {
			nums = nil
			break
		}
		nums = append(nums, v)
	}
	day, month, year := 0, time.Month(0), 0
	switch {
	case len(nums) == 2 || len(nums) == 3:
		day, month = nums[0], time.Month(nums[1])
		if len(nums) == 3 {
			year = nums[2]
			if year < 100 {
				year += 2000
			}
		}
	default:
		// "3 nov", "3rd november", "nov 3", "november 3rd 2026"
		ws := strings.Fields(n)
		for _, w := range ws {
			if m, ok := months[w]; ok && month == 0 {
				month = m
				continue
			}
			d := strings.TrimRight(w, "ndrsth")
			v, err := strconv.Atoi(d)
			switch {
			case err != nil || d == "":
				if w != "of" && w != "the" {
					return time.Time{}, false
				}
			case v >= 1000 && year == 0:
				year = v
			case day == 0:
				day = v
			default:
				return time.Time{}, false
			}
		}
	}
	if month == 0 && year == 0 && day >= 1 && len(nums) == 0 {
		// "the 3rd": the nearest month's on the right side of today that
		// has that day (the 31st skips November).
		step := 1
		if past {
			step = -1
		}
		for i := 0; day <= 31 && i < 3; i++ {
			t := time.Date(today.Year(), today.Month()+time.Month(i*step), day, 0, 0, 0, 0, time.UTC)
			if t.Day() == day && (past && !t.After(today) || !past && !t.Before(today)) {
				return t, true
			}
		}
		return time.Time{}, false
	}
	if day < 1 || day > 31 || month < 1 || month > 12 {
		return time.Time{}, false
	}
	if year != 0 {
		t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
		if t.Day() != day {
			return time.Time{}, false
		}
		return t, true
	}
	t := time.Date(today.Year(), month, day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day {
		return time.Time{}, false // 31/11
	}
	if past && t.After(today) {
		t = t.AddDate(-1, 0, 0)
	} else if !past && t.Before(today) {
		t = t.AddDate(1, 0, 0)
	}
	return t, true
}

// relativeWeekDays reads the week's landmarks ahead of today: "end of the
// week" (Friday), "end of next week", "after the weekend" (Monday), "end of
// the month".
func relativeWeekDays(n string, today time.Time, past bool) (time.Time, bool) {
	if past {
		return time.Time{}, false
	}
	next := func(wd time.Weekday) time.Time {
		diff := int(wd - today.Weekday())
		if diff <= 0 {
			diff += 7
		}
		return today.AddDate(0, 0, diff)
	}
	switch n {
	case "end of the week", "end of week", "the end of the week", "diwedd yr wythnos", "koniec tygodnia", "konca tygodnia":
		if today.Weekday() >= time.Monday && today.Weekday() < time.Friday {
			return next(time.Friday), true
		}
		return next(time.Friday).AddDate(0, 0, 7), true
	case "end of next week", "the end of next week", "diwedd wythnos nesaf", "koniec przyszlego tygodnia", "konca przyszlego tygodnia":
		return next(time.Monday).AddDate(0, 0, 4), true
	case "after the weekend", "after weekend", "ar ol y penwythnos", "po weekendzie":
		return next(time.Monday), true
	case "end of the month", "end of month", "the end of the month", "diwedd y mis", "koniec miesiaca", "konca miesiaca":
		return time.Date(today.Year(), today.Month()+1, 0, 0, 0, 0, 0, time.UTC), true
	}
	return time.Time{}, false
}

// hasDigitDate reports whether raw holds a number written with a date
// separator ("3/11", "3.11", "3-11"), which a duration never is.
func hasDigitDate(raw string) bool {
	for i := 1; i < len(raw); i++ {
		if strings.ContainsRune("/.-", rune(raw[i])) && raw[i-1] >= '0' && raw[i-1] <= '9' {
			return true
		}
	}
	return false
}

// Absence reasons: plain words to ESR sickness absence reason codes.
// Checked in this order (COVID first, general words such as "infection"
// last), so "stress and back pain" records S10: mental
// health comes first because support for it must never be withheld because
// of a code (and codes are often wrong; the person confirms the words).
var reasonTable = []struct {
	code  string
	words []string
}{
	{"S10", []string{"stress", "stressed", "anxiety", "anxious", "depression", "depressed", "low mood", "mental health",
		"panic", "burnout", "burnt out", "burned out", "overwhelmed", "breakdown", "ptsd", "bipolar", "grief",
		"bereavement", "straen", "gorbryder", "iselder", "stres", "lek", "depresja", "wypalenie"}},
	{"S11", []string{"back", "back pain", "sciatica", "slipped disc", "lumbago", "cefn", "poen cefn", "plecy", "plecow", "kregoslup", "kregoslupa"}},
	{"S28", []string{"injury", "injured", "fracture", "fractured", "broken", "broke", "sprain", "sprained", "fell",
		"fall", "accident", "whiplash", "anaf", "uraz", "zlamanie"}},
	{"S12", []string{"neck", "shoulder", "knee", "hip", "joint", "joints", "muscle", "arthritis", "wrist", "ankle",
		"elbow", "tendon", "tendonitis", "msk", "frozen shoulder", "carpal tunnel", "gout", "gwddf", "ysgwydd",
		"pen glin", "szyja", "bark", "kolano", "staw"}},
	{"S15", []string{"chest", "chest infection", "pneumonia", "bronchitis", "breathing", "breathless", "copd",
		"brest", "zapalenie pluc"}},
	{"S14", []string{"asthma", "asthma attack", "astma"}},
	{"S13", []string{"cold", "cough", "flu", "influenza", "virus", "viral", "fever", "temperature", "annwyd",
		"peswch", "ffliw", "przeziebienie", "kaszel", "grypa", "goraczka",
		"grype", "grypy", "goraczke", "przeziebiony", "przeziebiona", "przeziebienia"}},
	{"S16", []string{"headache", "migraine", "migraines", "cur pen", "meigryn", "bol glowy", "migrena"}},
	{"S21", []string{"ear", "earache", "throat", "sore throat", "tonsillitis", "sinus", "sinusitis", "ent",
		"dolur gwddf", "gardlo", "ucho"}},
	{"S22", []string{"tooth", "teeth", "toothache", "dental", "dentist", "wisdom tooth", "dant", "zab", "zeby"}},
	{"S23", []string{"eye", "eyes", "conjunctivitis", "llygad", "oko", "oczy"}},
	{"S25", []string{"d and v", "d v", "dv", "sickness and diarrhoea", "diarrhoea", "diarrhea", "vomiting",
		"vomit", "stomach", "gastro", "gastroenteritis", "norovirus", "sickness bug", "tummy", "bug", "nausea",
		"food poisoning", "ibs", "crohns", "colitis", "bola bol", "dolur rhydd", "chwydu", "biegunka", "wymioty",
		"zoladek", "zatrucie"}},
	{"S26", []string{"period", "periods", "gynae", "gynaecological", "uti", "kidney", "bladder", "urine",
		"menopause", "endometriosis", "miscarriage", "mislif", "okres", "menopauza", "nerki"}},
	{"S30", []string{"pregnancy", "pregnant", "morning sickness", "hyperemesis", "beichiog", "ciaza", "ciazy", "w ciazy"}},
	{"S31", []string{"skin", "rash", "eczema", "psoriasis", "dermatitis", "croen", "skora", "wysypka"}},
	{"S19", []string{"heart", "cardiac", "blood pressure", "angina", "calon", "serce"}},
	{"S17", []string{"cancer", "tumour", "tumor", "chemo", "chemotherapy", "radiotherapy", "canser", "rak", "nowotwor"}},
	{"S29", []string{"epilepsy", "seizure", "ms", "multiple sclerosis", "stroke", "vertigo", "parkinsons", "padaczka"}},
	{"S24", []string{"diabetes", "thyroid", "diabetic", "cukrzyca", "tarczyca"}},
	{"S18", []string{"anaemia", "anemia", "blood disorder", "anemia"}},
	{"S27", []string{"chickenpox", "shingles", "measles", "mumps", "scarlet fever", "infection", "infectious",
		"tb", "tuberculosis"}},
	{"S98", []string{"operation", "surgery", "procedure", "op", "llawdriniaeth", "operacja", "zabieg"}},
}

// privateWords mean the person would rather not say: S99.
var privateWords = map[string]bool{"private": true, "rather not say": true, "prefer not to say": true,
	"id rather not say": true, "id prefer not to say": true, "personal": true, "preifat": true, "prywatne": true,
	"wole nie mowic": true, "nie chce mowic": true, "gwell gen i beidio": true}

// ReasonCode maps an absence reason in plain words to an ESR sickness
// absence reason code, and to "COVID-19" as the related reason when COVID
// is named (COVID-19 is not a reason code: ESR records it beside S27). Text
// that names nothing known, or says it is private, gives S99.
func ReasonCode(text string) (code, related string) {
	code, related, _ = reasonMatch(text)
	return code, related
}

// reasonMatch is ReasonCode, with the words of text that named the
// reason ("flu", "back pain"); "" when none did.
func reasonMatch(text string) (code, related, words string) {
	n := normalize(text)
	if privateWords[n] {
		return "S99", "", ""
	}
	fields := strings.Fields(n)
	has := func(phrase string) bool {
		if !strings.Contains(phrase, " ") {
			for _, w := range fields {
				if w == phrase || (len(phrase) >= 6 && within1(w, phrase)) {
					return true
				}
			}
			return false
		}
		return strings.Contains(" "+n+" ", " "+phrase+" ")
	}
	for _, w := range []string{"covid", "covid19", "coronavirus"} {
		if has(w) {
			return "S27", "COVID-19", w
		}
	}
	for _, r := range reasonTable {
		for _, w := range r.words {
			if has(w) {
				return r.code, "", w
			}
		}
	}
	return "S99", "", ""
}

// sinceWords, before a day of relativeDays, date an absence from that day
// ("since yesterday", "od wczoraj", "ers ddoe").
var sinceWords = []string{"since", "od", "ers"}

// hasContactDetails reports whether text gives a way to reach its writer:
// an email address, or a phone number (10 digits or more, perhaps with
// spaces, dashes, brackets or a leading +).
func hasContactDetails(text string) bool {
	for _, w := range strings.Fields(text) {
		if at := strings.IndexByte(w, '@'); at > 0 && strings.Contains(w[at+1:], ".") {
			return true
		}
	}
	digits := 0
	for _, r := range text {
		switch {
		case r >= '0' && r <= '9':
			digits++
			if digits >= 10 {
				return true
			}
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '+' || r == '.':
		default:
			digits = 0
		}
	}
	return false
}

// nameMatches reports whether an answer gives the first name on record:
// any word of it equal to the name (accents and case folded), one a prefix
// of the other of 3 letters or more ("Rob" for "Robert"), or one edit apart
// for names of 5 letters or more.
func nameMatches(answer, first string) bool {
	want := normalize(first)
	if want == "" {
		return false
	}
	wantWords := strings.Fields(want)
	for _, w := range strings.Fields(normalize(answer)) {
		for _, t := range wantWords {
			switch {
			case w == t:
				return true
			case len(w) >= 3 && len(t) >= 3 && (strings.HasPrefix(t, w) || strings.HasPrefix(w, t)):
				return true
			case len(t) >= 5 && within1(w, t):
				return true
			}
		}
	}
	return false
}

// negations turn an answer's meaning around: "not better" must not choose
// "Better".
var negations = map[string]bool{"not": true, "no": true, "never": true, "isnt": true, "dont": true, "nie": true,
	"ddim": true, "dim": true, "nid": true, "na": true}

// matchOption reads an answer given in words against a rendered menu whose
// lines are "N Label" ("2 About the same", "3 Back, muscle or joint pain"),
// in the conversation's language. It matches when the answer is a label, or
// when its words of 4 letters or more (allowing one typo in words of 5 or
// more) name exactly one label; an answer with a negation matches only a
// label with one, and the reverse ("great" is not "Not great"). It returns
// the option's number.
func matchOption(menu, n string, lo, hi int) (int, bool) {
	if n == "" {
		return 0, false
	}
	answerWords := strings.Fields(n)
	negated := false
	for _, w := range answerWords {
		negated = negated || negations[w]
	}
	found, hits := 0, 0
	for _, line := range strings.Split(menu, "\n") {
		num, label, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		v, err := strconv.Atoi(num)
		if err != nil || v < lo || v > hi {
			continue
		}
		l := normalize(label)
		if l == n {
			return v, true
		}
		labelWords := strings.Fields(l)
		labelNegated := false
		for _, w := range labelWords {
			labelNegated = labelNegated || negations[w]
		}
		if negated != labelNegated {
			continue
		}
		match := false
		for _, w := range answerWords {
			if len(w) < 4 {
				continue
			}
			for _, lw := range labelWords {
				if lw == w || (len(w) >= 5 && len(lw) >= 5 && within1(w, lw)) {
					match = true
				}
			}
		}
		if match {
			found = v
			hits++
		}
	}
	if hits != 1 {
		return 0, false
	}
	return found, true
}

// durationUnits are words for a day, week, month and year in English,
// Welsh and Polish (accents folded), in days.
var durationUnits = map[string]float64{
	"day": 1, "days": 1, "diwrnod": 1, "diwrnodau": 1, "dydd": 1, "dyddiau": 1, "dzien": 1, "dni": 1,
	"week": 7, "weeks": 7, "wk": 7, "wks": 7, "wythnos": 7, "wythnosau": 7, "tydzien": 7, "tygodnie": 7, "tygodni": 7,
	"fortnight": 14, "pythefnos": 14,
	"month": 30.4, "months": 30.4, "mis": 30.4, "misoedd": 30.4, "miesiac": 30.4, "miesiace": 30.4, "miesiecy": 30.4,
	"year": 365, "years": 365, "yr": 365, "yrs": 365, "blwyddyn": 365, "blynedd": 365, "rok": 365, "lata": 365, "lat": 365,
}

// durationCounts are number words, and words standing for a number
// ("a month", "a couple of weeks", "kilka tygodni"), in the three
// languages.
var durationCounts = map[string]float64{
	"a": 1, "an": 1, "one": 1, "un": 1, "jeden": 1, "jedna": 1,
	"two": 2, "couple": 2, "dau": 2, "dwy": 2, "dwa": 2, "dwie": 2,
	"three": 3, "few": 3, "several": 3, "tri": 3, "tair": 3, "trzy": 3, "kilka": 3, "kilku": 3, "pare": 2, "paru": 2, "sawl": 3, "ychydig": 3,
	"four": 4, "pedwar": 4, "pedair": 4, "cztery": 4, "five": 5, "pump": 5, "piec": 5, "six": 6, "chwe": 6, "szesc": 6,
	"half": 0.5, "pol": 0.5,
}

// parseDuration reads how long something has lasted from free text in
// any of the three languages ("about a month", "3 wks", "ers pythefnos",
// "od kilku miesiecy"; n normalised), in days. A unit with no number
// before it counts one ("since last week": 7 days).
func parseDuration(n string) (float64, bool) {
	words := strings.Fields(n)
	for i, w := range words {
		unit, ok := durationUnits[w]
		if !ok {
			// "3weeks", "2mths" written together.
			num := strings.TrimRightFunc(w, unicode.IsLetter)
			if num == "" || num == w {
				continue
			}
			if unit, ok = durationUnits[w[len(num):]]; !ok {
				continue
			}
			if v, err := strconv.ParseFloat(num, 64); err == nil {
				return v * unit, true
			}
			continue
		}
		count := 1.0
		for j := i - 1; j >= 0 && j >= i-3; j-- {
			if v, err := strconv.ParseFloat(words[j], 64); err == nil {
				count = v
				break
			}
			if v, ok := durationCounts[words[j]]; ok {
				count = v
				break
			}
		}
		return count * unit, true
	}
	return 0, false
}

// thanksWords are the words of a thank-you or a sign-off; thanking says
// which of them carry it ("you" alone thanks nobody).
var (
	thanksWords = map[string]bool{"thanks": true, "thank": true, "you": true, "ta": true, "cheers": true, "thx": true,
		"ty": true, "tyvm": true, "many": true, "so": true, "very": true, "much": true, "ok": true, "okay": true,
		"great": true, "lovely": true, "brilliant": true, "will": true, "do": true, "bye": true, "x": true, "xx": true,
		"xxx": true, "again": true, "for": true, "everything": true, "all": true, "your": true, "help": true,
		"diolch": true, "yn": true, "fawr": true, "dziekuje": true, "dzieki": true, "bardzo": true, "pa": true}
	thanking = map[string]bool{"thanks": true, "thank": true, "ta": true, "cheers": true, "thx": true, "ty": true,
		"tyvm": true, "diolch": true, "dziekuje": true, "dzieki": true}
)

// isThanks reports whether normalised text n is a thank-you and nothing
// else: "thanks x", "thank you so much", "diolch yn fawr", "dziękuję
// bardzo".
func isThanks(n string) bool {
	words := strings.Fields(n)
	thanked := false
	for _, w := range words {
		if !thanksWords[w] {
			return false
		}
		thanked = thanked || thanking[w]
	}
	return thanked
}
