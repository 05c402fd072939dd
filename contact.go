package ohcontact

import "time"

// Contact is the service reaching out to a member of staff because an
// absence trigger fired: one per absence episode and trigger, ever. It
// carries what its jobs need to send it: its episode's end, the person and
// their organisation, their preferred channel and quiet hours.
type Contact struct {
	ID               int64
	Trigger          string
	Flow             string
	State            string // scheduled, sent, reminded, responded, no_response, cancelled, skipped or failed
	DueAt            time.Time
	HeldUntil        time.Time // zero when not held
	EndsOn           time.Time // the episode's; zero while open
	Staff            Staff
	PreferredChannel string      // sms, webchat or empty
	Quiet            *QuietHours // nil when the person has none
}

// QuietHours are a person's quiet hours in minutes after local midnight.
type QuietHours struct {
	From, Until int
}
