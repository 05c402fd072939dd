package console

import (
	"net/http"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/postgres"
)

// usersView is the admin page of console accounts.
type usersView struct {
	layout
	Users []userRow
	// Organisations are those a new account may belong to; AnyOrganisation
	// is set when it may also be for every organisation.
	Organisations   []ohcontact.Organisation
	AnyOrganisation bool
	Roles           []roleOption
	MinPassword     int // characters
	Form            userForm
	// MobileConflicts are the mobiles held by staff of two organisations
	// that s may see (postgres.MobileConflicts): a banner above the accounts.
	MobileConflicts []mobileConflictRow
}

// mobileConflictRow is one mobile held by staff of two organisations, as
// the Users page lists it: records by assignment number, the number by its
// last three digits. An admin of one organisation sees their own record
// and the other organisation's name, not the other organisation's record.
type mobileConflictRow struct {
	Organisation, AssignmentNumber           string
	OtherOrganisation, OtherAssignmentNumber string // OtherAssignmentNumber empty when not theirs to see
	MobileLast3                              string
	Since                                    when
}

// userRow is one account in the list.
type userRow struct {
	ID           int64
	Name         string
	Email        string
	Role         string
	Organisation string
	Status       string
	Disabled     bool
	Locked       bool
	Self         bool
	// JobTitle is the title its signed replies carry, empty for its role's
	// default; Replies is set for the roles that reply.
	JobTitle string
	Replies  bool
}

type roleOption struct{ Value, Label, Hint string }

var roles = []roleOption{
	{ohcontact.RoleClinician, "Clinician", "works cases: claims, replies, resolves"},
	{ohcontact.RoleLead, "OH lead", "sees the queue and cases, read-only"},
	{ohcontact.RoleAdmin, "Administrator", "works cases and referrals, and manages accounts"},
	{ohcontact.RolePhysio, "Physiotherapist", "works the organisation's physiotherapy referrals; sees no cases"},
}

func roleLabel(role string) string {
	for _, r := range roles {
		if r.Value == role {
			return r.Label
		}
	}
	return role
}

// userForm is what the admin typed into the new account form (never the
// password), kept when it is refused.
type userForm struct {
	Email, Name, Role, JobTitle string
	OrganisationID              int64
}

// showUsers handles GET /console/admin/users.
func (c *Console) showUsers(w http.ResponseWriter, r *http.Request, s *session) {
	c.renderUsers(w, r, s, http.StatusOK, userForm{Role: ohcontact.RoleClinician, OrganisationID: s.scope()}, nil)
}

// renderUsers shows the accounts s may manage (those of their organisation,
// or every account for an admin of every organisation) and the new account
// form, under a banner listing the staff mobiles shared across
// organisations that involve them.
func (c *Console) renderUsers(w http.ResponseWriter, r *http.Request, s *session, status int, form userForm, errs []fieldError) {
	ctx := r.Context()
	users, err := postgres.Users(ctx, c.db.Pool, s.scope())
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	orgs, err := c.organisationsFor(r, s)
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	conflicts, err := postgres.MobileConflicts(ctx, c.db.Pool, s.scope())
	if err != nil {
		c.serverError(w, r, s, err)
		return
	}
	v := usersView{layout: newLayout("Users", s), Organisations: orgs, AnyOrganisation: s.scope() == 0, Roles: roles, MinPassword: MinPasswordLength, Form: form}
	for _, m := range conflicts {
		row := mobileConflictRow{Organisation: m.OrganisationName, AssignmentNumber: m.AssignmentNumber,
			OtherOrganisation: m.OtherOrganisationName, MobileLast3: m.MobileLast3, Since: c.at(m.Since)}
		if s.scope() == 0 {
			row.OtherAssignmentNumber = m.OtherAssignmentNumber
		}
		v.MobileConflicts = append(v.MobileConflicts, row)
	}
	v.Errors, v.Done = errs, userDoneMessages[r.URL.Query().Get("done")]
	for _, u := range users {
		row := userRow{ID: u.ID, Name: u.Name, Email: u.Email, Role: roleLabel(u.Role) + jobTitleLabel(u), Organisation: "Every organisation",
			Status: "Active", Disabled: u.Disabled, Self: u.ID == s.user.ID, JobTitle: u.JobTitle,
			Replies: u.Role == ohcontact.RoleClinician || u.Role == ohcontact.RoleAdmin}
		if u.OrganisationName != "" {
			row.Organisation = u.OrganisationName
		}
		switch {
		case u.Disabled:
			row.Status = "Disabled"
		case u.LockedUntil.After(c.now()):
			row.Status, row.Locked = "Locked until "+c.at(u.LockedUntil).Text, true
		}
		v.Users = append(v.Users, row)
	}
	c.render(w, r, status, "users", v)
}

// organisationsFor returns the organisations s may create accounts in.
func (c *Console) organisationsFor(r *http.Request, s *session) ([]ohcontact.Organisation, error) {
	all, err := postgres.Organisations(r.Context(), c.db.Pool)
	if err != nil || s.scope() == 0 {
		return all, err
	}
	var mine []ohcontact.Organisation
	for _, o := range all {
		if o.ID == s.scope() {
			mine = append(mine, o)
		}
	}
	return mine, nil
}

var userDoneMessages = map[string]string{
	"created":  "The account has been created. Give the person their password by a separate, secure route.",
	"disabled": "The account has been disabled and its sessions ended.",
	"enabled":  "The account has been enabled.",
	"unlocked": "The account has been unlocked: its owner can sign in again now.",
	"title":    "The job title has been saved: the account's replies are signed with it from now on.",
}

// jobTitleLabel says what a clinician's or admin's signed replies call
// them: " (job title: OH nurse)"; "" for the roles that do not reply.
func jobTitleLabel(u ohcontact.User) string {
	if u.Role != ohcontact.RoleClinician && u.Role != ohcontact.RoleAdmin {
		return ""
	}
	t := u.JobTitle
	if t == "" {
		t = escalation.DefaultTitle(u.Role) + ", the default"
	}
	return " (job title: " + t + ")"
}
