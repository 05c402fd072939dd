package dialogs_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/dialogs"
)

// feedbackQuestion starts the feedback question in each language, as the
// person reads it.
var feedbackQuestion = map[string]string{
	"en-GB": "How helpful was this? Reply 1 to 5",
	"cy":    "Pa mor ddefnyddiol oedd hyn? Atebwch 1 i 5",
	"pl":    "Na ile to było pomocne? Odpowiedz od 1 do 5",
}

// storedFeedback is Ann's latest feedback row.
type storedFeedback struct {
	rows     int
	flow     string
	language string
	rating   int     // 0: not answered
	comment  *string // nil: none
}

func (f *runnerFixture) feedback(t *testing.T) storedFeedback {
	t.Helper()
	var fb storedFeedback
	f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM feedback`).Scan(&fb.rows)
	if fb.rows == 0 {
		return fb
	}
	err := f.db.Pool.QueryRow(t.Context(), `SELECT flow, language, coalesce(rating, 0), comment FROM feedback ORDER BY id DESC LIMIT 1`).
		Scan(&fb.flow, &fb.language, &fb.rating, &fb.comment)
	if err != nil {
		t.Fatal(err)
	}
	return fb
}

// finishSupport opens the support menu with Ann on channel at address in
// lang, takes option 1 and says that's all: a conversation that ends
// normally. It returns the conversation's id.
func (f *runnerFixture) finishSupport(t *testing.T, channel ohcontact.Channel, address, lang string) int64 {
	t.Helper()
	f.startFlowOn(t, dialogs.FlowSupport, channel, address, lang)
	f.sendOn(t, channel, address, "1")
	f.sendOn(t, channel, address, "5")
	v := f.latestOn(t, channel)
	if v.status != "closed" || v.closedReason != "completed" {
		t.Fatalf("support menu after 1 and 5: %+v, want it closed as completed", v)
	}
	return v.id
}

// asked reports whether the last reply of conversation id is the feedback
// question (in any language).
func (f *runnerFixture) asked(t *testing.T, id int64) bool {
	t.Helper()
	replies := f.repliesAfter(t, id, 0)
	if len(replies) == 0 {
		return false
	}
	for _, q := range feedbackQuestion {
		if strings.HasPrefix(replies[len(replies)-1], q) {
			return true
		}
	}
	return false
}

// TestFeedbackTranscripts plays the feedback exchange in each language
// through the runner: the question after a conversation ends normally, a
// rating that opens a new conversation and offers a comment, and the
// comment; both are stored. The two conversations are written to
// testdata/runner/feedback_<lang>.txt.
func TestFeedbackTranscripts(t *testing.T) {
	t.Parallel()
	comments := map[string]string{
		"en-GB": "The wellbeing hub number was useful, thank you",
		"cy":    "Roedd rhif yr hyb llesiant yn ddefnyddiol, diolch",
		"pl":    "Numer do centrum wsparcia był przydatny, dziękuję",
	}
	for lang, comment := range comments {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			f := newRunnerFixture(t)
			if _, err := f.db.Pool.Exec(t.Context(), `UPDATE staff SET language = $1`, lang); err != nil {
				t.Fatal(err)
			}
			first := f.finishSupport(t, ohcontact.ChannelSMS, annMobile, lang)
			if !f.asked(t, first) {
				t.Fatalf("the end of the support menu did not ask for feedback: %q", f.repliesAfter(t, first, 0))
			}
			f.send(t, annMobile, "4")
			rated := f.conversation(t, annMobile)
			if rated.id == first || rated.status != "open" || rated.outbound != 1 {
				t.Fatalf("after the rating: %+v; want a new conversation, open for a comment, with one reply", rated)
			}
			f.at = f.at.Add(10 * time.Minute)
			f.send(t, annMobile, comment)
			v := f.conversation(t, annMobile)
			if v.id != rated.id || v.status != "closed" || v.closedReason != "completed" || v.outbound != 2 {
				t.Errorf("after the comment: %+v; want it thanked and closed", v)
			}
			fb := f.feedback(t)
			if fb.rows != 1 || fb.flow != dialogs.FlowSupport || fb.language != lang || fb.rating != 4 || fb.comment == nil || *fb.comment != comment {
				t.Errorf("stored feedback %+v (comment %v), want support, %s, 4 and the comment", fb, fb.comment, lang)
			}
			header := "# Transcript feedback_" + lang + ", written by go test ./dialogs -update. Read it as a conversation:\n" +
				"# \"<\" is the bot, \">\" the staff member. A conversation ends normally and asks once how helpful it was;\n" +
				"# the rating opens a new conversation, which offers a comment.\n"
			got := f.transcriptWith(t, first, header) + "# the next message opens a new conversation\n" + f.transcriptWith(t, rated.id, "")
			dialogs.CheckGolden(t, filepath.Join("testdata", "runner", "feedback_"+lang+".txt"), got)
		})
	}
}

// TestFeedbackCommentDisclosure: the risk screen reads the comment as any
// other message. A disclosure typed as a feedback comment opens an urgent
// case and sends crisis contacts at once; it is not stored as a comment
// (the OH team reads it in the case), and the rating stands.
func TestFeedbackCommentDisclosure(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)
	first := f.finishSupport(t, ohcontact.ChannelSMS, annMobile, "en-GB")
	f.send(t, annMobile, "3")
	f.send(t, annMobile, disclosure)
	v := f.conversation(t, annMobile)
	if v.id == first || v.owner != "clinician" || v.state != dialogs.StateRiskPathway || v.urgentOut == 0 {
		t.Fatalf("after a disclosure as a comment: %+v; want crisis contacts and the conversation with clinicians", v)
	}
	if !slicesContain(f.repliesAfter(t, v.id, 0), "999") {
		t.Errorf("replies %q carry no crisis contacts", f.repliesAfter(t, v.id, 0))
	}
	var priority string
	f.db.Pool.QueryRow(t.Context(), `SELECT priority FROM cases WHERE conversation_id = $1`, v.id).Scan(&priority)
	if priority != "urgent" {
		t.Errorf("case priority %q, want an urgent case", priority)
	}
	if fb := f.feedback(t); fb.rating != 3 || fb.comment != nil {
		t.Errorf("stored feedback %+v (comment %v), want the rating 3 and no comment", fb, fb.comment)
	}
	header := "# Transcript feedback_risk-disclosure, written by go test ./dialogs -update. Read it as a conversation:\n" +
		"# \"<\" is the bot, \">\" the staff member. A disclosure typed as a feedback comment is screened as\n" +
		"# every message: crisis contacts at once, an urgent case, the conversation with clinicians.\n"
	dialogs.CheckGolden(t, filepath.Join("testdata", "runner", "feedback_risk-disclosure.txt"), f.transcriptWith(t, v.id, header))
}

func slicesContain(texts []string, sub string) bool {
	for _, s := range texts {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestFeedbackAskedOnlyWhenAllowed: the question follows a normal ending
// at most once in 30 days, of a member of staff on record, never after a
// case (a disclosure, a request for a person) in the conversation or one
// of theirs unresolved, never after an opt-out; and nothing is sent when
// nobody answers.
func TestFeedbackAskedOnlyWhenAllowed(t *testing.T) {
	t.Parallel()
	t.Run("once in 30 days", func(t *testing.T) {
		t.Parallel()
		f := newRunnerFixture(t)
		if !f.asked(t, f.finishSupport(t, ohcontact.ChannelSMS, annMobile, "en-GB")) {
			t.Fatal("not asked the first time")
		}
		f.at = f.at.Add(29 * 24 * time.Hour)
		if f.asked(t, f.finishSupport(t, ohcontact.ChannelSMS, annMobile, "en-GB")) {
			t.Error("asked again 29 days later")
		}
		f.at = f.at.Add(2 * 24 * time.Hour)
		if !f.asked(t, f.finishSupport(t, ohcontact.ChannelWebChat, "staff-ann", "en-GB")) {
			t.Error("not asked 31 days after the first question")
		}
	})
	t.Run("not after a case in the conversation", func(t *testing.T) {
		t.Parallel()
		f := newRunnerFixture(t)
		f.startFlow(t, dialogs.FlowLongTermCheckin)
		for _, in := range []string{"yes", "1", "1 and 2", "yes", "yes"} {
			f.send(t, annMobile, in)
		}
		v := f.conversation(t, annMobile)
		if v.closedReason != "completed" || f.asked(t, v.id) || f.feedback(t).rows != 0 {
			t.Errorf("a check-in that asked OH to talk to the person ended %+v with the question asked", v)
		}
	})
	t.Run("not while a case of theirs is open", func(t *testing.T) {
		t.Parallel()
		f := newRunnerFixture(t)
		f.startFlow(t, dialogs.FlowSupport)
		f.send(t, annMobile, disclosure)
		if f.asked(t, f.finishSupport(t, ohcontact.ChannelWebChat, "staff-ann", "en-GB")) || f.feedback(t).rows != 0 {
			t.Error("asked in a web chat while a disclosure's case is open")
		}
	})
	t.Run("not after opting out", func(t *testing.T) {
		t.Parallel()
		f := newRunnerFixture(t)
		f.startFlow(t, dialogs.FlowSupport)
		f.send(t, annMobile, "STOP")
		if f.asked(t, f.conversation(t, annMobile).id) || f.feedback(t).rows != 0 {
			t.Error("asked after STOP")
		}
	})
	t.Run("not an unknown number", func(t *testing.T) {
		t.Parallel()
		f := newRunnerFixture(t)
		for _, in := range []string{"HELP", "1", "5"} {
			f.send(t, unknownMobile, in)
		}
		v := f.conversation(t, unknownMobile)
		if v.closedReason != "completed" || f.asked(t, v.id) || f.feedback(t).rows != 0 {
			t.Errorf("an unknown number's conversation ended %+v with the question asked", v)
		}
	})
	t.Run("anything but a rating is a first message", func(t *testing.T) {
		t.Parallel()
		f := newRunnerFixture(t)
		f.finishSupport(t, ohcontact.ChannelSMS, annMobile, "en-GB")
		f.send(t, annMobile, "SICK")
		if v := f.conversation(t, annMobile); !strings.Contains(v.lastReply, "first name") {
			t.Errorf("SICK after the question: %+v, want the absence report", v)
		}
		if fb := f.feedback(t); fb.rating != 0 {
			t.Errorf("feedback %+v stored from SICK", fb)
		}
	})
	t.Run("a late rating is a first message and nothing is sent meanwhile", func(t *testing.T) {
		t.Parallel()
		f := newRunnerFixture(t)
		first := f.finishSupport(t, ohcontact.ChannelSMS, annMobile, "en-GB")
		f.at = f.at.Add(dialogs.FeedbackGrace + time.Minute)
		var after int
		f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM messages WHERE conversation_id <> $1`, first).Scan(&after)
		if after != 0 {
			t.Errorf("%d messages in other conversations before the person wrote again; want no reminder", after)
		}
		f.send(t, annMobile, "4")
		if v := f.conversation(t, annMobile); v.state != "menu" || f.feedback(t).rating != 0 {
			t.Errorf("a rating after %s: %+v, feedback %+v; want the support menu and nothing stored", dialogs.FeedbackGrace, v, f.feedback(t))
		}
	})
}
