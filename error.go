package ohcontact

import "errors"

// The errors every layer speaks in. Storage returns them wrapped with
// context (fmt.Errorf("load case %d: %w", id, ErrNotFound)); callers test
// them with errors.Is, and each HTTP surface turns them into a status in
// one place. People are told in a sentence of their own language, never
// by an error's text.
var (
	// ErrNotFound is returned when the record asked for does not exist, or
	// belongs to an organisation the asker does not work for.
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when a change clashes with the record as it
	// now stands: another change came first, the record already exists,
	// or it cannot take the change. Each function that returns it says
	// which clash it means; an error that carries more (who holds a case
	// already) matches it with errors.Is.
	ErrConflict = errors.New("conflict")
)
