package console

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/postgres"
)

// msgSignInFailed answers an unknown address, a wrong password and a locked
// account alike, so the form does not tell anyone which accounts exist.
const msgSignInFailed = "The email address or password is not right. After 5 wrong attempts in a row an account is locked for 15 minutes."

// checkLogin handles POST /console/login: form fields email and password.
func (c *Console) checkLogin(w http.ResponseWriter, r *http.Request) {
	token, ok := c.cookieToken(r, loginCookie)
	if !ok || c.formFromThisSite(w, r, csrfToken(token, "sign-in"), 0) != nil {
		c.forbidden(w, r, nil, msgCSRF)
		return
	}
	email, password := strings.TrimSpace(r.PostForm.Get("email")), r.PostForm.Get("password")
	var errs []fieldError
	if email == "" {
		errs = append(errs, fieldError{"email", "Enter your email address"})
	}
	if password == "" {
		errs = append(errs, fieldError{"password", "Enter your password"})
	}
	if len(errs) > 0 {
		c.renderLogin(w, r, http.StatusBadRequest, email, errs)
		return
	}

	ctx, now := r.Context(), c.now()
	if wait, ok := c.admitSignIn(r, email, now); !ok {
		c.signInRefused(w, r, http.StatusTooManyRequests, wait, email)
		return
	}
	user, err := postgres.UserByEmail(ctx, c.db.Pool, email)
	if err != nil && !errors.Is(err, ohcontact.ErrNotFound) {
		c.serverError(w, r, nil, err)
		return
	}
	known := err == nil
	hash := c.dummyHash
	if known {
		hash = user.PasswordHash
	}
	// Exactly one verification whatever the account, so the time taken
	// says nothing about it.
	var matches bool
	if err := c.hashes.do(ctx, func() { matches = passwordMatches(hash, password) }); err != nil {
		c.signInRefused(w, r, http.StatusServiceUnavailable, defaultHashRetryAfterSec*time.Second, email)
		return
	}
	matches = matches && known
	switch {
	case !known || user.LockedUntil.After(now):
		// A locked account is not told whether the password was right.
	case !matches:
		if err := c.countFailure(ctx, user, now); err != nil {
			c.serverError(w, r, nil, err)
			return
		}
	case user.Disabled:
		c.renderLogin(w, r, http.StatusForbidden, email,
			[]fieldError{{"email", "This account has been disabled. Ask your OH administrator if you need it again."}})
		return
	default:
		c.startSession(w, r, user, now)
		return
	}
	c.renderLogin(w, r, http.StatusUnauthorized, email, []fieldError{{"email", msgSignInFailed}})
}

// msgTooManySignIns answers a sign-in attempt that was throttled or found
// the hashing gate full.
const msgTooManySignIns = "Too many sign-in attempts right now; try again in a minute."

// admitSignIn counts a sign-in attempt for email from r's client at now,
// and reports whether both its client's and its account's throttles
// allow it; when not, wait is how long until they would. Nothing has been
// hashed or looked up yet, and a refused attempt counts towards no
// lockout.
func (c *Console) admitSignIn(r *http.Request, email string, now time.Time) (wait time.Duration, ok bool) {
	if wait, ok := c.clients.allow(channels.ClientAddress(r, c.proxyHeader), now); !ok {
		c.log.Debug("console: sign-in throttled", "by", "client")
		return wait, false
	}
	if wait, ok := c.accounts.allow(strings.ToLower(email), now); !ok {
		c.log.Debug("console: sign-in throttled", "by", "account")
		return wait, false
	}
	return 0, true
}

// signInRefused answers a sign-in attempt refused before any password was
// checked with status (429 or 503), a Retry-After of wait, and the form
// again.
func (c *Console) signInRefused(w http.ResponseWriter, r *http.Request, status int, wait time.Duration, email string) {
	w.Header().Set("Retry-After", strconv.Itoa(retryAfter(wait)))
	c.renderLogin(w, r, status, email, []fieldError{{"", msgTooManySignIns}})
}

// hashPassword checks password against the rules (CheckPassword) and
// returns its hash, hashed through the gate that bounds sign-in's
// hashing. It returns CheckPassword's error, or errHashBusy when the gate
// is full.
func (c *Console) hashPassword(ctx context.Context, password string) (string, error) {
	if err := CheckPassword(password); err != nil {
		return "", err
	}
	var hash string
	var err error
	if gerr := c.hashes.do(ctx, func() { hash, err = HashPassword(password) }); gerr != nil {
		return "", gerr
	}
	return hash, err
}

// countFailure records a wrong password for user, locking the account
// (and auditing that, in the same transaction) when it is the last one
// allowed.
func (c *Console) countFailure(ctx context.Context, user ohcontact.User, now time.Time) error {
	locked := false
	err := c.db.InTx(ctx, func(tx pgx.Tx) error {
		lockedUntil, err := postgres.RecordLoginFailure(ctx, tx, user.ID, now, maxFailedLogins, lockoutPeriod)
		if err != nil || lockedUntil.IsZero() {
			return err
		}
		locked = true
		return postgres.Audit(ctx, tx, postgres.AuditEvent{Action: "user.locked", RecordType: "user",
			RecordID: user.ID, OrganisationID: user.OrganisationID})
	})
	if err == nil && locked {
		c.log.Warn("console: account locked after failed sign-ins", "user_id", user.ID)
	}
	return err
}

// startSession signs user in: a new session, its cookie, and their home
// page (home).
func (c *Console) startSession(w http.ResponseWriter, r *http.Request, user ohcontact.User, now time.Time) {
	token := newToken()
	err := c.db.InTx(r.Context(), func(tx pgx.Tx) error {
		return postgres.StartSession(r.Context(), tx, user.ID, hashToken(token), now, now.Add(sessionLifetime))
	})
	if err != nil {
		c.serverError(w, r, nil, err)
		return
	}
	c.setCookie(w, sessionCookie, token, sessionLifetime)
	c.setCookie(w, loginCookie, "", -1)
	c.log.Info("console: signed in", "user_id", user.ID)
	c.redirect(w, r, home(user))
}
