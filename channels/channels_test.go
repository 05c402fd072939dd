package channels

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalise(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{name: "plain", in: "yes", want: "yes"},
		{name: "trimmed", in: "  2 \n", want: "2"},
		{name: "newlines become spaces", in: "line one\r\nline two", want: "line one  line two"},
		{name: "decomposed accents composed (NFC)", in: "Cymrae\u0306g caf\u00e9 z\u0307e", want: "Cymraĕg café że"},
		{name: "control characters removed", in: "he\x00ll\x07o\x1b[31m", want: "hello[31m"},
		{name: "bidi override removed", in: "abc\u202edef", want: "abcdef"},
		{name: "zero-width space removed", in: "st\u200bop", want: "stop"},
		{name: "emoji kept whole", in: "💊💊 👩‍⚕️", want: "💊💊 👩‍⚕️"},
		{name: "invalid UTF-8 replaced", in: "ok\xff\xfe", want: "ok\uFFFD"},
		{name: "only controls", in: "\x00\x01 \t", wantErr: true},
		{name: "empty", in: "", wantErr: true},
		{name: "at the limit", in: strings.Repeat("é", MaxTextRunes), want: strings.Repeat("é", MaxTextRunes)},
		{name: "over the limit", in: strings.Repeat("a", MaxTextRunes+1), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Normalise(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Normalise(%q) = %q, want an error", tt.in, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Normalise(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
	if _, err := Normalise(" "); !errors.Is(err, ErrEmptyText) {
		t.Errorf("Normalise(space) error = %v, want ErrEmptyText", err)
	}
}

func TestCleanKeepingLines(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "Hello Ann", "Hello Ann"},
		{"line breaks kept as \\n", "Hello Ann,\r\nthis is Sam.\nBye", "Hello Ann,\nthis is Sam.\nBye"},
		{"tabs and lone carriage returns become spaces", "a\tb\rc", "a b c"},
		{"trimmed, line breaks too", " \r\n hi \n\n", "hi"},
		{"control and format characters removed", "he\x00ll\u202eo st\u200bop", "hello stop"},
		{"emoji kept whole", "👩‍⚕️", "👩‍⚕️"},
		{"NFC", "caf\u0065\u0301", "café"},
		{"invalid UTF-8 replaced", "ok\xff", "ok\uFFFD"},
		{"nothing left", " \x00\r\n", ""},
		{"no length limit", strings.Repeat("a", MaxTextRunes+1), strings.Repeat("a", MaxTextRunes+1)},
	}
	for _, tt := range tests {
		if got := CleanKeepingLines(tt.in); got != tt.want {
			t.Errorf("%s: CleanKeepingLines(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func FuzzNormalise(f *testing.F) {
	for _, s := range []string{"yes", "STOP", "💊", "\x00", "a\u0301", strings.Repeat("x", 2000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := Normalise(s)
		if err != nil {
			return
		}
		again, err := Normalise(out)
		if err != nil || again != out {
			t.Fatalf("Normalise is not idempotent: %q → %q → %q (%v)", s, out, again, err)
		}
		if strings.ContainsAny(out, "\x00\n\r\t") {
			t.Fatalf("Normalise(%q) = %q keeps control characters", s, out)
		}
	})
}
