// Package channels holds what every channel (SMS, web chat) does to inbound
// text before anything else sees it, and the one outbound path: the
// contract each channel's outbox meets (Outbox) and the storing and
// queueing of messages to people through it (Outboxes).
package channels

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxTextRunes is the longest message accepted, in characters, inbound or
// a clinician's reply: ten SMS segments, far more than anyone types into a
// chat about their absence.
const MaxTextRunes = 1600

// ErrEmptyText reports a message with nothing left after normalisation.
var ErrEmptyText = errors.New("message is empty")

// Normalise returns s as the rest of the service may see it: valid UTF-8
// (invalid bytes become U+FFFD), Unicode NFC, control and format characters
// removed (newlines and tabs become spaces), surrounding space trimmed. It
// fails when nothing is left or the result is longer than MaxTextRunes.
func Normalise(s string) (string, error) {
	out := clean(s, false)
	if out == "" {
		return "", ErrEmptyText
	}
	if n := utf8.RuneCountInString(out); n > MaxTextRunes {
		return "", fmt.Errorf("message is %d characters long; the limit is %d", n, MaxTextRunes)
	}
	return out, nil
}

// CleanKeepingLines cleans s as Normalise does but keeps line breaks, as
// \n, for text a person wrote in a box with several lines, such as a
// clinician's reply. It checks neither emptiness nor length: the caller
// says what is wrong in its own words.
func CleanKeepingLines(s string) string {
	return clean(strings.ReplaceAll(s, "\r\n", "\n"), true)
}

// clean returns s as valid UTF-8 (invalid bytes become U+FFFD) in NFC,
// control and format characters removed, surrounding space trimmed. Tabs
// and carriage returns become spaces, and so do newlines unless keepLines.
func clean(s string, keepLines bool) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' && keepLines:
			b.WriteByte('\n')
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r == '\u200d' || r == '\ufe0f':
			// Zero-width joiner and emoji variation selector: parts of emoji
			// (👩‍⚕️), kept so the emoji reads as sent.
			b.WriteRune(r)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}
