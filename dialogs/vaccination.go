package dialogs

import (
	"fmt"
	"strings"
	"time"

	"github.com/looplab/fsm"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/dialogs/intent"
	"github.com/ohcontact/ohcontact/postgres"
)

// The vaccination flow is a campaign's invitation to a vaccine
// (StartInfo.Vaccine: "flu", "COVID-19" or any other named vaccine; flu and
// COVID-19 are named in each language, others as given). The opening names
// the OH service, the vaccine and the organisation's clinic
// (signposting.Vaccination: name, place, hours), offers four numbered
// choices and keeps the opt-out and the crisis line of a first contact; a
// reminder (StartInfo.Reminder) opens with its own shorter words. It says
// nothing about the person: an invitation goes to everyone in a group, and
// every later text only answers what they wrote, so no reply carries health
// detail (Reply.Health) and no identity check is asked.
//
// Replies are read as numbers, as the options' words, and as free text in
// English, Welsh and Polish (vaccReading): "booked", "done", "had it at my
// GP", "got it at Boots last week", "no thanks", "I don't want it", and a
// question ("can I have it if I'm pregnant?"). What each leads to:
//
//   - book: the clinic's slots as a numbered list (the choice is recorded
//     and confirmed), or, with no slots, the booking link and "reply
//     BOOKED when you have"; "booked" or "done" at any point records the
//     outcome booked.
//   - had it elsewhere: when and where are read from the same message if
//     it says them, else asked (a date; GP, pharmacy, another NHS trust or
//     somewhere else); an answer unreadable twice is recorded as not_given
//     and the flow ends with thanks. Outcome had_elsewhere.
//   - decline: thanks, a promise of no more messages about it in this
//     campaign, and, once, an offer to say why with no need to; the outcome
//     declined is recorded at once, and a reason joins it.
//   - a question for OH: a routine case (vaccination_question) and the
//     conversation handed to the OH team, who reply within
//     questionReplyDays working days (the routine SLA); outcome question.
//     Choice 4 asks for the question first.
//   - "not now" keeps the invitation open; nothing is recorded.
//
// Outcomes are CampaignOutcome effects, which the runner records on the
// conversation's campaign member. STOP, HELP, TALK, SICK, a language name
// and three unusable answers behave as in every flow, and the runner's
// risk screen reads every reply first. The closing texts are the flow's
// own: no summary and no feedback question (one more text after a
// campaign reply would be one too many).
const (
	vaccInvited       = "invited"
	vaccChooseSlot    = "choose_slot"
	vaccBookLink      = "book_link"
	vaccAskDate       = "ask_date"
	vaccAskWhere      = "ask_where"
	vaccDeclineReason = "decline_reason"
	vaccAskQuestion   = "ask_question"
)

// The vaccination flow's events.
const (
	evBookLink  = "book_link"
	evSlots     = "slots"
	evBooked    = "booked"
	evHad       = "had"       // had it elsewhere: ask when
	evHadWhere  = "had_where" // had it elsewhere, when known: ask where
	evDated     = "dated"
	evNoted     = "noted" // had it elsewhere: recorded
	evDeclined  = "declined"
	evAsk       = "ask"
	evAsked     = "asked"
	evVaccBye   = "bye"
	caseVaccine = "vaccination_question"
)

// questionReplyDays is the working days within which the OH team answers
// a question, as vacc_question_ack promises: the routine SLA
// (escalation.DefaultSLA; TestQuestionPromiseIsTheRoutineSLA).
const questionReplyDays = 2

// Where a person had a vaccine elsewhere (vaccination.where), by the
// ask_where option.
var vaccWhere = []string{"", "gp", "pharmacy", "other_trust", "other"}

func vaccination() *flowDef {
	answering := []string{vaccInvited, vaccChooseSlot, vaccBookLink}
	changing := append([]string{vaccDeclineReason}, answering...)
	f := &flowDef{
		name:    FlowVaccination,
		initial: vaccInvited,
		events: fsm.Events{
			{Name: evBookLink, Src: changing, Dst: vaccBookLink},
			{Name: evSlots, Src: changing, Dst: vaccChooseSlot},
			{Name: evBooked, Src: changing, Dst: StateClosed},
			{Name: evHad, Src: changing, Dst: vaccAskDate},
			{Name: evHadWhere, Src: changing, Dst: vaccAskWhere},
			{Name: evDated, Src: []string{vaccAskDate}, Dst: vaccAskWhere},
			{Name: evNoted, Src: append([]string{vaccAskDate, vaccAskWhere}, changing...), Dst: StateClosed},
			{Name: evDeclined, Src: answering, Dst: vaccDeclineReason},
			{Name: evAsk, Src: answering, Dst: vaccAskQuestion},
			{Name: evAsked, Src: append([]string{vaccAskQuestion}, changing...), Dst: StateHandedOver},
			{Name: evVaccBye, Src: []string{vaccDeclineReason, vaccAskQuestion}, Dst: StateClosed},
		},
		nodes: map[string]*node{},
	}
	f.start = func(s *session) {
		switch {
		case s.st.Vaccine == "":
			s.err = ErrNoVaccine
		case s.org.Vaccination == nil:
			s.err = fmt.Errorf("%w: %s", ErrNoClinic, s.org.Code)
		default:
			f.nodes[f.initial].prompt(s)
		}
	}
	f.nodes[vaccInvited] = &node{expect: expectMenu, menuSize: 4,
		prompt: func(s *session) {
			if s.st.Reminder {
				s.say("vacc_reminder", s.vaccData(), false)
				return
			}
			s.say("vacc_invite", s.vaccData(), false)
			s.say("vacc_choices", nil, false)
		},
		answer: func(s *session, a answer) string { return s.vaccAnswer(a, s.vaccRead(a, true)) },
	}
	f.nodes[vaccChooseSlot] = &node{expect: expectMenu,
		prompt: func(s *session) { s.say("vacc_slots", s.vaccData(), false) },
		answer: func(s *session, a answer) string {
			slots := s.org.Vaccination.Slots
			v, ok := parseChoice(a.norm, 1, len(slots))
			if !ok {
				v, ok = matchOption(s.text("vacc_slots", s.vaccData()), a.norm, 1, len(slots))
			}
			if !ok {
				v, ok = slotOnDay(slots, a.norm)
			}
			if !ok {
				return s.vaccAnswer(a, s.vaccRead(a, false))
			}
			s.record("vaccination.slot", fmt.Sprint(v))
			s.vaccOutcome(postgres.OutcomeBooked, map[string]string{"slot": slots[v-1]})
			data := s.vaccData()
			data["Slot"], data["Phone"] = slots[v-1], s.ohService().Phone
			s.say("vacc_slot_booked", data, false)
			s.skipClosing = true
			return evBooked
		}}
	f.nodes[vaccBookLink] = &node{
		prompt: func(s *session) { s.say("vacc_book_link", s.vaccData(), false) },
		answer: func(s *session, a answer) string {
			r := s.vaccRead(a, true)
			if parseYesNo(a.norm) == ynYes {
				r.kind = vaccBooked // "yes", "ok": they have
			}
			if ev := s.vaccAnswer(a, r); ev != "" {
				return ev
			}
			s.repromptID = "vacc_book_again"
			return ""
		}}
	f.nodes[vaccAskDate] = &node{
		prompt: func(s *session) { s.say("vacc_ask_date", nil, false) },
		answer: func(s *session, a answer) string {
			if parseYesNo(a.norm) == ynUnsure || vaccCantRemember(a.norm) {
				s.record("vaccination.date", notGiven)
				return s.vaccHadNext()
			}
			s.repromptID = "vacc_date_again"
			d, ok := s.vaccDate(a)
			switch {
			case !ok:
				return ""
			case d.After(s.now):
				s.repromptID = "vacc_date_past"
				return ""
			}
			s.repromptID = ""
			s.record("vaccination.date", d.Format(time.DateOnly))
			return s.vaccHadNext()
		},
		notGiven: func(s *session) string {
			s.record("vaccination.date", notGiven)
			return s.vaccHadNoted()
		}}
	f.nodes[vaccAskWhere] = &node{expect: expectMenu, menuSize: 4,
		prompt: func(s *session) { s.say("vacc_ask_where", nil, false) },
		answer: func(s *session, a answer) string {
			v, ok := parseChoice(a.norm, 1, 4)
			if !ok {
				v, ok = matchOption(s.text("vacc_ask_where", nil), a.norm, 1, 4)
			}
			where := ""
			if ok {
				where = vaccWhere[v]
			} else if where = vaccPlace(a.norm); where == "" && parseYesNo(a.norm) == ynUnsure {
				where = notGiven
			}
			if where == "" {
				return ""
			}
			s.record("vaccination.where", where)
			return s.vaccHadNoted()
		},
		notGiven: func(s *session) string {
			s.record("vaccination.where", notGiven)
			return s.vaccHadNoted()
		}}
	f.nodes[vaccDeclineReason] = &node{
		prompt: func(s *session) { s.say("vacc_declined", nil, false) },
		answer: func(s *session, a answer) string {
			if vaccNothingMore(a.norm) {
				s.say("vacc_bye", nil, false)
				s.skipClosing = true
				return evVaccBye
			}
			// A change of mind, or a question, is taken as one; anything
			// else is their reason.
			switch r := s.vaccRead(a, false); r.kind {
			case vaccBooked, vaccHad, vaccQuestion:
				return s.vaccAnswer(a, r)
			}
			if v, ok := parseChoice(a.norm, 1, 2); ok {
				return s.vaccAnswer(a, vaccReading{kind: []vaccKind{0, vaccBook, vaccHad}[v]})
			}
			s.vaccOutcome(postgres.OutcomeDeclined, map[string]string{"reason": truncate(strings.TrimSpace(a.raw), 200)})
			s.say("vacc_reason_thanks", nil, false)
			s.skipClosing = true
			return evVaccBye
		}}
	f.nodes[vaccAskQuestion] = &node{
		prompt: func(s *session) { s.say("vacc_ask_question", nil, false) },
		answer: func(s *session, a answer) string {
			if vaccNothingMore(a.norm) {
				s.say("vacc_bye", nil, false)
				s.skipClosing = true
				return evVaccBye
			}
			return s.vaccQuestion()
		}}
	return f
}

// vaccData is the template data of the invitation and its follow-ups: the
// OH service, the vaccine and the clinic.
func (s *session) vaccData() map[string]any {
	v := s.org.Vaccination
	var slots []string
	for i, sl := range v.Slots {
		slots = append(slots, fmt.Sprintf("%d %s", i+1, sl))
	}
	return map[string]any{"OH": s.org.OHName, "Vaccine": s.vaccineName(), "Clinic": v.Clinic, "Place": v.Place,
		"Hours": v.Hours, "URL": v.BookingURL, "Slots": strings.Join(slots, "\n")}
}

// vaccineName is the campaign's vaccine as the texts name it: flu and
// COVID-19 in the conversation's language, any other as the campaign
// names it.
func (s *session) vaccineName() string {
	switch normalize(s.st.Vaccine) {
	case "flu", "influenza", "ffliw", "grypa":
		return s.text("vaccine_flu", nil)
	case "covid", "covid 19", "covid19", "coronavirus":
		return s.text("vaccine_covid", nil)
	}
	return s.st.Vaccine
}

// vaccKind is what a reply to the invitation says.
type vaccKind int

const (
	vaccUnknown  vaccKind = iota
	vaccBook              // wants to book
	vaccHad               // had it elsewhere
	vaccDecline           // does not want it
	vaccQuestion          // asks OH something
	vaccBooked            // has booked
	vaccLater             // not now
	vaccAskFirst          // wants to ask a question (choice 4): ask for it
)

// vaccReading is a reply read: its kind, and for vaccHad the date and
// place it gives (zero and "" when it does not).
type vaccReading struct {
	kind  vaccKind
	date  time.Time
	where string
}

// vaccRead reads a reply to the invitation or a later question. numbers
// reads the invitation's numbered choices (vacc_choices) too, by number or
// words, where they are the question. A question (a question mark, or
// three words or more starting with a question word) is one whatever else
// it says ("I've booked, can I change the time?"), unless it is about
// booking ("how do I book?").
func (s *session) vaccRead(a answer, numbers bool) vaccReading {
	n := a.norm
	padded := " " + n + " "
	choice := func(v int) vaccReading {
		if v == 2 {
			return s.vaccHadReading(a)
		}
		return vaccReading{kind: []vaccKind{0, vaccBook, 0, vaccDecline, vaccAskFirst}[v]}
	}
	if v, ok := parseChoice(n, 1, 4); ok && numbers {
		return choice(v)
	}
	if strings.Contains(a.raw, "?") || isQuestion(n) {
		if containsAny(padded, vaccBookPhrases) {
			return vaccReading{kind: vaccBook} // "how do I book?"
		}
		return vaccReading{kind: vaccQuestion}
	}
	if v, ok := matchOption(s.text("vacc_choices", nil), n, 1, 4); ok && numbers {
		return choice(v)
	}
	switch {
	case containsAny(padded, vaccHadPhrases) && !ackOnly(n):
		return s.vaccHadReading(a)
	case containsAny(padded, vaccBookedPhrases):
		return vaccReading{kind: vaccBooked}
	case containsAny(padded, vaccDeclinePhrases) || parseYesNo(n) == ynNo:
		return vaccReading{kind: vaccDecline}
	case parseYesNo(n) == ynNotNow:
		return vaccReading{kind: vaccLater}
	case containsAny(padded, vaccBookPhrases) || parseYesNo(n) == ynYes:
		return vaccReading{kind: vaccBook}
	}
	return vaccReading{}
}

// vaccHadReading reads a reply that says they had it elsewhere, with the
// place and past date it may give.
func (s *session) vaccHadReading(a answer) vaccReading {
	r := vaccReading{kind: vaccHad, where: vaccPlace(a.norm)}
	if d, ok := s.vaccDate(a); ok && !d.After(s.now) {
		r.date = d
	}
	return r
}

// vaccAnswer acts on reply r and returns the event to fire ("" when r says
// nothing the flow understands). A reply the flow does not understand but
// the intent model reads as asking for a person is taken as TALK; one it
// reads as an absence report, or a wish to stop, the menu's reading
// handles (menuIntent).
func (s *session) vaccAnswer(a answer, r vaccReading) string {
	switch r.kind {
	case vaccBook:
		if len(s.org.Vaccination.Slots) > 0 {
			return evSlots
		}
		return evBookLink
	case vaccBooked:
		s.vaccOutcome(postgres.OutcomeBooked, nil)
		s.say("vacc_booked", nil, false)
		s.skipClosing = true
		return evBooked
	case vaccHad:
		if !r.date.IsZero() {
			s.record("vaccination.date", r.date.Format(time.DateOnly))
		}
		if r.where != "" {
			s.record("vaccination.where", r.where)
		}
		return s.vaccHadNext()
	case vaccDecline:
		s.vaccOutcome(postgres.OutcomeDeclined, nil)
		return evDeclined // its prompt thanks them and offers, once, to say why
	case vaccLater:
		s.say("vacc_later", nil, false)
		return evStay
	case vaccAskFirst:
		return evAsk
	case vaccQuestion:
		if s.intentOf(a.raw).Intent != intent.Talk {
			return s.vaccQuestion()
		}
	}
	if s.intentOf(a.raw).Intent == intent.Talk { // "can someone ring me?"
		s.effect(RequestClinician{Priority: ohcontact.PriorityRoutine, Reason: "asked_to_talk", Handover: true})
		return evTalk
	}
	return ""
}

// vaccHadNext asks what is still unknown of where and when they had it,
// or records the outcome.
func (s *session) vaccHadNext() string {
	switch {
	case s.st.Answers["vaccination.date"] == "":
		return evHad
	case s.st.Answers["vaccination.where"] == "":
		if s.st.Step == vaccAskDate {
			return evDated
		}
		return evHadWhere
	}
	return s.vaccHadNoted()
}

// vaccHadNoted records the outcome had_elsewhere with the date and place
// given (not_given for any not), and thanks them.
func (s *session) vaccHadNoted() string {
	detail := map[string]string{}
	for _, k := range []string{"date", "where"} {
		detail[k] = s.st.Answers["vaccination."+k]
		if detail[k] == "" {
			detail[k] = notGiven
		}
	}
	s.vaccOutcome(postgres.OutcomeHadElsewhere, detail)
	s.say("vacc_had_noted", nil, false)
	s.skipClosing = true
	return evNoted
}

// vaccQuestion opens a routine case for the question just asked, hands
// the conversation to the OH team and says when they will reply.
func (s *session) vaccQuestion() string {
	s.effect(RequestClinician{Priority: ohcontact.PriorityRoutine, Reason: caseVaccine, Handover: true})
	s.vaccOutcome(postgres.OutcomeQuestion, nil)
	s.say("vacc_question_ack", map[string]any{"Days": questionReplyDays, "Hours": s.ohService().Hours}, false)
	s.skipClosing = true
	return evAsked
}

// vaccOutcome records outcome, with detail, on the campaign member.
func (s *session) vaccOutcome(outcome string, detail map[string]string) {
	if detail == nil {
		detail = map[string]string{}
	}
	s.effect(CampaignOutcome{Outcome: outcome, Detail: detail})
}

// vaccDate reads the day a vaccine was had from a reply: the whole of it
// ("3/11", "last week", "2 weeks ago") or words within it ("got it at
// Boots last week"), on or before today. It needs Input.Now.
func (s *session) vaccDate(a answer) (time.Time, bool) {
	if s.now.IsZero() {
		if s.err == nil {
			s.err = ErrNoTime
		}
		return time.Time{}, false
	}
	n := a.norm
	for from, to := range lastPeriods {
		n = strings.ReplaceAll(" "+n+" ", " "+from+" ", " "+to+" ")
		n = strings.TrimSpace(n)
	}
	if d, ok := parseDate(a.raw, s.now, true); ok {
		return d, true
	}
	if d, ok := parseDate(n, s.now, true); ok {
		return d, true
	}
	words := strings.Fields(n)
	for size := min(4, len(words)); size >= 1; size-- {
		for i := 0; i+size <= len(words); i++ {
			w := words[i : i+size]
			if size == 1 && isNumber(w[0]) {
				continue // "2" alone is no date: "I had 2 jabs"
			}
			if d, ok := parseDate(strings.Join(w, " "), s.now, true); ok {
				return d, true
			}
		}
	}
	return time.Time{}, false
}

// slotOnDay reads a reply naming a weekday ("friday", "dydd Gwener",
// "piątek") as the one slot whose label names that day ("Fri 27/11
// 08:00-12:00"); it returns its number from 1.
func slotOnDay(slots []string, n string) (int, bool) {
	day, ok := weekdays[n]
	if !ok {
		return 0, false
	}
	found := 0
	for i, sl := range slots {
		for _, w := range strings.Fields(normalize(sl)) {
			if d, ok := weekdays[w]; ok && d == day {
				if found != 0 {
					return 0, false
				}
				found = i + 1
				break
			}
		}
	}
	return found, found != 0
}

// lastPeriods rewrites "last week" and "last month", which parseDate does
// not read, as the durations ago it does.
var lastPeriods = map[string]string{
	"last week": "a week ago", "last month": "a month ago",
	"wythnos diwethaf": "a week ago", "wythnos ddiwethaf": "a week ago", "pythefnos yn ol": "2 weeks ago", "wythnos dwetha": "a week ago", "mis diwethaf": "a month ago", "mis dwetha": "a month ago",
	"w zeszlym tygodniu": "a week ago", "w zeszlym miesiacu": "a month ago", "w ubieglym tygodniu": "a week ago",
	"tydzien temu": "a week ago", "miesiac temu": "a month ago", "wythnos yn ol": "a week ago", "mis yn ol": "a month ago",
}

func isNumber(w string) bool {
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return w != ""
}

// vaccPlace is where a reply says a vaccine was had (one of vaccWhere),
// or "" when it names no place, or places of more than one kind.
func vaccPlace(n string) string {
	found := ""
	padded := " " + n + " "
	for _, where := range vaccWhere[1:] {
		if containsAny(padded, vaccPlaces[where]) {
			if found != "" {
				return ""
			}
			found = where
		}
	}
	return found
}

// Words of replies to the invitation, normalised, in English, Welsh and
// Polish; each is matched as whole words.
var (
	vaccHadPhrases = []string{"had it", "had mine", "had my", "had the", "had one", "had a jab", "had the jab", "got it",
		"got mine", "got my", "already had", "already got", "been vaccinated", "been jabbed", "had jab", "had vaccine",
		"wedi cael", "wedi ei gael", "wedii gael", "wedi cael fy", "ges i", "ces i", "cefais",
		"mialem", "mialam", "juz mam", "zaszczepilem", "zaszczepilam", "zaszczepiony", "zaszczepiona", "dostalem",
		"dostalam", "przyjalem", "przyjalam"}
	vaccBookedPhrases = []string{"booked", "done", "all done", "sorted", "wedi bwcio", "wedi trefnu", "wedi archebu",
		"zapisalem", "zapisalam", "zarezerwowalem", "zarezerwowalam", "umowilem", "umowilam", "zapisany", "zapisana"}
	vaccDeclinePhrases = []string{"dont want", "do not want", "dont need", "not having it", "wont be having", "no thanks",
		"no thank you", "not for me", "decline", "ddim eisiau", "dim diolch", "na diolch", "dwi ddim am", "nie chce",
		"nie dziekuje", "nie skorzystam", "rezygnuje"}
	vaccBookPhrases = []string{"book", "book me", "book in", "appointment", "bwcio", "trefnu", "apwyntiad",
		"zapisac", "zapisz", "zarezerwowac", "umowic", "termin"}
	vaccPlaces = map[string][]string{
		"gp": {"gp", "gps", "doctor", "doctors", "surgery", "medical centre", "health centre", "meddyg", "meddyg teulu",
			"meddygfa", "feddyg", "feddygfa", "meddygfa", "lekarz", "lekarza", "przychodnia", "przychodni"},
		"pharmacy": {"pharmacy", "chemist", "chemists", "boots", "superdrug", "lloyds", "asda", "tesco", "fferyllfa",
			"fferyllydd", "apteka", "aptece", "apteki"},
		"other_trust": {"trust", "hospital", "my last job", "my old job", "previous job", "ymddiriedolaeth", "ysbyty",
			"szpital", "szpitalu", "poprzedniej pracy"},
		"other": {"abroad", "overseas", "dramor", "za granica"},
	}
	questionWords = map[string]bool{"can": true, "could": true, "is": true, "are": true, "should": true, "will": true,
		"would": true, "what": true, "whats": true, "when": true, "where": true, "why": true, "how": true, "do": true,
		"does": true, "did": true, "am": true, "which": true, "who": true, "shall": true, "has": true,
		"ga": true, "oes": true, "ydy": true, "ydi": true, "pryd": true, "ble": true, "lle": true, "sut": true,
		"beth": true, "pam": true, "pwy": true, "alla": true, "fydd": true,
		"czy": true, "jak": true, "gdzie": true, "kiedy": true, "co": true, "dlaczego": true, "ile": true,
		"kto": true, "moge": true, "mozna": true}
)

// containsAny reports whether padded (a normalised text with a space at
// each end) holds any of phrases as whole words.
func containsAny(padded string, phrases []string) bool {
	for _, p := range phrases {
		if strings.Contains(padded, " "+p+" ") {
			return true
		}
	}
	return false
}

// isQuestion reports whether normalised text n reads as a question without
// a question mark: three words or more, starting with a question word
// ("can i have it if im pregnant").
func isQuestion(n string) bool {
	w := strings.Fields(n)
	return len(w) >= 3 && questionWords[w[0]]
}

// vaccNothingMore reports whether n says there is nothing more: a no, a
// thank-you, "that's all".
func vaccNothingMore(n string) bool {
	yn := parseYesNo(n)
	return bareYesNo(n) && yn != ynYes || yn == ynNotNow || isThanks(n)
}

// ackOnly reports whether n only acknowledges ("got it", "ok got it
// thanks"): no news of a vaccine had.
func ackOnly(n string) bool {
	for _, w := range strings.Fields(n) {
		if w != "got" && !fillers[w] && !thanksWords[w] {
			return false
		}
	}
	return true
}

// vaccCantRemember reports whether n says they cannot remember when.
func vaccCantRemember(n string) bool {
	return containsAny(" "+n+" ", []string{"cant remember", "can not remember", "dont remember", "no idea", "forgot",
		"ddim yn cofio", "dwi ddim yn cofio", "nie pamietam"})
}
