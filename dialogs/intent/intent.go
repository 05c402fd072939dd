// Package intent reads what a message in any words is about, so that the
// dialogs engine can start the right flow without a keyword: "Hi, I'm off
// sick today, I've got flu" starts the day-1 absence report as SICK does.
// It is a small trained model (a softmax logistic regression over hashed
// words, bigrams and word classes of the risk screen's normalised text),
// pure Go, embedded (model.bin), trained by `ohcontact intent train` from
// corpus/ and judged on blind batches it never saw (INTENT.md).
//
// When it is unsure whether a message is an absence report (between its
// ask and absence thresholds) it says so (Result.AskAbsence), and the
// engine asks "Are you letting us know you're off sick?" instead of
// guessing. On its second blind run it took 0.93 of absence reports
// directly, 0.98 taken or asked, and no other message for one.
//
// Keywords stay authoritative: the engine asks the model only when a
// message is no keyword, and never opts anyone out on its guess.
package intent

import (
	"sync"

	"github.com/ohcontact/ohcontact/escalation/risk"
)

// Intent is what a message is about.
type Intent string

// The intents, in the model's order.
const (
	Absence    Intent = "absence"      // reporting an absence now: off sick, not coming in
	BackAtWork Intent = "back_at_work" // back at work, or returning
	Money      Intent = "money"        // money worries
	MSK        Intent = "msk"          // back, muscle or joint pain
	Wellbeing  Intent = "wellbeing"    // stress, low mood, mental health, wellbeing
	Talk       Intent = "talk"         // wants a person in OH
	Stop       Intent = "stop"         // wants no more messages
	None       Intent = "none"         // anything else: answers, questions, other news
)

// Intents lists every intent in the model's order.
var Intents = []Intent{Absence, BackAtWork, Money, MSK, Wellbeing, Talk, Stop, None}

const nIntents = 8

// Indices of the intents the decision treats apart.
const (
	iAbsence = 0
	iNone    = 7
)

// index returns the model's index of intent i, or -1.
func index(i Intent) int {
	for c, v := range Intents {
		if v == i {
			return c
		}
	}
	return -1
}

// Result is what Classify makes of a message: its intent, and the model's
// probability of that intent (0 to 1).
type Result struct {
	Intent Intent
	Score  float32
	// AskAbsence is set when the message may be an absence report but the
	// model is not sure enough to take it for one: its probability of
	// absence is below the absence threshold and at or above the lower ask
	// threshold (INTENT.md). Intent is then never Absence; the engine asks
	// "Are you letting us know you're off sick?" before anything else.
	AskAbsence bool
}

// Classifier classifies messages with the embedded model. It is safe for
// concurrent use; make one with New and share it.
type Classifier struct {
	m    *model
	pool sync.Pool // *[]uint32
}

// New loads the embedded model and compiles the shared tokeniser
// (risk.Words), so the first message pays for neither. It panics if the
// model is malformed, which the package tests rule out.
func New() *Classifier {
	m, err := parseModel(modelBin)
	if err != nil {
		panic("intent: model.bin: " + err.Error())
	}
	risk.Words("")
	return newClassifier(m)
}

func newClassifier(m *model) *Classifier {
	c := &Classifier{m: m}
	c.pool.New = func() any { return new([]uint32) }
	return c
}

// Classify returns the intent of one message. It never fails: empty or odd
// input (invalid UTF-8, emoji only) is None or another valid intent.
// Absence wins when its probability reaches the absence threshold, even
// if another intent is likelier ("off sick with my back" is an absence
// report first); another intent must reach its own threshold, or the
// message is None. Between the ask and the absence thresholds the result
// also has AskAbsence.
func (c *Classifier) Classify(text string) Result {
	buf := c.pool.Get().(*[]uint32)
	*buf = features(text, c.m.bits, *buf)
	p := c.m.probs(*buf)
	if cap(*buf) <= 4096 {
		c.pool.Put(buf)
	}
	return c.m.decide(p)
}
