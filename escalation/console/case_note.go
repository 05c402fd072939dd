package console

import (
	"context"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/ohcontact/ohcontact/escalation"
)

// maxNote is the longest note, in characters (case_events.note).
const maxNote = 4000

// addNote handles POST /console/cases/{id}/notes: form field note. Anyone
// who works cases may add a note to any case of theirs, resolved or not.
func (c *Console) addNote(w http.ResponseWriter, r *http.Request, s *session) {
	note := strings.TrimSpace(r.PostForm.Get("note"))
	c.changeCase(w, r, s, "noted", caseForm{Note: note}, checkNote("note", note, true),
		func(ctx context.Context, a escalation.Actor, id int64) error { return c.cases.Note(ctx, a, id, note) })
}

// checkNote returns a problem with the note in field, or nil.
func checkNote(field, note string, required bool) *problem {
	switch {
	case required && note == "":
		return invalid(field, "Enter a note")
	case utf8.RuneCountInString(note) > maxNote:
		return invalid(field, "The note must be "+number(maxNote)+" characters or fewer")
	}
	return nil
}
