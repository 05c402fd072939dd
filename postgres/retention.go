package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// retentionLockID is the pg_advisory_xact_lock key that makes retention
// purges take turns ("ohrete" in ASCII), so that each reads the running
// totals the one before it wrote.
const retentionLockID = 0x6f6872657465

// PurgedAddress is the address a purged conversation is left with, in
// place of the phone number or widget session it had; it also marks the
// conversation as done for later purges.
const PurgedAddress = "purged"

// lastPurgeTotals selects, as one row with the jsonb column totals, the
// case events every retention purge so far has deleted, by kind: the
// running total carried by the latest retention.purge audit event. It
// selects no row before the first purge.
const lastPurgeTotals = `
	SELECT details -> 'case_events_purged_total' AS totals FROM audit_events
	WHERE record_type = 'retention' AND action = 'retention.purge'
	ORDER BY id DESC LIMIT 1`

// RetentionCutoffs are the moments before which each kind of record goes.
type RetentionCutoffs struct {
	// PersonalData: conversations closed before it lose their transcripts,
	// and staff with no activity since lose their personal data.
	PersonalData time.Time
	// Cases resolved before it are deleted.
	Cases time.Time
	// Audit events that occurred before it are deleted.
	Audit time.Time
}

// Purged counts what a retention purge deleted or cleared.
type Purged struct {
	Conversations    int64 // conversations whose transcripts were removed
	Messages         int64
	Answers          int64
	Referrals        int64 // referrals whose answers were cleared
	FeedbackComments int64 // feedback comments cleared
	CampaignOutcomes int64 // campaign members whose outcome details were cleared
	StaffCleared     int64 // staff records kept with their personal fields emptied
	StaffDeleted     int64
	Cases            int64
	CaseEvents       int64
	ClinicianAlerts  int64
	FollowUps        int64 // case_follow_ups
	OnCallTexts      int64
	AuditEvents      int64
}

// Add returns the sum of p and q.
func (p Purged) Add(q Purged) Purged {
	return Purged{
		Conversations: p.Conversations + q.Conversations, Messages: p.Messages + q.Messages,
		Answers: p.Answers + q.Answers, Referrals: p.Referrals + q.Referrals, FeedbackComments: p.FeedbackComments + q.FeedbackComments,
		CampaignOutcomes: p.CampaignOutcomes + q.CampaignOutcomes,
		StaffCleared:     p.StaffCleared + q.StaffCleared, StaffDeleted: p.StaffDeleted + q.StaffDeleted,
		Cases: p.Cases + q.Cases, CaseEvents: p.CaseEvents + q.CaseEvents,
		ClinicianAlerts: p.ClinicianAlerts + q.ClinicianAlerts, FollowUps: p.FollowUps + q.FollowUps,
		OnCallTexts: p.OnCallTexts + q.OnCallTexts,
		AuditEvents: p.AuditEvents + q.AuditEvents,
	}
}

// details is p as audit event details.
func (p Purged) details() map[string]any {
	return map[string]any{
		"conversations": p.Conversations, "messages": p.Messages, "answers": p.Answers, "referrals": p.Referrals,
		"feedback_comments": p.FeedbackComments, "campaign_outcome_details": p.CampaignOutcomes,
		"staff_cleared": p.StaffCleared, "staff_deleted": p.StaffDeleted,
		"cases": p.Cases, "case_events": p.CaseEvents, "clinician_alerts": p.ClinicianAlerts, "on_call_texts": p.OnCallTexts,
		"case_follow_ups": p.FollowUps, "audit_events": p.AuditEvents,
	}
}

// PurgeRetention carries out one batch of the retention purge in tx: at
// most limit conversations, cases, staff records and audit events each
// (oldest first), and records it as a retention.purge audit event (actor
// the system) with the counts and cutoffs, in the same transaction. It
// reports more when any kind filled its limit, so that another batch may
// find more. Purges take turns on an advisory lock.
//
//   - A conversation closed before cut.PersonalData loses its messages and
//     answers; its saved flow state (which holds the answers and the first
//     name) is emptied, its address (a phone number or widget session)
//     becomes PurgedAddress, its web chat client key is cleared, its referrals' answers are cleared, and so is
//     the comment of feedback asked at its end or answered in it (the rating stays), and the
//     outcome details (a date, a place, a reason) of the campaign member it was opened for,
//     once none of that member's conversations keeps its transcript (the outcome stays). The
//     row stays, with its organisation, channel, flow, language, outcome
//     and times, as do its signposts (service and category only): the
//     pilot's evidence, with no personal data. A conversation with an
//     unresolved case, or a referral still to be worked (new, accepted or
//     booked), waits for it. An open conversation is never
//     touched.
//   - A member of staff with no open absence, open conversation or
//     unresolved case, and no activity (record, consent, absence,
//     conversation or case) since cut.PersonalData, loses their names,
//     mobile, email, job title, department and staff group. The row itself stays when anything
//     (a campaign member among them) refers to it or
//     they have opted in or out (an opt-out must survive: an HR feed
//     re-sending the person finds it); otherwise it is deleted.
//   - A case resolved before cut.Cases is deleted with its events, its
//     clinicians' alerts and its on-call texts; the case events deleted
//     are added, by kind, to the running total the audit event carries
//     (CaseEventCounts).
//   - Audit events that occurred before cut.Audit are deleted (the table
//     refuses changes but allows deletion).
func PurgeRetention(ctx context.Context, tx pgx.Tx, cut RetentionCutoffs, limit int) (Purged, bool, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, retentionLockID); err != nil {
		return Purged{}, false, fmt.Errorf("take the retention lock: %w", err)
	}
	totals := map[string]int64{}
	if err := tx.QueryRow(ctx, `SELECT coalesce((`+lastPurgeTotals+`), '{}')`).Scan(&totals); err != nil {
		return Purged{}, false, fmt.Errorf("read the case events purged so far: %w", err)
	}
	var p Purged
	var found [4]int // the rows of each kind this batch found
	var err error
	if found[0], err = purgeTranscripts(ctx, tx, cut.PersonalData, limit, &p); err != nil {
		return Purged{}, false, err
	}
	if found[1], err = purgeCases(ctx, tx, cut.Cases, limit, &p, totals); err != nil {
		return Purged{}, false, err
	}
	if found[2], err = purgeStaff(ctx, tx, cut.PersonalData, limit, &p); err != nil {
		return Purged{}, false, err
	}
	if found[3], err = purgeAudit(ctx, tx, cut.Audit, limit, &p); err != nil {
		return Purged{}, false, err
	}
	more := slices.Max(found[:]) >= limit
	details := p.details()
	details["case_events_purged_total"] = totals
	details["personal_data_before"] = cut.PersonalData.UTC().Format(time.RFC3339)
	details["cases_before"] = cut.Cases.UTC().Format(time.RFC3339)
	details["audit_before"] = cut.Audit.UTC().Format(time.RFC3339)
	if err := Audit(ctx, tx, AuditEvent{Action: "retention.purge", RecordType: "retention", Details: details}); err != nil {
		return Purged{}, false, err
	}
	return p, more, nil
}

// lockIDs locks and returns the ids a SELECT … FOR UPDATE SKIP LOCKED
// query finds, with its arguments.
func lockIDs(ctx context.Context, tx pgx.Tx, sql string, args ...any) ([]int64, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// exec runs a statement and returns how many rows it touched.
func exec(ctx context.Context, tx pgx.Tx, sql string, args ...any) (int64, error) {
	tag, err := tx.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

func purgeTranscripts(ctx context.Context, tx pgx.Tx, before time.Time, limit int, p *Purged) (int, error) {
	ids, err := lockIDs(ctx, tx, `
		SELECT c.id FROM conversations c
		WHERE c.status = 'closed' AND c.closed_at < $1 AND c.address <> $3
		  AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.conversation_id = c.id AND k.status <> 'resolved')
		  AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.conversation_id = c.id AND r.status IN ('new', 'accepted', 'booked'))
		ORDER BY c.closed_at, c.id LIMIT $2
		FOR UPDATE OF c SKIP LOCKED`, before, limit, PurgedAddress)
	if err != nil {
		return 0, fmt.Errorf("find transcripts: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	if p.Messages, err = exec(ctx, tx, `DELETE FROM messages WHERE conversation_id = ANY($1)`, ids); err != nil {
		return 0, fmt.Errorf("delete messages: %w", err)
	}
	if p.Answers, err = exec(ctx, tx, `DELETE FROM answers WHERE conversation_id = ANY($1)`, ids); err != nil {
		return 0, fmt.Errorf("delete answers: %w", err)
	}
	if p.Referrals, err = exec(ctx, tx, `UPDATE referrals SET answers = '{}', decline_note = NULL,
		updated_at = now() WHERE conversation_id = ANY($1) AND answers <> '{}'`, ids); err != nil {
		return 0, fmt.Errorf("clear referral answers: %w", err)
	}
	if p.FeedbackComments, err = exec(ctx, tx, `UPDATE feedback SET comment = NULL
		WHERE (conversation_id = ANY($1) OR answer_conversation_id = ANY($1)) AND comment IS NOT NULL`, ids); err != nil {
		return 0, fmt.Errorf("clear feedback comments: %w", err)
	}
	if p.CampaignOutcomes, err = exec(ctx, tx, `
		UPDATE campaign_members m SET outcome_detail = '{}'
		WHERE m.id IN (SELECT campaign_member_id FROM conversations WHERE id = ANY($1))
		  AND m.outcome_detail <> '{}'
		  AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.campaign_member_id = m.id
		                  AND c.address <> $2 AND NOT c.id = ANY($1))`, ids, PurgedAddress); err != nil {
		return 0, fmt.Errorf("clear campaign outcome details: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE conversations SET address = $2, data = '{}', client_key = NULL WHERE id = ANY($1)`, ids, PurgedAddress); err != nil {
		return 0, fmt.Errorf("clear conversations: %w", err)
	}
	p.Conversations = int64(len(ids))
	return len(ids), nil
}

func purgeCases(ctx context.Context, tx pgx.Tx, before time.Time, limit int, p *Purged, totals map[string]int64) (int, error) {
	ids, err := lockIDs(ctx, tx, `
		SELECT id FROM cases WHERE status = 'resolved' AND resolved_at < $1
		ORDER BY resolved_at, id LIMIT $2
		FOR UPDATE SKIP LOCKED`, before, limit)
	if err != nil {
		return 0, fmt.Errorf("find cases: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	rows, err := tx.Query(ctx, `
		WITH d AS (DELETE FROM case_events WHERE case_id = ANY($1) RETURNING kind)
		SELECT kind, count(*) FROM d GROUP BY kind`, ids)
	if err != nil {
		return 0, fmt.Errorf("delete case events: %w", err)
	}
	var kind string
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&kind, &n}, func() error {
		totals[kind] += n
		p.CaseEvents += n
		return nil
	}); err != nil {
		return 0, fmt.Errorf("delete case events: %w", err)
	}
	if p.ClinicianAlerts, err = exec(ctx, tx, `DELETE FROM clinician_alerts WHERE case_id = ANY($1)`, ids); err != nil {
		return 0, fmt.Errorf("delete clinician alerts: %w", err)
	}
	if p.FollowUps, err = exec(ctx, tx, `DELETE FROM case_follow_ups WHERE case_id = ANY($1)`, ids); err != nil {
		return 0, fmt.Errorf("delete follow-ups: %w", err)
	}
	if p.OnCallTexts, err = exec(ctx, tx, `DELETE FROM on_call_texts WHERE case_id = ANY($1)`, ids); err != nil {
		return 0, fmt.Errorf("delete on-call texts: %w", err)
	}
	if p.Cases, err = exec(ctx, tx, `DELETE FROM cases WHERE id = ANY($1)`, ids); err != nil {
		return 0, fmt.Errorf("delete cases: %w", err)
	}
	return len(ids), nil
}

// staffActive is true of staff s with an open absence, conversation,
// case or referral (new, accepted or booked), or any activity since $1.
const staffActive = `(
	s.updated_at >= $1 OR coalesce(s.consent_changed_at >= $1, false)
	OR EXISTS (SELECT 1 FROM absence_episodes a WHERE a.staff_id = s.id
	           AND (a.ends_on IS NULL OR a.ends_on >= ($1::timestamptz)::date OR a.updated_at >= $1))
	OR EXISTS (SELECT 1 FROM conversations c WHERE c.staff_id = s.id
	           AND (c.status = 'open' OR c.last_activity_at >= $1 OR c.closed_at >= $1))
	OR EXISTS (SELECT 1 FROM cases k WHERE k.staff_id = s.id
	           AND (k.status <> 'resolved' OR k.resolved_at >= $1))
	OR EXISTS (SELECT 1 FROM referrals r WHERE r.staff_id = s.id AND r.status IN ('new', 'accepted', 'booked')))`

func purgeStaff(ctx context.Context, tx pgx.Tx, before time.Time, limit int, p *Purged) (int, error) {
	ids, err := lockIDs(ctx, tx, `
		SELECT s.id FROM staff s
		WHERE (s.first_name, s.last_name, s.mobile, s.email) IS DISTINCT FROM ('', '', NULL, NULL)
		  AND NOT `+staffActive+`
		ORDER BY s.id LIMIT $2
		FOR UPDATE OF s SKIP LOCKED`, before, limit)
	if err != nil {
		return 0, fmt.Errorf("find staff: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	if p.StaffDeleted, err = exec(ctx, tx, `
		DELETE FROM staff s WHERE s.id = ANY($1) AND s.consent = 'unknown'
		  AND NOT EXISTS (SELECT 1 FROM absence_episodes a WHERE a.staff_id = s.id)
		  AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.staff_id = s.id)
		  AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.staff_id = s.id)
		  AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.staff_id = s.id)
		  AND NOT EXISTS (SELECT 1 FROM campaign_members m WHERE m.staff_id = s.id)
		  AND NOT EXISTS (SELECT 1 FROM new_starters n WHERE n.staff_id = s.id)`, ids); err != nil {
		return 0, fmt.Errorf("delete staff: %w", err)
	}
	if p.StaffCleared, err = exec(ctx, tx, `
		UPDATE staff SET first_name = '', last_name = '', mobile = NULL, email = NULL, job_title = NULL, department = NULL, staff_group = NULL,
			starts_on = NULL,			updated_at = now()
		WHERE id = ANY($1)`, ids); err != nil {
		return 0, fmt.Errorf("clear staff: %w", err)
	}
	return len(ids), nil
}

func purgeAudit(ctx context.Context, tx pgx.Tx, before time.Time, limit int, p *Purged) (int, error) {
	var err error
	p.AuditEvents, err = exec(ctx, tx, `
		DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE occurred_at < $1 LIMIT $2)`, before, limit)
	if err != nil {
		return 0, fmt.Errorf("delete audit events: %w", err)
	}
	return int(p.AuditEvents), nil
}
