package dialogs

import (
	"strings"
)

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
