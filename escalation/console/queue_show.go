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

// showQueue handles GET /console/: the unresolved cases, most urgent and
// then oldest first.
func (c *Console) showQueue(w http.ResponseWriter, r *http.Request, s *session) {
	cases, err := postgres.Queue(r.Context(), c.db.Pool, s.scope())
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	v := queueView{layout: newLayout("Case queue", s), AllOrganisations: s.scope() == 0, Updated: c.at(c.now())}
	for _, k := range cases {
		v.Rows = append(v.Rows, queueRow{
			ID: k.ID, Priority: viewPriority(k.Priority), Category: categoryLabel(k.Category),
			Organisation: k.OrganisationName, Waiting: approx(c.now().Sub(k.CreatedAt)),
			SLA:    c.viewSLA(k.Status, k.SLADue, k.ClaimedAt, time.Time{}), // the queue has no resolved cases
			Status: statusLabel(k.Status, k.ClaimedByName, ""), UnknownSender: k.UnknownSender,
			Channel: channelLabel(k.Channel),
		})
	}
	c.render(w, r, http.StatusOK, "queue", v)
}
