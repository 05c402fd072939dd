package campaigns

import (
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/triggers"
)

// Queue is the River queue the senders run on: each holds a worker while
// it sends, so they have workers of their own and never keep the default
// queue's jobs (contacts, SLA checks) waiting.
const Queue = "campaigns"

// ErrStatus is returned when a campaign's status does not allow the
// change asked for (starting a campaign that is not a draft); it is an
// ohcontact.ErrConflict.
var ErrStatus = fmt.Errorf("the campaign's status does not allow this: %w", ohcontact.ErrConflict)

// Campaigns creates, steers and sends campaigns. Its fields must be set
// before its workers run.
type Campaigns struct {
	DB     *postgres.DB
	Engine triggers.Starter // starts the campaign's flow (dialogs.Engine)
	Jobs   *river.Client[pgx.Tx]
	// Invitations queue the invitations, their reminders and SMS
	// fallbacks: an sms.Outbox with Prepaid set, the sender having taken
	// each text's slot (Throttle), and the web chat's.
	Invitations channels.Outboxes
	// Throttle keeps invitations, reminders and SMS fallbacks to the
	// service's sending rate; nil sends as fast as they go (tests).
	Throttle *sms.Throttle
	// Flows are the flows a campaign may start (Flows, in serve).
	Flows []string
	// CloseAfter is how long a campaign conversation left unfinished waits
	// before it is closed as no_response (CloseArgs), for an organisation's
	// code: its triggers' close_after, as for an unanswered contact.
	CloseAfter func(org string) time.Duration
	// SMSFallbackAfter is how long a web chat invitation may go unseen
	// before it goes by SMS (FallbackArgs), for an organisation's code: its
	// triggers' webchat sms_fallback_after, as for a contact; 0 never.
	SMSFallbackAfter func(org string) time.Duration
	// Location is the campaigns' time zone, Europe/London.
	Location *time.Location
	Now      func() time.Time
	Log      *slog.Logger

	sendRun time.Duration // a sender's run, when not sendRun (tests)
}

// Flows returns the campaign flows (dialogs.FlowVaccination, the one so
// far) among have, the
// dialog engine's flows: those a campaign may start.
func Flows(have []string) []string {
	var out []string
	for _, f := range []string{dialogs.FlowVaccination} {
		if slices.Contains(have, f) {
			out = append(out, f)
		}
	}
	return out
}
