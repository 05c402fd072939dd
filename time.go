package ohcontact

import "time"

// Later returns the later of a and b; b when they are the same instant.
func Later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
