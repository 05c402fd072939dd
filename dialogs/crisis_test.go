package dialogs

import (
	"strings"
	"testing"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/signposting"
)

func TestCrisisReply(t *testing.T) {
	e := newTestEngine(t)
	for _, lang := range locales.Languages {
		for _, ch := range []ohcontact.Channel{ohcontact.ChannelSMS, ohcontact.ChannelWebChat} {
			text := e.CrisisReply(lang, signposting.DemoCode, ch, true)
			for _, want := range []string{"999", "111", "116 123", "SHOUT", "85258"} {
				if !strings.Contains(text, want) {
					t.Errorf("%s %s crisis text lacks %q: %s", lang, ch, want, text)
				}
			}
			if ch == ohcontact.ChannelWebChat {
				// Anonymous: the same numbers, and no promise of a contact
				// nobody can make.
				anon := e.CrisisReply(lang, signposting.DemoCode, ch, false)
				if anon == text || !strings.Contains(anon, "116 123") || !strings.Contains(anon, "e-") && lang != "en-GB" ||
					lang == "en-GB" && (strings.Contains(anon, "who will contact you") || !strings.Contains(anon, "email address")) {
					t.Errorf("%s anonymous crisis text: %s", lang, anon)
				}
			}
			if ch == ohcontact.ChannelSMS {
				if p := locales.Check(lang, text); len(p) > 0 {
					t.Errorf("%s SMS crisis text: %v", lang, p)
				}
			}
		}
	}
	// An unknown organisation still gets the national numbers.
	if text := e.CrisisReply("xx", "NOPE", ohcontact.ChannelSMS, true); !strings.Contains(text, "116 123") {
		t.Errorf("crisis text for an unknown organisation: %s", text)
	}
}
