package sms

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ohcontact/ohcontact/phone"
	"github.com/ohcontact/ohcontact/postgres"
)

// Simulator is the demo phone network used when no Twilio account is
// configured: it accepts every text at once and marks it delivered; the
// texts appear on /demo/phone.
type Simulator struct{}

// Send accepts m.
func (Simulator) Send(context.Context, Outgoing) (Accepted, error) {
	return Accepted{SID: "SM" + randomHex(16), Status: "delivered"}, nil
}

// SimulatorNumber is the number simulated texts come from and go to.
const SimulatorNumber = "+447700900000"

//go:embed phone.html
var phoneFiles embed.FS

var phonePage = template.Must(template.ParseFS(phoneFiles, "phone.html"))

// Phone serves /demo/phone: the texts sent to each member of staff's number,
// and a box to reply as them. A reply is signed with AuthToken and posted to
// the inbound webhook at PublicBaseURL over HTTP, exactly as Twilio would.
type Phone struct {
	DB            *postgres.DB
	AuthToken     string
	PublicBaseURL string
	Log           *slog.Logger
	Client        *http.Client
	// Location is the time zone texts' times are shown in.
	Location *time.Location
}

type phoneView struct {
	Owners   []postgres.PhoneOwner
	Selected string
	Texts    []phoneText
	Error    string
}

// phoneText is a text with its time as the phone shows it.
type phoneText struct {
	postgres.PhoneText
	When string
}

// Show handles GET /demo/phone[?number=…].
func (p *Phone) Show(w http.ResponseWriter, r *http.Request) {
	owners, err := p.DB.PhoneOwners(r.Context(), 50)
	if err != nil {
		p.Log.Error("demo phone", "error", err)
		http.Error(w, "could not load the demo phone", http.StatusInternalServerError)
		return
	}
	v := phoneView{Owners: owners, Selected: r.URL.Query().Get("number"), Error: r.URL.Query().Get("error")}
	if v.Selected == "" && len(owners) > 0 {
		v.Selected = owners[0].Mobile
	}
	if v.Selected != "" {
		texts, err := p.DB.PhoneTexts(r.Context(), v.Selected)
		if err != nil {
			p.Log.Error("demo phone", "error", err)
			http.Error(w, "could not load the texts", http.StatusInternalServerError)
			return
		}
		for _, t := range texts {
			v.Texts = append(v.Texts, phoneText{PhoneText: t, When: t.SentAt.In(p.Location).Format("Mon 15:04")})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := phonePage.Execute(w, v); err != nil {
		p.Log.Error("demo phone: render", "error", err)
	}
}

// Reply handles POST /demo/phone: form fields number and body.
func (p *Phone) Reply(w http.ResponseWriter, r *http.Request) {
	number, body := r.PostFormValue("number"), r.PostFormValue("body")
	back := "/demo/phone?number=" + url.QueryEscape(number)
	number, err := phone.Parse(number)
	if err != nil {
		http.Error(w, "number is "+err.Error(), http.StatusBadRequest)
		return
	}
	form := url.Values{
		"MessageSid": {"SM" + randomHex(16)}, "AccountSid": {"AC" + strings.Repeat("0", 32)},
		"From": {number}, "To": {SimulatorNumber}, "Body": {body}, "NumMedia": {"0"},
	}
	inboundURL := p.PublicBaseURL + "/sms/twilio/inbound"
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
func NewSimulatorToken() string { return randomHex(16) }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
