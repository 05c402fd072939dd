package dialogs

import (
	"fmt"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/locales"
)

// ReferralNotice is what the person is told when the physio team books or
// declines their referral.
type ReferralNotice struct {
	Lang, Org string
	Channel   ohcontact.Channel
	Status    string    // booked or declined
	At        time.Time // booked: the appointment, in the organisation's time zone
	Phone     bool      // booked: a phone call rather than in person
	Place     string    // booked in person: where
	// DeclineReason is declined's reason, which says what to do instead:
	// see_gp, self_refer, under_care or oh_call.
	DeclineReason string
}

// ReferralNotice returns the text of notice n in n.Lang, named for
// organisation n.Org's OH service and as sent on n.Channel. Dates are
// day/month/year and times 24-hour, read alike in every language.
func (e *Engine) ReferralNotice(n ReferralNotice) (string, error) {
	s := e.crisisSession(n.Lang, n.Org)
	oh := s.ohService()
	data := map[string]any{"OH": s.org.OHName, "Phone": oh.Phone, "Hours": oh.Hours,
		"Date": formatDate(n.At), "Time": n.At.Format("15:04"), "Place": n.Place}
	var id string
	switch {
	case n.Status == "booked" && n.Phone:
		id = "referral_booked_phone"
	case n.Status == "booked":
		id = "referral_booked_in_person"
	case n.Status == "declined" && n.DeclineReason != "":
		id = "referral_declined_" + n.DeclineReason
	default:
		return "", fmt.Errorf("referral notice: nothing to say for status %q", n.Status)
	}
	text := s.text(id, data)
	if s.err != nil {
		return "", s.err
	}
	if n.Channel == ohcontact.ChannelSMS {
		text = locales.SMSText(text)
	}
	return text, nil
}

// CaseClosed returns the closing message of a case clinicians resolved, in
// lang, named for organisation org's OH service and as sent on channel: it
// says the conversation has closed, how to reach the service again, and
// where to turn if unsafe, and promises no contact.
func (e *Engine) CaseClosed(lang, org string, channel ohcontact.Channel) (string, error) {
	s := e.crisisSession(lang, org)
	text := s.text("case_closed", map[string]any{"OH": s.org.OHName})
	if s.err != nil {
		return "", s.err
	}
	if channel == ohcontact.ChannelSMS {
		text = locales.SMSText(text)
	}
	return text, nil
}

// ReplySignature returns the line that ends a clinician's reply in lang,
// naming signer ("From Sam Jones, OH nurse"): escalation.Cases.Reply
// appends it when the organisation signs replies.
func (e *Engine) ReplySignature(lang, signer string) string {
	return e.crisisSession(lang, "").text("reply_signature", map[string]any{"Signer": signer})
}
