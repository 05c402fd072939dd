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
