package metrics

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	queueDepthDesc = prometheus.NewDesc("ohcontact_job_queue_depth",
		"River jobs due to be worked now, by queue (the same on every instance).", []string{"queue"}, nil)
	queueOldestDesc = prometheus.NewDesc("ohcontact_job_queue_oldest_seconds",
		"How long the oldest job due to be worked has waited, by queue; 0 when none is due.", []string{"queue"}, nil)
	casesDesc = prometheus.NewDesc("ohcontact_cases_total",
		"Case events ever recorded, by event, read from the database (the same on every instance).", []string{"event"}, nil)
)

// queueCollector reports the River queues' backlog from river_job.
type queueCollector struct {
	store  Store
	queues []string
}

// Describe sends the queue series' descriptions.
func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDepthDesc
	ch <- queueOldestDesc
}

// Collect reads the backlog of each queue; on a database error it sends an
// invalid metric, which leaves these series out of the scrape.
func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	queues, err := c.store.JobQueues(ctx, c.queues)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(queueDepthDesc, fmt.Errorf("metrics: %w", err))
		return
	}
	for _, q := range queues {
		ch <- prometheus.MustNewConstMetric(queueDepthDesc, prometheus.GaugeValue, float64(q.Depth), q.Name)
		ch <- prometheus.MustNewConstMetric(queueOldestDesc, prometheus.GaugeValue, q.OldestSeconds, q.Name)
	}
}

// caseCollector reports the case events recorded, from case_events.
type caseCollector struct {
	store Store
}

// Describe sends the case series' description.
func (c *caseCollector) Describe(ch chan<- *prometheus.Desc) { ch <- casesDesc }

// Collect counts the case events of each kind reported; on a database
// error it sends an invalid metric, which leaves the series out of the
// scrape.
func (c *caseCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	counts, err := c.store.CaseEventCounts(ctx, slices.Sorted(maps.Keys(caseEvents)))
	if err != nil {
		ch <- prometheus.NewInvalidMetric(casesDesc, fmt.Errorf("metrics: %w", err))
		return
	}
	for kind, event := range caseEvents {
		ch <- prometheus.MustNewConstMetric(casesDesc, prometheus.CounterValue, float64(counts[kind]), event)
	}
}
