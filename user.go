package ohcontact

import "time"

// Roles of console users (User.Role).
const (
	RoleClinician = "clinician"
	RoleLead      = "lead"
	RoleAdmin     = "admin"
	// RolePhysio works its organisation's physiotherapy referrals and
	// sees no cases.
	RolePhysio = "physio"
)

// User is a console account: an OH clinician, lead, administrator or
// physiotherapist.
type User struct {
	ID int64
	// OrganisationID is the organisation whose cases the user works; 0
	// means every organisation.
	OrganisationID   int64
	OrganisationName string // empty when OrganisationID is 0
	Email            string
	Name             string
	Role             string // RoleClinician, RoleLead, RoleAdmin or RolePhysio
	PasswordHash     string // argon2id, PHC string format
	// LockedUntil is when a lockout after repeated failed sign-ins ends;
	// zero when the account was never locked.
	LockedUntil time.Time
	Disabled    bool
	// JobTitle is what the user's signed replies call them ("OH nurse");
	// empty for their role's default.
	JobTitle string
}
