package phone

import (
	"errors"
	"strings"
	"testing"
)

func TestParseAndMobile(t *testing.T) {
	const drama = "+447700900123"
	tests := []struct {
		name       string
		in         string
		want       string // from both Parse and Mobile, when wantErr and wantMobileErr are nil
		wantErr    error  // from Parse (and so Mobile)
		wantMobile error  // from Mobile only
	}{
		{"national with a space", "07700 900123", drama, nil, nil},
		{"national with hyphens", "07700-900-123", drama, nil, nil},
		{"national with brackets", "(07700) 900123", drama, nil, nil},
		{"national with dots", "07700.900.123", drama, nil, nil},
		{"international with spaces", "+44 7700 900123", drama, nil, nil},
		{"international with (0)", "+44 (0)7700 900123", drama, nil, nil},
		{"international without +", "447700900123", drama, nil, nil},
		{"international with 00", "0044 7700 900123", drama, nil, nil},
		{"spreadsheet dropped the 0", "7700900123", drama, nil, nil},
		{"non-breaking spaces", " 07700\u00a0900123 ", drama, nil, nil},
		{"real UK mobile", "07911 123456", "+447911123456", nil, nil},
		{"Isle of Man mobile", "07624 123456", "+447624123456", nil, nil},
		{"Irish mobile", "+353 85 123 4567", "+353851234567", nil, nil},
		{"Polish mobile with 00", "0048 512 345 678", "+48512345678", nil, nil},
		{"North American number", "+1 202 555 0123", "+12025550123", nil, nil},
		{"UK landline", "020 7946 0000", "+442079460000", nil, ErrNotMobile},
		{"UK personal number 070", "07011 123456", "+447011123456", nil, ErrNotMobile},
		{"UK pager 076", "07600 123456", "+447600123456", nil, ErrNotMobile},
		{"North American 555 too short", "+1 (555) 123", "", ErrImpossible, nil},
		{"North American 555 fiction range", "+1 555 555 1234", "", ErrImpossible, nil},
		{"one digit short", "0770090012", "", ErrImpossible, nil},
		{"one digit long", "077009001234", "", ErrImpossible, nil},
		{"international too short", "+353 123", "", ErrImpossible, nil},
		{"international too long", "+1234567890123456", "", ErrImpossible, nil},
		{"international starting 0", "+0851234567", "", ErrImpossible, nil},
		{"unknown country code", "+999 1234 5678", "", ErrImpossible, nil},
		{"letters", "07700 90O123", "", ErrNotNumber, nil},
		{"extension", "07700900123 x12", "", ErrNotNumber, nil},
		{"plus alone", "+", "", ErrNotNumber, nil},
		{"empty", "", "", ErrNotNumber, nil},
		{"NUL", "07700\x00900123", "", ErrNotNumber, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if !errors.Is(err, tt.wantErr) || (err == nil && got != tt.want) {
				t.Fatalf("Parse(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err != nil {
				digits := strings.Map(func(r rune) rune {
					if r < '0' || r > '9' {
						return -1
					}
					return r
				}, tt.in)
				if len(digits) >= 7 && strings.Contains(err.Error(), digits) {
					t.Errorf("error %q repeats the number", err)
				}
			} else if !IsE164(got) {
				t.Errorf("Parse(%q) = %q, not in E.164's shape", tt.in, got)
			}
			wantMobileErr := tt.wantErr
			if wantMobileErr == nil {
				wantMobileErr = tt.wantMobile
			}
			got, err = Mobile(tt.in)
			if !errors.Is(err, wantMobileErr) || (err == nil && got != tt.want) {
				t.Fatalf("Mobile(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, wantMobileErr)
			}
		})
	}
}

func TestIsE164(t *testing.T) {
	for s, want := range map[string]bool{
		"+447700900123": true, "+15005550006": true, "+1555123": true,
		"07700900123": false, "+0447700900123": false, "+44 7700 900123": false, "": false, "+1234567890123456": false,
	} {
		if got := IsE164(s); got != want {
			t.Errorf("IsE164(%q) = %v, want %v", s, got, want)
		}
	}
}
