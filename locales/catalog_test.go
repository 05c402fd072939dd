package locales

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"text/template"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// pluralForms are the CLDR plural forms each language needs (go-i18n's
// rules are internal, so they are listed here; TestPluralRules checks them
// against the bundle).
var pluralForms = map[string][]string{
	"en-GB": {"one", "other"},
	"cy":    {"zero", "one", "two", "few", "many", "other"},
	"pl":    {"one", "few", "many", "other"},
}

// sample is template data for rendering every message at a realistic,
// long-ish size.
var sample = map[string]any{
	"OH":         "Demo Trust Occupational Health",
	"Phone":      "0300 0303 300",
	"Option":     2,
	"Keyword":    "SHOUT",
	"Number":     "85258",
	"Hours":      "Mon-Fri 8:30am-4:30pm",
	"N":          4,
	"Done":       5,
	"Ref":        "K7M4QX",
	"Start":      "17/11/2026",
	"Return":     "28/11/2026",
	"Reason":     "back pain after lifting a patient on a night shift, sciatica",
	"Emergency":  "999",
	"NHS111":     "111",
	"Samaritans": "116 123",
	"Count":      12,
	"Date":       "15/12/2026",
	"Time":       "14:30",
	"Place":      "Physiotherapy Outpatients, Level 2, Queen Elizabeth Hospital",
	"Who":        "Clinigydd Iechyd Galwedigaethol",
	"Day":        "Wednesday",
	// Signer is the longest signer a reply's signature names: a display
	// name (100 characters at most) and a job title (60).
	"Signer": "Siobhan Angharad Llewellyn-Wojciechowska-Fitzgerald, Advanced Occupational Health Nurse Practitioner",
	// The vaccination flow's: a vaccine as named in Polish, the demo
	// clinic, its booking link and slots, and the routine SLA in days.
	"Vaccine": "przeciw COVID-19",
	"Clinic":  "Staff Vaccination Clinic",
	"URL":     "https://intranet.demo-trust.example/vaccination",
	"Slots":   "1 Mon 23/11 08:00-12:00\n2 Wed 25/11 12:00-16:00\n3 Fri 27/11 08:00-12:00",
	"Slot":    "Wed 25/11 12:00-16:00",
	"Days":    2,
	// Options is the longest option list a re-prompt repeats (msk_area's).
	"Options": "1 Back\n2 Neck\n3 Shoulder\n4 Elbow, wrist or hand\n5 Hip\n6 Knee\n7 Ankle or foot\n8 Somewhere else, or several places",
}

func parseFile(t *testing.T, lang string) map[string]*i18n.Message {
	t.Helper()
	data, err := File(lang)
	if err != nil {
		t.Fatal(err)
	}
	mf, err := i18n.ParseMessageFileBytes(data, lang+".toml", map[string]i18n.UnmarshalFunc{"toml": toml.Unmarshal})
	if err != nil {
		t.Fatalf("%s: %v", lang, err)
	}
	out := map[string]*i18n.Message{}
	for _, m := range mf.Messages {
		out[m.ID] = m
	}
	return out
}

// forms returns a message's non-empty plural forms by name.
func forms(m *i18n.Message) map[string]string {
	all := map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other}
	for k, v := range all {
		if v == "" {
			delete(all, k)
		}
	}
	return all
}

func isPlural(m *i18n.Message) bool { return m.One != "" || m.Few != "" || m.Many != "" }

func TestCatalogComplete(t *testing.T) {
	ref := parseFile(t, Default)
	if len(ref) < 50 {
		t.Fatalf("en-GB has only %d messages", len(ref))
	}
	for _, lang := range Languages {
		msgs := parseFile(t, lang)
		for id, m := range ref {
			tm, ok := msgs[id]
			if !ok {
				t.Errorf("%s: missing message %s", lang, id)
				continue
			}
			if isPlural(m) {
				f := forms(tm)
				for _, form := range pluralForms[lang] {
					if f[form] == "" {
						t.Errorf("%s: message %s lacks plural form %q", lang, id, form)
					}
				}
			} else if tm.Other == "" {
				t.Errorf("%s: message %s is empty", lang, id)
			}
			// Same template fields as English: a translation must not drop
			// or invent a value.
			if want, got := fields(m.Other), fields(tm.Other); !slices.Equal(want, got) && !isPlural(m) {
				t.Errorf("%s: message %s uses fields %v, en-GB uses %v", lang, id, got, want)
			}
		}
		for id := range msgs {
			if _, ok := ref[id]; !ok {
				t.Errorf("%s: message %s is not in en-GB", lang, id)
			}
		}
	}
}

// fields lists the {{.Field}} names a template uses.
func fields(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "{{.")
		if i < 0 {
			break
		}
		s = s[i+3:]
		j := strings.Index(s, "}}")
		if j < 0 {
			break
		}
		if !slices.Contains(out, s[:j]) {
			out = append(out, s[:j])
		}
		s = s[j:]
	}
	slices.Sort(out)
	return out
}

func TestNeedsReviewMarker(t *testing.T) {
	for _, lang := range []string{"cy", "pl"} {
		data, _ := File(lang)
		head := string(data[:min(len(data), 400)])
		if !strings.Contains(head, "NEEDS REVIEW BY A NATIVE") {
			t.Errorf("%s.toml is not marked as needing review by a native speaker", lang)
		}
	}
}

// TestSMSTexts renders every message of every locale with sample data and
// checks it as an SMS: no character outside GSM-7 but the language's
// documented letters, and at most MaxSegments in both forms it may
// be sent in: with its letters kept (SMSText; UCS-2 when it has â or ł) and
// with them folded (FoldDiacritics, an organisation's choice; always GSM-7).
// With -v it lists each text's segments in both forms. Messages only the web
// chat says (WebChatOnly) are checked for their characters alone.
func TestSMSTexts(t *testing.T) {
	for _, lang := range Languages {
		for id, m := range parseFile(t, lang) {
			for form, src := range forms(m) {
				text := render(t, lang, id, src)
				name := fmt.Sprintf("%s %s (%s)", lang, id, form)
				for _, r := range NonGSM(text) {
					if !strings.ContainsRune(Allowed(lang), r) {
						t.Errorf("%s: character %q (%U) is outside GSM-7: %s", name, r, r, text)
					}
				}
				if WebChatOnly(id) {
					continue // never texted: no segments to count
				}
				kept := SMSText(text)
				keptEnc, keptN := Segments(kept)
				foldedEnc, foldedN := Segments(FoldDiacritics(kept))
				t.Logf("%s: %d %s segments as written, %d %s folded", name, keptN, keptEnc, foldedN, foldedEnc)
				if keptN > MaxSegments(keptEnc) {
					t.Errorf("%s: as an SMS it takes %d %s segments (at most %d): %s", name, keptN, keptEnc, MaxSegments(keptEnc), kept)
				}
				if foldedEnc != GSM7 || foldedN > MaxSegments(GSM7) {
					t.Errorf("%s: folded, it is %s in %d segments (at most %d GSM-7): %s", name, foldedEnc, foldedN, MaxSegments(GSM7), kept)
				}
				if p := Check(lang, text); slices.ContainsFunc(p, func(s string) bool { return strings.HasPrefix(s, "character") }) {
					t.Errorf("%s: %v", name, p)
				}
			}
		}
	}
}

func render(t *testing.T, lang, id, src string) string {
	t.Helper()
	tmpl, err := template.New(id).Option("missingkey=error").Parse(src)
	if err != nil {
		t.Fatalf("%s %s: %v", lang, id, err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, sample); err != nil {
		t.Fatalf("%s %s: %v (add the field to sample if it is new)", lang, id, err)
	}
	return b.String()
}

func TestPluralRules(t *testing.T) {
	b, err := Bundle()
	if err != nil {
		t.Fatal(err)
	}
	// Each language's forms as chosen by go-i18n for sample counts must be
	// among the forms listed in pluralForms, which the files provide.
	counts := []int{0, 1, 2, 3, 4, 5, 6, 11, 12, 22, 25, 100}
	for _, lang := range Languages {
		l := i18n.NewLocalizer(b, lang)
		for _, n := range counts {
			msg, err := l.Localize(&i18n.LocalizeConfig{MessageID: "closing_summary", PluralCount: n, TemplateData: map[string]any{"Count": n}})
			if err != nil || msg == "" {
				t.Errorf("%s closing_summary for %d: %q, %v", lang, n, msg, err)
			}
		}
	}
}

func TestSegments(t *testing.T) {
	tests := []struct {
		name string
		text string
		enc  Encoding
		n    int
	}{
		{"empty", "", GSM7, 1},
		{"160 GSM", strings.Repeat("a", 160), GSM7, 1},
		{"161 GSM", strings.Repeat("a", 161), GSM7, 2},
		{"306 GSM", strings.Repeat("a", 306), GSM7, 2},
		{"307 GSM", strings.Repeat("a", 307), GSM7, 3},
		{"459 GSM", strings.Repeat("a", 459), GSM7, 3},
		{"460 GSM", strings.Repeat("a", 460), GSM7, 4},
		{"extension chars cost two", strings.Repeat("€", 80), GSM7, 1},
		{"81 euros", strings.Repeat("€", 81), GSM7, 2},
		// 152 septets then an escape pair: the pair moves to segment 2.
		{"escape pair not split", strings.Repeat("a", 152) + "€" + strings.Repeat("a", 10), GSM7, 2},
		{"escape pair split boundary", strings.Repeat("a", 152) + "€" + strings.Repeat("a", 152), GSM7, 3},
		{"GSM accents", "é è ù ì ò Ç Ø å Ä Ö Ñ Ü ß É à ä ö ñ ü", GSM7, 1},
		{"70 UCS-2", strings.Repeat("ł", 70), UCS2, 1},
		{"71 UCS-2", strings.Repeat("ł", 71), UCS2, 2},
		{"134 UCS-2", strings.Repeat("ŵ", 134), UCS2, 2},
		{"201 UCS-2", "’" + strings.Repeat("a", 200), UCS2, 3},
		{"202 UCS-2", "’" + strings.Repeat("a", 201), UCS2, 4},
		{"emoji is two units", strings.Repeat("😀", 35), UCS2, 1},
		{"emoji pair not split", strings.Repeat("a", 66) + "😀" + strings.Repeat("a", 10), UCS2, 2},
	}
	for _, tt := range tests {
		enc, n := Segments(tt.text)
		if enc != tt.enc || n != tt.n {
			t.Errorf("%s: Segments = %s %d, want %s %d", tt.name, enc, n, tt.enc, tt.n)
		}
	}
}

func TestCheckAndSMSText(t *testing.T) {
	tests := []struct {
		lang, text string
		problems   int
	}{
		{"en-GB", "Reply YES or NO.", 0},
		{"en-GB", "Reply “YES” – or NO…", 4},
		{"en-GB", "Thanks 🙂", 1},
		{"en-GB", "Siân", 1},
		{"cy", "Siân, ŵyr, ŷd", 0},
		{"cy", "Siân – ŵyr", 1},
		{"pl", "Dziękujemy, żółć", 0},
		{"pl", "Dziękujemy 🙂", 1},
		{"en-GB", strings.Repeat("a", 460), 1},
	}
	for _, tt := range tests {
		if p := Check(tt.lang, tt.text); len(p) != tt.problems {
			t.Errorf("Check(%s, %q) = %v, want %d problems", tt.lang, tt.text, p, tt.problems)
		}
	}
	for _, tt := range []struct{ name, in, kept, folded string }{
		{"Welsh keeps its letters", "Siân, ŵyr – “ŷd”", "Siân, ŵyr - \"ŷd\"", "Sian, wyr - \"yd\""},
		{"Polish keeps its letters", "Dziękujemy, żółć. Ä", "Dziękujemy, żółć. Ä", "Dziekujemy, zolc. Ä"},
		{"English fixes punctuation", "Siân ’s", "Siân 's", "Sian 's"},
		{"GSM-7 is left alone", "Reply YES", "Reply YES", "Reply YES"},
	} {
		kept := SMSText(tt.in)
		if kept != tt.kept {
			t.Errorf("%s: SMSText(%q) = %q, want %q", tt.name, tt.in, kept, tt.kept)
		}
		if got := FoldDiacritics(kept); got != tt.folded {
			t.Errorf("%s: FoldDiacritics(%q) = %q, want %q", tt.name, kept, got, tt.folded)
		}
	}
}

// A Welsh text sent as written keeps "tâl salwch" and is UCS-2; folded it
// is GSM-7, in fewer segments.
func TestWelshTextKeepsItsAccents(t *testing.T) {
	text := SMSText("Gallwch hawlio tâl salwch statudol. Atebwch STOP i roi'r gorau i negeseuon.")
	if !strings.Contains(text, "tâl salwch") {
		t.Fatalf("SMSText dropped the accent: %q", text)
	}
	if enc, n := Segments(text); enc != UCS2 || n != 2 {
		t.Errorf("as written: %s in %d segments, want UCS-2 in 2 (76 characters, 70 a segment)", enc, n)
	}
	folded := FoldDiacritics(text)
	if !strings.Contains(folded, "tal salwch") {
		t.Fatalf("FoldDiacritics = %q, want tal salwch", folded)
	}
	if enc, n := Segments(folded); enc != GSM7 || n != 1 {
		t.Errorf("folded: %s in %d segments, want GSM-7 in 1", enc, n)
	}
}

func TestMatch(t *testing.T) {
	for in, want := range map[string]string{"cy": "cy", "CY-GB": "cy", "pl": "pl", "pl-PL": "pl", "en": "en-GB",
		"en-US": "en-GB", "": "en-GB", "fr": "en-GB", "en-GB": "en-GB"} {
		if got := Match(in); got != want {
			t.Errorf("Match(%q) = %q, want %q", in, got, want)
		}
	}
}
