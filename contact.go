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

// Trigger is why an absence leads to a contact. The values are stored in
// contacts.trigger.
type Trigger string

const (
	TriggerStress   Trigger = "stress"    // reason S10: anxiety, stress, depression
	TriggerMSK      Trigger = "msk"       // a musculoskeletal reason (the trigger rules' MSK codes)
	TriggerLongTerm Trigger = "long_term" // a continuous absence reaching the rules' long-term days
)

// Flow returns the name of the dialog flow a contact for t runs (as
// dialogs.FlowStressCheckin and its siblings), or "" for an unknown trigger.
func (t Trigger) Flow() string {
	switch t {
	case TriggerStress:
		return "stress-checkin"
	case TriggerMSK:
		return "msk-checkin"
	case TriggerLongTerm:
		return "long-term-checkin"
	}
	return ""
}
