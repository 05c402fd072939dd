package webchat_test

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log"
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact/channels/webchat"
)

var (
	testSecret = []byte("test secret of thirty-two bytes!")
	testNow    = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	// testSessionID is a session's ID.
	testSessionID = "sess_0123456789abcdef"
)

func testClaims() webchat.Claims {
	return webchat.Claims{
		AssignmentNumber: "12345678-2",
		Org:              "RX1",
		Expires:          testNow.Add(5 * time.Minute),
		Nonce:            "n0nce_abc-123",
	}
}

// rawToken builds an identity token from payload the way the format's
// description says, independently of MintToken: what an intranet written in
// another language would do.
func rawToken(secret []byte, payload string) string {
	first := base64.RawURLEncoding.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(first))
	return first + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func firstPart(token string) string {
	first, _, _ := strings.Cut(token, ".")
	return first
}

func mint(t *testing.T, c webchat.Claims) string {
	t.Helper()
	tok, err := webchat.MintToken(testSecret, c)
	if err != nil {
		t.Fatalf("MintToken: %v", err)
	}
	return tok
}

func TestTokenRoundTrip(t *testing.T) {
	want := testClaims()
	got, err := webchat.VerifyToken(testSecret, mint(t, want), testNow)
	if err != nil {
		t.Fatalf("VerifyToken: %v", err)
	}
	if got.AssignmentNumber != want.AssignmentNumber || got.Org != want.Org || got.Nonce != want.Nonce || !got.Expires.Equal(want.Expires) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestTokenFormatIsInteroperable(t *testing.T) {
	// A token built by hand from the documented format verifies, and
	// MintToken produces exactly that token.
	payload := fmt.Sprintf(`{"sub":"12345678-2","org":"RX1","exp":%d,"nonce":"n0nce_abc-123"}`, testNow.Add(5*time.Minute).Unix())
	hand := rawToken(testSecret, payload)
	if got := mint(t, testClaims()); got != hand {
		t.Fatalf("MintToken = %q, want %q", got, hand)
	}
	if strings.ContainsAny(hand, "=+/") {
		t.Fatalf("token %q is not unpadded base64url", hand)
	}
}

func TestVerifyToken(t *testing.T) {
	valid := mint(t, testClaims())
	first, sig, _ := strings.Cut(valid, ".")
	exp := testNow.Add(5 * time.Minute).Unix()
	// expiring returns a token that expires d after testNow.
	expiring := func(d time.Duration) string {
		c := testClaims()
		c.Expires = testNow.Add(d)
		return mint(t, c)
	}
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	tests := []struct {
		name   string
		secret []byte
		token  string
		now    time.Time
		want   error // nil means accepted
	}{
		{"valid", testSecret, valid, testNow, nil},
		{"at expiry", testSecret, valid, testNow.Add(5 * time.Minute), nil},
		{"within clock skew after expiry", testSecret, valid, testNow.Add(5*time.Minute + webchat.ClockSkew), nil},
		{"expired beyond clock skew", testSecret, valid, testNow.Add(5*time.Minute + webchat.ClockSkew + time.Second), webchat.ErrTokenExpired},
		{"long expired", testSecret, valid, testNow.Add(24 * time.Hour), webchat.ErrTokenExpired},
		{"lifetime at the limit", testSecret, expiring(webchat.MaxTokenLifetime + webchat.ClockSkew), testNow, nil},
		{"lifetime too long", testSecret, expiring(webchat.MaxTokenLifetime + webchat.ClockSkew + time.Second), testNow, webchat.ErrTokenLifetime},
		{"lifetime of a day", testSecret, expiring(24 * time.Hour), testNow, webchat.ErrTokenLifetime},
		{"wrong secret", []byte("another organisation's secret"), valid, testNow, webchat.ErrTokenForged},
		{"empty secret", nil, valid, testNow, webchat.ErrNoSecret},
		{"forged signature", testSecret, first + "." + flip(sig, 3), testNow, webchat.ErrTokenForged},
		{"tampered claims", testSecret, firstPart(expiring(time.Minute)) + "." + sig, testNow, webchat.ErrTokenForged},
		{"claims of another token with this signature", testSecret, flip(first, 5) + "." + sig, testNow, webchat.ErrTokenForged},
		{"empty", testSecret, "", testNow, webchat.ErrTokenMalformed},
		{"dot only", testSecret, ".", testNow, webchat.ErrTokenMalformed},
		{"no signature", testSecret, first, testNow, webchat.ErrTokenMalformed},
		{"empty signature", testSecret, first + ".", testNow, webchat.ErrTokenMalformed},
		{"empty claims", testSecret, "." + sig, testNow, webchat.ErrTokenMalformed},
		{"three parts", testSecret, valid + "." + sig, testNow, webchat.ErrTokenMalformed},
		{"padded", testSecret, valid + "=", testNow, webchat.ErrTokenMalformed},
		{"standard base64 alphabet", testSecret, strings.ReplaceAll(strings.ReplaceAll(valid, "-", "+"), "_", "/") + "+/", testNow, webchat.ErrTokenMalformed},
		{"line break inside", testSecret, first[:4] + "\n" + first[4:] + "." + sig, testNow, webchat.ErrTokenMalformed},
		{"surrounding space", testSecret, " " + valid + " ", testNow, webchat.ErrTokenMalformed},
		{"short signature", testSecret, first + "." + sig[:20], testNow, webchat.ErrTokenMalformed},
		{"non-canonical base64", testSecret, first + "." + sig[:len(sig)-1] + "h", testNow, webchat.ErrTokenMalformed},
		{"garbage", testSecret, "not a token at all", testNow, webchat.ErrTokenMalformed},
		{"huge", testSecret, strings.Repeat("A", webchat.MaxTokenLen) + "." + sig, testNow, webchat.ErrTokenMalformed},
		{"signed non-JSON", testSecret, rawToken(testSecret, "hello"), testNow, webchat.ErrTokenMalformed},
		{"signed JSON null", testSecret, rawToken(testSecret, "null"), testNow, webchat.ErrTokenMalformed},
		{"signed JSON array", testSecret, rawToken(testSecret, `["RX1"]`), testNow, webchat.ErrTokenMalformed},
		{"missing sub", testSecret, rawToken(testSecret, fmt.Sprintf(`{"org":"RX1","exp":%d,"nonce":"n0nce_abc-123"}`, exp)), testNow, webchat.ErrTokenMalformed},
		{"missing org", testSecret, rawToken(testSecret, fmt.Sprintf(`{"sub":"123","exp":%d,"nonce":"n0nce_abc-123"}`, exp)), testNow, webchat.ErrTokenMalformed},
		{"missing exp", testSecret, rawToken(testSecret, `{"sub":"123","org":"RX1","nonce":"n0nce_abc-123"}`), testNow, webchat.ErrTokenMalformed},
		{"missing nonce", testSecret, rawToken(testSecret, fmt.Sprintf(`{"sub":"123","org":"RX1","exp":%d}`, exp)), testNow, webchat.ErrTokenMalformed},
		{"exp as string", testSecret, rawToken(testSecret, fmt.Sprintf(`{"sub":"123","org":"RX1","exp":"%d","nonce":"n0nce_abc-123"}`, exp)), testNow, webchat.ErrTokenMalformed},
		{"exp as fraction", testSecret, rawToken(testSecret, fmt.Sprintf(`{"sub":"123","org":"RX1","exp":%d.5,"nonce":"n0nce_abc-123"}`, exp)), testNow, webchat.ErrTokenMalformed},
		{"negative exp", testSecret, rawToken(testSecret, `{"sub":"123","org":"RX1","exp":-1,"nonce":"n0nce_abc-123"}`), testNow, webchat.ErrTokenMalformed},
		{"short nonce", testSecret, rawToken(testSecret, fmt.Sprintf(`{"sub":"123","org":"RX1","exp":%d,"nonce":"1234567"}`, exp)), testNow, webchat.ErrTokenMalformed},
		{"nonce with space", testSecret, rawToken(testSecret, fmt.Sprintf(`{"sub":"123","org":"RX1","exp":%d,"nonce":"1234 5678"}`, exp)), testNow, webchat.ErrTokenMalformed},
		{"sub with markup", testSecret, rawToken(testSecret, fmt.Sprintf(`{"sub":"<b>1</b>","org":"RX1","exp":%d,"nonce":"n0nce_abc-123"}`, exp)), testNow, webchat.ErrTokenMalformed},
		{"org not a code", testSecret, rawToken(testSecret, fmt.Sprintf(`{"sub":"123","org":"R X1","exp":%d,"nonce":"n0nce_abc-123"}`, exp)), testNow, webchat.ErrTokenMalformed},
		{"unknown fields are ignored", testSecret, rawToken(testSecret, fmt.Sprintf(`{"sub":"123","org":"RX1","exp":%d,"nonce":"n0nce_abc-123","iat":1}`, exp)), testNow, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := webchat.VerifyToken(tt.secret, tt.token, tt.now)
			if tt.want == nil && err != nil {
				t.Fatalf("VerifyToken: %v, want accepted", err)
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("VerifyToken: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestLifetimeErrorIsMalformed(t *testing.T) {
	if !errors.Is(webchat.ErrTokenLifetime, webchat.ErrTokenMalformed) {
		t.Fatal("ErrTokenLifetime does not wrap ErrTokenMalformed")
	}
}

func TestMintTokenRefusesInvalidClaims(t *testing.T) {
	tests := []struct {
		name   string
		secret []byte
		change func(*webchat.Claims)
		want   error
	}{
		{"empty secret", nil, func(*webchat.Claims) {}, webchat.ErrNoSecret},
		{"no assignment number", testSecret, func(c *webchat.Claims) { c.AssignmentNumber = "" }, webchat.ErrTokenMalformed},
		{"no organisation", testSecret, func(c *webchat.Claims) { c.Org = "" }, webchat.ErrTokenMalformed},
		{"no expiry", testSecret, func(c *webchat.Claims) { c.Expires = time.Time{} }, webchat.ErrTokenMalformed},
		{"long nonce", testSecret, func(c *webchat.Claims) { c.Nonce = strings.Repeat("n", 65) }, webchat.ErrTokenMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testClaims()
			tt.change(&c)
			if _, err := webchat.MintToken(tt.secret, c); !errors.Is(err, tt.want) {
				t.Fatalf("MintToken: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSessionRoundTrip(t *testing.T) {
	for _, want := range []webchat.Session{
		{ID: testSessionID, Org: "RX1", AssignmentNumber: "12345678", Address: "w_abcDEF123-_", IssuedAt: testNow.Add(-time.Hour), Expires: testNow.Add(11 * time.Hour)},
		{ID: testSessionID, Org: "RX1", Address: "w_anonymous1", IssuedAt: testNow, Expires: testNow.Add(time.Hour)},
		{ID: testSessionID, Org: "RX1", AssignmentNumber: "12345678", Address: "s_1", IssuedAt: testNow, Expires: testNow.Add(time.Hour),
			Cleared: 42, ClearedSeq: 7},
	} {
		got, err := webchat.VerifySession(testSecret, webchat.MintSession(testSecret, want), testNow)
		if err != nil {
			t.Fatalf("VerifySession(%+v): %v", want, err)
		}
		if got.ID != want.ID || got.Org != want.Org || got.AssignmentNumber != want.AssignmentNumber || got.Address != want.Address ||
			!got.IssuedAt.Equal(want.IssuedAt) || !got.Expires.Equal(want.Expires) || got.Cleared != want.Cleared || got.ClearedSeq != want.ClearedSeq {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	}
}

func TestVerifySession(t *testing.T) {
	s := webchat.Session{ID: testSessionID, Org: "RX1", AssignmentNumber: "12345678", Address: "w_abc", IssuedAt: testNow, Expires: testNow.Add(time.Hour)}
	valid := webchat.MintSession(testSecret, s)
	bad := func(change func(*webchat.Session)) string {
		c := s
		change(&c)
		return webchat.MintSession(testSecret, c)
	}
	tests := []struct {
		name   string
		secret []byte
		token  string
		now    time.Time
		want   error
	}{
		{"valid", testSecret, valid, testNow, nil},
		{"just before expiry", testSecret, valid, testNow.Add(time.Hour - time.Second), nil},
		{"at expiry", testSecret, valid, testNow.Add(time.Hour), webchat.ErrTokenExpired},
		{"wrong secret", []byte("another secret"), valid, testNow, webchat.ErrTokenForged},
		{"empty secret", nil, valid, testNow, webchat.ErrNoSecret},
		{"tampered", testSecret, valid[:10] + "x" + valid[11:], testNow, webchat.ErrTokenForged},
		{"without prefix", testSecret, strings.TrimPrefix(valid, "s1."), testNow, webchat.ErrTokenMalformed},
		{"empty", testSecret, "", testNow, webchat.ErrTokenMalformed},
		{"huge", testSecret, "s1." + strings.Repeat("A", webchat.MaxTokenLen), testNow, webchat.ErrTokenMalformed},
		{"no address", testSecret, bad(func(s *webchat.Session) { s.Address = "" }), testNow, webchat.ErrTokenMalformed},
		{"bad organisation", testSecret, bad(func(s *webchat.Session) { s.Org = "R X1" }), testNow, webchat.ErrTokenMalformed},
		{"bad assignment number", testSecret, bad(func(s *webchat.Session) { s.AssignmentNumber = "1/2" }), testNow, webchat.ErrTokenMalformed},
		{"no expiry", testSecret, bad(func(s *webchat.Session) { s.Expires = time.Time{} }), testNow, webchat.ErrTokenMalformed},
		{"no id", testSecret, bad(func(s *webchat.Session) { s.ID = "" }), testNow, webchat.ErrTokenMalformed},
		{"negative cleared number", testSecret, bad(func(s *webchat.Session) { s.Cleared, s.ClearedSeq = 3, -1 }), testNow, webchat.ErrTokenMalformed},
		{"no issue time", testSecret, bad(func(s *webchat.Session) { s.IssuedAt = time.Time{} }), testNow, webchat.ErrTokenMalformed},
		{"issued after it expires", testSecret, bad(func(s *webchat.Session) { s.IssuedAt = s.Expires }), testNow, webchat.ErrTokenMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := webchat.VerifySession(tt.secret, tt.token, tt.now)
			if tt.want == nil && err != nil {
				t.Fatalf("VerifySession: %v, want accepted", err)
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("VerifySession: %v, want %v", err, tt.want)
			}
		})
	}
}

// TestTokenSessionConfusion checks that neither kind of token is accepted
// as the other, even with the same secret and with the session's visible
// prefix added or removed.
func TestTokenSessionConfusion(t *testing.T) {
	token := mint(t, testClaims())
	session := webchat.MintSession(testSecret, webchat.Session{ID: testSessionID, Org: "RX1", AssignmentNumber: "12345678", Address: "w_abc", IssuedAt: testNow, Expires: testNow.Add(10 * time.Minute)})
	if _, err := webchat.VerifyToken(testSecret, session, testNow); !errors.Is(err, webchat.ErrTokenMalformed) {
		t.Errorf("session as identity token: %v, want ErrTokenMalformed", err)
	}
	if _, err := webchat.VerifyToken(testSecret, strings.TrimPrefix(session, "s1."), testNow); !errors.Is(err, webchat.ErrTokenForged) {
		t.Errorf("session without its prefix as identity token: %v, want ErrTokenForged", err)
	}
	if _, err := webchat.VerifySession(testSecret, token, testNow); !errors.Is(err, webchat.ErrTokenMalformed) {
		t.Errorf("identity token as session: %v, want ErrTokenMalformed", err)
	}
	if _, err := webchat.VerifySession(testSecret, "s1."+token, testNow); !errors.Is(err, webchat.ErrTokenForged) {
		t.Errorf("identity token with the session prefix as session: %v, want ErrTokenForged", err)
	}
}

func FuzzVerifyToken(f *testing.F) {
	valid, err := webchat.MintToken(testSecret, testClaims())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add("")
	f.Add(".")
	f.Add("a.b")
	f.Add(valid + "=")
	f.Add(rawToken(testSecret, `{"sub":"1","org":"A","exp":1772443800,"nonce":"12345678"}`))
	f.Add(webchat.MintSession(testSecret, webchat.Session{ID: testSessionID, Org: "RX1", Address: "w_x", IssuedAt: testNow, Expires: testNow.Add(time.Hour)}))
	f.Fuzz(func(t *testing.T, token string) {
		c, err := webchat.VerifyToken(testSecret, token, testNow)
		if err != nil {
			if c != (webchat.Claims{}) {
				t.Fatalf("claims %+v returned with error %v", c, err)
			}
			return
		}
		if len(token) > webchat.MaxTokenLen {
			t.Fatalf("accepted a token of %d bytes", len(token))
		}
		// Whatever is accepted is valid enough to mint again.
		again, err := webchat.MintToken(testSecret, c)
		if err != nil {
			t.Fatalf("accepted claims %+v cannot be minted: %v", c, err)
		}
		if c2, err := webchat.VerifyToken(testSecret, again, testNow); err != nil || c2 != c {
			t.Fatalf("re-minted token: %+v, %v; want %+v", c2, err, c)
		}
	})
}

// An intranet's server mints an identity token for the member of staff who
// is signed in, and puts it in the widget's script tag:
//
//	<script src="https://ohcontact.example.nhs.uk/widget.js" data-org="RX1" data-token="TOKEN" async></script>
//
// The secret is the organisation's, shared with ohcontact's configuration.
func ExampleMintToken() {
	secret := []byte("RX1's secret: 32 or more random bytes")
	token, err := webchat.MintToken(secret, webchat.Claims{
		AssignmentNumber: "12345678-2", // the signed-in member of staff
		Org:              "RX1",
		Expires:          time.Now().Add(5 * time.Minute), // 15 minutes at most
		Nonce:            rand.Text(),                     // new for every token
	})
	if err != nil {
		log.Fatal(err)
	}

	// ohcontact checks it when the widget says hello.
	c, err := webchat.VerifyToken(secret, token, time.Now())
	fmt.Println(c.AssignmentNumber, c.Org, err)
	// Output: 12345678-2 RX1 <nil>
}
