package main

import (
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// keyLine is a key of a TOML document, as toml.Key.String writes it, and
// the line it is on (from 1).
type keyLine struct {
	key  string
	line int
}

// keyLines returns the keys of the TOML document text with their lines, in
// the order and form of toml.MetaData.Keys for the same text: the library
// records each key's position but keeps it to itself. It expects a document
// the library has parsed; on anything else its result is meaningless (but
// it returns), so a caller checks that a key matches before believing its
// line.
func keyLines(text string) []keyLine {
	s := &keyScanner{text: strings.TrimPrefix(text, "\uFEFF"), line: 1}
	var table toml.Key
	for {
		s.space(true)
		if s.eof() {
			return s.out
		}
		start, line := s.i, s.line
		if s.skip("[") {
			array := s.skip("[")
			table = s.key()
			s.space(false)
			s.skip("]")
			if array {
				s.skip("]")
			}
			s.emit(table, line)
		} else {
			s.keyValue(table)
		}
		if s.i == start {
			s.i++ // not TOML: never stop still
		}
	}
}

// keyScanner reads a TOML document's keys; text[i:] is still to read, and
// it starts on line line.
type keyScanner struct {
	text string
	i    int
	line int
	out  []keyLine
}

func (s *keyScanner) eof() bool { return s.i >= len(s.text) }

func (s *keyScanner) emit(k toml.Key, line int) {
	s.out = append(s.out, keyLine{k.String(), line})
}

// skip moves past prefix, if the text goes on with it, and reports whether
// it did.
func (s *keyScanner) skip(prefix string) bool {
	if !strings.HasPrefix(s.text[s.i:], prefix) {
		return false
	}
	s.i += len(prefix)
	return true
}

// space moves past blanks and, when newlines is true, line ends and comments
// too.
func (s *keyScanner) space(newlines bool) {
	for !s.eof() {
		switch c := s.text[s.i]; {
		case c == ' ' || c == '\t' || c == '\r':
			s.i++
		case c == '\n' && newlines:
			s.i++
			s.line++
		case c == '#' && newlines:
			for !s.eof() && s.text[s.i] != '\n' {
				s.i++
			}
		default:
			return
		}
	}
}

// keyValue reads "key = value" in table, emitting the key and any keys of
// inline tables in the value.
func (s *keyScanner) keyValue(table toml.Key) {
	line := s.line
	k := append(slices.Clone(table), s.key()...)
	s.emit(k, line)
	s.space(false)
	s.skip("=")
	s.value(k)
}

// key reads a dotted key: bare, "basic" or 'literal' parts joined by dots.
func (s *keyScanner) key() toml.Key {
	var k toml.Key
	for {
		s.space(false)
		switch {
		case s.skip(`"`):
			k = append(k, s.basic())
		case s.skip("'"):
			k = append(k, s.literal())
		default:
			start := s.i
			for !s.eof() && isBareKeyChar(s.text[s.i]) {
				s.i++
			}
			k = append(k, s.text[start:s.i])
		}
		s.space(false)
		if !s.skip(".") {
			return k
		}
	}
}

func isBareKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// basic reads the rest of a one-line "basic string" and returns its text
// (escapes other than \" and \\ are kept as written, which is enough for a
// key to match).
func (s *keyScanner) basic() string {
	var b strings.Builder
	for !s.eof() && s.text[s.i] != '\n' {
		c := s.text[s.i]
		s.i++
		switch {
		case c == '"':
			return b.String()
		case c == '\\' && !s.eof() && (s.text[s.i] == '"' || s.text[s.i] == '\\'):
			b.WriteByte(s.text[s.i])
			s.i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// literal reads the rest of a one-line 'literal string' and returns its
// text.
func (s *keyScanner) literal() string {
	end := strings.IndexAny(s.text[s.i:], "'\n")
	if end < 0 {
		end = len(s.text) - s.i
	}
	text := s.text[s.i : s.i+end]
	s.i += end
	s.skip("'")
	return text
}

// multiline reads the rest of a multi-line string closed by delim, three
// double or three single quotes, counting its lines.
func (s *keyScanner) multiline(delim string) {
	for !s.eof() {
		switch {
		case delim == `"""` && s.text[s.i] == '\\':
			s.i++ // the escaped character is read below: a line end still counts
		case s.skip(delim):
			for range 2 { // up to two quotes just before the delimiter are text
				s.skip(delim[:1])
			}
			return
		}
		if !s.eof() {
			if s.text[s.i] == '\n' {
				s.line++
			}
			s.i++
		}
	}
}

// items reads the items of an array or inline table up to close, each by
// item, separated by commas; a character no item takes is stepped over.
func (s *keyScanner) items(close string, item func()) {
	for {
		s.space(true)
		if s.eof() || s.skip(close) {
			return
		}
		start := s.i
		item()
		s.space(true)
		s.skip(",")
		if s.i == start {
			s.i++
		}
	}
}

// value reads the value of key k, emitting the keys of any inline tables in
// it as the library does: k.key, for tables in arrays too.
func (s *keyScanner) value(k toml.Key) {
	s.space(false)
	switch {
	case s.skip(`"""`):
		s.multiline(`"""`)
	case s.skip("'''"):
		s.multiline("'''")
	case s.skip(`"`):
		s.basic()
	case s.skip("'"):
		s.literal()
	case s.skip("["):
		s.items("]", func() { s.value(k) })
	case s.skip("{"):
		s.items("}", func() { s.keyValue(k) })
	default: // a number, boolean or date: up to what ends it
		for !s.eof() && !strings.ContainsRune(",]}#\n", rune(s.text[s.i])) {
			s.i++
		}
	}
}
