package main

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/escalation/console"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/signposting"
	"github.com/ohcontact/ohcontact/triggers"
)

// The demo's console accounts, for `make run` only: the README gives them.
// The clinician works cases; the lead sees the pilot dashboard of every
// organisation; each demo organisation's physiotherapist
// (demoPhysioEmail) works its referrals.
const (
	demoClinicianEmail    = "clinician@demo.nhs.example"
	demoClinicianPassword = "demo-clinician-2026"
	demoLeadEmail         = "lead@demo.nhs.example"
	demoLeadPassword      = "demo-lead-2026"
	demoPhysioPassword    = "demo-physio-2026"
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

// demoPhysioEmail is the demo physiotherapist's address of the demo
// organisation with code: physio.demo@demo.nhs.example for DEMO.
func demoPhysioEmail(code string) string {
	return "physio." + strings.ToLower(code) + "@demo.nhs.example"
}

// seedDemoAccounts creates the demo clinician's and the demo lead's console
// accounts, and a physiotherapist's for each demo organisation in orgIDs
// (by code), once.
func seedDemoAccounts(ctx context.Context, db *postgres.DB, orgIDs map[string]int64) error {
	type account struct {
		email, password, name, role string
		org                         int64
	}
	accounts := []account{
		{demoClinicianEmail, demoClinicianPassword, "Demo Clinician", console.RoleClinician, 0},
		{demoLeadEmail, demoLeadPassword, "Demo OH Lead", console.RoleLead, 0},
	}
	for _, o := range signposting.DemoPilot().Organisations {
		if id, ok := orgIDs[o.Code]; ok {
			accounts = append(accounts, account{demoPhysioEmail(o.Code), demoPhysioPassword, "Demo Physio, " + o.Name, console.RolePhysio, id})
		}
	}
	// One hash per password: argon2id is slow on purpose, and the demo's
	// physiotherapists share theirs.
	hashes := map[string]string{}
	for _, a := range accounts {
		hash, ok := hashes[a.password]
		if !ok {
			var err error
			if hash, err = console.HashPassword(a.password); err != nil {
				return err
			}
			hashes[a.password] = hash
		}
		err := db.InTx(ctx, func(tx pgx.Tx) error {
			_, err := postgres.CreateUser(ctx, tx, postgres.NewUser{OrganisationID: a.org, Email: a.email, Name: a.name, Role: a.role, PasswordHash: hash}, 0)
			return err
		})
		if err != nil && !errors.Is(err, postgres.ErrEmailTaken) {
			return err
		}
	}
	return nil
}

// addPilotTrusts adds the demo's other pilot organisations (those of
// signposting.DemoPilot after the first) to dir, creates them in the
// database and adds their ids to ids, unless OHCONTACT_CONFIG gives the
// organisations. Only demo mode has them, so that the operator commands'
// built-in directory keeps its one organisation.
func addPilotTrusts(ctx context.Context, db *postgres.DB, cfg Config, dir *signposting.Directory, ids map[string]int64) error {
	if cfg.ConfigFile != "" {
		return nil
	}
	for _, o := range signposting.DemoPilot().Organisations {
		if _, ok := dir.Organisation(o.Code); ok {
			continue
		}
		err := db.EnsureOrganisation(ctx, ohcontact.Organisation{Code: o.Code, Name: o.Name, GoLive: o.GoLive})
		if err != nil {
			return err
		}
		if ids[o.Code], err = db.OrganisationByCode(ctx, o.Code); err != nil {
			return err
		}
		dir.Organisations = append(dir.Organisations, o)
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

// demoAccount is a console account the landing page lists.
type demoAccount struct{ Who, Email, Password string }

// landingView is the landing page's data.
type landingView struct {
	Org      string // the demo organisation's code
	SignedIn string // the first name the mock intranet signs in as
	BaseURL  string
	Accounts []demoAccount
}

// demoLanding serves the demo's landing page (GET /): where everything is,
// a short tour, and the demo console accounts (seedDemoAccounts) of the
// organisations in orgIDs.
func demoLanding(baseURL string, orgIDs map[string]int64, log *slog.Logger) http.HandlerFunc {
	v := landingView{Org: signposting.DemoCode, SignedIn: postgres.DemoSignedInName(), BaseURL: baseURL, Accounts: []demoAccount{
		{"Clinician (works cases)", demoClinicianEmail, demoClinicianPassword},
		{"OH lead (reads cases, pilot dashboard)", demoLeadEmail, demoLeadPassword},
	}}
	for _, o := range signposting.DemoPilot().Organisations {
		if _, ok := orgIDs[o.Code]; ok {
			v.Accounts = append(v.Accounts, demoAccount{"Physiotherapist, " + o.Name, demoPhysioEmail(o.Code), demoPhysioPassword})
		}
	}
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

// seedDemoContacts opens an absence for each demo member of staff who has
// none yet, and plans its contacts in the same transaction, so that each
// demo phone has a first contact from OH to answer (sent at once in the
// send window, else when it opens). Once: a second start adds nothing.
func seedDemoContacts(ctx context.Context, db *postgres.DB, scheduler *triggers.Scheduler, loc *time.Location) error {
	return db.InTx(ctx, func(tx pgx.Tx) error {
		ids, err := postgres.SeedDemoAbsences(ctx, tx, signposting.DemoCode, time.Now().In(loc))
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := scheduler.ScheduleStaff(ctx, tx, id); err != nil {
				return fmt.Errorf("plan demo contacts: %w", err)
			}
		}
		return nil
	})
}
