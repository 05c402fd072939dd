package locales

import (
	"fmt"
	"strings"
	"unicode/utf16"
)

// Encoding is the character encoding an SMS needs.
type Encoding string

const (
	GSM7 Encoding = "GSM-7" // the GSM 03.38 default alphabet: 160 a segment, 153 in a multi-part text
	UCS2 Encoding = "UCS-2" // anything else: 70 a segment, 67 in a multi-part text
)

// MaxSegments is the most segments a text may take: 3 in GSM-7 (up to 459
// characters), 5 in UCS-2 (up to 335). A Welsh or Polish text keeps its
// letters (â, ł) and so is UCS-2, with less than half the characters a
// segment: the higher limit lets it say what its English version says, at
// the cost of more segments. Folded (FoldDiacritics), every text must fit
// the GSM-7 limit.
func MaxSegments(enc Encoding) int {
	if enc == UCS2 {
		return 5
	}
	return 3
}

// WebChatOnly reports whether message id is only ever shown in the web
// chat, never texted: the widget's own words (widget_*) and web chat
// messages (webchat_*), such as the anonymous chatter's crisis reply.
func WebChatOnly(id string) bool {
	return strings.HasPrefix(id, "widget_") || strings.HasPrefix(id, "webchat_")
}

// gsmBasic is the GSM 03.38 default alphabet; each costs one septet.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension is the GSM 03.38 extension table; each costs two septets
// (escape + character) and is never split across segments.
const gsmExtension = "\f^{}\\[~]|€"

var gsmCost = func() map[rune]int {
	m := make(map[rune]int, 140)
	for _, r := range gsmBasic {
		m[r] = 1
	}
	for _, r := range gsmExtension {
		m[r] = 2
	}
	return m
}()

// InGSM7 reports whether r is in the GSM-7 alphabet (basic or extension).
func InGSM7(r rune) bool { return gsmCost[r] > 0 }

// NonGSM returns the characters of s outside GSM-7, in order, each once.
func NonGSM(s string) []rune {
	var out []rune
	for _, r := range s {
		if !InGSM7(r) && !containsRune(out, r) {
			out = append(out, r)
		}
	}
	return out
}

func containsRune(rs []rune, r rune) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// Segments returns the encoding s needs and how many SMS segments it takes.
// Multi-part texts lose 7 septets (GSM-7) or 3 code units (UCS-2) of each
// segment to the concatenation header; a GSM-7 escape pair or a UTF-16
// surrogate pair is never split. The empty string takes one segment.
func Segments(s string) (Encoding, int) {
	if isGSM7(s) {
		var costs []int
		total := 0
		for _, r := range s {
			c := gsmCost[r]
			costs = append(costs, c)
			total += c
		}
		if total <= 160 {
			return GSM7, 1
		}
		return GSM7, pack(costs, 153)
	}
	var costs []int
	total := 0
	for _, r := range s {
		c := 1
		if utf16.RuneLen(r) == 2 {
			c = 2
		}
		costs = append(costs, c)
		total += c
	}
	if total <= 70 {
		return UCS2, 1
	}
	return UCS2, pack(costs, 67)
}

// pack counts the segments needed to hold units of the given costs, at most
// size a segment, without splitting a unit.
func pack(costs []int, size int) int {
	n, used := 1, 0
	for _, c := range costs {
		if used+c > size {
			n++
			used = 0
		}
		used += c
	}
	return n
}

// Allowed returns the characters outside GSM-7 that lang's message files may
// use (see the package documentation); FoldDiacritics folds them.
func Allowed(lang string) string {
	switch lang {
	case "cy":
		return "âêîôûŵŷÂÊÎÔÛŴŶëïẅÿËÏẄŸ"
	case "pl":
		return "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"
	}
	return ""
}

// Check returns the problems of s as an SMS in lang: characters outside GSM-7
// that lang may not use, and more than MaxSegments segments. It returns nil
// when s is fine.
func Check(lang, s string) []string {
	var out []string
	allowed := Allowed(lang)
	for _, r := range NonGSM(s) {
		if !containsRune([]rune(allowed), r) {
			out = append(out, fmt.Sprintf("character %q (%U) is not GSM-7", r, r))
		}
	}
	if enc, n := Segments(s); n > MaxSegments(enc) {
		out = append(out, fmt.Sprintf("%s text takes %d segments (at most %d)", enc, n, MaxSegments(enc)))
	}
	return out
}

// typographic maps characters that often slip into texts (from a directory
// entry or a pasted string) to their GSM-7 equivalents.
var typographic = map[rune]string{
	'‘': "'", '’': "'", '‚': "'", '′': "'", '“': "\"", '”': "\"", '„': "\"", '″': "\"",
	'–': "-", '—': "-", '‑': "-", '−': "-", '…': "...", '\u00a0': " ", '\u202f': " ", '\u2009': " ",
}

// diacritics maps the Welsh and Polish letters outside GSM-7 to their base
// letters.
var diacritics = map[rune]rune{
	'â': 'a', 'ê': 'e', 'î': 'i', 'ô': 'o', 'û': 'u', 'ŵ': 'w', 'ŷ': 'y',
	'Â': 'A', 'Ê': 'E', 'Î': 'I', 'Ô': 'O', 'Û': 'U', 'Ŵ': 'W', 'Ŷ': 'Y',
	'ë': 'e', 'ï': 'i', 'ẅ': 'w', 'ÿ': 'y', 'Ë': 'E', 'Ï': 'I', 'Ẅ': 'W', 'Ÿ': 'Y',
	'ą': 'a', 'ć': 'c', 'ę': 'e', 'ł': 'l', 'ń': 'n', 'ó': 'o', 'ś': 's', 'ź': 'z', 'ż': 'z',
	'Ą': 'A', 'Ć': 'C', 'Ę': 'E', 'Ł': 'L', 'Ń': 'N', 'Ó': 'O', 'Ś': 'S', 'Ź': 'Z', 'Ż': 'Z',
}

// SMSText returns s as it is sent by SMS: typographic quotes, dashes,
// ellipses and special spaces become their plain GSM-7 forms. Letters are
// kept: a Welsh or Polish text with â or ł is sent in UCS-2 ("tâl salwch",
// never "tal salwch"), unless its organisation folds them for cost
// (FoldDiacritics, applied as the text is sent). Emoji and other characters
// are left alone (and make the text UCS-2).
func SMSText(s string) string {
	if isGSM7(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if t, ok := typographic[r]; ok {
			b.WriteString(t)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FoldDiacritics returns s with the Welsh and Polish letters outside GSM-7
// folded to their base letters ("tâl" → "tal", "żółć" → "zolc"); ä, ö, ü
// and the other accented letters GSM-7 has are kept. An organisation
// chooses it, for cost, in its configuration ([organisations.sms]
// fold_diacritics).
func FoldDiacritics(s string) string {
	if isGSM7(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if f, ok := diacritics[r]; ok {
			r = f
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isGSM7 reports whether every character of s is in GSM-7.
func isGSM7(s string) bool {
	for _, r := range s {
		if !InGSM7(r) {
			return false
		}
	}
	return true
}
