package console

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/postgres"
)

// createUser handles POST /console/admin/users: form fields email, name,
// role, job_title (optional: the role's default, escalation.DefaultTitle),
// organisation_id (empty for every organisation) and password.
func (c *Console) createUser(w http.ResponseWriter, r *http.Request, s *session) {
	f := r.PostForm
	form := userForm{Email: strings.TrimSpace(f.Get("email")), Name: strings.TrimSpace(f.Get("name")), Role: f.Get("role"),
		JobTitle: strings.TrimSpace(f.Get("job_title"))}
	var errs []fieldError
	bad := func(field, msg string) { errs = append(errs, fieldError{field, msg}) }

	if !ValidEmail(form.Email) {
		bad("email", "Enter an email address, like name@nhs.net")
	}
	if !ValidName(form.Name) {
		bad("name", "Enter a name of 100 characters or fewer")
	}
	if !ValidRole(form.Role) {
		bad("role", "Choose a role")
	}
	if !ValidJobTitle(form.JobTitle) {
		bad("job-title", fmt.Sprintf("Enter a job title of %d characters or fewer", escalation.MaxJobTitle))
	}
	orgs, err := c.organisationsFor(r, s)
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	if v := f.Get("organisation_id"); v != "" {
		form.OrganisationID, _ = strconv.ParseInt(v, 10, 64)
	}
	known := slices.ContainsFunc(orgs, func(o ohcontact.Organisation) bool { return o.ID == form.OrganisationID })
	if !known && !(form.OrganisationID == 0 && s.scope() == 0) {
		bad("organisation", "Choose an organisation")
	}
	status := http.StatusUnprocessableEntity
	var hash string
	if msg := passwordProblem(f.Get("password")); msg != "" {
		bad("password", msg)
	} else if len(errs) == 0 {
		if hash, err = c.hashPassword(r.Context(), f.Get("password")); err != nil {
			// Only errHashBusy: the password passed CheckPassword.
			status = http.StatusServiceUnavailable
			w.Header().Set("Retry-After", strconv.Itoa(defaultHashRetryAfterSec))
			bad("password", "The service is busy right now, so the account was not created. Try again in a minute.")
		}
	}
	if len(errs) == 0 {
		err = c.db.InTx(r.Context(), func(tx pgx.Tx) error {
			_, err := postgres.CreateUser(r.Context(), tx, postgres.NewUser{OrganisationID: form.OrganisationID,
				Email: form.Email, Name: form.Name, Role: form.Role, PasswordHash: hash, JobTitle: form.JobTitle}, s.user.ID)
			return err
		})
		switch {
		case errors.Is(err, ohcontact.ErrConflict):
			bad("email", "There is already an account with this email address")
		case err != nil:
			c.serverError(w, r, s, err)
			return
		}
	}
	if len(errs) > 0 {
		c.renderUsers(w, r, s, status, form, errs)
		return
	}
	c.redirect(w, r, "/console/admin/users?done=created")
}

// passwordProblem returns the sentence saying why password may not be set
// (CheckPassword), or "" when it may.
func passwordProblem(password string) string {
	switch err := CheckPassword(password); {
	case err == nil:
		return ""
	case errors.Is(err, ErrPasswordBlank):
		return "Enter a password that is not only spaces"
	case errors.Is(err, ErrPasswordCommon):
		return "Choose a less common password: this one, or the word it is made from, is among those tried first when guessing. A few unrelated words make a good one."
	default:
		return fmt.Sprintf("Enter a password of %d to %d characters", MinPasswordLength, MaxPasswordLength)
	}
}
