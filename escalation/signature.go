package escalation

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/postgres"
)

// MaxJobTitle is the longest job title a user's signed replies carry, in
// characters (users.job_title).
const MaxJobTitle = 60

// DefaultTitle is the job title of a user with role who has none of their
// own: "OH clinician" for a clinician, "OH team" for anyone else.
func DefaultTitle(role string) string {
	if role == "clinician" {
		return "OH clinician"
	}
	return "OH team"
}

// Signature styles: what a signed reply says about who wrote it.
const (
	SignNameAndTitle      = "name_and_title"       // "Sam Jones, OH nurse" (the default)
	SignFirstNameAndTitle = "first_name_and_title" // "Sam, OH nurse"
	SignTitle             = "title"                // "OH nurse": no name
)

// ReplySigning is how an organisation's clinicians' replies are signed.
type ReplySigning struct {
	// Unsigned turns signing off: replies go as written.
	Unsigned bool
	// Style is one of the Sign* styles; empty for SignNameAndTitle.
	Style string
}

// RepliesConfig is an organisation's [organisations.replies] table in the
// service's configuration file (OHCONTACT_CONFIG):
//
//	[[organisations]]
//	code = "RTD"
//	  [organisations.replies]
//	  signed = true                 # the default
//	  signature = "name_and_title"  # or "first_name_and_title", "title"
//
// An organisation that says nothing signs with SignNameAndTitle.
type RepliesConfig struct {
	Signed    *bool  `toml:"signed"`
	Signature string `toml:"signature"`
}

// Signing returns how the organisation signs its clinicians' replies, or an
// error when the style is not one of the Sign* styles.
func (c RepliesConfig) Signing() (ReplySigning, error) {
	r := ReplySigning{Style: c.Signature}
	switch r.Style {
	case "", SignNameAndTitle, SignFirstNameAndTitle, SignTitle:
	default:
		return ReplySigning{}, fmt.Errorf("replies.signature must be %q, %q or %q", SignNameAndTitle, SignFirstNameAndTitle, SignTitle)
	}
	r.Unsigned = c.Signed != nil && !*c.Signed
	return r, nil
}

// signer says who wrote a reply in style: user u's name and job title
// (DefaultTitle when u has none).
func signer(style string, u ohcontact.User) string {
	title := u.JobTitle
	if title == "" {
		title = DefaultTitle(u.Role)
	}
	switch style {
	case SignTitle:
		return title
	case SignFirstNameAndTitle:
		first, _, _ := strings.Cut(strings.TrimSpace(u.Name), " ")
		return first + ", " + title
	}
	return u.Name + ", " + title
}

// ReplyTooLongError refuses a reply that, with its signature, is longer
// than channels.MaxTextRunes characters.
type ReplyTooLongError struct {
	// Max is the most characters the reply may have before its signature.
	Max int
	// Length is how many it has.
	Length int
}

func (e ReplyTooLongError) Error() string {
	return fmt.Sprintf("the reply is %d characters; with its signature it may have at most %d", e.Length, e.Max)
}

// Signature returns what user userID's replies in organisation orgID's
// conversations in language lang end with: "" when the organisation does
// not sign replies (or Cases has no Engine), and otherwise a blank
// line and the signature in lang ("From Sam Jones, OH nurse"). It is
// counted in the reply's length.
func (cs *Cases) Signature(ctx context.Context, q postgres.Querier, userID, orgID int64, lang string) (string, error) {
	s := cs.Signing[orgID]
	if s.Unsigned || cs.Engine == nil {
		return "", nil
	}
	u, err := postgres.UserByID(ctx, q, userID)
	if err != nil {
		return "", fmt.Errorf("sign reply: %w", err)
	}
	return "\n\n" + cs.Engine.ReplySignature(lang, signer(s.Style, u)), nil
}

// MaxReply returns the most characters a reply signed with signature may
// have.
func MaxReply(signature string) int {
	return channels.MaxTextRunes - utf8.RuneCountInString(signature)
}
