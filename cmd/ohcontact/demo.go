package main

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/ohcontact/ohcontact/demo"
	"github.com/ohcontact/ohcontact/signposting"
)

// errDemoWithTwilio is returned when demo mode is asked for with Twilio
// credentials set.
var errDemoWithTwilio = errors.New("serve --demo refuses to start with Twilio credentials set: the demo texts its own made-up staff through the phone simulator and must never reach a real phone. Unset TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM and TWILIO_MESSAGING_SERVICE_SID, or serve without --demo")

// checkDemoConfig returns errDemoWithTwilio when cfg has any Twilio
// credential: demo mode only ever uses the phone simulator.
func checkDemoConfig(cfg Config) error {
	if tw := cfg.Twilio; tw.AccountSID != "" || tw.AuthToken != "" || tw.From != "" || tw.MessagingServiceSID != "" {
		return errDemoWithTwilio
	}
	return nil
}

//go:embed landing.html
var landingHTML string

var landingPage = template.Must(template.New("landing").Parse(landingHTML))

// landingCSP is the landing page's Content-Security-Policy: nothing but its
// own style block (by hash) and links; no script at all.
var landingCSP = func() string {
	_, rest, _ := strings.Cut(landingHTML, "<style>")
	style, _, _ := strings.Cut(rest, "</style>")
	sum := sha256.Sum256([]byte(style))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}()

// landingView is the landing page's data.
type landingView struct {
	Org      string // the demo organisation's code
	SignedIn string // the first name the mock intranet signs in as
	BaseURL  string
	Accounts []demo.Account
}

// demoLanding serves the demo's landing page (GET /): where everything is,
// a short tour, and the demo console accounts (demo.Accounts) of the
// organisations in orgIDs.
func demoLanding(baseURL string, orgIDs map[string]int64, log *slog.Logger) http.HandlerFunc {
	v := landingView{Org: signposting.DemoCode, SignedIn: demo.SignedInName(), BaseURL: baseURL, Accounts: demo.Accounts(orgIDs)}
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", landingCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		if err := landingPage.Execute(w, v); err != nil {
			log.Error("demo landing page", "error", err)
		}
	}
}
