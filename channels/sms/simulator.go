package sms

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ohcontact/ohcontact/phone"
	"github.com/ohcontact/ohcontact/postgres"
)

// Simulator is the demo phone network used when no Twilio account is
// configured: it accepts every text at once and marks it delivered; the
// texts appear on /demo/phone. Like Twilio, it handles Twilio's own
// keywords (TwilioKeyword) texted from the demo phone (Receive): an opt-out
// blocks the number, with Twilio's confirmation on the phone, and every text
// to a blocked number is refused with error 21610 until it texts an opt-in
// keyword. It keeps this in memory, for the demo's one instance.
type Simulator struct {
	mu      sync.Mutex
	blocked map[string]bool
	replies map[string][]networkText // Twilio's confirmations, by number
}

// networkText is a text Twilio itself sent a number.
type networkText struct {
	Body string
	At   time.Time
}

// Send accepts m, or refuses it with error 21610 when m.To is blocked.
func (s *Simulator) Send(_ context.Context, m Outgoing) (Accepted, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blocked[m.To] {
		return Accepted{}, &SendError{Code: ErrCodeOptedOut, HTTP: http.StatusBadRequest, Permanent: true, Reason: PlainReason(ErrCodeOptedOut)}
	}
	return Accepted{SID: NewMessageSID(), Status: "delivered"}, nil
}

// Receive is a text from number reaching the network at at, before it goes
// on to the inbound webhook: Twilio's opt-out and opt-in keywords block or
// unblock the number and are answered with Twilio's confirmation.
func (s *Simulator) Receive(number, body string, at time.Time) {
	optOut, optIn := TwilioKeyword(body)
	if !optOut && !optIn {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blocked == nil {
		s.blocked, s.replies = map[string]bool{}, map[string][]networkText{}
	}
	reply := TwilioOptOutReply
	if optIn {
		reply = TwilioOptInReply
	}
	s.blocked[number] = optOut
	s.replies[number] = append(s.replies[number], networkText{Body: reply, At: at})
}

// networkTexts returns the confirmations Twilio sent number, oldest first.
func (s *Simulator) networkTexts(number string) []networkText {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.replies[number])
}

// SimulatorNumber is the number simulated texts come from and go to.
const SimulatorNumber = "+447700900000"

//go:embed phone.html
var phoneFiles embed.FS

var phonePage = template.Must(template.ParseFS(phoneFiles, "phone.html"))

// Phone serves /demo/phone: the texts sent to each demo member of staff's
// number, and a box to reply as them. A reply is signed with AuthToken and
// posted to the inbound webhook at PublicBaseURL over HTTP, exactly as
// Twilio would.
//
// The phone is only for the demo's own people: it shows and texts from the
// numbers in Numbers and answers 404 for any other, so it never shows a
// real person's texts. A reply must come from the phone's own page: a
// cross-origin POST (Origin or Sec-Fetch-Site) is refused with 403, and so
// is one without the page's CSRF token, an HMAC of a random cookie the page
// sets (the console's scheme, keyed by a secret of this process).
type Phone struct {
	DB *postgres.DB
	// Network is the simulated Twilio the demo's texts go through: the
	// phone's texts reach it first, and its own confirmations show on the
	// phone.
	Network       *Simulator
	AuthToken     string
	PublicBaseURL string
	Log           *slog.Logger
	Client        *http.Client
	// Location is the time zone texts' times are shown in.
	Location *time.Location
	// Numbers are the demo staff's mobiles, in E.164 form
	// (demo.Mobiles).
	Numbers []string

	keyOnce sync.Once
	key     []byte // the CSRF tokens' HMAC key
	cop     *http.CrossOriginProtection
}

const (
	// phoneCookie holds the random value the phone page's CSRF token is
	// the HMAC of.
	phoneCookie = "demo_phone"
	// phoneCookieLen is the length of that value (rand.Text's).
	phoneCookieLen = 26
	// phoneCSRFField is the reply form's CSRF token field.
	phoneCSRFField = "csrf_token"
)

// Register adds the phone to mux: GET /demo/phone (Show) and POST
// /demo/phone (Reply).
func (p *Phone) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /demo/phone", p.Show)
	mux.HandleFunc("POST /demo/phone", p.Reply)
}

// init makes the CSRF key and cross-origin check, once.
func (p *Phone) init() {
	p.keyOnce.Do(func() {
		p.key = make([]byte, 32)
		rand.Read(p.key)
		p.cop = http.NewCrossOriginProtection()
	})
}

// allowed reports whether number is one of the demo staff's.
func (p *Phone) allowed(number string) bool { return slices.Contains(p.Numbers, number) }

// csrfToken returns the form token for the cookie value v.
func (p *Phone) csrfToken(v string) string {
	p.init()
	mac := hmac.New(sha256.New, p.key)
	mac.Write([]byte("demo-phone\x00" + v))
	return hex.EncodeToString(mac.Sum(nil))
}

// cookieValue returns the browser's CSRF cookie value, setting a new one
// on w when it has none.
func (p *Phone) cookieValue(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(phoneCookie); err == nil && len(c.Value) == phoneCookieLen {
		return c.Value
	}
	v := rand.Text()
	http.SetCookie(w, &http.Cookie{Name: phoneCookie, Value: v, Path: "/demo/phone", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: strings.HasPrefix(p.PublicBaseURL, "https://")})
	return v
}

// fromPhonePage reports whether r, a POST, carries the CSRF token of its
// cookie and is not cross-origin.
func (p *Phone) fromPhonePage(r *http.Request) bool {
	p.init()
	if p.cop.Check(r) != nil {
		return false
	}
	c, err := r.Cookie(phoneCookie)
	if err != nil || c.Value == "" {
		return false
	}
	return hmac.Equal([]byte(r.PostFormValue(phoneCSRFField)), []byte(p.csrfToken(c.Value)))
}

type phoneView struct {
	Owners   []postgres.PhoneOwner
	Selected string
	Texts    []phoneText
	Error    string
	CSRF     string
}

// phoneText is a text with its time as the phone shows it. Network texts
// come from Twilio itself, not the OH service.
type phoneText struct {
	postgres.PhoneText
	When    string
	Network bool
}

// Show handles GET /demo/phone[?number=…]. A number that is not one of
// Numbers is answered with 404.
func (p *Phone) Show(w http.ResponseWriter, r *http.Request) {
	selected := r.URL.Query().Get("number")
	if selected != "" && !p.allowed(selected) {
		http.NotFound(w, r)
		return
	}
	owners, err := postgres.PhoneOwners(r.Context(), p.DB.Pool, p.Numbers)
	if err != nil {
		p.Log.Error("demo phone", "error", err)
		http.Error(w, "could not load the demo phone", http.StatusInternalServerError)
		return
	}
	v := phoneView{Owners: owners, Selected: selected, Error: r.URL.Query().Get("error"), CSRF: p.csrfToken(p.cookieValue(w, r))}
	if v.Selected == "" && len(owners) > 0 {
		v.Selected = owners[0].Mobile
	}
	if v.Selected != "" {
		texts, err := postgres.PhoneTexts(r.Context(), p.DB.Pool, v.Selected)
		if err != nil {
			p.Log.Error("demo phone", "error", err)
			http.Error(w, "could not load the texts", http.StatusInternalServerError)
			return
		}
		for _, t := range texts {
			v.Texts = append(v.Texts, phoneText{PhoneText: t})
		}
		for _, t := range p.Network.networkTexts(v.Selected) {
			v.Texts = append(v.Texts, phoneText{PhoneText: postgres.PhoneText{Body: t.Body, Status: "delivered", SentAt: t.At}, Network: true})
		}
		slices.SortStableFunc(v.Texts, func(a, b phoneText) int { return a.SentAt.Compare(b.SentAt) })
		for i := range v.Texts {
			v.Texts[i].When = v.Texts[i].SentAt.In(p.Location).Format("Mon 15:04")
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := phonePage.Execute(w, v); err != nil {
		p.Log.Error("demo phone: render", "error", err)
	}
}

// Reply handles POST /demo/phone: form fields number, body and csrf_token.
// It answers 403 for a request not from the phone's page (see Phone), 400
// for a number that is not a phone number and 404 for one that is not one
// of Numbers.
func (p *Phone) Reply(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if !p.fromPhonePage(r) {
		http.Error(w, "this form has expired or came from another site: reload the demo phone and try again", http.StatusForbidden)
		return
	}
	number, err := phone.Parse(r.PostFormValue("number"))
	if err != nil {
		http.Error(w, "number is "+err.Error(), http.StatusBadRequest)
		return
	}
	if !p.allowed(number) {
		http.NotFound(w, r)
		return
	}
	body := r.PostFormValue("body")
	p.Network.Receive(number, body, time.Now())
	back := "/demo/phone?number=" + url.QueryEscape(number)
	form := url.Values{
		"MessageSid": {NewMessageSID()}, "AccountSid": {"AC" + strings.Repeat("0", 32)},
		"From": {number}, "To": {SimulatorNumber}, "Body": {body}, "NumMedia": {"0"},
	}
	inboundURL := p.PublicBaseURL + InboundPath
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, inboundURL, strings.NewReader(form.Encode()))
	if err != nil {
		http.Error(w, "bad simulator URL", http.StatusInternalServerError)
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", Sign(p.AuthToken, inboundURL, form))
	resp, err := p.Client.Do(req)
	if err != nil {
		p.Log.Warn("demo phone: webhook unreachable", "error", err)
		http.Redirect(w, r, back+"&error="+url.QueryEscape("The service could not be reached. Check PUBLIC_BASE_URL."), http.StatusSeeOther)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		http.Redirect(w, r, back+"&error="+url.QueryEscape(fmt.Sprintf("The service refused the text (HTTP %d).", resp.StatusCode)), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// NewSimulatorToken returns a random auth token for signing simulated
// webhooks, so forged posts are refused even in demo mode.
func NewSimulatorToken() string { return rand.Text() }

// NewMessageSID returns a new random message SID in Twilio's form: "SM"
// and 32 lower-case hex digits, the form the webhooks accept.
func NewMessageSID() string {
	var b [16]byte
	rand.Read(b[:])
	return "SM" + hex.EncodeToString(b[:])
}
