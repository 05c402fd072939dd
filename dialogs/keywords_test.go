package dialogs

import (
	"testing"
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
