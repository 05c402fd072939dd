package main

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels/webchat"
	"github.com/ohcontact/ohcontact/demo"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/signposting"
	widget "github.com/ohcontact/ohcontact/web-widget"
)

// webChatOrganisations returns the organisations with a web chat: those
// with allowed origins (OHCONTACT_CONFIG) and a secret
// (OHCONTACT_WIDGET_SECRETS). In demo mode the demo organisation always has
// one, on this server's own origin, with a secret made up for the run.
func webChatOrganisations(cfg Config, dir *signposting.Directory, ids map[string]int64, demoMode bool) (map[string]webchat.Organisation, error) {
	orgs := map[string]webchat.Organisation{}
	for _, o := range dir.Organisations {
		secret, allowed := cfg.WidgetSecrets[o.Code], cfg.File.Origins[o.Code]
		if demoMode && o.Code == signposting.DemoCode {
			own, err := webchat.Origin(cfg.PublicBaseURL)
			if err != nil {
				return nil, err
			}
			allowed = append(allowed, own)
			if secret == nil {
				secret = make([]byte, 32)
				_, _ = rand.Read(secret)
			}
		}
		if secret == nil || len(allowed) == 0 {
			continue
		}
		orgs[o.Code] = webchat.Organisation{
			Organisation: ohcontact.Organisation{ID: ids[o.Code], Code: o.Code, Name: o.Name},
			ServiceName:  o.OHName, Secret: secret, AllowedOrigins: allowed,
		}
	}
	return orgs, nil
}

// newWebChat returns the /ws/chat handler, with the per-client limits and
// the runner's risk screen, and the hub that wakes its connections.
func newWebChat(db *postgres.DB, runner *dialogs.Runner, engine *dialogs.Engine, bundle *i18n.Bundle, orgs map[string]webchat.Organisation, limits webchat.Limits, log *slog.Logger) (*webchat.Handler, *webchat.Hub) {
	log = log.With("component", "webchat")
	hub := &webchat.Hub{DB: db, Log: log}
	return &webchat.Handler{DB: db, Hub: hub, Runner: runner, Organisations: orgs,
		Notice: engine.WidgetNotice, Text: locales.Texts(bundle), Limits: limits, Screen: runner.Screen, Log: log, Now: time.Now}, hub
}

// demoIntranet serves /demo/intranet: a mock intranet page with the widget,
// signed in as the first demo member of staff (?as=staff, the default) or
// anonymous (?as=anonymous), with the widget's words in ?lang= (cy, pl;
// the page's own language, en-GB, by default). Each load mints a fresh
// identity token, as an intranet would.
func demoIntranet(db *postgres.DB, org webchat.Organisation, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		data := widget.IntranetData{OrgCode: org.Code, OrgName: org.Name, WidgetSrc: "/widget.js", SwitchURL: "/demo/intranet"}
		if l := r.URL.Query().Get("lang"); l != "" {
			data.Lang = locales.Match(l)
		}
		if r.URL.Query().Get("as") != "anonymous" {
			staff, err := postgres.StaffByAssignment(r.Context(), db.Pool, org.ID, demo.SignedIn)
			if err != nil {
				log.Error("demo intranet: demo staff", "error", err)
				http.Error(w, "the demo staff are missing", http.StatusInternalServerError)
				return
			}
			token, err := webchat.MintToken(org.Secret, webchat.Claims{AssignmentNumber: staff.AssignmentNumber, Org: org.Code,
				Expires: time.Now().Add(10 * time.Minute), Nonce: rand.Text()})
			if err != nil {
				log.Error("demo intranet: token", "error", err)
				http.Error(w, "could not sign in", http.StatusInternalServerError)
				return
			}
			data.Token, data.StaffName, data.SignedIn = token, staff.FirstName, true
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := widget.RenderIntranet(w, data); err != nil {
			log.Error("demo intranet: render", "error", err)
		}
	}
}
