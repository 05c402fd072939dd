package console

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/phone"
	"github.com/ohcontact/ohcontact/postgres"
)

// revealContact handles POST /console/cases/{id}/contact: it answers with
// the case page itself (200, not a redirect) showing the person's contact
// details, read and audited as contact.reveal in the transaction that
// renders the page (renderCase). Reloading the page posts again, and is
// audited again.
func (c *Console) revealContact(w http.ResponseWriter, r *http.Request, s *session) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, s)
		return
	}
	c.renderCase(w, r, s, id, http.StatusOK, caseForm{ShowContact: true}, nil)
}

// contactView is the case page's contact panel: who the person is always,
// how to reach them only after the button.
type contactView struct {
	Organisation, JobTitle, Department string
	// PersonURL is the person page, for a case with a staff record.
	PersonURL string
	// OptedOut warns that the person opted out of messages.
	OptedOut bool
	// None says plainly that there is nothing to reveal; empty otherwise.
	None string
	// CanReveal offers the button, labelled Reveal; Withheld says why a
	// user who may not reveal cannot.
	CanReveal bool
	Reveal    string
	Withheld  string

	// Shown is set once revealed: the details, as they are on record.
	Shown                     bool
	Mobile, Email, TextedFrom string
	// MobileTel and TextedFromTel are tel: links to them.
	MobileTel, TextedFromTel template.URL
}

// viewContact is case k's contact panel for s's user, before anything is
// revealed.
func viewContact(s *session, k ohcontact.Case) contactView {
	v := contactView{Organisation: k.OrganisationName, JobTitle: k.JobTitle, Department: k.Department, OptedOut: k.StaffOptedOut}
	switch {
	case k.StaffID != 0:
		v.PersonURL = fmt.Sprintf("/console/people/%d", k.StaffID)
		v.Reveal = "Show phone number and email"
	case k.Channel == ohcontact.ChannelSMS && k.NumberEnding != "":
		v.Reveal = "Show the number they texted from"
	case k.Channel == ohcontact.ChannelWebChat:
		v.None = "There are no contact details: this person did not sign in to the web chat, so the service does not know who they are. Reply in the chat while it is open."
	default:
		v.None = "There are no contact details: the service does not know who this person is."
	}
	if v.Reveal != "" {
		v.CanReveal = worksCases(s.user)
		if !v.CanReveal {
			v.Withheld = "Only clinicians and admins can see contact details."
		}
	}
	return v
}

// show puts the details read by postgres.RevealContact on the panel.
func (v *contactView) show(d postgres.ContactDetails) {
	v.Shown, v.CanReveal = true, false
	v.Mobile, v.Email, v.TextedFrom = d.Mobile, d.Email, d.TextedFrom
	v.MobileTel, v.TextedFromTel = telURL(d.Mobile), telURL(d.TextedFrom)
}

// telURL is a tel: link to number, which must be E.164 (as stored): empty
// otherwise. html/template would refuse the tel: scheme of a plain string.
func telURL(number string) template.URL {
	if !phone.IsE164(number) {
		return ""
	}
	return template.URL("tel:" + number)
}
