package dialogs

import (
	"fmt"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/signposting"
)

// CrisisReply returns the crisis contacts message in lang for org's
// directory, as sent on channel: 999 or A&E, NHS 111 option 2, Samaritans
// and Shout, and that the OH team has been told but is not a 24/7 service.
// The runner sends it at once (never held by quiet hours) on a positive risk
// screen. It never fails: a missing translation falls back to English, and
// an unknown organisation to the national numbers of the demo directory.
//
// To an anonymous web chatter (reachable false) it says instead that the
// OH team cannot contact them, and asks for a name and a phone number or
// email address, in the same message: nobody can contact someone they
// cannot identify, and one message never contradicts another.
func (e *Engine) CrisisReply(lang, org string, channel ohcontact.Channel, reachable bool) string {
	s := e.crisisSession(lang, org)
	s.st.Known, s.st.Channel = reachable, channel
	text := s.crisisReply().Text
	if channel == ohcontact.ChannelSMS {
		text = locales.SMSText(text)
	}
	return text
}

// crisisSession is a session for crisis texts: org's directory (the demo
// one's national numbers when org is unknown) in lang.
func (e *Engine) crisisSession(lang, org string) *session {
	o, ok := e.dir.Organisation(org)
	if !ok {
		o, _ = signposting.Demo().Organisation(signposting.DemoCode)
	}
	return &session{e: e, org: o, loc: e.localizer(locales.Match(lang))}
}

// crisisReply is the crisis contacts message (to an anonymous web chatter,
// the one that asks how the OH team may contact them).
func (s *session) crisisReply() Reply {
	get := func(k string) signposting.Service { v, _ := s.org.Service(k); return v }
	em, n111, sam, shout := get(signposting.KeyEmergency), get(signposting.KeyNHS111), get(signposting.KeySamaritans), get(signposting.KeyShout)
	id := "crisis"
	if anonymous(s.st.Known, s.st.Channel) {
		id = "webchat_crisis_anonymous"
	}
	text := s.text(id, map[string]any{
		"Emergency": em.Phone, "NHS111": n111.Phone, "Option": phoneOption(n111), "Samaritans": sam.Phone,
		"Keyword": shout.SMSKeyword, "Number": shout.SMSNumber,
	})
	return Reply{Text: text, MessageID: id, Crisis: true}
}

// phoneOption is the menu option of NHS 111's mental health line (2 unless
// the directory says otherwise).
func phoneOption(n111 signposting.Service) int {
	if n111.PhoneOption == 0 {
		return 2
	}
	return n111.PhoneOption
}

// anonymous reports whether a conversation is an anonymous web chat: with
// nobody on record (known false) and no number to call back, nobody can
// contact the person unless they say how.
func anonymous(known bool, channel ohcontact.Channel) bool {
	return !known && channel == ohcontact.ChannelWebChat
}

// HoldingLine is what the bot says, while the conversation waits for a
// clinician, to someone who writes: that the OH team is at work and has
// their messages (next equal to now or before it), or when it is back
// (next, shown on org's clock loc) and where to turn until then. It is
// never held by quiet hours.
func (e *Engine) HoldingLine(lang, org string, channel ohcontact.Channel, now, next time.Time, loc *time.Location) Reply {
	s := e.crisisSession(lang, org)
	id := "holding_at_work"
	var data map[string]any
	if next.After(now) {
		id = "holding_away"
		get := func(k string) signposting.Service { v, _ := s.org.Service(k); return v }
		n111 := get(signposting.KeyNHS111)
		local := next.In(loc)
		data = map[string]any{"Day": s.text(fmt.Sprintf("weekday_%d", local.Weekday()), nil), "Date": formatDate(local),
			"Time": local.Format("15:04"), "NHS111": n111.Phone, "Option": phoneOption(n111),
			"Samaritans": get(signposting.KeySamaritans).Phone}
	}
	text := s.text(id, data)
	if channel == ohcontact.ChannelSMS {
		text = locales.SMSText(text)
	}
	return Reply{Text: text, MessageID: id}
}

// ContactDetailsThanks acknowledges a name, phone number or email address
// written by an anonymous web chatter after a disclosure: the OH team has
// them (the case's transcript) and will use them.
func (e *Engine) ContactDetailsThanks(lang string) Reply {
	s := &session{e: e, loc: e.localizer(locales.Match(lang))}
	return Reply{Text: s.text("webchat_contact_thanks", nil), MessageID: "webchat_contact_thanks"}
}

// WidgetNotice is the line the web chat widget always shows: the chat is
// not watched around the clock, and where to turn now instead, with org's
// numbers.
func (e *Engine) WidgetNotice(lang, org string) string {
	s := e.crisisSession(lang, org)
	get := func(k string) signposting.Service { v, _ := s.org.Service(k); return v }
	return s.text("widget_notice", map[string]any{
		"Emergency": get(signposting.KeyEmergency).Phone, "NHS111": get(signposting.KeyNHS111).Phone,
		"Option": phoneOption(get(signposting.KeyNHS111)), "Samaritans": get(signposting.KeySamaritans).Phone,
	})
}
