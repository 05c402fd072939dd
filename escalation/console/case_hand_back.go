package console

import "net/http"

// handBack handles POST /console/cases/{id}/hand-back: the conversation
// goes back to the automated service. The case stays as it is, to be
// resolved.
func (c *Console) handBack(w http.ResponseWriter, r *http.Request, s *session) {
	c.changeCase(w, r, s, "handed-back", caseForm{}, nil, c.cases.HandBack)
}
