// Package metrics is the service's Prometheus instrumentation: a registry
// of its own (no global one), the counters and histograms the feature
// packages move, collectors that read the job queue and case events from
// PostgreSQL when scraped, and the GET /metrics handler with its access
// check.
//
// # Series
//
//	ohcontact_messages_total{channel,direction}    messages stored, by channel (sms, webchat) and direction (inbound, outbound)
//	ohcontact_dialog_steps_total{flow}             inbound messages the dialog engine stepped, by flow
//	ohcontact_risk_screens_total{priority}         inbound messages screened, by outcome (none, routine, high, urgent)
//	ohcontact_cases_total{event}                   case events (opened, claimed, released, resolved, breached)
//	ohcontact_job_queue_depth{queue}               River jobs due to be worked now
//	ohcontact_job_queue_oldest_seconds{queue}      how long the oldest of them has waited
//	ohcontact_webhook_duration_seconds{route}      Twilio webhook latency, by route
//
// and the Go runtime's and the process's standard series (go_…, process_…).
//
// Every label value comes from a fixed set (the channels, the flows the
// engine has, the priorities, the case event kinds, the queues this
// service works, the webhook routes); anything else is counted as
// "other". No label carries a phone number, a name, a message or any other
// value a person chose.
//
// # Where the numbers come from
//
// Messages, steps, risk screens and webhook latencies are counted in this
// process, by the runner after its transaction commits (inbound messages,
// steps, screens: a retried webhook that is a duplicate counts nothing)
// and by the outboxes Metrics.Outbox wraps (outbound messages, counted
// when queued in the writer's transaction, so one whose transaction then
// fails on a database error is counted all the same). Each instance
// reports its own share; sum them across instances.
//
// Cases are opened by the runner and by jobs, claimed in the console and
// breached by the SLA job, on whichever instance: rather than each
// instance counting what it happened to do, the count is read from the
// case_events table at scrape time, so every instance reports the same
// figures, committed events only (aggregate with max, not sum). Case events
// the retention purge deletes with their case still count (see
// postgres.CaseEventCounts), so the counter never goes down. The queue
// gauges are read from River's river_job table the same way. Each of these
// queries has scrapeTimeout; one that fails or times out leaves its series
// out of that scrape (logged, and counted in
// promhttp_metric_handler_errors_total) rather than failing the others.
//
// # Access
//
// GET /metrics answers a client whose TCP peer address is in an allowed
// network, or that presents the bearer token; anyone else gets 403 and an
// empty body. The peer address is the only one used: X-Forwarded-For is
// whatever the client chose to write unless every proxy on the way
// rewrites it, which this service cannot know. Prometheus must scrape each
// instance directly (through a load balancer it would see a different
// instance each time), so the scraper's own address is the one to allow; a
// scraper that must come through a proxy uses the token.
package metrics

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/postgres"
)

// other is the label value of anything outside a label's fixed set.
const other = "other"

// scrapeTimeout bounds each database query a scrape makes.
const scrapeTimeout = 2 * time.Second

// Store is what the scrape-time collectors read (Postgres).
type Store interface {
	JobQueues(ctx context.Context, queues []string) ([]postgres.JobQueue, error)
	CaseEventCounts(ctx context.Context, kinds []string) (map[string]int64, error)
}

// Postgres is the Store of the service's database.
type Postgres struct{ DB *postgres.DB }

// JobQueues runs postgres.JobQueues on the pool.
func (p Postgres) JobQueues(ctx context.Context, queues []string) ([]postgres.JobQueue, error) {
	return postgres.JobQueues(ctx, p.DB.Pool, queues)
}

// CaseEventCounts runs postgres.CaseEventCounts on the pool.
func (p Postgres) CaseEventCounts(ctx context.Context, kinds []string) (map[string]int64, error) {
	return postgres.CaseEventCounts(ctx, p.DB.Pool, kinds)
}

// Config is what New needs to know.
type Config struct {
	Store Store
	// Flows are the dialog engine's flows (dialogs.Engine.Flows): the
	// values the flow label may take.
	Flows []string
	// Queues are the River queues this service works.
	Queues []string
}

// Metrics owns the registry and the instruments. Its methods may be called
// on a nil *Metrics, and then do nothing, so a part built without metrics
// (a test, a command) needs no check.
type Metrics struct {
	registry *prometheus.Registry
	flows    []string

	messages *prometheus.CounterVec
	steps    *prometheus.CounterVec
	screens  *prometheus.CounterVec
	webhooks *prometheus.HistogramVec
}

// caseEvents maps the case_events kinds reported to their event label.
var caseEvents = map[string]string{
	"opened": "opened", "claimed": "claimed", "released": "released", "resolved": "resolved", "sla_breached": "breached",
}

// New returns the metrics with every instrument and collector registered.
func New(cfg Config) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		flows:    slices.Clone(cfg.Flows),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ohcontact_messages_total",
			Help: "Messages stored, by channel and direction (outbound: when queued for delivery).",
		}, []string{"channel", "direction"}),
		steps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ohcontact_dialog_steps_total",
			Help: "Inbound messages the dialog engine stepped, by flow.",
		}, []string{"flow"}),
		screens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ohcontact_risk_screens_total",
			Help: "Inbound messages risk-screened, by the priority found.",
		}, []string{"priority"}),
		webhooks: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ohcontact_webhook_duration_seconds",
			Help:    "Time to answer a Twilio webhook, by route.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5},
		}, []string{"route"}),
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.messages, m.steps, m.screens, m.webhooks,
		&queueCollector{store: cfg.Store, queues: slices.Clone(cfg.Queues)},
		&caseCollector{store: cfg.Store},
	)
	return m
}

// Registry returns the registry the metrics are in.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Inbound counts an inbound message on channel.
func (m *Metrics) Inbound(channel ohcontact.Channel) {
	if m != nil {
		m.messages.WithLabelValues(channelLabel(channel), string(ohcontact.DirectionInbound)).Inc()
	}
}

// Outbound counts an outbound message on channel.
func (m *Metrics) Outbound(channel ohcontact.Channel) {
	if m != nil {
		m.messages.WithLabelValues(channelLabel(channel), string(ohcontact.DirectionOutbound)).Inc()
	}
}

// DialogStep counts a step of flow.
func (m *Metrics) DialogStep(flow string) {
	if m != nil {
		if !slices.Contains(m.flows, flow) {
			flow = other
		}
		m.steps.WithLabelValues(flow).Inc()
	}
}

// RiskScreen counts a risk screen that found priority p.
func (m *Metrics) RiskScreen(p ohcontact.Priority) {
	if m != nil {
		label := string(p)
		switch p {
		case ohcontact.PriorityNone, ohcontact.PriorityRoutine, ohcontact.PriorityHigh, ohcontact.PriorityUrgent:
		default:
			label = other
		}
		m.screens.WithLabelValues(label).Inc()
	}
}

// Webhook returns h timed into ohcontact_webhook_duration_seconds with
// the label route, which must be one of a fixed few (the route's path).
func (m *Metrics) Webhook(route string, h http.HandlerFunc) http.HandlerFunc {
	if m == nil {
		return h
	}
	observer := m.webhooks.WithLabelValues(route)
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h(w, r)
		observer.Observe(time.Since(start).Seconds())
	}
}

func channelLabel(c ohcontact.Channel) string {
	if c == ohcontact.ChannelSMS || c == ohcontact.ChannelWebChat {
		return string(c)
	}
	return other
}

// Outbox returns next counting each message it queues as an outbound
// message on channel; on a nil *Metrics it returns next itself.
func (m *Metrics) Outbox(channel ohcontact.Channel, next channels.Outbox) channels.Outbox {
	if m == nil {
		return next
	}
	return countingOutbox{next: next, m: m, channel: channel}
}

type countingOutbox struct {
	next    channels.Outbox
	m       *Metrics
	channel ohcontact.Channel
}

func (o countingOutbox) Queue(ctx context.Context, tx pgx.Tx, msgs ...ohcontact.Message) error {
	if err := o.next.Queue(ctx, tx, msgs...); err != nil {
		return err
	}
	for range msgs {
		o.m.Outbound(o.channel)
	}
	return nil
}
