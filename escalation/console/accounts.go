package console

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/escalation"
)

// The rules for console accounts, shared by the admin page and the user
// add command.

// ValidRole reports whether role is one of the roles of ohcontact.User:
// RoleClinician, RoleLead, RoleAdmin and RolePhysio.
func ValidRole(role string) bool {
	return role == ohcontact.RoleClinician || role == ohcontact.RoleLead || role == ohcontact.RoleAdmin || role == ohcontact.RolePhysio
}

// emailPattern is the check users.email has.
var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)

// ValidEmail reports whether email can be an account's address.
func ValidEmail(email string) bool { return emailPattern.MatchString(email) && len(email) <= 254 }

// ValidName reports whether name can be an account's display name: 1 to
// 100 characters.
func ValidName(name string) bool {
	n := utf8.RuneCountInString(name)
	return n >= 1 && n <= 100
}

// ValidJobTitle reports whether title may be an account's job title, which
// its signed replies carry: empty (the role's default,
// escalation.DefaultTitle) or at most escalation.MaxJobTitle characters
// on one line.
func ValidJobTitle(title string) bool {
	return utf8.RuneCountInString(title) <= escalation.MaxJobTitle && !strings.ContainsAny(title, "\r\n")
}
