package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password rules.
const (
	MinPasswordLength = 12  // characters
	MaxPasswordLength = 256 // characters: a passphrase, not a file
)

// Errors returned by CheckPassword and HashPassword.
var (
	ErrPasswordTooShort = fmt.Errorf("the password must be at least %d characters long", MinPasswordLength)
	ErrPasswordTooLong  = fmt.Errorf("the password must be at most %d characters long", MaxPasswordLength)
	ErrPasswordBlank    = errors.New("the password must not be only spaces")
	ErrPasswordCommon   = errors.New("the password is too common: it is one of those tried first when guessing, or made from one")
)

// CheckPassword reports whether password may be set: it returns
// ErrPasswordTooShort or ErrPasswordTooLong for one outside the length
// rules, ErrPasswordBlank for one of white space only, and
// ErrPasswordCommon for one on the deny-list of common passwords or made
// from one in the usual ways (isCommonPassword), as the NCSC's password
// guidance asks; nil otherwise. Every password set, in the console or by
// `ohcontact user add`, is checked by HashPassword through it.
func CheckPassword(password string) error {
	switch n := utf8.RuneCountInString(password); {
	case n < MinPasswordLength:
		return ErrPasswordTooShort
	case n > MaxPasswordLength:
		return ErrPasswordTooLong
	case strings.TrimSpace(password) == "":
		return ErrPasswordBlank
	case isCommonPassword(password):
		return ErrPasswordCommon
	}
	return nil
}

// argon2id parameters for new hashes: OWASP's first recommendation (19 MiB,
// 2 passes, 1 lane). About 60 ms on one core of a small server, and 19 MiB
// a sign-in, so twenty at once fit in memory on a 2-core machine; 64 MiB
// would quadruple that. Hashes carry their own parameters, so these can be
// raised without invalidating stored ones.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// HashPassword returns password's argon2id hash in the PHC string format,
// $argon2id$v=19$m=…,t=…,p=…$salt$hash (unpadded standard base64). It
// returns CheckPassword's error, hashing nothing, for a password outside
// the rules. It takes about 19 MiB and tens of milliseconds of one CPU:
// the console hashes through its gate (Console.hashPassword), never
// directly.
func HashPassword(password string) (string, error) {
	if err := CheckPassword(password); err != nil {
		return "", err
	}
	salt := make([]byte, argonSaltLen)
	_, _ = rand.Read(salt) // never fails: crypto/rand panics rather than return an error
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

func mustHashPassword(password string) string {
	h, err := HashPassword(password)
	if err != nil {
		panic(err)
	}
	return h
}

// passwordMatches reports whether password has the argon2id hash encoded,
// comparing the hashes in constant time. A hash it cannot read matches
// nothing.
func passwordMatches(encoded, password string) bool {
	m, t, p, salt, hash, err := parseHash(encoded)
	if err != nil {
		return false
	}
	key := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(hash)))
	return subtle.ConstantTimeCompare(key, hash) == 1
}

// parseHash reads a PHC-format argon2id hash, refusing parameters that would
// make verifying it a denial of service.
func parseHash(encoded string) (memory, passes uint32, threads uint8, salt, hash []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return 0, 0, 0, nil, nil, errors.New("not an argon2id hash")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil {
		return 0, 0, 0, nil, nil, fmt.Errorf("argon2id parameters: %w", err)
	}
	if memory < 8 || memory > 1<<18 || passes < 1 || passes > 16 || threads < 1 || threads > 16 {
		return 0, 0, 0, nil, nil, errors.New("argon2id parameters out of range")
	}
	if salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return 0, 0, 0, nil, nil, errors.New("argon2id salt")
	}
	if hash, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(hash) < 16 || len(hash) > 64 {
		return 0, 0, 0, nil, nil, errors.New("argon2id hash")
	}
	return memory, passes, threads, salt, hash, nil
}
