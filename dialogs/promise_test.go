package dialogs

import (
	"regexp"
	"slices"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/ohcontact/ohcontact/locales"
)

// promises are the messages that tell the person a person will contact
// them. In a flow, each may be said only once the conversation has a work
// item behind it (workItem): a case (RequestClinician, RiskPathway) or a
// referral (CreateReferral), each with an SLA and a breach clock, or a new
// starter's place on the OH admin worklist (NewStarterWorklist), which
// promises no time. The
// referral notices are said by escalation.ReferralNotices after the
// physio team booked (the booking is the work item) or declined for an OH
// call (which opens a case: TestBookingTellsThePerson).
var promises = []string{
	"talk_ack", "offer_person_gave_up", "clinician_requested", "oh_callback_made", "lt_oh_referral",
	"msk_referral_made", "msk_red_flags_urgent", "crisis", "vacc_question_ack", "ns_question_ack",
	"referral_booked_phone", "referral_declined_oh_call", "holding_at_work", "webchat_contact_thanks",
}

// saidOutsideFlows are promises said by the runner or the escalation
// package, never by a flow, each after its work item: the referral notices
// (TestBookingTellsThePerson), and the holding line and the thanks for
// contact details, said only in a conversation with a case, owned by the
// clinicians (runner_holding_test.go).
var saidOutsideFlows = []string{"referral_booked_phone", "referral_declined_oh_call", "holding_at_work", "webchat_contact_thanks"}

// notPromises are messages that speak of contact without promising it.
var notPromises = map[string]string{
	"offer_person":             "a question: YES opens the case",
	"stress_offer_clinician":   "a question: YES opens the case",
	"msk_contact":              "asks how the physio team should make the contact the referral promises",
	"webchat_crisis_anonymous": "says the OH team cannot contact them unless they say how",
	"ns_done":                  "only if the OH team needs more from a questionnaire sent back: nothing is owed",
}

// promiseWords find a promise of contact in an English message.
var promiseWords = regexp.MustCompile(`(?i)(contact you|call you|get in touch|be in touch|will reply|ring you|phone you|asked (a|the) .*(team|clinician)|told the OH team|referral to the)`)

// TestPromisesAreKnown fails on an English message that speaks of contact
// but is in neither promises nor notPromises, so that a new promise cannot
// escape TestEveryPromiseHasAWorkItem.
func TestPromisesAreKnown(t *testing.T) {
	data, err := locales.File("en-GB")
	if err != nil {
		t.Fatal(err)
	}
	var msgs map[string]any
	if err := toml.Unmarshal(data, &msgs); err != nil {
		t.Fatal(err)
	}
	for id, v := range msgs {
		text, ok := v.(string)
		if !ok {
			continue // plural tables: their forms are checked by the catalogue tests
		}
		_, excused := notPromises[id]
		if promiseWords.MatchString(text) && !slices.Contains(promises, id) && !excused {
			t.Errorf("message %s speaks of contact: add it to promises (and back it with a work item) or to notPromises with why", id)
		}
	}
	for _, id := range promises {
		if _, ok := msgs[id]; !ok {
			t.Errorf("promise %s is not a message", id)
		}
	}
}

// TestEveryPromiseHasAWorkItem walks every transcript's conversation and
// fails on a promise of contact said before the conversation has a case
// or a referral behind it: the control for hazard H17 in the flows.
func TestEveryPromiseHasAWorkItem(t *testing.T) {
	e := newTestEngine(t)
	said := map[string]bool{}
	for _, sc := range scripts {
		t.Run(sc.name, func(t *testing.T) {
			work := false
			eachResult(t, e, sc, func(r Result) {
				for _, eff := range r.Effects {
					switch eff.(type) {
					case RequestClinician, RiskPathway, CreateReferral, NewStarterWorklist:
						work = true
					}
				}
				for _, rep := range r.Replies {
					if !slices.Contains(promises, rep.MessageID) {
						continue
					}
					said[rep.MessageID] = true
					if !work {
						t.Errorf("promise %s (%q) with no case or referral behind it", rep.MessageID, rep.Text)
					}
				}
			})
		})
	}
	// The transcripts must reach every promise a flow can make, or this
	// test proves nothing about it.
	for _, id := range promises {
		if !said[id] && !slices.Contains(saidOutsideFlows, id) {
			t.Errorf("no transcript says promise %s: add a script that does", id)
		}
	}
}

// eachResult plays script sc, as runScript does, calling f with each
// step's result.
func eachResult(t *testing.T, e *Engine, sc script, f func(Result)) {
	t.Helper()
	info, _ := scriptStart(sc)
	inputs := sc.inputs
	var res Result
	var err error
	if sc.flow == "" {
		res, err = e.Inbound(info, Input{Text: inputs[0], Now: testNow})
		inputs = inputs[1:]
	} else {
		res, err = e.Start(sc.flow, info)
	}
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	f(res)
	for _, in := range inputs {
		if res, err = e.Step(roundTrip(t, res.State), Input{Text: in, Now: testNow}); err != nil {
			t.Fatalf("step %q: %v", in, err)
		}
		f(res)
	}
}
