package webchat

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Identity tokens and session tokens.
//
// An identity token is what an intranet's server gives the widget for a
// signed-in member of staff:
//
//	base64url(claims JSON) "." base64url(HMAC-SHA256(secret, first part))
//
// without padding, where the claims are
//
//	{"sub":"<assignment number>","org":"<organisation code>","exp":<unix seconds>,"nonce":"<8 to 64 of A-Z a-z 0-9 _ ->"}
//
// Any language's standard library can mint one; MintToken is the Go version.
//
// A session token is what this service gives the widget after a hello, so
// that a reload resumes the conversation without a fresh identity token. It
// has the shape "s1." payload "." signature, and its signature is the
// HMAC over "ohcontact-session\x00" followed by the payload: neither kind of
// token is ever accepted as the other, even under the same secret.

const (
	// MaxTokenLen is the longest identity or session token read; longer
	// input is refused before any decoding.
	MaxTokenLen = 2048
	// MaxTokenLifetime is how far in the future an identity token may
	// expire (plus ClockSkew). Longer-lived tokens are refused, so a leaked
	// one is useful for minutes at most.
	MaxTokenLifetime = 15 * time.Minute
	// ClockSkew is how far the intranet's clock may be from ours: a token
	// is still accepted this long after it expired.
	ClockSkew = 30 * time.Second
)

var (
	// ErrTokenMalformed reports a token that is not in the expected format
	// or whose fields are missing or invalid.
	ErrTokenMalformed = errors.New("webchat: malformed token")
	// ErrTokenForged reports a well-formed token whose signature does not
	// match: tampered with, signed with another secret, or of the other
	// kind (a session offered as an identity token or the reverse).
	ErrTokenForged = errors.New("webchat: token signature does not match")
	// ErrTokenExpired reports a token whose expiry time has passed.
	ErrTokenExpired = errors.New("webchat: token expired")
	// ErrTokenLifetime reports an identity token that expires more than
	// MaxTokenLifetime (plus ClockSkew) from now. It wraps
	// ErrTokenMalformed, so errors.Is(err, ErrTokenMalformed) holds for it.
	ErrTokenLifetime = fmt.Errorf("%w: expiry too far ahead", ErrTokenMalformed)
	// ErrNoSecret reports an empty signing secret: every token would be
	// forgeable, so none is minted or accepted.
	ErrNoSecret = errors.New("webchat: empty signing secret")
)

// Claims is what an identity token says.
type Claims struct {
	// AssignmentNumber is the member of staff's ESR assignment number
	// ("sub"): 1 to 20 letters, digits or hyphens.
	AssignmentNumber string
	// Org is the organisation code ("org").
	Org string
	// Expires is when the token stops being accepted ("exp", whole
	// seconds).
	Expires time.Time
	// Nonce makes the token single-use ("nonce"): the caller refuses a
	// nonce it has already seen (until Expires plus ClockSkew).
	Nonce string
}

// claimsJSON is Claims on the wire.
type claimsJSON struct {
	Sub   string `json:"sub"`
	Org   string `json:"org"`
	Exp   int64  `json:"exp"`
	Nonce string `json:"nonce"`
}

// Session is what a session token carries: the conversation a widget
// resumes.
type Session struct {
	// ID names the session, so that it can be revoked: 16 to 64 letters,
	// digits, _ or -. A session keeps its ID when its token is re-issued.
	ID  string
	Org string
	// AssignmentNumber is empty for an anonymous chat.
	AssignmentNumber string
	// Address is the conversation's address, for example "w_" and random
	// characters: 1 to 64 letters, digits, _ or -.
	Address string
	// IssuedAt is when the session was first issued (whole seconds); a
	// re-issued token keeps it.
	IssuedAt time.Time
	// Expires is when the session stops being accepted (whole seconds).
	Expires time.Time
	// Cleared is set on the session "End chat and clear" gives a member
	// of staff when a clinician keeps their conversation open: its
	// messages up to number ClearedSeq are not shown again.
	Cleared    int64
	ClearedSeq int
}

// sessionJSON is Session on the wire.
type sessionJSON struct {
	ID      string `json:"sid"`
	Org     string `json:"org"`
	Sub     string `json:"sub,omitempty"`
	Address string `json:"addr"`
	Iat     int64  `json:"iat"`
	Exp     int64  `json:"exp"`
	Cleared int64  `json:"clr,omitempty"`
	ClrSeq  int    `json:"clrseq,omitempty"`
}

const (
	sessionTokenPrefix  = "s1."
	sessionTokenContext = "ohcontact-session\x00"
)

// tokenOrgRE and tokenAssignmentRE match the database's checks on
// organisations.code and staff.assignment_number.
var (
	tokenOrgRE        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)
	tokenAssignmentRE = regexp.MustCompile(`^[0-9A-Za-z-]{1,20}$`)
	tokenNonceRE      = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)
	tokenAddressRE    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	tokenSessionIDRE  = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)
)

var tokenB64 = base64.RawURLEncoding.Strict()

// MintToken returns an identity token for c signed with secret. It fails
// if the secret is empty or a field of c is invalid; it does not check
// Expires against the clock.
func MintToken(secret []byte, c Claims) (string, error) {
	if len(secret) == 0 {
		return "", ErrNoSecret
	}
	if err := c.valid(); err != nil {
		return "", err
	}
	payload, err := json.Marshal(claimsJSON{Sub: c.AssignmentNumber, Org: c.Org, Exp: c.Expires.Unix(), Nonce: c.Nonce})
	if err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	first := tokenB64.EncodeToString(payload)
	return first + "." + tokenB64.EncodeToString(tokenMAC(secret, "", first)), nil
}

// VerifyToken checks an identity token against secret at time now and
// returns its claims. It returns ErrNoSecret for an empty secret,
// ErrTokenMalformed (possibly wrapped) for anything that is not a
// well-formed token with valid fields, ErrTokenForged when the signature
// does not match, ErrTokenExpired when now is more than ClockSkew past its
// expiry, and ErrTokenLifetime when it expires more than MaxTokenLifetime
// plus ClockSkew after now. The signature is checked, in constant time,
// before the claims are parsed. Replay is the caller's to check, with
// Claims.Nonce.
func VerifyToken(secret []byte, token string, now time.Time) (Claims, error) {
	if len(secret) == 0 {
		return Claims{}, ErrNoSecret
	}
	payload, err := unsealToken(secret, "", token)
	if err != nil {
		return Claims{}, err
	}
	var w claimsJSON
	if err := json.Unmarshal(payload, &w); err != nil {
		return Claims{}, ErrTokenMalformed
	}
	c := Claims{AssignmentNumber: w.Sub, Org: w.Org, Expires: time.Unix(w.Exp, 0), Nonce: w.Nonce}
	if err := c.valid(); err != nil {
		return Claims{}, err
	}
	switch {
	case now.After(c.Expires.Add(ClockSkew)):
		return Claims{}, ErrTokenExpired
	case c.Expires.After(now.Add(MaxTokenLifetime + ClockSkew)):
		return Claims{}, ErrTokenLifetime
	}
	return c, nil
}

// valid reports whether every field of c is present and well-formed.
func (c Claims) valid() error {
	switch {
	case !tokenAssignmentRE.MatchString(c.AssignmentNumber):
		return fmt.Errorf("%w: sub must be 1 to 20 letters, digits or hyphens", ErrTokenMalformed)
	case !tokenOrgRE.MatchString(c.Org):
		return fmt.Errorf("%w: org is not an organisation code", ErrTokenMalformed)
	case c.Expires.Unix() <= 0:
		return fmt.Errorf("%w: exp missing", ErrTokenMalformed)
	case !tokenNonceRE.MatchString(c.Nonce):
		return fmt.Errorf("%w: nonce must be 8 to 64 letters, digits, _ or -", ErrTokenMalformed)
	}
	return nil
}

// MintSession returns a session token for s signed with secret, which must
// not be empty. The caller supplies a valid Session (it comes from our own
// state); Expires is kept to the second.
func MintSession(secret []byte, s Session) string {
	// Marshalling strings and an integer cannot fail.
	payload, _ := json.Marshal(sessionJSON{ID: s.ID, Org: s.Org, Sub: s.AssignmentNumber, Address: s.Address,
		Iat: s.IssuedAt.Unix(), Exp: s.Expires.Unix(), Cleared: s.Cleared, ClrSeq: s.ClearedSeq})
	p := tokenB64.EncodeToString(payload)
	return sessionTokenPrefix + p + "." + tokenB64.EncodeToString(tokenMAC(secret, sessionTokenContext, p))
}

// VerifySession checks a session token against secret at time now and
// returns the session. It returns the same errors as VerifyToken, except
// that there is no lifetime limit and no clock skew: a session is expired
// from its Expires on. A token with no ID, or with no IssuedAt before its
// Expires (such as one minted before sessions had them), is malformed.
// Revocation is the caller's to check, with Session.ID.
func VerifySession(secret []byte, v string, now time.Time) (Session, error) {
	if len(secret) == 0 {
		return Session{}, ErrNoSecret
	}
	rest, ok := strings.CutPrefix(v, sessionTokenPrefix)
	if !ok {
		return Session{}, ErrTokenMalformed
	}
	payload, err := unsealToken(secret, sessionTokenContext, rest)
	if err != nil {
		return Session{}, err
	}
	var w sessionJSON
	if err := json.Unmarshal(payload, &w); err != nil {
		return Session{}, ErrTokenMalformed
	}
	s := Session{ID: w.ID, Org: w.Org, AssignmentNumber: w.Sub, Address: w.Address,
		IssuedAt: time.Unix(w.Iat, 0), Expires: time.Unix(w.Exp, 0), Cleared: w.Cleared, ClearedSeq: w.ClrSeq}
	switch {
	case !tokenSessionIDRE.MatchString(s.ID),
		!tokenOrgRE.MatchString(s.Org),
		s.AssignmentNumber != "" && !tokenAssignmentRE.MatchString(s.AssignmentNumber),
		!tokenAddressRE.MatchString(s.Address),
		w.Iat <= 0, w.Exp <= w.Iat, w.Cleared < 0, w.ClrSeq < 0:
		return Session{}, ErrTokenMalformed
	case !now.Before(s.Expires):
		return Session{}, ErrTokenExpired
	}
	return s, nil
}

// unsealToken splits token into payload and signature, checks the
// signature over context followed by the encoded payload, and returns the
// decoded payload.
func unsealToken(secret []byte, context, token string) ([]byte, error) {
	if len(token) > MaxTokenLen {
		return nil, ErrTokenMalformed
	}
	// Only the base64url alphabet and the separator: the decoder would
	// otherwise skip line breaks, making one token many.
	for i := 0; i < len(token); i++ {
		if c := token[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return nil, ErrTokenMalformed
		}
	}
	first, sig, ok := strings.Cut(token, ".")
	if !ok || first == "" || strings.Contains(sig, ".") {
		return nil, ErrTokenMalformed
	}
	got, err := tokenB64.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return nil, ErrTokenMalformed
	}
	payload, err := tokenB64.DecodeString(first)
	if err != nil {
		return nil, ErrTokenMalformed
	}
	if !hmac.Equal(got, tokenMAC(secret, context, first)) {
		return nil, ErrTokenForged
	}
	return payload, nil
}

// tokenMAC returns HMAC-SHA256 keyed by secret over context followed by first.
func tokenMAC(secret []byte, context, first string) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(context))
	mac.Write([]byte(first))
	return mac.Sum(nil)
}
