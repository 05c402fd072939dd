package console

import "net/http"

// releaseCase handles POST /console/cases/{id}/release: the case goes back
// to the queue, open for anyone to claim, and its SLA clock starts again.
func (c *Console) releaseCase(w http.ResponseWriter, r *http.Request, s *session) {
	c.changeCase(w, r, s, "released", caseForm{}, nil, c.cases.Release)
}
