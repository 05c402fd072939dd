package console

import "net/http"

// claimCase handles POST /console/cases/{id}/claim. Of two clinicians
// claiming at once, one wins; the other is told who has the case. The
// winner's alerts about the case are answered, so marked seen.
func (c *Console) claimCase(w http.ResponseWriter, r *http.Request, s *session) {
	c.changeCase(w, r, s, "claimed", caseForm{}, nil, c.cases.Claim)
}
