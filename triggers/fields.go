package triggers

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/ohcontact/ohcontact/phone"
)

// The checks below read one value each, already trimmed. Their errors are
// the rest of a sentence that starts with the column's name ("is empty",
// "2026-02-30 is not a real date"), and repeat the value only when it has
// the shape of what the column holds (a date, a reason code such as S77):
// in a file whose columns are shifted, any cell may hold a mobile number or
// a name, and import reports are shown and logged.

var (
	assignmentPattern = regexp.MustCompile(`^[0-9A-Za-z-]{1,20}$`)
	orgCodePattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)
	reasonCodePattern = regexp.MustCompile(`^S[0-9]{2}$`)
	emailPattern      = regexp.MustCompile(`^[^@\s,;<>"]+@[^@\s,;<>"]+\.[^@\s,;<>".]+$`)
)

// MobileE164 returns a staff member's mobile number in E.164 form
// (+447700900123), read by phone.Mobile: UK numbers may be written
// nationally or internationally, with spaces, hyphens, dots or brackets,
// other countries' with their country code; a number its country does not
// have ("+1 (555) 123") or one that cannot take texts (a landline, 070,
// 076) is refused.
//
// Errors are phrases starting "not", such as "not a mobile number (UK
// mobiles start 07, but not 070 or 076)"; they never repeat the number.
func MobileE164(s string) (string, error) { return phone.Mobile(s) }

// controlChar returns an error when s has a control character other than
// a tab or a line break (a NUL, an escape, a backspace): no field holds
// one, and PostgreSQL refuses NUL in text. Whether a field may hold a line
// break is for its own check.
func controlChar(s string) error {
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return errors.New("has a control character in it (such as NUL); only tabs and line breaks are allowed")
		}
	}
	return nil
}

// optionalMobile is MobileE164 for a column that may be empty.
func optionalMobile(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	m, err := MobileE164(s)
	if err != nil {
		return "", fmt.Errorf("is %w", err)
	}
	return m, nil
}

// validReasonCodes are the ESR sickness absence reasons (DOMAIN.md), as in
// the absence_reasons table.
var validReasonCodes = func() map[string]bool {
	codes := map[string]bool{"S98": true, "S99": true}
	for n := 10; n <= 32; n++ {
		codes[fmt.Sprintf("S%d", n)] = true
	}
	return codes
}()

// reasonCode reads an ESR sickness absence reason, in either case. An
// error repeats the value only when it has a reason code's shape (S77).
func reasonCode(s string) (string, error) {
	code := strings.ToUpper(strings.TrimSpace(s))
	switch {
	case code == "":
		return "", errors.New("is empty")
	case !validReasonCodes[code] && reasonCodePattern.MatchString(code):
		return "", fmt.Errorf("%s is not an ESR sickness absence reason (S10 to S32, S98 or S99)", code)
	case !validReasonCodes[code]:
		return "", errors.New("is not an ESR sickness absence reason (S10 to S32, S98 or S99)")
	}
	return code, nil
}

var languages = map[string]string{
	"": "en-GB", "en-gb": "en-GB", "en": "en-GB", "english": "en-GB",
	"cy": "cy", "welsh": "cy", "cymraeg": "cy",
	"pl": "pl", "polish": "pl", "polski": "pl",
}

// languageTag reads a language as a tag the service speaks: en-GB (also
// when empty), cy or pl.
func languageTag(s string) (string, error) {
	tag, ok := languages[strings.ToLower(s)]
	if !ok {
		return "", errors.New("is not one of en-GB, cy (Welsh) or pl (Polish)")
	}
	return tag, nil
}

var channelNames = map[string]string{
	"": "", "sms": "sms",
	"webchat": "webchat", "web chat": "webchat", "web-chat": "webchat", "chat": "webchat", "widget": "webchat",
}

// preferredChannel reads a preferred channel: "sms", "webchat" or "" (no
// preference).
func preferredChannel(s string) (string, error) {
	c, ok := channelNames[strings.ToLower(s)]
	if !ok {
		return "", errors.New("is not sms or webchat")
	}
	return c, nil
}

// assignmentNumber reads an ESR assignment number.
func assignmentNumber(s string) (string, error) {
	switch {
	case s == "":
		return "", errors.New("is empty")
	case !assignmentPattern.MatchString(s):
		return "", errors.New("must be 1 to 20 letters, digits or hyphens")
	}
	return s, nil
}

// requiredOrganisation reads an organisation code, as in the organisations
// table.
func requiredOrganisation(s string) (string, error) {
	switch {
	case s == "":
		return "", errors.New("is empty")
	case !orgCodePattern.MatchString(s):
		return "", errors.New("is not an organisation code (1 to 32 letters, digits, _ or -)")
	}
	return s, nil
}

// optionalOrganisation reads an organisation code, or nothing.
func optionalOrganisation(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	return requiredOrganisation(s)
}

// personName reads a first or last name.
func personName(s string) (string, error) {
	switch {
	case s == "":
		return "", errors.New("is empty")
	case utf8.RuneCountInString(s) > 100:
		return "", errors.New("is longer than 100 characters")
	case strings.ContainsAny(s, "\r\n"):
		return "", errors.New("has a line break in it")
	}
	return s, nil
}

// jobWords reads a job title, department or staff group, or nothing
// (unknown): one line of at most 100 characters, as staff.job_title,
// staff.department and staff.staff_group hold.
func jobWords(s string) (string, error) {
	switch {
	case utf8.RuneCountInString(s) > 100:
		return "", errors.New("is longer than 100 characters")
	case strings.ContainsAny(s, "\r\n"):
		return "", errors.New("has a line break in it")
	}
	return s, nil
}

// optionalEmail reads an email address, or nothing.
func optionalEmail(s string) (string, error) {
	if s != "" && (len(s) > 254 || !emailPattern.MatchString(s)) {
		return "", errors.New("is not an email address")
	}
	return s, nil
}

// requiredDate reads a date that must be there.
func requiredDate(s string) (Date, error) {
	if s == "" {
		return Date{}, errors.New("is empty")
	}
	return ParseDate(s)
}

// optionalDate reads a date that may be empty (the zero Date).
func optionalDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	return ParseDate(s)
}

// relatedReason reads ESR's related reason (e.g. COVID-19), free text.
func relatedReason(s string) (string, error) {
	if utf8.RuneCountInString(s) > 100 {
		return "", errors.New("is longer than 100 characters")
	}
	return s, nil
}
