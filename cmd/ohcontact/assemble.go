package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/campaigns"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/channels/webchat"
	"github.com/ohcontact/ohcontact/demo"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/escalation/console"
	"github.com/ohcontact/ohcontact/escalation/risk"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/metrics"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/retention"
	"github.com/ohcontact/ohcontact/signposting"
	"github.com/ohcontact/ohcontact/triggers"
)

// assemble builds the service from its parts: the signposting directory and
// organisations, the dialog engine and runner, the SMS channel, the job
// queue and every route. Nothing is started.
func assemble(ctx context.Context, cfg Config, db *postgres.DB, log *slog.Logger, demoMode bool) (*server, *river.Client[pgx.Tx], error) {
	if demoMode {
		if err := checkDemoConfig(cfg); err != nil {
			return nil, nil, err
		}
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		return nil, nil, err
	}
	dir, orgIDs, err := ensureOrganisations(ctx, db, cfg)
	if err != nil {
		return nil, nil, err
	}
	for _, w := range dir.Warnings(time.Now()) {
		log.Warn("signposting entry past its review date", "detail", w)
	}
	// Texts from numbers not in the staff directory are answered as the
	// first organisation in the configuration.
	first := dir.Organisations[0]
	defaultOrg := ohcontact.Organisation{ID: orgIDs[first.Code], Code: first.Code, Name: first.Name}
	chatOrgs, err := webChatOrganisations(cfg, dir, orgIDs, demoMode)
	if err != nil {
		return nil, nil, err
	}
	// Without OHCONTACT_CONFIG, demo mode has the other pilot trusts too.
	if demoMode && cfg.ConfigFile == "" {
		if err := demo.AddTrusts(ctx, db, dir, orgIDs); err != nil {
			return nil, nil, err
		}
	}

	bundle, err := locales.Bundle()
	if err != nil {
		return nil, nil, err
	}
	engine, err := dialogs.New(bundle, dir)
	if err != nil {
		return nil, nil, err
	}
	m := metrics.New(metrics.Config{Store: metrics.Postgres{DB: db}, Flows: engine.Flows(), Queues: []string{river.QueueDefault, sms.Queue, sms.CrisisQueue,
		sms.PrepaidQueue, campaigns.Queue}})

	network := &sms.Simulator{}
	var sender sms.Sender = network
	authToken := sms.NewSimulatorToken()
	if !cfg.Twilio.Simulated() {
		authToken = cfg.Twilio.AuthToken
		if sender, err = sms.NewTwilio(cfg.Twilio); err != nil {
			return nil, nil, err
		}
	}
	policy, err := triggers.NewPolicy(cfg.File.Triggers)
	if err != nil {
		return nil, nil, err
	}
	// Every case (a risk disclosure, a request to talk, an unanswered
	// check-in) is opened, and then worked in the console, through one
	// Cases.
	cases := &escalation.Cases{DB: db, SLA: escalation.DefaultSLA, Location: london, Engine: engine, Now: time.Now,
		Signing: replySigning(cfg, dir, orgIDs)}
	scheduler := &triggers.Scheduler{Policy: policy, Now: time.Now}
	contacts := &triggers.Contacts{DB: db, Scheduler: scheduler, Engine: engine, Cases: cases,
		Log: log.With("component", "triggers")}
	byCode := routes(cfg, demoMode)
	onCall := onCallRoutes(byCode, dir, orgIDs, log)
	referralDays, mskOnCall := mskSettings(byCode, dir, orgIDs)
	// Every physio referral a flow promises is made, and worked, here.
	referrals := &escalation.Referrals{DB: db, WorkingDays: referralDays, Location: london, Cases: cases, Now: time.Now}
	smsOutbox := &sms.Outbox{}
	throttle := &sms.Throttle{DB: db, PerSecond: cfg.Twilio.SendRate}
	// Campaigns are sent one text a send slot (campaigns package doc).
	invitations := &sms.Outbox{Prepaid: true}
	camps := &campaigns.Campaigns{DB: db, Engine: engine, Flows: campaigns.Flows(engine.Flows()), Throttle: throttle,
		Location: london, Now: time.Now,
		CloseAfter:       func(org string) time.Duration { return policy.For(org).Rules.CloseAfter },
		SMSFallbackAfter: func(org string) time.Duration { return policy.For(org).Rules.SMSFallbackAfter },
		Log:              log.With("component", "campaigns")}
	workers := river.NewWorkers()
	contacts.AddWorkers(workers)
	camps.AddWorkers(workers)
	deliverer := &sms.Deliverer{DB: db, Sender: sender, StatusCallback: cfg.PublicBaseURL + sms.StatusPath,
		Throttle:       throttle,
		FoldDiacritics: func(org string) bool { return policy.For(org).FoldDiacritics },
		Log:            log.With("component", "sms"), Now: time.Now}
	river.AddWorker(workers, deliverer)
	river.AddWorker(workers, &sms.OnCallDeliverer{Deliverer: deliverer})
	river.AddWorker(workers, &retention.Worker{Purger: &retention.Purger{DB: db, Policy: cfg.Retention, Now: time.Now,
		Log: log.With("component", "retention")}})
	river.AddWorker(workers, &escalation.SLAChecks{DB: db, Cases: cases, OnCall: onCall, Texts: smsOutbox,
		ConsoleURL: cfg.PublicBaseURL, Log: log.With("component", "sla"), Now: time.Now})
	river.AddWorker(workers, &escalation.FollowUpChecks{DB: db, OnCall: onCall, Texts: smsOutbox,
		ConsoleURL: cfg.PublicBaseURL, Location: london, Log: log.With("component", "follow-ups"), Now: time.Now})
	river.AddWorker(workers, &escalation.ReferralSLAChecks{Referrals: referrals, OnCall: mskOnCall, Texts: smsOutbox,
		ConsoleURL: cfg.PublicBaseURL, Log: log.With("component", "referrals")})
	notices := &escalation.ReferralNotices{DB: db, Engine: engine, Times: scheduler, Location: london,
		Log: log.With("component", "referrals"), Now: time.Now}
	river.AddWorker(workers, notices)
	asks := &dialogs.AskTimeouts{}
	river.AddWorker(workers, asks)
	jobs, err := newJobs(db, log, workers, cfg.Twilio.SendRate)
	if err != nil {
		return nil, nil, err
	}
	scheduler.Jobs = jobs
	cases.Jobs = jobs
	referrals.Jobs = jobs
	asks.Jobs = jobs
	smsOutbox.Jobs = jobs
	invitations.Jobs = jobs
	camps.Jobs = jobs
	// The demo's data, once, now that the scheduler can queue each demo
	// phone's first contact.
	if demoMode {
		if err := demo.Seed(ctx, db, orgIDs, scheduler, london); err != nil {
			return nil, nil, err
		}
	}
	// Every outbound message is counted as it is queued.
	outboxes := channels.Outboxes{
		ohcontact.ChannelSMS:     m.Outbox(ohcontact.ChannelSMS, smsOutbox),
		ohcontact.ChannelWebChat: m.Outbox(ohcontact.ChannelWebChat, webchat.Outbox{}),
	}
	contacts.Outboxes, cases.Outboxes, notices.Outboxes = outboxes, outboxes, outboxes
	camps.Invitations = channels.Outboxes{
		ohcontact.ChannelSMS:     m.Outbox(ohcontact.ChannelSMS, invitations),
		ohcontact.ChannelWebChat: outboxes[ohcontact.ChannelWebChat],
	}
	jobs.PeriodicJobs().Add(triggers.DailySchedule(london))
	jobs.PeriodicJobs().Add(retention.Nightly(london))

	runner := &dialogs.Runner{
		DB: db, Engine: engine, Screen: risk.New(),
		Cases:               cases,
		Referrals:           referrals,
		Outboxes:            outboxes,
		FollowUps:           contacts,
		Absences:            scheduler,
		Asks:                asks,
		Team:                policy,
		DefaultOrganisation: defaultOrg,
		Location:            london,
		Now:                 time.Now,
		Log:                 log.With("component", "runner"),
		Metrics:             m,
		Batches:             cfg.InboundBatches,
	}
	asks.Runner = runner // an unanswered question takes the runner's own pathway
	hooks := &sms.Webhooks{AuthToken: authToken, PublicBaseURL: cfg.PublicBaseURL, Runner: runner, Statuses: postgres.Messages{DB: db},
		Timed: m.Webhook, Log: log.With("component", "sms"), Now: time.Now}

	s := newServer(db, log)
	con := console.New(console.Config{
		DB:                 db,
		Cases:              cases,
		Referrals:          referrals,
		Campaigns:          camps,
		FoldDiacritics:     deliverer.FoldDiacritics,
		Location:           london,
		SecureCookies:      strings.HasPrefix(cfg.PublicBaseURL, "https://"),
		TrustedProxyHeader: cfg.TrustedProxyHeader,
		Log:                log.With("component", "console"),
		Now:                time.Now,
	})
	con.Register(s.mux)
	// The live queue's listener: wakes this instance's /console/live connections.
	s.background = append(s.background, con.Run)
	hooks.Register(s.mux)
	s.mux.Handle("GET /metrics", m.Handler(cfg.Metrics, log.With("component", "metrics")))
	(&triggers.API{DB: db, Scheduler: scheduler, Referrals: referrals, Log: log.With("component", "api")}).Register(s.mux)
	chat, hub := newWebChat(db, runner, engine, bundle, chatOrgs, cfg.WebChat, log)
	if err := chat.Register(s.mux); err != nil {
		return nil, nil, err
	}
	s.background = append(s.background, hub.Run)
	s.onShutdown = append(s.onShutdown, hub.CloseAll)
	if demoMode {
		s.mux.HandleFunc("GET /{$}", demoLanding(cfg.PublicBaseURL, orgIDs, log.With("component", "demo")))
		s.mux.HandleFunc("GET /demo/intranet", demoIntranet(db, chatOrgs[signposting.DemoCode], log))
		phone := &sms.Phone{DB: db, Network: network, AuthToken: authToken, PublicBaseURL: cfg.PublicBaseURL,
			Log: log.With("component", "demo-phone"), Client: &http.Client{Timeout: 15 * time.Second}, Location: london,
			Numbers: demo.Mobiles()}
		phone.Register(s.mux)
	}
	return s, jobs, nil
}
