package dialogs

import (
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/looplab/fsm"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/signposting"
)

// The absence report (day-1 triage) is started by the staff member: SICK or
// ABSENT by text, or the widget. It confirms identity (the first name on
// record), asks the day the absence started, the reason in plain words
// (mapped to an ESR code), the expected return, reads it back for
// confirmation, records the episode (source self_report) with a reference,
// and offers support matched to the reason.
const (
	absIdentify     = "identify"
	absAskStart     = "ask_start"
	absAskReason    = "ask_reason"
	absAskReturn    = "ask_return"
	absConfirm      = "confirm"
	absOfferSupport = "offer_support"
)

// maxStartAge is how far back a self-reported absence may start.
const maxStartAge = 28

func absenceReport() *flowDef {
	f := &flowDef{
		name:    FlowAbsenceReport,
		initial: absIdentify,
		events: fsm.Events{
			{Name: "confirmed", Src: []string{absIdentify}, Dst: absAskStart},
			{Name: "not_matched", Src: []string{absIdentify}, Dst: StateClosed},
			{Name: "answered", Src: []string{absAskStart}, Dst: absAskReason},
			{Name: "answered", Src: []string{absAskReason}, Dst: absAskReturn},
			{Name: "answered", Src: []string{absAskReturn}, Dst: absConfirm},
			{Name: evYes, Src: []string{absConfirm}, Dst: absOfferSupport},
			{Name: evNo, Src: []string{absConfirm}, Dst: absAskStart},
			{Name: evYes, Src: []string{absOfferSupport}, Dst: StateClosed},
			{Name: evNo, Src: []string{absOfferSupport}, Dst: StateClosed},
		},
		nodes: map[string]*node{},
	}
	f.start = func(s *session) {
		if t := toldAbsence(s.said, s.now); t != nil {
			s.st.Told = t // else what the message before said (a YES to "are you off sick?")
		}
		switch {
		case !s.st.Known:
			if anonymous(s.st.Known, s.st.Channel) {
				// An anonymous chat: there is no number to look up.
				s.say("webchat_abs_anonymous", s.phoneData(), false)
			} else {
				s.say("abs_no_record", s.phoneData(), false)
			}
			s.skipClosing = true
			s.fireOrFail("not_matched")
		case s.st.Verified:
			s.say("abs_intro", s.ohData(), false)
			s.fireOrFail("confirmed")
		default:
			s.say("abs_identify", s.ohData(), false)
		}
	}
	f.nodes[absIdentify] = &node{expect: expectName,
		prompt: sayer("abs_identify_again", false),
		answer: func(s *session, a answer) string {
			if !hasLetter(a.norm) || parseYesNo(a.norm) != ynNone {
				return "" // "yes" is not a name: ask again, without counting a wrong name
			}
			if nameMatches(a.raw, s.st.FirstName) {
				s.st.Verified = true
				s.effect(IdentityConfirmed{Method: "first_name"})
				return "confirmed"
			}
			if s.st.Answers["identity_attempts"] == "" {
				s.record("identity_attempts", "1")
				s.say("abs_name_retry", nil, false)
				return evStay
			}
			s.record("identity_attempts", "2")
			s.say("abs_not_matched", s.phoneData(), false)
			s.skipClosing = true
			return "not_matched"
		}}
	f.nodes[absAskStart] = &node{expect: expectStartDate,
		prompt: func(s *session) {
			if t := s.st.Told; t != nil && t.StartsOn != "" {
				s.record("absence.starts_on", t.StartsOn)
				t.StartsOn = ""
				s.fireOrFail("answered")
				return
			}
			s.say("abs_ask_start", nil, false)
		},
		answer: func(s *session, a answer) string {
			today, ok := s.today()
			if !ok {
				return ""
			}
			d, ok := parseDate(a.raw, today, true)
			switch {
			case !ok:
				return ""
			case d.After(today) || today.Sub(d) > maxStartAge*24*time.Hour:
				s.repromptID = "abs_start_range"
				return ""
			}
			s.record("absence.starts_on", d.Format(time.DateOnly))
			return "answered"
		}}
	f.nodes[absAskReason] = &node{expect: expectAny,
		prompt: func(s *session) {
			if t := s.st.Told; t != nil && t.Reason != "" {
				code, related := ReasonCode(t.Reason)
				s.recordReason(code, related, t.Reason)
				s.st.Told = nil
				s.fireOrFail("answered")
				return
			}
			s.st.Told = nil
			s.say("abs_ask_reason", nil, false)
		},
		answer: func(s *session, a answer) string {
			if !hasLetter(a.norm) {
				return ""
			}
			code, related := ReasonCode(a.raw)
			words := ""
			if !privateWords[a.norm] {
				words = echo(a.raw, 60)
			}
			s.recordReason(code, related, words)
			return "answered"
		}}
	f.nodes[absAskReturn] = &node{expect: expectReturnDate,
		prompt: sayer("abs_ask_return", false),
		answer: func(s *session, a answer) string {
			if v := parseYesNo(a.norm); v == ynUnsure || v == ynNo {
				s.record("absence.expected_return", "unknown")
				return "answered"
			}
			today, ok := s.today()
			if !ok {
				return ""
			}
			d, ok := parseDate(a.raw, today, false)
			if !ok {
				return ""
			}
			start, _ := time.Parse(time.DateOnly, s.st.Answers["absence.starts_on"])
			if d.Before(start) || d.Sub(today) > 366*24*time.Hour {
				s.repromptID = "abs_return_range"
				return ""
			}
			s.record("absence.expected_return", d.Format(time.DateOnly))
			return "answered"
		}}
	f.nodes[absConfirm] = &node{expect: expectYesNo,
		prompt: func(s *session) {
			a := s.st.Answers
			reason := a["absence.reason_words"]
			if reason == "" {
				reason = s.text("abs_reason_private", nil)
			}
			ret := s.text("abs_return_unknown", nil)
			if d, err := time.Parse(time.DateOnly, a["absence.expected_return"]); err == nil {
				ret = formatDate(d)
			}
			start, _ := time.Parse(time.DateOnly, a["absence.starts_on"])
			s.say("abs_confirm", map[string]any{"Start": formatDate(start), "Reason": reason, "Return": ret}, true)
		},
		answer: func(s *session, a answer) string {
			switch parseYesNo(a.norm) {
			case ynYes:
				ans := s.st.Answers
				ret := ans["absence.expected_return"]
				if ret == "unknown" {
					ret = ""
				}
				ref := s.e.newReference()
				s.effect(RecordAbsence{StartsOn: ans["absence.starts_on"], ReasonCode: ans["absence.reason_code"],
					RelatedReason: ans["absence.related_reason"], ExpectedReturn: ret, Reference: ref})
				s.sayRecorded(ref, false)
				return evYes
			case ynNo:
				for k := range s.st.Answers {
					if strings.HasPrefix(k, "absence.") {
						delete(s.st.Answers, k)
					}
				}
				s.say("abs_restart", nil, false)
				return evNo
			}
			return ""
		}}
	f.nodes[absOfferSupport] = yesNoNode(sayer("abs_offer_support", false), "absence.support",
		func(s *session) {
			switch s.st.Answers["absence.reason_code"] {
			case "S10":
				s.signpost(true, signposting.MentalHealth, signposting.Wellbeing)
			case "S11", "S12", "S28":
				s.signpost(true, signposting.MSK)
			default:
				s.signpost(true, signposting.Wellbeing)
			}
		}, nil)
	return f
}

// Confirmation messages of a recorded absence (AbsenceRecorded).
const (
	msgAbsRecorded        = "abs_recorded"
	msgAbsAlreadyRecorded = "abs_already_recorded"
)

// AbsenceRecorded is the confirmation of an absence report, in the
// language and channel of the conversation whose state is st, giving
// reference ref: that the absence is recorded, or, when existing, that it
// already was (the person had reported that day before, or HR had).
// The flow says the first with the reference it drew (a reply with
// MessageID "abs_recorded"); the runner replaces it with this when the
// episode was stored under another reference.
func (e *Engine) AbsenceRecorded(st State, ref string, existing bool) (Reply, error) {
	s, err := e.session(st, Input{})
	if err != nil {
		return Reply{}, err
	}
	s.sayRecorded(ref, existing)
	r, err := s.result()
	if err != nil {
		return Reply{}, err
	}
	return r.Replies[0], nil
}

// sayRecorded says that the absence is (or, when existing, already was)
// recorded with reference ref.
func (s *session) sayRecorded(ref string, existing bool) {
	id := msgAbsRecorded
	if existing {
		id = msgAbsAlreadyRecorded
	}
	s.say(id, map[string]any{"Ref": ref}, false)
}

// newReference draws an absence reference (Engine.NewReference).
func (e *Engine) newReference() string {
	if e.NewReference != nil {
		return e.NewReference()
	}
	return ohcontact.NewReference()
}

// fireOrFail fires an event from a start function, keeping the first error.
func (s *session) fireOrFail(ev string) {
	if err := s.fire(ev); err != nil && s.err == nil {
		s.err = err
	}
}

// phoneData is template data with the OH service's name and phone number.
func (s *session) phoneData() map[string]any {
	d := s.ohData()
	d["Phone"] = s.ohService().Phone
	return d
}

// AbsenceTold is what the message that started the absence report already
// said ("I'm off sick today, I've got flu"): that the absence began today
// or yesterday (YYYY-MM-DD), and its reason in the words that named it.
// Those questions are then not asked; the confirmation reads the answers
// back, and NO asks them all.
type AbsenceTold struct {
	StartsOn string `json:"starts_on,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// toldAbsence reads said, the message that started the absence report, for
// AbsenceTold; nil when it says neither (SICK, or a proactive start).
func toldAbsence(said string, now time.Time) *AbsenceTold {
	n := normalize(said)
	if n == "" || now.IsZero() {
		return nil
	}
	var t AbsenceTold
	// The days of relativeDays it names, today or yesterday: "since" a day
	// dates the absence from it; else today wins ("off sick today, was
	// sick all last night" began today).
	padded := " " + n + " "
	days, since := 1, false
	for phrase, d := range relativeDays {
		if (d != 0 && d != -1) || !strings.Contains(padded, " "+phrase+" ") {
			continue
		}
		s := slices.ContainsFunc(sinceWords, func(w string) bool { return strings.Contains(padded, " "+w+" "+phrase+" ") })
		switch {
		case s:
			days, since = d, true
		case !since && (days == 1 || d == 0):
			days = d
		}
	}
	if days != 1 {
		t.StartsOn = now.AddDate(0, 0, days).Format(time.DateOnly)
	}
	// "back" names back pain only as an answer to the question: in a
	// report it is as often "back on Monday".
	if code, _, words := reasonMatch(said); code != "S99" && words != "back" {
		t.Reason = asWritten(said, words)
	}
	if t == (AbsenceTold{}) {
		return nil
	}
	return &t
}

// asWritten returns the words of raw whose normalised form is phrase
// ("grypę" for "grype"), or phrase when none are.
func asWritten(raw, phrase string) string {
	fields := strings.Fields(raw)
	k := len(strings.Fields(phrase))
	for i := 0; i+k <= len(fields); i++ {
		w := strings.Join(fields[i:i+k], " ")
		if normalize(w) == phrase {
			return strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		}
	}
	return phrase
}

// recordReason records the absence's reason: its ESR code, COVID-19 as
// the related reason, and the person's words (empty when private).
func (s *session) recordReason(code, related, words string) {
	s.record("absence.reason_code", code)
	s.record("absence.related_reason", related)
	s.record("absence.reason_words", words)
}

// today is the date the message was received; a step needing it fails
// without Input.Now.
func (s *session) today() (time.Time, bool) {
	if s.now.IsZero() {
		if s.err == nil {
			s.err = ErrNoTime
		}
		return time.Time{}, false
	}
	return s.now, true
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// echo returns a person's words safe to repeat in a text: at most max
// characters of letters, digits, spaces and plain punctuation (nothing
// that would switch an SMS to UCS-2 beyond the letters themselves).
func echo(raw string, max int) string {
	var b strings.Builder
	n := 0
	space := false
	for _, r := range strings.TrimSpace(raw) {
		if n >= max {
			break
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			space = false
		case strings.ContainsRune(",.-/&()", r):
			b.WriteRune(r)
			space = false
		case r == '\'' || r == '’':
			b.WriteByte('\'')
			space = false
		default:
			if space {
				continue
			}
			b.WriteByte(' ')
			space = true
		}
		n++
	}
	return strings.TrimSpace(b.String())
}
