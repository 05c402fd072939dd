// Package phone reads phone numbers as people and files write them, and is
// the one place that decides whether a number is real. It wraps
// github.com/nyaruka/phonenumbers (Go's port of Google's libphonenumber),
// whose per-country metadata knows each country's lengths and ranges;
// numbers without a country code are read as UK numbers.
//
// Errors are phrases starting "not", such as "not a mobile number", to
// follow a field's name; they never repeat the number, since import
// reports and API answers are shown and logged.
package phone

import (
	"errors"
	"regexp"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// DefaultRegion is the region a number written without a country code
// belongs to.
const DefaultRegion = "GB"

var (
	// ErrNotNumber is returned for text that is not a phone number at all.
	ErrNotNumber = errors.New("not a phone number (only digits, spaces, hyphens, dots, brackets and a leading + are allowed)")
	// ErrImpossible is returned for a number with the wrong number of
	// digits for its country, or in no range that country uses.
	ErrImpossible = errors.New("not a real phone number (wrong length, or a range its country does not use; numbers without +country code are read as UK)")
	// ErrNotMobile is returned by Mobile for a number that is real but
	// cannot receive texts (a landline, 070 personal number or 076 pager).
	ErrNotMobile = errors.New("not a mobile number (UK mobiles start 07, but not 070 or 076)")
)

// e164Shape is the shape of an E.164 number: +, a country code that does
// not start with 0, 7 to 15 digits in all.
var e164Shape = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// IsE164 reports whether s has the shape of an E.164 number. It checks the
// shape only, not that the number exists: it is for numbers another system
// already normalised (Twilio's From), where refusing a real person's text
// because this library's metadata is older than their number would be
// worse than accepting a number it does not know.
func IsE164(s string) bool { return e164Shape.MatchString(s) }

// Parse returns s, written nationally (07700 900123, read as UK) or
// internationally (+44 7700 900123, 0044…, 447700900123), with spaces,
// hyphens, dots and brackets, as an E.164 number (+447700900123). It
// returns ErrNotNumber for text that is not a number (letters, an
// extension) and ErrImpossible for a number its country's numbering plan
// does not have ("+1 (555) 123" is too short for North America).
//
// Ofcom's range reserved for drama, 07700 900000 to 07700 900999, is
// accepted as a UK mobile: the demo and the tests use it because it never
// reaches a real phone, though libphonenumber calls it unassigned.
func Parse(s string) (string, error) {
	n, err := parse(s)
	if err != nil {
		return "", err
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// Mobile is Parse for a number that must receive texts: it returns
// ErrNotMobile for a number whose country's plan says it is a landline,
// pager, personal, premium-rate or other non-mobile number. Numbers of
// countries whose plan does not tell mobiles from landlines (North
// America) are accepted.
func Mobile(s string) (string, error) {
	n, err := parse(s)
	if err != nil {
		return "", err
	}
	e164 := phonenumbers.Format(n, phonenumbers.E164)
	if isDrama(e164) {
		return e164, nil
	}
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
		return e164, nil
	}
	return "", ErrNotMobile
}

// parse reads s into a number that is valid in its country (or in the
// drama range).
func parse(s string) (*phonenumbers.PhoneNumber, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\u00a0', '\u202f', '-', '.', '(', ')':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	digits := strings.TrimPrefix(s, "+")
	if digits == "" || len(digits) > 20 || strings.Trim(digits, "0123456789") != "" {
		return nil, ErrNotNumber
	}
	n, err := phonenumbers.Parse(s, DefaultRegion)
	if err != nil || n.GetExtension() != "" {
		return nil, ErrImpossible
	}
	e164 := phonenumbers.Format(n, phonenumbers.E164)
	if !e164Shape.MatchString(e164) || (!phonenumbers.IsValidNumber(n) && !isDrama(e164)) {
		return nil, ErrImpossible
	}
	return n, nil
}

// isDrama reports whether e164 is in Ofcom's mobile range reserved for
// drama, +447700900000 to +447700900999.
func isDrama(e164 string) bool {
	return len(e164) == len("+447700900000") && strings.HasPrefix(e164, "+447700900")
}
