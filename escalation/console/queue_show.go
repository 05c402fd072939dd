package console

import (
	"net/http"
	"time"

	"github.com/ohcontact/ohcontact/postgres"
)

// queueView is the case queue page.
type queueView struct {
	layout
	// AllOrganisations is set for a user who sees every organisation's
	// cases: the table then names each case's organisation.
	AllOrganisations bool
	Rows             []queueRow
	Updated          when
	// Alerts are the user's unseen alerts.
	Alerts []alertView
	// CanWork is set for clinicians and admins, who go on and off duty;
	// OnDuty says whether they are.
	CanWork, OnDuty bool
}

// queueRow is one case in the queue.
type queueRow struct {
	ID            int64
	Priority      priorityView
	Category      string
	Organisation  string
	Waiting       string
	SLA           slaView
	Status        string
	UnknownSender bool
	Channel       string
}

// showQueue handles GET /console/: the user's unseen alerts, their duty,
// and the unresolved cases, most urgent and then oldest first.
func (c *Console) showQueue(w http.ResponseWriter, r *http.Request, s *session) {
	c.renderQueue(w, r, s, http.StatusOK, nil)
}

// renderQueue shows the queue page with status and errs.
func (c *Console) renderQueue(w http.ResponseWriter, r *http.Request, s *session, status int, errs []fieldError) {
	ctx := r.Context()
	cases, err := postgres.Queue(ctx, c.db.Pool, s.scope())
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	alerts, err := postgres.UnseenAlerts(ctx, c.db.Pool, s.scope(), s.user.ID)
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	v := queueView{layout: newLayout("Case queue", s), AllOrganisations: s.scope() == 0, Rows: c.queueRows(cases),
		Updated: c.at(c.now()), CanWork: worksCases(s.user)}
	if v.CanWork {
		if v.OnDuty, err = postgres.OnDuty(ctx, c.db.Pool, s.user.ID); err != nil {
			c.serverError(w, r, s, err)
			return
		}
	}
	for _, a := range alerts {
		v.Alerts = append(v.Alerts, c.viewAlert(a, s.csrf))
	}
	v.Errors, v.Done = errs, queueDone[r.URL.Query().Get("done")]
	c.render(w, r, status, "queue", v)
}

// queueRows returns how the queue shows cases.
func (c *Console) queueRows(cases []postgres.QueueCase) []queueRow {
	rows := make([]queueRow, 0, len(cases))
	for _, k := range cases {
		rows = append(rows, queueRow{
			ID: k.ID, Priority: viewPriority(k.Priority), Category: categoryLabel(k.Category),
			Organisation: k.OrganisationName, Waiting: approx(c.now().Sub(k.CreatedAt)),
			SLA:    c.viewSLA(k.Status, k.SLADue, k.ClaimedAt, time.Time{}), // the queue has no resolved cases
			Status: statusLabel(k.Status, k.ClaimedByName, ""), UnknownSender: k.UnknownSender,
			Channel: channelLabel(k.Channel),
		})
	}
	return rows
}

// queueDone confirm, after the redirect, what a form on the queue page did.
var queueDone = map[string]string{
	"duty-started": "You are on duty: you will be alerted when a case passes its SLA unclaimed.",
	"duty-ended":   "You are off duty: you will not be alerted when a case passes its SLA unclaimed.",
	"alert-seen":   "The alert has been marked as seen.",
}
