package dialogs

import (
	"slices"
	"testing"
	"time"
)

func TestParseKeyword(t *testing.T) {
	tests := []struct {
		in   string
		want Keyword
		lang string
	}{
		{"STOP", KeywordOptOut, ""},
		{" stop ", KeywordOptOut, ""},
		{"Stop!", KeywordOptOut, ""},
		{"stop please", KeywordOptOut, ""},
		{"STOP ALL", KeywordOptOut, ""},
		{"stopall", KeywordOptOut, ""},
		{"Unsubscribe", KeywordOptOut, ""},
		{"unsubscibe", KeywordOptOut, ""}, // one letter missing in a long word
		{"END", KeywordOptOut, ""},
		{"cancel", KeywordOptOut, ""},
		{"cancle", KeywordOptOut, ""}, // neighbours swapped
		{"quit", KeywordOptOut, ""},
		{"stpo", KeywordOptOut, ""},  // neighbours swapped
		{"stopp", KeywordOptOut, ""}, // letter stretched
		{"stopio", KeywordOptOut, ""},
		{"START", KeywordOptIn, ""},
		{"help", KeywordHelp, ""},
		{"HELP!", KeywordHelp, ""},
		{"hlep", KeywordHelp, ""},
		{"cymorth", KeywordHelp, ""},
		{"pomoc", KeywordHelp, ""},
		{"support", KeywordSupport, ""},
		{"SICK", KeywordAbsence, ""},
		{"absent", KeywordAbsence, ""},
		{"TALK", KeywordTalk, ""},
		{"agent", KeywordTalk, ""},
		{"Cymraeg", KeywordLanguage, "cy"},
		{"welsh", KeywordLanguage, "cy"},
		{"Polski", KeywordLanguage, "pl"},
		{"polish", KeywordLanguage, "pl"},
		{"English", KeywordLanguage, "en-GB"},
		// Not keywords: a keyword inside a sentence, or a real word near one.
		{"I can't stop worrying", KeywordNone, ""},
		{"at the end of my tether", KeywordNone, ""},
		{"cancer", KeywordNone, ""},
		{"step", KeywordNone, ""},
		{"shop", KeywordNone, ""},
		{"spot", KeywordNone, ""},
		{"top", KeywordNone, ""},
		{"quite", KeywordNone, ""},
		{"and", KeywordNone, ""},
		{"yes", KeywordNone, ""},
		{"", KeywordNone, ""},
		{"🙂", KeywordNone, ""},
	}
	for _, tt := range tests {
		k, lang := ParseKeyword(tt.in)
		if k != tt.want || lang != tt.lang {
			t.Errorf("ParseKeyword(%q) = %q, %q; want %q, %q", tt.in, k, lang, tt.want, tt.lang)
		}
	}
}

func TestParseYesNo(t *testing.T) {
	tests := []struct {
		in   string
		want yesNo
	}{
		{"yes", ynYes}, {"Y", ynYes}, {"yeah", ynYes}, {"yep", ynYes}, {"yup", ynYes}, {"ok", ynYes},
		{"okay", ynYes}, {"OK!", ynYes}, {"sure", ynYes}, {"Yes please", ynYes}, {"yes thanks x", ynYes},
		{"go on then", ynYes}, {"go on", ynYes}, {"aye", ynYes}, {"ok then mate", ynYes}, {"deffo", ynYes}, {"no problem", ynYes}, {"of course", ynYes},
		{"yess", ynYes}, {"yesss", ynYes}, {"yse", ynYes}, {"ues", ynYes}, {"yrs", ynYes}, {"yeh", ynYes},
		{"ie", ynYes}, {"iawn", ynYes}, {"tak", ynYes},
		{"no", ynNo}, {"N", ynNo}, {"nope", ynNo}, {"nah", ynNo}, {"No thanks", ynNo}, {"no thank you", ynNo},
		{"nooo", ynNo}, {"nop", ynNo}, {"not really", ynNo}, {"na", ynNo}, {"nie", ynNo},
		{"not now", ynNotNow}, {"Not now thanks", ynNotNow}, {"later", ynNotNow}, {"not today", ynNotNow},
		{"nie teraz", ynNotNow}, {"nah ta", ynNo}, {"no need", ynNo}, {"nac ydw", ynNo}, {"ie plis", ynYes}, {"tak poproszę", ynYes}, {"raczej nie", ynNo}, {"no tak", ynYes},
		{"not sure", ynUnsure}, {"don't know", ynUnsure}, {"dunno", ynUnsure}, {"nie wiem", ynUnsure},
		{"ddim yn siŵr", ynUnsure},
		// Never flip: contradictions and ambiguous typos are not understood.
		{"yes no", ynNone}, {"ok no", ynNone}, {"no yes", ynNone}, {"on", ynNone}, {"now", ynNone},
		{"yo", ynNone}, {"", ynNone}, {"maybe", ynUnsure}, {"banana", ynNone}, {"ok not really", ynNone},
	}
	for _, tt := range tests {
		if got := parseYesNo(normalize(tt.in)); got != tt.want {
			t.Errorf("parseYesNo(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// TestTypoOfYesNeverNo checks every one-edit typo of every yes word (and
// the reverse): it may be understood, or not, but never as the opposite.
func TestTypoOfYesNeverNo(t *testing.T) {
	letters := "abcdefghijklmnopqrstuvwxyz"
	typos := func(w string) []string {
		var out []string
		for i := 0; i <= len(w); i++ {
			for _, c := range letters {
				out = append(out, w[:i]+string(c)+w[i:]) // insert
				if i < len(w) {
					out = append(out, w[:i]+string(c)+w[i+1:]) // substitute
				}
			}
			if i < len(w) {
				out = append(out, w[:i]+w[i+1:]) // delete
			}
			if i+1 < len(w) {
				out = append(out, w[:i]+string(w[i+1])+string(w[i])+w[i+2:]) // swap
			}
		}
		return out
	}
	for w := range yesWords {
		for _, typo := range typos(w) {
			if yesWords[typo] || noWords[typo] || answerPhrases[typo] != 0 {
				continue // a real word, not a typo
			}
			if got := parseYesNo(typo); got == ynNo || got == ynNotNow {
				t.Errorf("typo %q of yes word %q read as no", typo, w)
			}
		}
	}
	for w := range noWords {
		for _, typo := range typos(w) {
			if yesWords[typo] || noWords[typo] || answerPhrases[typo] != 0 {
				continue
			}
			if got := parseYesNo(typo); got == ynYes {
				t.Errorf("typo %q of no word %q read as yes", typo, w)
			}
		}
	}
}

func TestParseChoices(t *testing.T) {
	tests := []struct {
		in   string
		want []int
	}{
		{"2", []int{2}}, {" 2 ", []int{2}}, {"2.", []int{2}}, {"option 2", []int{2}}, {"Option 2 please", []int{2}},
		{"two", []int{2}}, {"Two!", []int{2}}, {"number 3", []int{3}}, {"#3", []int{3}}, {"3rd", []int{3}},
		{"1 and 3", []int{1, 3}}, {"1,3", []int{1, 3}}, {"1, 3 and 4", []int{1, 3, 4}}, {"2 2", []int{2}},
		{"dau", []int{2}}, {"dwa", []int{2}}, {"pięć", []int{5}}, {"2 i 3", []int{2, 3}},
		{"6", nil}, {"0", nil}, {"12", nil}, {"2 apples", nil}, {"", nil}, {"yes", nil},
	}
	for _, tt := range tests {
		if got := parseChoices(normalize(tt.in), 1, 5); !slices.Equal(got, tt.want) {
			t.Errorf("parseChoices(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseScale(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"0", 0, true}, {"3", 3, true}, {"three", 3, true}, {"Not at all", 0, true}, {"several days", 1, true},
		{"More than half the days", 2, true}, {"nearly every day", 3, true}, {"no", 0, true}, {"never", 0, true},
		{"bron bob dydd", 3, true}, {"kilka dni", 1, true}, {"4", 0, false}, {"sometimes", 0, false},
		{"yes", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseScale(normalize(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseScale(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMatchOption(t *testing.T) {
	menu := "Where is the problem?\n1 Back\n2 Neck\n3 Shoulder\n4 Elbow, wrist or hand\n8 Somewhere else, or several places"
	mood := "How are you?\n1 OK\n2 Not great\n3 Struggling\nOr tell me."
	tests := []struct {
		menu, in string
		want     int
		ok       bool
	}{
		{menu, "back", 1, true}, {menu, "lower back", 1, true}, {menu, "my wrist", 4, true}, {menu, "sholder", 3, true},
		{menu, "leg", 0, false}, {menu, "back and neck", 0, false},
		{mood, "not great", 2, true}, {mood, "struggling a lot", 3, true}, {mood, "ok", 1, true},
		{mood, "not struggling", 0, false}, {mood, "great", 0, false},
	}
	for _, tt := range tests {
		got, ok := matchOption(tt.menu, normalize(tt.in), 1, 8)
		if got != tt.want || ok != tt.ok {
			t.Errorf("matchOption(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseDate(t *testing.T) {
	today := time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC) // a Wednesday
	d := func(m time.Month, day int) string {
		return time.Date(2026, m, day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	tests := []struct {
		in   string
		past bool
		want string // "" for not understood
	}{
		{"today", true, d(11, 18)}, {"Yesterday", true, d(11, 17)}, {"ddoe", true, d(11, 17)},
		{"wczoraj", true, d(11, 17)}, {"dziś", true, d(11, 18)}, {"monday", true, d(11, 16)},
		{"last Monday", true, d(11, 16)}, {"wednesday", true, d(11, 18)}, {"Friday", true, d(11, 13)},
		{"3/11", true, d(11, 3)}, {"3.11", true, d(11, 3)}, {"3/11/2026", true, d(11, 3)}, {"3/11/26", true, d(11, 3)},
		{"3 Nov", true, d(11, 3)}, {"3rd November", true, d(11, 3)}, {"Nov 3", true, d(11, 3)},
		{"30/11", true, "2025-11-30"}, // a past date cannot be in the future
		{"tomorrow", false, d(11, 19)}, {"friday", false, d(11, 20)}, {"wednesday", false, d(11, 25)},
		{"28/11", false, d(11, 28)}, {"in 3 days", false, d(11, 21)}, {"2 weeks", false, d(12, 2)},
		{"1/1", false, "2027-01-01"}, {"next week", false, d(11, 25)},
		{"since tues", true, d(11, 17)}, {"monday just gone", true, d(11, 16)}, {"last night", true, d(11, 17)},
		{"this morning", true, d(11, 18)}, {"2 days ago", true, d(11, 16)}, {"a week ago", true, d(11, 11)},
		{"the 3rd", true, d(11, 3)}, {"the 20th", true, d(10, 20)}, {"od wczoraj", true, d(11, 17)},
		{"w poniedziałek", true, d(11, 16)}, {"ers ddoe", true, d(11, 17)}, {"ar ddydd Llun", true, d(11, 16)},
		{"about a month", false, d(12, 18)}, {"a fortnight", false, d(12, 2)}, {"3 wks", false, d(12, 9)},
		{"next monday", false, d(11, 23)}, {"till Friday", false, d(11, 20)}, {"do piątku", false, d(11, 20)},
		{"dydd Llun nesaf", false, d(11, 23)}, {"the 3rd", false, d(12, 3)}, {"end of the week", false, d(11, 20)},
		{"end of next week", false, d(11, 27)}, {"after the weekend", false, d(11, 23)},
		{"end of the month", false, d(11, 30)}, {"probably a couple of weeks", false, d(12, 2)},
		{"about a month", true, ""}, {"3", false, ""}, {"the 31st", false, d(12, 31)}, {"2 days ago", false, ""},
		{"31/11", true, ""}, {"soon", true, ""}, {"13/13", true, ""}, {"back pain", true, ""}, {"", true, ""},
	}
	for _, tt := range tests {
		got, ok := parseDate(tt.in, today, tt.past)
		s := ""
		if ok {
			s = got.Format(time.DateOnly)
		}
		if s != tt.want {
			t.Errorf("parseDate(%q, past=%v) = %q, want %q", tt.in, tt.past, s, tt.want)
		}
	}
}

func TestReasonCode(t *testing.T) {
	tests := []struct{ in, code, related string }{
		{"back pain", "S11", ""}, {"stress", "S10", ""}, {"Stressed out, anxiety", "S10", ""},
		{"stress and back pain", "S10", ""}, {"anxeity", "S10", ""}, {"flu", "S13", ""}, {"cold and cough", "S13", ""},
		{"chest infection", "S15", ""}, {"covid", "S27", "COVID-19"}, {"Covid-19 cough", "S27", "COVID-19"},
		{"migraine", "S16", ""}, {"d&v", "S25", ""}, {"sickness and diarrhoea", "S25", ""}, {"broken wrist", "S28", ""},
		{"sprained ankle", "S28", ""}, {"knee", "S12", ""}, {"ear infection", "S21", ""}, {"toothache", "S22", ""},
		{"operation", "S98", ""}, {"pregnancy sickness", "S30", ""}, {"private", "S99", ""},
		{"I'd rather not say", "S99", ""}, {"sick", "S99", ""}, {"ffliw", "S13", ""}, {"grypa", "S13", ""},
		{"ból pleców", "S11", ""}, {"straen", "S10", ""},
	}
	for _, tt := range tests {
		code, related := ReasonCode(tt.in)
		if code != tt.code || related != tt.related {
			t.Errorf("ReasonCode(%q) = %s, %q; want %s, %q", tt.in, code, related, tt.code, tt.related)
		}
	}
}

func TestNameMatches(t *testing.T) {
	tests := []struct {
		answer, first string
		want          bool
	}{
		{"Sam", "Sam", true}, {"sam.", "Sam", true}, {"It's Sam", "Sam", true}, {"Samantha", "Sam", true},
		{"Rob", "Robert", true}, {"Sian", "Siân", true}, {"Katherine", "Katharine", true}, {"Gwenllian", "Gwenllïan", true},
		{"Alex", "Sam", false}, {"Jo", "Joanne", false}, {"", "Sam", false}, {"Sam", "", false},
	}
	for _, tt := range tests {
		if got := nameMatches(tt.answer, tt.first); got != tt.want {
			t.Errorf("nameMatches(%q, %q) = %v, want %v", tt.answer, tt.first, got, tt.want)
		}
	}
}

func TestEcho(t *testing.T) {
	if got := echo("  “back pain” 😩 since Monday!!  ", 60); got != "back pain since Monday" {
		t.Errorf("echo = %q", got)
	}
	if got := echo("a very long reason that goes on and on and on and on and on and on", 20); len(got) > 20 {
		t.Errorf("echo not truncated: %q", got)
	}
}

// TestIsThanks: a thank-you alone answers a closing message; anything it
// carries besides is read as a message.
func TestIsThanks(t *testing.T) {
	for text, want := range map[string]bool{
		"thanks":                        true,
		"Thank you so much x":           true,
		"cheers, bye":                   true,
		"Diolch yn fawr":                true,
		"dziękuję bardzo":               true,
		"ok":                            false, // acknowledges, thanks nobody
		"thank you":                     true,
		"thanks but I'm still not good": false,
		"you":                           false,
		"thanks, can I talk to someone": false,
		"":                              false,
	} {
		if got := isThanks(normalize(text)); got != want {
			t.Errorf("isThanks(%q) = %v, want %v", text, got, want)
		}
	}
}
