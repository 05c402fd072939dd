package console

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
)

// maxNote is the longest note, in characters (case_events.note).
const maxNote = 4000

// addNote handles POST /console/cases/{id}/notes: form field note. Anyone
// who works cases may add a note to any case of theirs, resolved or not.
func (c *Console) addNote(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return
	}
	note := strings.TrimSpace(r.PostForm.Get("note"))
	form := caseForm{Note: note}
	if err := checkNote("note", note, true); err != nil {
		c.caseChanged(w, r, s, id, err, "", form)
		return
	}
	ctx := r.Context()
	err := c.db.InTx(ctx, func(tx pgx.Tx) error {
		k, _, err := postgres.LockCase(ctx, tx, s.scope(), id)
		if err != nil {
			return err
		}
		return postgres.AddCaseNote(ctx, tx, k, note, s.user.ID)
	})
	c.caseChanged(w, r, s, id, err, "noted", form)
}

// checkNote returns a problem with the note in field, or nil.
func checkNote(field, note string, required bool) error {
	switch {
	case required && note == "":
		return invalid(field, "Enter a note")
	case utf8.RuneCountInString(note) > maxNote:
		return invalid(field, "The note must be 4,000 characters or fewer")
	}
	return nil
}
