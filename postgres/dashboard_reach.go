package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// The reach funnel: of the check-ins that fell due in the period, how many
// reached each step towards a person being supported, and why the others
// stopped where they did. Day-1 absence reports are started by the person
// and are not in it.

// Reach steps, in order (ReachStep.Step). Each counts the check-ins that
// got at least that far.
const (
	// ReachEligible: a trigger applied to an absence (every contact, but
	// those cancelled because the absence's reason or dates changed so
	// that it no longer applied: ReasonNotApplicable).
	ReachEligible = "eligible"
	// ReachScheduled: not skipped for falling due too long before the
	// absence was recorded.
	ReachScheduled = "scheduled"
	// ReachSent: its first message went (contact state sent, reminded,
	// responded or no_response).
	ReachSent = "sent"
	// ReachDelivered: one of its conversations reached the person
	// (reachedMessage: a message delivered to their phone or, for web
	// chat, to a browser; or the person wrote).
	ReachDelivered = "delivered"
	// ReachAnswered: the person replied (contact state responded).
	ReachAnswered = "answered"
	// ReachSupported: in one of its conversations the person was
	// signposted or referred, or a case was opened.
	ReachSupported = "supported"
)

// Why a check-in stopped at a step (ReachStep.Lost keys), by step.
const (
	// At eligible.
	LostLate = "late" // skipped: due too long before the absence was recorded
	// At scheduled.
	LostNotYetSent   = "not_yet_sent"   // still scheduled (waiting for its send time)
	LostReturned     = "returned"       // ReasonReturned
	LostOptedOut     = "opted_out"      // ReasonOptedOut
	LostClinician    = "clinician"      // ReasonClinician
	LostNoSendTime   = "no_send_time"   // ReasonNoSendTime
	LostOtherNotSent = "other_not_sent" // cancelled or failed for another reason
	// At sent.
	LostDeliveryFailed  = "delivery_failed" // an SMS of it failed or was undelivered, none delivered
	LostWebChatUnseen   = "webchat_unseen"  // only by web chat, never seen; the person has a mobile on record
	LostWebChatNoMobile = "webchat_unseen_no_mobile"
	LostNotConfirmed    = "not_confirmed" // no delivery report (yet)
	// At delivered.
	LostNoReply            = "no_reply"            // closed unanswered after the reminder (no_response)
	LostReturnedUnanswered = "returned_unanswered" // closed when the person went back to work
	LostWaitingReply       = "waiting_reply"       // still open, waiting for a reply
	LostOtherUnanswered    = "other_unanswered"    // closed unanswered another way
	// At answered.
	LostStopped   = "stopped"    // the person replied STOP (the conversation closed opted out)
	LostNoSupport = "no_support" // answered, with no signpost, referral or case
)

// reachStep is a step and the reasons check-ins stopped at it.
type reachStep struct {
	step string
	lost []string
}

// reachSteps lists each step and the reasons check-ins stopped at it, in
// order.
var reachSteps = []reachStep{
	{ReachEligible, []string{LostLate}},
	{ReachScheduled, []string{LostNotYetSent, LostReturned, LostOptedOut, LostClinician, LostNoSendTime, LostOtherNotSent}},
	{ReachSent, []string{LostDeliveryFailed, LostWebChatUnseen, LostWebChatNoMobile, LostNotConfirmed}},
	{ReachDelivered, []string{LostNoReply, LostReturnedUnanswered, LostWaitingReply, LostOtherUnanswered}},
	{ReachAnswered, []string{LostStopped, LostNoSupport}},
	{ReachSupported, nil},
}

// ReachStep is how many check-ins got to one step of the reach funnel.
type ReachStep struct {
	Step     string // one of the Reach steps
	Contacts Figure
	// Lost counts the check-ins that got to this step and no further, by
	// why (every reason of the step, in order); none for the last step.
	Lost []Tally
}

// ReachFunnel is the reach funnel of one check-in trigger's contacts that
// fell due in the period (due_at), or of all of them together.
type ReachFunnel struct {
	Trigger string      // a check-in trigger, or "" for all of them
	Steps   []ReachStep // every step, in order
}

// reachOutcome is the SQL of the check-ins that fell due from $2 to $3 in
// organisation $1 (0: all): for each, its trigger and where it stopped
// (ReachSupported when it went all the way, else a Lost reason).
// $4 is ReasonNotApplicable, $5 ReasonReturned, $6 ReasonOptedOut, $7
// ReasonClinician, $8 ReasonNoSendTime.
const reachOutcome = `
	WITH k AS (
		SELECT k.id, s.organisation_id, k.trigger, k.state, coalesce(k.state_reason, '') AS reason, s.mobile IS NOT NULL AS has_mobile
		FROM contacts k JOIN absence_episodes e ON e.id = k.episode_id JOIN staff s ON s.id = e.staff_id
		WHERE k.due_at >= $2 AND k.due_at < $3 AND ($1::bigint = 0 OR s.organisation_id = $1)
		  AND NOT (k.state = 'cancelled' AND k.state_reason IS NOT DISTINCT FROM $4)),
	c AS (
		SELECT k.*,
		       EXISTS (SELECT FROM conversations v JOIN messages m ON m.conversation_id = v.id
		               WHERE v.contact_id = k.id AND ` + reachedMessage + `) AS reached,
		       EXISTS (SELECT FROM conversations v JOIN messages m ON m.conversation_id = v.id
		               WHERE v.contact_id = k.id AND v.channel = 'sms' AND m.direction = 'outbound'
		                 AND m.delivery_status IN ('failed', 'undelivered')) AS failed,
		       NOT EXISTS (SELECT FROM conversations v WHERE v.contact_id = k.id AND v.channel = 'sms') AS webchat_only,
		       EXISTS (SELECT FROM conversations v WHERE v.contact_id = k.id AND v.status = 'open') AS open,
		       EXISTS (SELECT FROM conversations v WHERE v.contact_id = k.id AND v.closed_reason = 'returned_to_work') AS back,
		       EXISTS (SELECT FROM conversations v WHERE v.contact_id = k.id AND v.closed_reason = 'opted_out') AS stopped,
		       EXISTS (SELECT FROM conversations v WHERE v.contact_id = k.id
		               AND (EXISTS (SELECT FROM signposts p WHERE p.conversation_id = v.id)
		                    OR EXISTS (SELECT FROM referrals r WHERE r.conversation_id = v.id)
		                    OR EXISTS (SELECT FROM cases x WHERE x.conversation_id = v.id))) AS supported
		FROM k)
	SELECT organisation_id, trigger, CASE
		WHEN state = 'skipped' THEN 'late'
		WHEN state = 'scheduled' THEN 'not_yet_sent'
		WHEN state = 'cancelled' AND starts_with(reason, $5) THEN 'returned'
		WHEN state = 'cancelled' AND reason = $6 THEN 'opted_out'
		WHEN state = 'cancelled' AND reason = $7 THEN 'clinician'
		WHEN state = 'failed' AND reason = $8 THEN 'no_send_time'
		WHEN state IN ('cancelled', 'failed') THEN 'other_not_sent'
		WHEN NOT reached AND state <> 'responded' THEN CASE
			WHEN failed THEN 'delivery_failed'
			WHEN webchat_only AND has_mobile THEN 'webchat_unseen'
			WHEN webchat_only THEN 'webchat_unseen_no_mobile'
			ELSE 'not_confirmed' END
		WHEN state <> 'responded' THEN CASE
			WHEN state = 'no_response' THEN 'no_reply'
			WHEN open THEN 'waiting_reply'
			WHEN back THEN 'returned_unanswered'
			ELSE 'other_unanswered' END
		WHEN supported THEN 'supported'
		WHEN stopped THEN 'stopped'
		ELSE 'no_support' END AS outcome
	FROM c`

func (q *dashboardQuery) reach(ctx context.Context) error {
	rows, err := q.tx.Query(ctx, `SELECT organisation_id, trigger, outcome, count(*) FROM (`+reachOutcome+`) o
		GROUP BY `+byOrganisation("organisation_id", "trigger, outcome"),
		q.org, q.start, q.end, ReasonNotApplicable, ReasonReturned, ReasonOptedOut, ReasonClinician, ReasonNoSendTime)
	if err != nil {
		return fmt.Errorf("reach: %w", err)
	}
	// counts are each dashboard's check-ins by trigger ("": all) and where
	// they stopped.
	counts := perDashboard(q, func() map[string]map[string]int64 {
		c := map[string]map[string]int64{"": {}}
		for _, t := range checkIns {
			c[t] = map[string]int64{}
		}
		return c
	})
	var org *int64
	var n int64
	var trigger, outcome string
	_, err = pgx.ForEachRow(rows, []any{&org, &trigger, &outcome, &n}, func() error {
		if !slices.Contains(checkIns, trigger) {
			return fmt.Errorf("unknown trigger %q", trigger)
		}
		if outcome != ReachSupported && !slices.ContainsFunc(reachSteps, func(s reachStep) bool { return slices.Contains(s.lost, outcome) }) {
			return fmt.Errorf("unknown reach outcome %q", outcome)
		}
		if d := q.of(org); d != nil {
			counts[d][trigger][outcome] += n
			counts[d][""][outcome] += n
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reach: %w", err)
	}
	for d, c := range counts {
		for _, t := range append(slices.Clone(checkIns), "") {
			d.Reach = append(d.Reach, reachFunnel(t, c[t]))
		}
	}
	return nil
}

// reachFunnel publishes the funnel of trigger from the check-ins counted
// by where they stopped: each step counts those that stopped there or
// further on.
func reachFunnel(trigger string, stopped map[string]int64) ReachFunnel {
	f := ReachFunnel{Trigger: trigger}
	var total int64
	for _, n := range stopped {
		total += n
	}
	for _, s := range reachSteps {
		step := ReachStep{Step: s.step, Contacts: count(total)}
		for _, why := range s.lost {
			step.Lost = append(step.Lost, Tally{Key: why, Count: count(stopped[why])})
			total -= stopped[why]
		}
		f.Steps = append(f.Steps, step)
	}
	return f
}
