package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/ohcontact/ohcontact"
)

// NewUser is what an account is created with.
type NewUser struct {
	OrganisationID int64 // 0: every organisation
	Email          string
	Name           string
	Role           string
	PasswordHash   string
	JobTitle       string // empty: the role's default
}

const userColumns = `u.id, coalesce(u.organisation_id, 0), coalesce(o.name, ''), u.email, u.display_name, u.role,
	u.password_hash, u.locked_until, u.disabled_at IS NOT NULL, coalesce(u.job_title, '')`

const userFrom = ` FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id `

func scanUser(row pgx.Row) (ohcontact.User, error) {
	var u ohcontact.User
	var locked *time.Time
	err := row.Scan(&u.ID, &u.OrganisationID, &u.OrganisationName, &u.Email, &u.Name, &u.Role,
		&u.PasswordHash, &locked, &u.Disabled, &u.JobTitle)
	u.LockedUntil = deref(locked)
	return u, err
}

// CreateUser creates an account and records it in the audit log as done by
// the user actorID (0: the system, such as the user add command). It
// returns the new user's id, or ohcontact.ErrConflict when another account
// has the same email address (compared without regard to case).
func CreateUser(ctx context.Context, tx pgx.Tx, nu NewUser, actorID int64) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO users (organisation_id, email, display_name, role, password_hash, job_title)
		VALUES (nullif($1::bigint, 0), $2, $3, $4, $5, nullif($6, '')) RETURNING id`,
		nu.OrganisationID, nu.Email, nu.Name, nu.Role, nu.PasswordHash, nu.JobTitle).Scan(&id)
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && pgErr.Code == "23505" && pgErr.ConstraintName == "users_email_key" {
		return 0, fmt.Errorf("create user: email address taken: %w", ohcontact.ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("create user: %w", err)
	}
	err = Audit(ctx, tx, AuditEvent{ActorUserID: actorID, Action: "user.created", RecordType: "user", RecordID: id,
		OrganisationID: nu.OrganisationID, Details: map[string]any{"role": nu.Role}})
	return id, err
}

// UserByID returns account id, or ohcontact.ErrNotFound.
func UserByID(ctx context.Context, q Querier, id int64) (ohcontact.User, error) {
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userColumns+userFrom+`WHERE u.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, fmt.Errorf("user %d: %w", id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("load user %d: %w", id, err)
	}
	return u, nil
}

// UserByEmail returns the account with email (compared without regard to
// case), or ohcontact.ErrNotFound.
func UserByEmail(ctx context.Context, q Querier, email string) (ohcontact.User, error) {
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userColumns+userFrom+`WHERE lower(u.email) = lower($1)`, email))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, fmt.Errorf("user by email: %w", ohcontact.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("find user by email: %w", err)
	}
	return u, nil
}

// RecordLoginFailure counts a failed sign-in to account id. The failure
// that makes max in a row locks the account until now + lockFor and starts
// the count again. It returns when the account is locked until (zero when
// it is not locked).
func RecordLoginFailure(ctx context.Context, q Querier, id int64, now time.Time, max int, lockFor time.Duration) (time.Time, error) {
	var locked *time.Time
	err := q.QueryRow(ctx, `
		UPDATE users SET
			failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
			locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3::timestamptz ELSE locked_until END,
			updated_at = now()
		WHERE id = $1
		RETURNING CASE WHEN locked_until > $4 THEN locked_until END`, id, max, now.Add(lockFor), now).Scan(&locked)
	if err != nil {
		return time.Time{}, fmt.Errorf("record failed sign-in for user %d: %w", id, err)
	}
	return deref(locked), nil
}

// StartSession records a successful sign-in to account userID: it clears
// the failed sign-in count, stores a session under tokenHash (the SHA-256
// of the cookie's token) that ends at expires, drops the account's expired
// sessions, and writes an audit event.
func StartSession(ctx context.Context, tx pgx.Tx, userID int64, tokenHash []byte, now, expires time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL, updated_at = now() WHERE id = $1`, userID); err != nil {
		return fmt.Errorf("clear failed sign-ins for user %d: %w", userID, err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM user_sessions WHERE user_id = $1 AND expires_at <= $2`, userID, now); err != nil {
		return fmt.Errorf("drop expired sessions of user %d: %w", userID, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO user_sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		tokenHash, userID, now, expires); err != nil {
		return fmt.Errorf("start session for user %d: %w", userID, err)
	}
	return Audit(ctx, tx, AuditEvent{ActorUserID: userID, Action: "user.signed_in", RecordType: "user", RecordID: userID})
}

// UserBySession returns the account signed in with the session stored
// under tokenHash, or ohcontact.ErrNotFound when there is no such session, it ended
// before now, or the account is disabled.
func UserBySession(ctx context.Context, q Querier, tokenHash []byte, now time.Time) (ohcontact.User, error) {
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userColumns+userFrom+`
		JOIN user_sessions s ON s.user_id = u.id
		WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL`, tokenHash, now))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, fmt.Errorf("session: %w", ohcontact.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("find session: %w", err)
	}
	return u, nil
}

// EndSession deletes the session stored under tokenHash, if there is one,
// and writes an audit event for its user.
func EndSession(ctx context.Context, tx pgx.Tx, tokenHash []byte) error {
	var userID int64
	err := tx.QueryRow(ctx, `DELETE FROM user_sessions WHERE token_hash = $1 RETURNING user_id`, tokenHash).Scan(&userID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return Audit(ctx, tx, AuditEvent{ActorUserID: userID, Action: "user.signed_out", RecordType: "user", RecordID: userID})
}

// Users lists the accounts of organisation orgScope (every account when
// orgScope is 0), by name.
func Users(ctx context.Context, q Querier, orgScope int64) ([]ohcontact.User, error) {
	rows, err := q.Query(ctx, `SELECT `+userColumns+userFrom+`
		WHERE $1::bigint = 0 OR u.organisation_id = $1 ORDER BY lower(u.display_name), u.id`, orgScope)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	users, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ohcontact.User, error) { return scanUser(row) })
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// SetUserDisabled disables account id (ending its sessions at once) or
// enables it again (clearing any lockout), and writes an audit event for
// the user actorID. It returns ohcontact.ErrNotFound when there is no such account in
// organisation orgScope (0: any).
func SetUserDisabled(ctx context.Context, tx pgx.Tx, orgScope, id int64, disabled bool, actorID int64) error {
	var orgID int64
	err := tx.QueryRow(ctx, `
		UPDATE users SET
			disabled_at = CASE WHEN $3 THEN coalesce(disabled_at, now()) END,
			failed_logins = CASE WHEN $3 THEN failed_logins ELSE 0 END,
			locked_until = CASE WHEN $3 THEN locked_until END,
			updated_at = now()
		WHERE id = $1 AND ($2::bigint = 0 OR organisation_id = $2)
		RETURNING coalesce(organisation_id, 0)`, id, orgScope, disabled).Scan(&orgID)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("user %d: %w", id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("set user %d disabled=%v: %w", id, disabled, err)
	}
	action := "user.enabled"
	if disabled {
		action = "user.disabled"
		if _, err := tx.Exec(ctx, `DELETE FROM user_sessions WHERE user_id = $1`, id); err != nil {
			return fmt.Errorf("end sessions of user %d: %w", id, err)
		}
	}
	return Audit(ctx, tx, AuditEvent{ActorUserID: actorID, Action: action, RecordType: "user", RecordID: id, OrganisationID: orgID})
}

// SetUserJobTitle sets the job title account id's signed replies carry
// (empty: its role's default), writing a user.job_title_changed audit
// event for the user actorID. It returns ohcontact.ErrNotFound when there is no such
// account in organisation orgScope (0: any).
func SetUserJobTitle(ctx context.Context, tx pgx.Tx, orgScope, id int64, title string, actorID int64) error {
	var orgID int64
	err := tx.QueryRow(ctx, `UPDATE users SET job_title = nullif($3, ''), updated_at = now()
		WHERE id = $1 AND ($2::bigint = 0 OR organisation_id = $2)
		RETURNING coalesce(organisation_id, 0)`, id, orgScope, title).Scan(&orgID)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("user %d: %w", id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("set the job title of user %d: %w", id, err)
	}
	return Audit(ctx, tx, AuditEvent{ActorUserID: actorID, Action: "user.job_title_changed", RecordType: "user", RecordID: id,
		OrganisationID: orgID, Details: map[string]any{"job_title": title}})
}

// UnlockUser ends account id's lockout after failed sign-ins, if it has
// one, and starts its count of failures again, writing a user.unlocked
// audit event for the user actorID. It returns ohcontact.ErrNotFound when there is
// no such account in organisation orgScope (0: any).
func UnlockUser(ctx context.Context, tx pgx.Tx, orgScope, id, actorID int64) error {
	var orgID int64
	err := tx.QueryRow(ctx, `
		UPDATE users SET failed_logins = 0, locked_until = NULL, updated_at = now()
		WHERE id = $1 AND ($2::bigint = 0 OR organisation_id = $2)
		RETURNING coalesce(organisation_id, 0)`, id, orgScope).Scan(&orgID)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("user %d: %w", id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("unlock user %d: %w", id, err)
	}
	return Audit(ctx, tx, AuditEvent{ActorUserID: actorID, Action: "user.unlocked", RecordType: "user", RecordID: id, OrganisationID: orgID})
}

// Assignee is a user a case can be reassigned to.
type Assignee struct {
	ID   int64
	Name string
}

// Assignees lists the enabled clinicians and administrators who can work
// the cases of organisation orgID (theirs or every organisation's), by
// name.
func Assignees(ctx context.Context, q Querier, orgID int64) ([]Assignee, error) {
	rows, err := q.Query(ctx, `
		SELECT id, display_name FROM users
		WHERE role IN ('clinician', 'admin') AND disabled_at IS NULL AND (organisation_id IS NULL OR organisation_id = $1)
		ORDER BY lower(display_name), id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list assignees: %w", err)
	}
	as, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Assignee])
	if err != nil {
		return nil, fmt.Errorf("list assignees: %w", err)
	}
	return as, nil
}

// SetOnDuty starts (onDuty true) or ends the duty of user userID, who then
// is, or is no longer, among those told when a case passes its SLA
// unclaimed, and writes the audit event user.duty_started or
// user.duty_ended. Asking for the status the user already has changes
// nothing and writes no event.
func SetOnDuty(ctx context.Context, tx pgx.Tx, userID int64, onDuty bool) error {
	var orgID int64
	err := tx.QueryRow(ctx, `
		UPDATE users SET on_duty = $2, updated_at = now() WHERE id = $1 AND on_duty <> $2
		RETURNING coalesce(organisation_id, 0)`, userID, onDuty).Scan(&orgID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("set user %d on duty=%v: %w", userID, onDuty, err)
	}
	action := "user.duty_ended"
	if onDuty {
		action = "user.duty_started"
	}
	return Audit(ctx, tx, AuditEvent{ActorUserID: userID, Action: action, RecordType: "user", RecordID: userID, OrganisationID: orgID})
}

// OnDuty reports whether user userID is on duty.
func OnDuty(ctx context.Context, q Querier, userID int64) (bool, error) {
	var on bool
	if err := q.QueryRow(ctx, `SELECT on_duty FROM users WHERE id = $1`, userID).Scan(&on); err != nil {
		return false, fmt.Errorf("load duty of user %d: %w", userID, err)
	}
	return on, nil
}
