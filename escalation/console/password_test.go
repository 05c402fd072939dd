package console

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestHashPassword(t *testing.T) {
	t.Parallel()
	hash, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`).MatchString(hash) {
		t.Fatalf("hash %q is not a PHC argon2id string", hash)
	}
	if other, _ := HashPassword("correct horse battery"); other == hash {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if !passwordMatches(hash, "correct horse battery") {
		t.Error("the password does not match its hash")
	}
	for _, wrong := range []string{"", "correct horse batterY", "correct horse battery "} {
		if passwordMatches(hash, wrong) {
			t.Errorf("%q matches", wrong)
		}
	}
	// A hash with other parameters (an older or stronger setting) still
	// verifies.
	if !passwordMatches("$argon2id$v=19$m=65536,t=1,p=2$c29tZXNhbHRzb21lc2FsdA$"+
		"Wbaud+1CKXSqBM+9gZ9ezQMMSoH9wJldExiNfAg3iKY", "password") {
		t.Error("a 64 MiB, 1 pass, 2 lane hash of \"password\" does not verify")
	}

	for _, tt := range []struct {
		password string
		want     error
	}{
		{"elevenchars", ErrPasswordTooShort},
		{"élévenchàrs", ErrPasswordTooShort},
		{strings.Repeat("a", 257), ErrPasswordTooLong},
	} {
		if _, err := HashPassword(tt.password); !errors.Is(err, tt.want) {
			t.Errorf("HashPassword(%d characters) = %v, want %v", len([]rune(tt.password)), err, tt.want)
		}
	}
}

func TestPasswordMatchesRefusesBadHashes(t *testing.T) {
	t.Parallel()
	for _, h := range []string{
		"",
		"plaintext",
		"$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$MJrKfWTo3pljpa7JOHdOv3nYaP5fQF4z+Qa7cvYsDSM",
		"$argon2id$v=16$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$MJrKfWTo3pljpa7JOHdOv3nYaP5fQF4z+Qa7cvYsDSM",
		"$argon2id$v=19$m=99999999,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$MJrKfWTo3pljpa7JOHdOv3nYaP5fQF4z+Qa7cvYsDSM",
		"$argon2id$v=19$m=19456,t=2,p=1$!!!$MJrKfWTo3pljpa7JOHdOv3nYaP5fQF4z+Qa7cvYsDSM",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$c2hvcnQ",
	} {
		if passwordMatches(h, "password") {
			t.Errorf("%q matches", h)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, password string
		want           error
	}{
		{"passphrase", "correct horse battery", nil},
		{"demo password", "demo-clinician-2026", nil},
		{"random", "x7#Lq9v!Tz2m", nil},
		{"random digits", "738491027364", nil},
		{"word in a sentence", "my password is long", nil},
		{"short", "elevenchars", ErrPasswordTooShort},
		{"long", strings.Repeat("ab", 129), ErrPasswordTooLong},
		{"spaces", strings.Repeat(" ", 12), ErrPasswordBlank},
		{"white space", " \t \u00a0\u2003        ", ErrPasswordBlank},
		{"password and digits", "password1234", ErrPasswordCommon},
		{"capitals, year and symbol", "Password2026!", ErrPasswordCommon},
		{"letter swaps", "P@ssw0rd2026", ErrPasswordCommon},
		{"swap at the start", "$ecret123456", ErrPasswordCommon},
		{"digits first", "2026password", ErrPasswordCommon},
		{"separators", "pass-word-2026", ErrPasswordCommon},
		{"repeated word", "passwordpassword", ErrPasswordCommon},
		{"listed phrase", "Correct Horse Battery Staple", ErrPasswordCommon},
		{"season and year", "Summer2026!!", ErrPasswordCommon},
		{"club", "Liverpool1892", ErrPasswordCommon},
		{"service", "NHSpassword1", ErrPasswordCommon},
		{"one character", "aaaaaaaaaaaa", ErrPasswordCommon},
		{"short repeat", "202620262026", ErrPasswordCommon},
		{"digit run", "123456789012", ErrPasswordCommon},
		{"backwards run", "987654321098", ErrPasswordCommon},
		{"keyboard", "qwertyuiop12", ErrPasswordCommon},
		{"keyboard columns", "1qaz2wsx3edc", ErrPasswordCommon},
		{"alphabet and digits", "abcdefgh1234", ErrPasswordCommon},
	} {
		if err := CheckPassword(tt.password); !errors.Is(err, tt.want) {
			t.Errorf("%s: CheckPassword(%q) = %v, want %v", tt.name, tt.password, err, tt.want)
		}
	}
	if _, err := HashPassword("Password2026!"); !errors.Is(err, ErrPasswordCommon) {
		t.Errorf("HashPassword of a common password = %v, want ErrPasswordCommon", err)
	}
	if len(commonPasswords) < 300 {
		t.Errorf("%d common passwords on the deny-list, want a few hundred", len(commonPasswords))
	}
}
