package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/ohcontact/ohcontact"
)

// Campaign outcomes: what a member of a vaccination campaign answered.
const (
	OutcomeBooked       = "booked"        // booked (or said they have) a vaccination with OH
	OutcomeHadElsewhere = "had_elsewhere" // already vaccinated elsewhere; detail: date, where
	OutcomeDeclined     = "declined"      // does not want it; detail: reason, when given
	OutcomeQuestion     = "question"      // asked OH a question: a routine case stands behind it
)

// RecordCampaignOutcome records outcome, with its particulars detail, for
// campaign member memberID at now, and marks the member replied. A later
// outcome replaces an earlier one (a person who declined and then booked
// has booked); detail keys are merged, so a reason given after "no" joins
// the decline. It returns ohcontact.ErrNotFound when there is no such member.
func RecordCampaignOutcome(ctx context.Context, tx pgx.Tx, memberID int64, outcome string, detail map[string]string, now time.Time) error {
	if detail == nil {
		detail = map[string]string{}
	}
	d, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("record campaign outcome: %w", err)
	}
	tag, err := tx.Exec(ctx, `
		UPDATE campaign_members SET outcome = $2,
			outcome_detail = CASE WHEN outcome IS DISTINCT FROM $2 THEN $3::jsonb ELSE outcome_detail || $3::jsonb END,
			outcome_at = $4, state = 'replied', replied_at = coalesce(replied_at, $4), updated_at = $4
		WHERE id = $1`, memberID, outcome, d, now)
	if err != nil {
		return fmt.Errorf("record campaign outcome of member %d: %w", memberID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("campaign member %d: %w", memberID, ohcontact.ErrNotFound)
	}
	return nil
}

// Campaign statuses (campaigns.status). A draft sends nothing; running
// sends; paused holds every invitation and reminder until resumed; stopped
// cancels what was not sent; finished means nobody is left to invite (its
// reminders still go).
const (
	CampaignDraft    = "draft"
	CampaignRunning  = "running"
	CampaignPaused   = "paused"
	CampaignStopped  = "stopped"
	CampaignFinished = "finished"
)

// Campaign member states (campaign_members.state) and why a member was
// skipped (skip_reason).
const (
	MemberPlanned   = "planned"
	MemberSent      = "sent"
	MemberReminded  = "reminded"
	MemberReplied   = "replied"
	MemberSkipped   = "skipped"
	MemberCancelled = "cancelled"

	SkipOptedOut = "opted_out" // opted out of messages, when planned or since
	SkipLeft     = "left"      // their record was anonymised (retention): nobody to contact
	// SkipNoChannel: no time to reach them: their quiet hours cover the
	// campaign's window.
	SkipNoChannel = "no_channel"
)

// Campaign is a campaign as stored. Window times are minutes after
// midnight, Europe/London; WindowDays are ISO weekdays (1 Monday … 7
// Sunday).
type Campaign struct {
	ID               int64
	OrganisationID   int64
	OrganisationCode string
	Name             string
	Flow             string
	Vaccine          string // empty for none
	Audience         string // staff_group, department or list
	AudienceValue    string // empty for a list
	StartsAt         time.Time
	WindowFrom       int
	WindowUntil      int
	WindowDays       []int
	RemindAfter      time.Duration // 0: no reminder
	Status           string
	CreatedBy        int64 // 0: not a user
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// NewCampaign is a campaign to insert as a draft. Its caller has checked
// it (campaigns.Create).
type NewCampaign struct {
	OrganisationID int64
	Name, Flow     string
	Vaccine        string // empty for none
	Audience       string
	AudienceValue  string // empty for a list
	StartsAt       time.Time
	WindowFrom     int // minutes after midnight
	WindowUntil    int
	WindowDays     []int
	RemindAfter    time.Duration // 0: none
	CreatedBy      int64         // 0: not a user
}

// InsertCampaign inserts c as a draft and returns its id.
func InsertCampaign(ctx context.Context, tx pgx.Tx, c NewCampaign) (int64, error) {
	var remind *time.Duration
	if c.RemindAfter > 0 {
		remind = &c.RemindAfter
	}
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO campaigns (organisation_id, name, flow, vaccine, audience, audience_value, starts_at,
			window_from, window_until, window_days, remind_after, created_by)
		VALUES ($1, $2, $3, nullif($4, ''), $5, nullif($6, ''), $7,
			make_time($8 / 60, $8 % 60, 0), make_time($9 / 60, $9 % 60, 0), $10, $11, nullif($12::bigint, 0))
		RETURNING id`,
		c.OrganisationID, c.Name, c.Flow, c.Vaccine, c.Audience, c.AudienceValue, c.StartsAt,
		c.WindowFrom, c.WindowUntil, c.WindowDays, remind, c.CreatedBy).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert campaign: %w", err)
	}
	return id, nil
}

// campaignColumns are what scanCampaign reads, from campaigns c joined to
// organisations o.
const campaignColumns = `c.id, c.organisation_id, o.code, c.name, c.flow, coalesce(c.vaccine, ''), c.audience,
	coalesce(c.audience_value, ''), c.starts_at,
	(extract(epoch FROM c.window_from) / 60)::int, (extract(epoch FROM c.window_until) / 60)::int, c.window_days::int[],
	coalesce(c.remind_after, interval '0'), c.status, coalesce(c.created_by, 0), c.created_at, c.updated_at`

func scanCampaign(row pgx.Row, id int64) (Campaign, error) {
	var c Campaign
	err := row.Scan(&c.ID, &c.OrganisationID, &c.OrganisationCode, &c.Name, &c.Flow, &c.Vaccine, &c.Audience,
		&c.AudienceValue, &c.StartsAt, &c.WindowFrom, &c.WindowUntil, &c.WindowDays,
		&c.RemindAfter, &c.Status, &c.CreatedBy, &c.CreatedAt, &c.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("campaign %d: %w", id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("load campaign %d: %w", id, err)
	}
	return c, nil
}

// CampaignByID returns campaign id of organisation orgScope (0: any),
// without locking it, or ohcontact.ErrNotFound.
func CampaignByID(ctx context.Context, q Querier, orgScope, id int64) (Campaign, error) {
	return scanCampaign(q.QueryRow(ctx, `SELECT `+campaignColumns+`
		FROM campaigns c JOIN organisations o ON o.id = c.organisation_id
		WHERE c.id = $1 AND ($2 = 0 OR c.organisation_id = $2)`, id, orgScope), id)
}

// LockCampaign returns campaign id of organisation orgScope (0: any),
// locked against changes until tx ends, or ohcontact.ErrNotFound. Its sender reads
// the status under this lock before each invitation, so a change of
// status waits for at most that one invitation.
func LockCampaign(ctx context.Context, tx pgx.Tx, orgScope, id int64) (Campaign, error) {
	return scanCampaign(tx.QueryRow(ctx, `SELECT `+campaignColumns+`
		FROM campaigns c JOIN organisations o ON o.id = c.organisation_id
		WHERE c.id = $1 AND ($2 = 0 OR c.organisation_id = $2)
		FOR NO KEY UPDATE OF c`, id, orgScope), id)
}

// Campaigns returns organisation orgScope's campaigns (0: every
// organisation's), newest first.
func Campaigns(ctx context.Context, q Querier, orgScope int64) ([]Campaign, error) {
	rows, err := q.Query(ctx, `SELECT `+campaignColumns+`
		FROM campaigns c JOIN organisations o ON o.id = c.organisation_id
		WHERE $1 = 0 OR c.organisation_id = $1
		ORDER BY c.created_at DESC, c.id DESC`, orgScope)
	if err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Campaign, error) { return scanCampaign(r, 0) })
}

// SetCampaignStatus sets campaign id's status at now. The caller holds
// its lock (LockCampaign) and has checked the move.
func SetCampaignStatus(ctx context.Context, tx pgx.Tx, id int64, status string, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE campaigns SET status = $2, updated_at = $3 WHERE id = $1`, id, status, now); err != nil {
		return fmt.Errorf("set campaign %d %s: %w", id, status, err)
	}
	return nil
}

// CampaignPlan is what planning a campaign found.
type CampaignPlan struct {
	// Planned counts the members who will be invited; Skipped those who
	// will not, by reason.
	Planned int
	Skipped map[string]int
	// Reach counts the planned members by language and channel.
	Reach []CampaignReach
	// Unknown are the listed assignment numbers of nobody in the
	// organisation, and Duplicates those listed more than once (planned
	// once), each in the order first listed. Both are empty for a group.
	Unknown, Duplicates []string
}

// CampaignReach is how many planned members of a campaign share a
// language and a channel.
type CampaignReach struct {
	Language string
	Channel  ohcontact.Channel
	Count    int
}

// planChannel is the channel a member of staff s is invited on, as
// triggers.ChooseChannel picks it: SMS when a mobile is known and they do
// not prefer the web chat, else the web chat.
const planChannel = `CASE WHEN s.mobile IS NOT NULL AND s.preferred_channel IS DISTINCT FROM 'webchat' THEN 'sms' ELSE 'webchat' END`

// PlanCampaign plans the members of draft campaign id, of organisation
// orgID, in one INSERT … SELECT: every member of staff of the organisation
// whose staff_group or department (audience) matches value without regard
// to case, or, for the audience list, whose assignment number is in list.
// Opted-out staff are planned as skipped (opted_out), and staff whose
// record was anonymised as skipped (left); nobody is planned twice. It
// returns what it planned; the caller refuses an empty plan.
func PlanCampaign(ctx context.Context, tx pgx.Tx, id, orgID int64, audience, value string, list []string) (CampaignPlan, error) {
	var plan CampaignPlan
	var match string
	args := []any{id, orgID}
	switch audience {
	case "staff_group", "department":
		match = `lower(s.` + audience + `) = lower($3)`
		args = append(args, value)
	case "list":
		match = `s.assignment_number = ANY($3)`
		args = append(args, list)
		seen := make(map[string]int, len(list))
		for _, n := range list {
			if seen[n]++; seen[n] == 2 {
				plan.Duplicates = append(plan.Duplicates, n)
			}
		}
	default:
		return plan, fmt.Errorf("plan campaign %d: unknown audience %q", id, audience)
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO campaign_members (campaign_id, staff_id, staff_group, state, skip_reason)
		SELECT $1, s.id, s.staff_group,
			CASE WHEN s.consent = 'opted_out' OR `+staffLeft+` THEN 'skipped' ELSE 'planned' END,
			CASE WHEN `+staffLeft+` THEN 'left' WHEN s.consent = 'opted_out' THEN 'opted_out' END
		FROM staff s WHERE s.organisation_id = $2 AND `+match+`
		ORDER BY s.id
		ON CONFLICT (campaign_id, staff_id) DO NOTHING`, args...); err != nil {
		return plan, fmt.Errorf("plan campaign %d: %w", id, err)
	}
	if audience == "list" {
		rows, err := tx.Query(ctx, `
			SELECT n FROM unnest($2::text[]) WITH ORDINALITY AS l (n, i)
			WHERE NOT EXISTS (SELECT 1 FROM staff s WHERE s.organisation_id = $1 AND s.assignment_number = l.n)
			GROUP BY n ORDER BY min(i)`, orgID, list)
		if err != nil {
			return plan, fmt.Errorf("plan campaign %d: unknown numbers: %w", id, err)
		}
		if plan.Unknown, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return plan, fmt.Errorf("plan campaign %d: unknown numbers: %w", id, err)
		}
	}
	counts, err := CampaignPlanCounts(ctx, tx, id)
	if err != nil {
		return plan, err
	}
	plan.Planned, plan.Skipped, plan.Reach = counts.Planned, counts.Skipped, counts.Reach
	return plan, nil
}

// staffLeft is true of a member of staff s whose record retention has
// anonymised: nobody to contact.
const staffLeft = `(s.first_name = '' AND s.last_name = '' AND s.mobile IS NULL AND s.email IS NULL)`

// CampaignPlanCounts returns campaign id's members still planned, by
// language and channel, and those skipped, by reason (Unknown and
// Duplicates are left empty: they are known only when planning).
func CampaignPlanCounts(ctx context.Context, q Querier, id int64) (CampaignPlan, error) {
	plan := CampaignPlan{Skipped: map[string]int{}}
	rows, err := q.Query(ctx, `
		SELECT m.state, coalesce(m.skip_reason, ''), s.language, `+planChannel+`, count(*)
		FROM campaign_members m JOIN staff s ON s.id = m.staff_id
		WHERE m.campaign_id = $1 AND m.state IN ('planned', 'skipped')
		GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`, id)
	if err != nil {
		return plan, fmt.Errorf("count campaign %d's plan: %w", id, err)
	}
	var state, reason, lang string
	var channel ohcontact.Channel
	var n int
	_, err = pgx.ForEachRow(rows, []any{&state, &reason, &lang, &channel, &n}, func() error {
		if state == MemberSkipped {
			plan.Skipped[reason] += n
			return nil
		}
		plan.Planned += n
		plan.Reach = append(plan.Reach, CampaignReach{Language: lang, Channel: channel, Count: n})
		return nil
	})
	if err != nil {
		return plan, fmt.Errorf("count campaign %d's plan: %w", id, err)
	}
	return plan, nil
}

// CampaignProgress is how far a campaign has gone: its members by state,
// how many were sent an invitation that was delivered (a text delivered
// to the phone, a web chat message to a browser, or the person wrote), and
// the outcomes recorded.
type CampaignProgress struct {
	ByState   map[string]int // planned, sent, reminded, replied, skipped, cancelled
	Skipped   map[string]int // by skip reason
	Delivered int
	Outcomes  map[string]int // booked, had_elsewhere, declined, question
}

// Sent is how many were invited: sent, reminded or replied.
func (p CampaignProgress) Sent() int {
	return p.ByState[MemberSent] + p.ByState[MemberReminded] + p.ByState[MemberReplied]
}

// CampaignProgressOf reads campaign id's progress in one statement, from
// its members' rows alone (delivered_at, which migration 0024's trigger
// keeps with the messages): cheap enough to poll (BenchmarkProgress).
func CampaignProgressOf(ctx context.Context, q Querier, id int64) (CampaignProgress, error) {
	p := CampaignProgress{ByState: map[string]int{}, Skipped: map[string]int{}, Outcomes: map[string]int{}}
	rows, err := q.Query(ctx, `
		SELECT m.state, coalesce(m.skip_reason, ''), coalesce(m.outcome, ''),
			count(*) FILTER (WHERE m.state = 'replied' OR (m.state IN ('sent', 'reminded') AND m.delivered_at IS NOT NULL)),
			count(*)
		FROM campaign_members m WHERE m.campaign_id = $1
		GROUP BY 1, 2, 3`, id)
	if err != nil {
		return p, fmt.Errorf("campaign %d's progress: %w", id, err)
	}
	var state, reason, outcome string
	var delivered, n int
	_, err = pgx.ForEachRow(rows, []any{&state, &reason, &outcome, &delivered, &n}, func() error {
		p.ByState[state] += n
		p.Delivered += delivered
		if reason != "" {
			p.Skipped[reason] += n
		}
		if outcome != "" {
			p.Outcomes[outcome] += n
		}
		return nil
	})
	if err != nil {
		return p, fmt.Errorf("campaign %d's progress: %w", id, err)
	}
	return p, nil
}

// CancelPlannedMembers cancels every member of campaign id not yet sent
// (planned, held or not) at now, and returns how many.
func CancelPlannedMembers(ctx context.Context, tx pgx.Tx, id int64, now time.Time) (int64, error) {
	tag, err := tx.Exec(ctx, `UPDATE campaign_members SET state = 'cancelled', not_before = NULL, updated_at = $2
		WHERE campaign_id = $1 AND state = 'planned'`, id, now)
	if err != nil {
		return 0, fmt.Errorf("cancel campaign %d's members: %w", id, err)
	}
	return tag.RowsAffected(), nil
}

// CampaignMember is a member of a campaign, with who they are and how to
// reach them.
type CampaignMember struct {
	ID, CampaignID   int64
	State            string
	SentAt           time.Time // zero until sent
	Staff            ohcontact.Staff
	PreferredChannel string // sms, webchat or empty
	Quiet            *ohcontact.QuietHours
	// Left is set when their record was anonymised (retention).
	Left bool
}

// campaignMemberColumns are what scanCampaignMember reads, from
// campaign_members m, staff s and organisations o.
const campaignMemberColumns = `m.id, m.campaign_id, m.state, m.sent_at, ` + staffColumns + `,
	coalesce(s.preferred_channel, ''), s.quiet_from, s.quiet_until, ` + staffLeft

func scanCampaignMember(row pgx.Row, what string) (CampaignMember, error) {
	var m CampaignMember
	var sent pgtype.Timestamptz
	var quietFrom, quietUntil pgtype.Time
	s := &m.Staff
	err := row.Scan(&m.ID, &m.CampaignID, &m.State, &sent, &s.ID, &s.OrganisationID, &s.OrganisationCode, &s.AssignmentNumber,
		&s.FirstName, &s.Mobile, &s.Language, &s.OptedOut, &m.PreferredChannel, &quietFrom, &quietUntil, &m.Left)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, ohcontact.ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("load %s: %w", what, err)
	}
	m.SentAt = sent.Time
	m.Quiet = quietHours(quietFrom, quietUntil)
	return m, nil
}

// LockNextPlannedMember locks and returns the next member of campaign id
// to invite at now: the planned one with the lowest id that is not held
// (not_before passed) and not locked by another sender. It returns
// ohcontact.ErrNotFound when there is none.
func LockNextPlannedMember(ctx context.Context, tx pgx.Tx, id int64, now time.Time) (CampaignMember, error) {
	return scanCampaignMember(tx.QueryRow(ctx, `
		SELECT `+campaignMemberColumns+`
		FROM campaign_members m JOIN staff s ON s.id = m.staff_id JOIN organisations o ON o.id = s.organisation_id
		WHERE m.campaign_id = $1 AND m.state = 'planned' AND (m.not_before IS NULL OR m.not_before <= $2)
		ORDER BY m.id LIMIT 1
		FOR UPDATE OF m SKIP LOCKED`, id, now), "next campaign member")
}

// NextHeldMember reports when the earliest held member of campaign id may
// be invited, and whether any member is still planned at all.
func NextHeldMember(ctx context.Context, q Querier, id int64) (at time.Time, planned bool, err error) {
	var next pgtype.Timestamptz
	err = q.QueryRow(ctx, `SELECT min(not_before), count(*) > 0 FROM campaign_members WHERE campaign_id = $1 AND state = 'planned'`,
		id).Scan(&next, &planned)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("campaign %d's held members: %w", id, err)
	}
	return next.Time, planned, nil
}

// LockCampaignMember locks and returns campaign member id, or ohcontact.ErrNotFound.
// Lock the conversation it opened first (LockMemberConversation), as the
// runner does.
func LockCampaignMember(ctx context.Context, tx pgx.Tx, id int64) (CampaignMember, error) {
	return scanCampaignMember(tx.QueryRow(ctx, `
		SELECT `+campaignMemberColumns+`
		FROM campaign_members m JOIN staff s ON s.id = m.staff_id JOIN organisations o ON o.id = s.organisation_id
		WHERE m.id = $1
		FOR UPDATE OF m`, id), fmt.Sprintf("campaign member %d", id))
}

// HoldMember makes planned member id wait until until (they are in a live
// conversation, or in their quiet hours).
func HoldMember(ctx context.Context, tx pgx.Tx, id int64, until, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE campaign_members SET not_before = $2, updated_at = $3 WHERE id = $1`, id, until, now); err != nil {
		return fmt.Errorf("hold campaign member %d: %w", id, err)
	}
	return nil
}

// SkipMember marks member id skipped for reason at now.
func SkipMember(ctx context.Context, tx pgx.Tx, id int64, reason string, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE campaign_members SET state = 'skipped', skip_reason = $2, not_before = NULL, updated_at = $3
		WHERE id = $1`, id, reason, now); err != nil {
		return fmt.Errorf("skip campaign member %d: %w", id, err)
	}
	return nil
}

// MarkMemberSent marks member id invited at now.
func MarkMemberSent(ctx context.Context, tx pgx.Tx, id int64, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE campaign_members SET state = 'sent', sent_at = $2, not_before = NULL, updated_at = $2
		WHERE id = $1`, id, now); err != nil {
		return fmt.Errorf("mark campaign member %d sent: %w", id, err)
	}
	return nil
}

// MarkMemberReminded marks member id reminded at now.
func MarkMemberReminded(ctx context.Context, tx pgx.Tx, id int64, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE campaign_members SET state = 'reminded', updated_at = $2 WHERE id = $1`, id, now); err != nil {
		return fmt.Errorf("mark campaign member %d reminded: %w", id, err)
	}
	return nil
}

// MarkMemberReplied marks member id replied at now, if it was waiting
// for a reply (sent or reminded).
func MarkMemberReplied(ctx context.Context, tx pgx.Tx, id int64, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE campaign_members SET state = 'replied', replied_at = coalesce(replied_at, $2), updated_at = $2
		WHERE id = $1 AND state IN ('sent', 'reminded')`, id, now); err != nil {
		return fmt.Errorf("mark campaign member %d replied: %w", id, err)
	}
	return nil
}
