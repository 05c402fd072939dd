package dialogs

import (
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/signposting"
)

var update = flag.Bool("update", false, "rewrite the transcripts in testdata/ from the engine's output")

// testNow is when every scripted message arrives: Wednesday 18 November
// 2026, 10:00 in Europe/London (GMT).
var testNow = time.Date(2026, time.November, 18, 10, 0, 0, 0, time.UTC)

// script is one scripted conversation, written to testdata/<name>.txt.
type script struct {
	name    string
	flow    string // "" starts with Engine.Inbound(inputs[0])
	lang    string
	channel ohcontact.Channel // default SMS
	unknown bool              // no staff record
	signed  bool              // web chat signed in through the intranet
	// feedback: the feedback question was asked lately and awaits an
	// answer (StartInfo.Feedback).
	feedback bool
	// vaccine: the vaccine a vaccination flow invites to; org: the
	// organisation, DEMO unless it names another of the test directory;
	// reminder: the start is the one reminder.
	vaccine, org string
	reminder     bool
	inputs       []string
}

var scripts = []script{
	// absence-report
	{name: "absence-report_happy", flow: FlowAbsenceReport, inputs: []string{"Sam", "yesterday", "back pain", "friday", "yes", "yes please"}},
	{name: "absence-report_opt-out", flow: FlowAbsenceReport, inputs: []string{"sam", "today", "STOP"}},
	{name: "absence-report_unusable", flow: FlowAbsenceReport, inputs: []string{"Samantha", "whenever", "31/11", "soon", "yes"}},
	{name: "absence-report_correction", flow: FlowAbsenceReport, inputs: []string{"It's Sam", "3/11", "covid", "not sure", "no", "monday", "PRIVATE", "tomorrow", "yeah", "no thanks"}},
	{name: "absence-report_not-matched", flow: FlowAbsenceReport, inputs: []string{"yes", "Alex", "Jo"}},
	{name: "absence-report_no-record", flow: FlowAbsenceReport, unknown: true},
	{name: "absence-report_anonymous-webchat", channel: ohcontact.ChannelWebChat, unknown: true, inputs: []string{"Hi, I am off sick today with flu"}},
	{name: "absence-report_webchat-signed-in", flow: FlowAbsenceReport, channel: ohcontact.ChannelWebChat, signed: true, inputs: []string{"today", "stress and anxiety", "2/12", "yes", "yes"}},
	{name: "absence-report_cy", flow: FlowAbsenceReport, lang: "cy", inputs: []string{"Sam", "ddoe", "ffliw", "yfory", "ie", "na"}},
	{name: "absence-report_pl", flow: FlowAbsenceReport, lang: "pl", inputs: []string{"Sam", "wczoraj", "grypa", "nie wiem", "tak", "tak"}},
	{name: "absence-report_switch-language", flow: FlowAbsenceReport, inputs: []string{"Sam", "Cymraeg", "heddiw", "migraine", "yfory", "ie", "na"}},
	{name: "absence-report_free-text", flow: FlowAbsenceReport, inputs: []string{"Sam", "since tues", "flu", "about a month", "aye", "go on then"}},
	{name: "absence-report_free-text-cy", flow: FlowAbsenceReport, lang: "cy", inputs: []string{"Sam", "ers ddoe", "ffliw", "diwedd yr wythnos", "ie", "nac oes"}},
	{name: "absence-report_free-text-pl", flow: FlowAbsenceReport, lang: "pl", inputs: []string{"Sam", "od wczoraj", "grypa", "do piątku", "no tak", "raczej nie"}},
	{name: "absence-report_told-in-first-message", inputs: []string{"Hi, I'm off sick today, I've got flu", "Sam", "about a week", "yes", "no"}},
	{name: "absence-report_told-in-first-message-cy", lang: "cy", inputs: []string{"dwi'n sâl heddiw, ffliw", "Sam", "dydd Llun", "ie", "na"}},
	{name: "absence-report_told-in-first-message-pl", lang: "pl", inputs: []string{"nie przyjdę dziś, mam grypę od wczoraj", "Sam", "w poniedziałek", "tak", "nie"}},
	{name: "absence-report_from-sick-keyword", inputs: []string{"SICK", "Sam", "today", "d&v", "friday", "yes", "no"}},

	// stress-checkin
	{name: "stress-checkin_happy", flow: FlowStressCheckin, inputs: []string{"yes", "2", "1", "1", "0", "1", "1 and 3", "5"}},
	{name: "stress-checkin_screen-positive", flow: FlowStressCheckin, inputs: []string{"Yeah ok", "not great really", "2", "2", "0", "2", "more than half the days", "yes", "4", "no thanks"}},
	{name: "stress-checkin_item9-positive", flow: FlowStressCheckin, inputs: []string{"yes", "3", "2", "2", "1"}},
	{name: "stress-checkin_item9-yes", flow: FlowStressCheckin, inputs: []string{"yes", "struggling", "3", "3", "yes"}},
	{name: "stress-checkin_opt-out", flow: FlowStressCheckin, inputs: []string{"yes", "1", "stop please"}},
	{name: "stress-checkin_unusable", flow: FlowStressCheckin, inputs: []string{"yes", "ok", "sometimes", "a bit", "dunno", "yes"}},
	{name: "stress-checkin_gave-up", flow: FlowStressCheckin, inputs: []string{"yes", "ok", "sometimes", "a bit", "dunno", "hmm", "what", "eh"}},
	{name: "stress-checkin_declined", flow: FlowStressCheckin, inputs: []string{"no thanks"}},
	{name: "stress-checkin_not-now", flow: FlowStressCheckin, inputs: []string{"not now"}},
	{name: "stress-checkin_cy", flow: FlowStressCheckin, lang: "cy", inputs: []string{"ie", "1", "0", "1", "0", "0", "2", "5"}},
	{name: "stress-checkin_pl", flow: FlowStressCheckin, lang: "pl", inputs: []string{"tak", "2", "1", "2", "0", "kilka dni", "1", "nie", "1", "nie"}},
	{name: "stress-checkin_switch-language", flow: FlowStressCheckin, inputs: []string{"yes", "Polski", "1", "0", "0", "0", "0", "5"}},
	{name: "stress-checkin_help-and-talk", flow: FlowStressCheckin, inputs: []string{"yes", "HELP", "TALK"}},
	{name: "stress-checkin_sick-keyword", flow: FlowStressCheckin, inputs: []string{"yes", "SICK", "today"}},

	// msk-checkin
	{name: "msk-checkin_happy", flow: FlowMSKCheckin, inputs: []string{"yes", "2", "yes", "1", "no", "2", "3", "2", "yes"}},
	{name: "msk-checkin_red-flags", flow: FlowMSKCheckin, inputs: []string{"yes", "3", "yes", "back", "yes"}},
	{name: "msk-checkin_no-referral", flow: FlowMSKCheckin, inputs: []string{"ok", "1", "no", "no"}},
	{name: "msk-checkin_opt-out", flow: FlowMSKCheckin, inputs: []string{"yes", "2", "UNSUBSCRIBE"}},
	{name: "msk-checkin_unusable", flow: FlowMSKCheckin, inputs: []string{"yes", "2", "yes", "my leg", "9", "the left one", "no"}},
	{name: "msk-checkin_answers-in-words", flow: FlowMSKCheckin, inputs: []string{"yes", "getting worse", "yes", "lower back", "no", "more than 12 weeks", "no", "text message first", "no thanks"}},
	{name: "msk-checkin_duration-in-words", flow: FlowMSKCheckin, inputs: []string{"yes", "2", "yes", "2", "about a month", "1", "ring me in the morning", "no"}},
	{name: "msk-checkin_since-a-day", flow: FlowMSKCheckin, inputs: []string{"yes", "2", "yes", "2", "since tues", "1", "1", "nah"}},
	{name: "msk-checkin_answer-not-given", flow: FlowMSKCheckin, inputs: []string{"yes", "2", "yes", "my leg", "the left one", "3 wks", "1", "1", "no"}},
	{name: "msk-checkin_cy", flow: FlowMSKCheckin, lang: "cy", inputs: []string{"ie", "1", "ie", "6", "2", "2", "1", "ie"}},
	{name: "msk-checkin_pl", flow: FlowMSKCheckin, lang: "pl", inputs: []string{"tak", "2", "tak", "2", "4", "1", "4", "nie"}},
	{name: "msk-checkin_switch-language", flow: FlowMSKCheckin, lang: "cy", inputs: []string{"English", "yes", "3", "no", "yes"}},

	// long-term-checkin
	{name: "long-term-checkin_happy", flow: FlowLongTermCheckin, inputs: []string{"yes", "1", "1 and 2", "yes", "yes"}},
	{name: "long-term-checkin_oh-appointment", flow: FlowLongTermCheckin, inputs: []string{"yes", "3", "3", "no"}},
	{name: "long-term-checkin_not-ready", flow: FlowLongTermCheckin, inputs: []string{"yes", "2", "not yet", "no", "no"}},
	{name: "long-term-checkin_opt-out", flow: FlowLongTermCheckin, inputs: []string{"yes", "END"}},
	{name: "long-term-checkin_unusable", flow: FlowLongTermCheckin, inputs: []string{"yes", "meh", "hmm", "what", "maybe", "ok"}},
	{name: "long-term-checkin_cy", flow: FlowLongTermCheckin, lang: "cy", inputs: []string{"ie", "2", "1", "ie", "na"}},
	{name: "long-term-checkin_pl", flow: FlowLongTermCheckin, lang: "pl", inputs: []string{"tak", "3", "2 i 3", "tak"}},
	{name: "long-term-checkin_switch-language", flow: FlowLongTermCheckin, inputs: []string{"yes", "welsh", "1", "4", "na", "ie"}},

	// support
	{name: "support_happy", inputs: []string{"HELP", "1", "2", "5"}},
	{name: "support_talk", flow: FlowSupport, inputs: []string{"4"}},
	{name: "support_talk-keyword", inputs: []string{"talk"}},
	{name: "support_opt-out", flow: FlowSupport, inputs: []string{"3", "stpo"}},
	{name: "support_opt-out-no-conversation", inputs: []string{"STOP"}},
	{name: "support_opt-in-no-conversation", inputs: []string{"START"}},
	{name: "support_unusable", flow: FlowSupport, inputs: []string{"dunno really", "six", "??", "no"}},
	{name: "support_answers-in-words", flow: FlowSupport, inputs: []string{"money worries", "back pain", "that's all"}},
	{name: "support_webchat-anonymous", flow: FlowSupport, channel: ohcontact.ChannelWebChat, unknown: true, inputs: []string{"3", "that's all thanks"}},
	{name: "support_cy", inputs: []string{"Cymraeg", "1", "5"}},
	{name: "support_pl", flow: FlowSupport, lang: "pl", inputs: []string{"2", "nie"}},
	{name: "support_switch-language", flow: FlowSupport, inputs: []string{"polish", "3", "5"}},
	// intents: a first message in any words (Engine.Inbound), and an
	// unnumbered answer at a menu (menuIntent)
	{name: "intent_absence-first-message", inputs: []string{"Hi, I'm off sick today, I've got flu", "Sam"}},
	{name: "intent_absence-first-message-cy", lang: "cy", inputs: []string{"dwi'n dost, sai'n dod miwn heddi", "Sam"}},
	{name: "intent_absence-first-message-pl", lang: "pl", inputs: []string{"nie przyjdę dziś, choroba", "Sam"}},
	{name: "intent_talk-first-message", inputs: []string{"can someone from OH ring me please"}},
	{name: "intent_talk-first-message-cy", lang: "cy", inputs: []string{"Ga i siarad efo rhywun plis?"}},
	{name: "intent_talk-first-message-pl", lang: "pl", inputs: []string{"Czy ktoś może do mnie zadzwonić?"}},
	{name: "intent_money-first-message", inputs: []string{"I'm really worried about money, my sick pay has dropped", "no thanks"}},
	{name: "intent_money-first-message-cy", lang: "cy", inputs: []string{"Dwi'n poeni am arian", "dim diolch"}},
	{name: "intent_money-first-message-pl", lang: "pl", inputs: []string{"Martwię się o pieniądze, nie starcza mi na rachunki", "nie"}},
	{name: "intent_msk-first-message", inputs: []string{"my back is killing me", "5"}},
	{name: "intent_msk-first-message-cy", lang: "cy", inputs: []string{"Mae fy nghefn yn brifo'n ofnadwy", "5"}},
	{name: "intent_msk-first-message-pl", lang: "pl", inputs: []string{"Bardzo bolą mnie plecy", "5"}},
	{name: "intent_wellbeing-first-message", inputs: []string{"I'm so stressed I can't sleep", "5"}},
	{name: "intent_wellbeing-first-message-cy", lang: "cy", inputs: []string{"Dwi dan lot o straen", "5"}},
	{name: "intent_wellbeing-first-message-pl", lang: "pl", inputs: []string{"Jestem bardzo zestresowana", "5"}},
	{name: "intent_back-at-work-first-message", inputs: []string{"I'm back at work today", "no thanks"}},
	{name: "intent_back-at-work-first-message-cy", lang: "cy", inputs: []string{"Dwi nôl yn y gwaith heddiw", "na"}},
	{name: "intent_back-at-work-first-message-pl", lang: "pl", inputs: []string{"Wróciłam już do pracy", "nie"}},
	{name: "intent_stop-first-message", inputs: []string{"take me off your list"}},
	{name: "intent_stop-first-message-cy", lang: "cy", inputs: []string{"Peidiwch â anfon negeseuon ata i eto"}},
	{name: "intent_stop-first-message-pl", lang: "pl", inputs: []string{"Proszę nie pisać do mnie więcej"}},
	{name: "intent_none-first-message", inputs: []string{"who is this?"}},
	{name: "intent_none-first-message-cy", lang: "cy", inputs: []string{"Pwy sy 'na?"}},
	{name: "intent_none-first-message-pl", lang: "pl", inputs: []string{"Kto to?"}},
	{name: "intent_at-menu", flow: FlowSupport, inputs: []string{"I can't pay my bills", "my knee is really sore", "feeling really low",
		"take me off your list", "who is this?", "I won't be in today, I'm not well", "Sam"}},
	{name: "intent_at-menu-cy", flow: FlowSupport, lang: "cy", inputs: []string{"Dwi'n poeni am arian", "Mae fy nghefn yn brifo'n ofnadwy",
		"Dwi dan lot o straen", "Peidiwch â anfon negeseuon ata i eto", "Pwy sy 'na?", "Dwi'n sâl heddiw, fydda i ddim yn y gwaith", "Sam"}},
	{name: "intent_at-menu-pl", flow: FlowSupport, lang: "pl", inputs: []string{"Martwię się o pieniądze, nie starcza mi na rachunki",
		"Bardzo bolą mnie plecy", "Jestem bardzo zestresowana", "Proszę nie pisać do mnie więcej", "Kto to?", "nie przyjdę dziś, choroba", "Sam"}},
	{name: "intent_talk-at-menu", flow: FlowSupport, inputs: []string{"could someone give me a call back"}},
	{name: "intent_talk-at-menu-cy", flow: FlowSupport, lang: "cy", inputs: []string{"Ga i siarad efo rhywun plis?"}},
	{name: "intent_talk-at-menu-pl", flow: FlowSupport, lang: "pl", inputs: []string{"Czy ktoś może do mnie zadzwonić?"}},
	// a message that may be an absence report: the support flow asks first
	{name: "intent_ask-absence-yes", inputs: []string{"under the weather today", "yes", "Sam"}},
	{name: "intent_ask-absence-no", inputs: []string{"not feeling too clever", "no", "5"}},
	{name: "intent_ask-absence-keyword", inputs: []string{"temperature of 39", "SUPPORT", "5"}},
	{name: "intent_ask-absence-yes-cy", lang: "cy", inputs: []string{"teimlo'n wael", "ie", "Sam"}},
	{name: "intent_ask-absence-no-cy", lang: "cy", inputs: []string{"pen tost ofnadwy", "na", "5"}},
	{name: "intent_ask-absence-keyword-cy", lang: "cy", inputs: []string{"teimlo'n wael", "SÂL", "Sam"}},
	{name: "intent_ask-absence-yes-pl", lang: "pl", inputs: []string{"źle się czuję", "tak", "Sam"}},
	{name: "intent_ask-absence-no-pl", lang: "pl", inputs: []string{"mam gorączkę", "nie", "5"}},
	{name: "intent_ask-absence-keyword-pl", lang: "pl", inputs: []string{"jestem w domu", "STOP"}},
	{name: "intent_ask-absence-at-menu", flow: FlowSupport, inputs: []string{"under the weather today", "no", "5"}},
	// staff feedback: the answer to the question after a conversation ended
	{name: "feedback_rating-comment", feedback: true, inputs: []string{"4", "Quick and easy, thanks"}},
	{name: "feedback_rating-comment-cy", lang: "cy", feedback: true, inputs: []string{"5", "Roedd yn ddefnyddiol iawn"}},
	{name: "feedback_rating-comment-pl", lang: "pl", feedback: true, inputs: []string{"2", "Odpowiedzi były za długie"}},
	{name: "feedback_comment-is-absence", feedback: true, inputs: []string{"4/5", "I'm off sick today with flu", "Sam"}},
	{name: "feedback_comment-keyword", feedback: true, inputs: []string{"3", "HELP", "5"}},
	{name: "feedback_not-a-rating", feedback: true, inputs: []string{"6"}},
	// vaccination: a campaign's invitation (DEMO offers clinic times;
	// DEMO-LINK only a booking link)
	{name: "vaccination_book-slot", flow: FlowVaccination, vaccine: "flu", inputs: []string{"1", "2"}},
	{name: "vaccination_book-slot-in-words", flow: FlowVaccination, vaccine: "flu", inputs: []string{"yes please, how do I book?", "tuesday", "friday"}},
	{name: "vaccination_book-link", flow: FlowVaccination, vaccine: "COVID-19", org: testLinkOrg, inputs: []string{"book", "what", "done"}},
	{name: "vaccination_booked", flow: FlowVaccination, vaccine: "flu", inputs: []string{"I've booked"}},
	{name: "vaccination_had-it-at-my-gp", flow: FlowVaccination, vaccine: "flu", inputs: []string{"had it at my GP", "3/11"}},
	{name: "vaccination_had-it-in-one-message", flow: FlowVaccination, vaccine: "flu", inputs: []string{"got it at Boots last week"}},
	{name: "vaccination_had-it-asked", flow: FlowVaccination, vaccine: "flu", inputs: []string{"2", "25/12/2026", "2 weeks ago", "another trust"}},
	{name: "vaccination_had-it-not-given", flow: FlowVaccination, vaccine: "flu", inputs: []string{"2", "ages ago", "around then"}},
	{name: "vaccination_decline", flow: FlowVaccination, vaccine: "flu", inputs: []string{"no thanks", "no"}},
	{name: "vaccination_decline-reason", flow: FlowVaccination, vaccine: "COVID-19", inputs: []string{"I don't want it", "I had a bad reaction last time"}},
	{name: "vaccination_question", flow: FlowVaccination, vaccine: "flu", inputs: []string{"can I have it if I'm pregnant?"}},
	{name: "vaccination_question-asked", flow: FlowVaccination, vaccine: "flu", inputs: []string{"4", "Is there a clinic at the community hospital?"}},
	{name: "vaccination_not-now", flow: FlowVaccination, vaccine: "flu", inputs: []string{"not now", "booked"}},
	{name: "vaccination_reminder", flow: FlowVaccination, vaccine: "flu", reminder: true, inputs: []string{"3"}},
	{name: "vaccination_other-vaccine", flow: FlowVaccination, vaccine: "MMR", org: testLinkOrg, inputs: []string{"1", "yes"}},
	{name: "vaccination_opt-out", flow: FlowVaccination, vaccine: "flu", inputs: []string{"STOP"}},
	{name: "vaccination_help-talk", flow: FlowVaccination, vaccine: "flu", inputs: []string{"HELP", "can someone ring me"}},
	{name: "vaccination_unclear", flow: FlowVaccination, vaccine: "flu", inputs: []string{"hmm", "maybe", "eh", "no"}},
	{name: "vaccination_switch-language", flow: FlowVaccination, vaccine: "flu", inputs: []string{"Cymraeg", "1", "1"}},
	{name: "vaccination_sick", flow: FlowVaccination, vaccine: "flu", inputs: []string{"I won't be in today, I'm not well", "Sam"}},
	{name: "vaccination_webchat", flow: FlowVaccination, vaccine: "flu", channel: ohcontact.ChannelWebChat, signed: true, inputs: []string{"1", "3"}},
	{name: "vaccination_book-cy", flow: FlowVaccination, vaccine: "flu", lang: "cy", inputs: []string{"1", "3"}},
	{name: "vaccination_had-it-cy", flow: FlowVaccination, vaccine: "flu", lang: "cy", inputs: []string{"wedi cael e yn y fferyllfa", "wythnos ddiwethaf"}},
	{name: "vaccination_decline-cy", flow: FlowVaccination, vaccine: "flu", lang: "cy", inputs: []string{"dim diolch", "Dwi ddim yn hoffi nodwyddau"}},
	{name: "vaccination_question-cy", flow: FlowVaccination, vaccine: "COVID-19", lang: "cy", inputs: []string{"Ga i'r brechiad os dwi'n feichiog?"}},
	{name: "vaccination_book-pl", flow: FlowVaccination, vaccine: "flu", lang: "pl", inputs: []string{"tak", "2"}},
	{name: "vaccination_had-it-pl", flow: FlowVaccination, vaccine: "flu", lang: "pl", inputs: []string{"już się zaszczepiłam w aptece", "w zeszłym tygodniu"}},
	{name: "vaccination_decline-pl", flow: FlowVaccination, vaccine: "flu", lang: "pl", inputs: []string{"nie chcę", "nie"}},
	{name: "vaccination_question-pl", flow: FlowVaccination, vaccine: "COVID-19", lang: "pl", inputs: []string{"Czy mogę się zaszczepić w ciąży?"}},
	// new-starter: a new starter's welcome (DEMO's questionnaire link).
	{name: "new-starter_done", flow: FlowNewStarter, inputs: []string{"done"}},
	{name: "new-starter_filled-it-in", flow: FlowNewStarter, inputs: []string{"ok thanks", "I've filled it in now"}},
	{name: "new-starter_question", flow: FlowNewStarter, inputs: []string{"Do I need to bring my vaccination records on my first day?"}},
	{name: "new-starter_help-me", flow: FlowNewStarter, inputs: []string{"help me"}},
	{name: "new-starter_link-problem", flow: FlowNewStarter, inputs: []string{"the link won't open on my phone"}},
	{name: "new-starter_reminder", flow: FlowNewStarter, reminder: true, inputs: []string{"sent it"}},
	{name: "new-starter_opt-out", flow: FlowNewStarter, inputs: []string{"STOP"}},
	{name: "new-starter_help-keyword", flow: FlowNewStarter, inputs: []string{"HELP", "done"}},
	{name: "new-starter_switch-language", flow: FlowNewStarter, inputs: []string{"Polski", "gotowe"}},
	{name: "new-starter_unclear", flow: FlowNewStarter, inputs: []string{"hmm", "maybe", "eh", "no"}},
	{name: "new-starter_done-cy", flow: FlowNewStarter, lang: "cy", inputs: []string{"wedi gwneud"}},
	{name: "new-starter_question-cy", flow: FlowNewStarter, lang: "cy", inputs: []string{"Oes angen i mi ddod â fy nghofnodion brechu?"}},
	{name: "new-starter_reminder-cy", flow: FlowNewStarter, lang: "cy", reminder: true, inputs: []string{"diolch"}},
	{name: "new-starter_done-pl", flow: FlowNewStarter, lang: "pl", inputs: []string{"Gotowe, wypełniłam"}},
	{name: "new-starter_question-pl", flow: FlowNewStarter, lang: "pl", inputs: []string{"Czy muszę przynieść książeczkę szczepień?"}},
	{name: "new-starter_reminder-pl", flow: FlowNewStarter, lang: "pl", reminder: true, inputs: []string{"dziękuję"}},
	{name: "intent_stress-menu", flow: FlowStressCheckin, inputs: []string{"yes", "1", "0", "0", "0", "0", "I'm worried about money", "off sick today with a migraine"}},
}

func newTestEngine(t testing.TB) *Engine {
	t.Helper()
	b, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(b, testDirectory())
	if err != nil {
		t.Fatal(err)
	}
	// A transcript is the same on every run: absence references are
	// random in service.
	e.NewReference = func() string { return testReference }
	return e
}

// testLinkOrg is the test directory's organisation whose vaccination
// clinic is booked through a link, with no slots.
const testLinkOrg = "DEMO-LINK"

// testDirectory is the demo directory and a copy of DEMO, testLinkOrg,
// whose vaccination clinic has only a booking link.
func testDirectory() *signposting.Directory {
	d := signposting.Demo()
	o := d.Organisations[0]
	o.Code = testLinkOrg
	o.Vaccination = &signposting.Vaccination{Clinic: "Flu Team", Place: "OH Department, Level 1", Hours: "Mon-Fri 9am-4pm",
		BookingURL: "https://intranet.demo-trust.example/book-vaccination"}
	d.Organisations = append(d.Organisations, o)
	return d
}

// testReference is the reference the transcripts' absence reports are
// recorded with.
const testReference = "K7M4QX"

func TestTranscripts(t *testing.T) {
	e := newTestEngine(t)
	seen := map[string]bool{}
	for _, sc := range scripts {
		t.Run(sc.name, func(t *testing.T) {
			if seen[sc.name] {
				t.Fatalf("duplicate script name")
			}
			seen[sc.name] = true
			got := runScript(t, e, sc)
			if again := runScript(t, e, sc); again != got {
				t.Fatal("the same script gave a different transcript: the step is not deterministic")
			}
			checkGolden(t, filepath.Join("testdata", sc.name+".txt"), got)
		})
	}
	if !*update {
		files, _ := filepath.Glob(filepath.Join("testdata", "*.txt"))
		for _, f := range files {
			if !seen[strings.TrimSuffix(filepath.Base(f), ".txt")] {
				t.Errorf("%s has no script in transcript_test.go", f)
			}
		}
	}
}

// checkGolden compares got with the transcript at path, or rewrites the
// file when the tests run with -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./dialogs -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("transcript differs from %s (go test ./dialogs -update rewrites it):\n%s", path, diff(string(want), got))
	}
}

// scriptStart is how script sc starts: as the known staff member Sam
// unless sc says otherwise, on SMS unless it names a channel.
func scriptStart(sc script) (StartInfo, ohcontact.Channel) {
	ch := sc.channel
	if ch == "" {
		ch = ohcontact.ChannelSMS
	}
	info := StartInfo{Org: signposting.DemoCode, Channel: ch, Lang: sc.lang, Known: !sc.unknown,
		IdentityConfirmed: sc.signed}
	if !sc.unknown {
		info.FirstName = "Sam"
	}
	if sc.feedback {
		info.Feedback = 1
	}
	if sc.org != "" {
		info.Org = sc.org
	}
	info.Vaccine, info.Reminder = sc.vaccine, sc.reminder
	return info, ch
}

// runScript plays a script and returns its transcript, checking the rules
// every conversation must keep as it goes.
func runScript(t *testing.T, e *Engine, sc script) string {
	t.Helper()
	info, ch := scriptStart(sc)
	var b strings.Builder
	lang := sc.lang
	if lang == "" {
		lang = "en-GB"
	}
	fmt.Fprintf(&b, "# Transcript %s, written by go test ./dialogs -update. Read it as a conversation:\n", sc.name)
	fmt.Fprintf(&b, "# \"<\" is the bot, \">\" the staff member; \"# state\" lines show the flow's state and effects.\n")
	who := "known staff member (first name Sam)"
	if sc.unknown {
		who = "unknown sender"
	}
	if sc.signed {
		who += ", signed in"
	}
	fmt.Fprintf(&b, "# channel: %s  language: %s  %s\n", ch, lang, who)
	if sc.feedback {
		b.WriteString("# asked lately \"How helpful was this? Reply 1 to 5\" at the end of a conversation\n")
	}
	if sc.vaccine != "" {
		fmt.Fprintf(&b, "# a campaign's invitation to the %s vaccine, organisation %s", sc.vaccine, cmp.Or(sc.org, signposting.DemoCode))
		if sc.reminder {
			b.WriteString(", the one reminder")
		}
		b.WriteString("\n")
	}

	inputs := sc.inputs
	var res Result
	var err error
	if sc.flow == "" {
		fmt.Fprintf(&b, "# no open conversation\n> %s\n", inputs[0])
		res, err = e.Inbound(info, Input{Text: inputs[0], Now: testNow})
		inputs = inputs[1:]
	} else {
		fmt.Fprintf(&b, "# start: %s\n", sc.flow)
		res, err = e.Start(sc.flow, info)
	}
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	writeResult(&b, res)
	checkResult(t, State{Channel: ch}, res)
	for i, in := range inputs {
		if res.Done {
			t.Fatalf("input %d (%q) after the flow finished", i, in)
		}
		// The runner saves and loads state as JSON between messages.
		state := roundTrip(t, res.State)
		fmt.Fprintf(&b, "> %s\n", in)
		res, err = e.Step(state, Input{Text: in, Now: testNow})
		if err != nil {
			t.Fatalf("step %q: %v", in, err)
		}
		writeResult(&b, res)
		checkResult(t, state, res)
	}
	if res.Done {
		if _, err := e.Step(res.State, Input{Text: "hello", Now: testNow}); !errors.Is(err, ErrFinished) {
			t.Errorf("step after done: err = %v, want ErrFinished", err)
		}
		b.WriteString("# finished\n")
	}
	return b.String()
}

func writeResult(b *strings.Builder, r Result) { b.WriteString(FormatResult(r)) }

// checkResult checks one step's result against the rules: texts fit an SMS,
// no health detail before identity is confirmed, the flow's state is
// known, finished flows close or hand over.
func checkResult(t *testing.T, before State, r Result) {
	t.Helper()
	for _, rep := range r.Replies {
		if rep.Text == "" {
			t.Errorf("empty reply")
		}
		if strings.Contains(rep.Text, "<no value>") {
			t.Errorf("reply has a missing template value: %q", rep.Text)
		}
		// A text keeps its language's letters (locales.SMSText), as the
		// web chat does; it is folded, if at all, as it is sent.
		if p := locales.Check(r.State.Lang, rep.Text); len(p) > 0 {
			t.Errorf("reply %q: %v", rep.Text, p)
		}
		if r.State.Channel == ohcontact.ChannelSMS && rep.Health && !r.State.Verified {
			t.Errorf("SMS reply with health detail before identity is confirmed: %q", rep.Text)
		}
	}
	for _, eff := range r.Effects {
		if a, ok := eff.(RecordAnswer); ok && (len(a.Value) > 200 || !validQuestion(a.Question)) {
			t.Errorf("answer %v does not fit the answers table", a)
		}
	}
	if r.Done {
		closed := false
		for _, eff := range r.Effects {
			switch eff := eff.(type) {
			case Close, RiskPathway:
				closed = true
			case RequestClinician:
				closed = closed || eff.Handover
			}
		}
		if !closed && before.Step != "" {
			t.Errorf("flow finished in %s without Close, RiskPathway or a handover", r.State.Step)
		}
	}
}

func validQuestion(q string) bool {
	if len(q) == 0 || len(q) > 64 {
		return false
	}
	for _, r := range q {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

func roundTrip(t *testing.T, s State) State {
	t.Helper()
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var out State
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(normalizeState(s), normalizeState(out)) {
		t.Fatalf("state does not survive JSON:\n%+v\n%+v", s, out)
	}
	return out
}

func normalizeState(s State) State {
	if len(s.Answers) == 0 {
		s.Answers = nil
	}
	if len(s.Signposted) == 0 {
		s.Signposted = nil
	}
	return s
}

// diff shows the first differing line of two transcripts.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\nwant: %s\ngot:  %s", i+1, wl, gl)
		}
	}
	return ""
}
