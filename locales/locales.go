// Package locales holds every user-facing string of the conversation flows as
// go-i18n message files, embedded in the binary: English (en-GB, the default
// and the reference), Welsh (cy) and Polish (pl). The Welsh and Polish files
// are complete but marked as needing review by a native speaker.
//
// Message IDs are flat snake_case names prefixed by the flow that uses them
// (abs_, stress_, msk_, lt_, support_) or none for shared ones. Templates use
// Go text/template with a map for data; catalog_test.go renders every message
// with sample data and checks it as an SMS (see SMS below).
//
// # SMS character policy
//
// A single character outside the GSM-7 alphabet switches the whole SMS to
// UCS-2, where a segment holds 70 characters (67 in a multi-part text)
// instead of 160 (153), so the same text costs two or three times as much.
//
//   - Message files may use no character outside GSM-7 except, in cy, the
//     Welsh letters with a circumflex or diaeresis (â ê î ô û ŵ ŷ, ë ï ẅ ÿ
//     and capitals; ä ö ü are GSM-7 already) and, in pl, the Polish letters
//     ą ć ę ł ń ó ś ź ż (and capitals). Curly quotes, en and em dashes, the
//     ellipsis character, non-breaking spaces and emoji are refused in every
//     language, en-GB included.
//   - The files keep correct spelling, and so do texts: by default a Welsh
//     or Polish SMS keeps its letters and is sent in UCS-2 ("tâl salwch",
//     not "tal salwch", which means something else; tan and tân are
//     different words). An organisation may choose to fold them for cost
//     (FoldDiacritics, [organisations.sms] fold_diacritics in
//     OHCONTACT_CONFIG), as the SMS channel sends each text.
//   - Every text, rendered with realistic data, must fit MaxSegments in both
//     forms: as written (at most 5 UCS-2 segments, or 3 GSM-7 for one with
//     no such letter) and folded (at most 3 GSM-7 segments). Segments counts
//     them for GSM-7 (extension characters such as € [ ] cost two septets
//     and are never split) and for UCS-2 (surrogate pairs never split).
//
// catalog_test.go enforces all of this, and that every locale has every
// message of en-GB and every plural form its language needs.
package locales

import (
	"embed"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed *.toml
var files embed.FS

// Default is the default (and reference) language.
const Default = "en-GB"

// Languages lists the supported languages as BCP 47 tags, in the form stored
// in staff.language and conversations.language.
var Languages = []string{"en-GB", "cy", "pl"}

// Bundle returns a bundle with every embedded message file loaded, with
// en-GB as the default language.
func Bundle() (*i18n.Bundle, error) {
	b := i18n.NewBundle(language.MustParse(Default))
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	for _, l := range Languages {
		name := l + ".toml"
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("locales: %w", err)
		}
		if _, err := b.ParseMessageFileBytes(data, name); err != nil {
			return nil, fmt.Errorf("locales: %s: %w", name, err)
		}
	}
	return b, nil
}

// File returns the raw message file of a supported language.
func File(lang string) ([]byte, error) { return files.ReadFile(lang + ".toml") }

// Match returns the supported language for tag: "cy-GB" and "CY" give "cy",
// "en" and "en-US" give "en-GB", and anything unknown gives Default.
func Match(tag string) string {
	t := strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(t, "-_"); i >= 0 {
		t = t[:i]
	}
	switch t {
	case "cy":
		return "cy"
	case "pl":
		return "pl"
	}
	return Default
}

// Texts returns a function giving message id, which takes no template data,
// in the supported language for lang (Match), from b (Bundle); English when
// that language lacks it, and "" when no language has it.
func Texts(b *i18n.Bundle) func(lang, id string) string {
	loc := map[string]*i18n.Localizer{}
	for _, l := range Languages {
		loc[l] = i18n.NewLocalizer(b, l)
	}
	return func(lang, id string) string {
		s, _ := loc[Match(lang)].Localize(&i18n.LocalizeConfig{MessageID: id})
		return s
	}
}
