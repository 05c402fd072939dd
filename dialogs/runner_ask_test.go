package dialogs_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/escalation/risk"
)

// TestAskDirectly plays the direct question in each language and channel:
// a message the screen is unsure about stops the flow and asks; yes brings
// a person in at once (urgent), an unclear answer or silence for 30
// minutes brings one in (high), and no lets the flow go on, keeping any
// routine case the message warranted. Each conversation is written to
// testdata/runner/ask_<name>.txt for clinical review.
func TestAskDirectly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, lang string
		channel    ohcontact.Channel
		weak       []string // messages the screen may ask about: the first it does is sent
		answer     string   // "" waits past the deadline
		priority   string   // the case's priority afterwards; "" for what the message warranted
		owner      string
	}{
		{"en-sms-yes", "en-GB", ohcontact.ChannelSMS, breakingPoint, "yes", "urgent", "clinician"},
		{"en-sms-no", "en-GB", ohcontact.ChannelSMS, breakingPoint, "no, nothing like that", "", "bot"},
		{"en-webchat-unclear", "en-GB", ohcontact.ChannelWebChat, darkPlace, "i dont know really", "high", "clinician"},
		{"en-sms-silence", "en-GB", ohcontact.ChannelSMS, darkPlace, "", "high", "clinician"},
		{"en-sms-disclosure", "en-GB", ohcontact.ChannelSMS, darkPlace, "ive been saving up my tablets to take tonight", "urgent", "clinician"},
		{"en-sms-no-but", "en-GB", ohcontact.ChannelSMS, breakingPoint, "no but ive got the tablets here ready for tonight", "urgent", "clinician"},
		{"cy-sms-yes", "cy", ohcontact.ChannelSMS, welshWeak, "ie", "urgent", "clinician"},
		{"cy-webchat-no", "cy", ohcontact.ChannelWebChat, welshWeak, "na", "", "bot"},
		{"pl-sms-no", "pl", ohcontact.ChannelSMS, polishWeak, "nie", "", "bot"},
		{"pl-webchat-silence", "pl", ohcontact.ChannelWebChat, polishWeak, "", "high", "clinician"},
	}
	screen := risk.New()
	// firstAsked returns the first of texts the screen asks about, with
	// the result: which phrases are unsure moves as the model is retrained.
	firstAsked := func(t *testing.T, texts []string) (string, ohcontact.RiskResult) {
		t.Helper()
		for _, text := range texts {
			if r := screen.Screen(text); r.Ask && r.Priority.Rank() <= ohcontact.PriorityRoutine.Rank() {
				return text, r
			}
		}
		t.Fatalf("the screen asks about none of %q: the test needs a message it asks about", texts)
		return "", ohcontact.RiskResult{}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			weak, r := firstAsked(t, tt.weak)
			if tt.priority == "" {
				// A "no" keeps the case the message warranted, if any.
				tt.priority = string(r.Priority)
			}
			f := newRunnerFixture(t)
			address := annMobile
			if tt.channel == ohcontact.ChannelWebChat {
				address = "widget-session-1"
			}
			f.startFlowOn(t, dialogs.FlowStressCheckin, tt.channel, address, tt.lang)
			say := func(text string) { f.sendOn(t, tt.channel, address, text) }
			say(map[string]string{"en-GB": "yes", "cy": "ie", "pl": "tak"}[tt.lang])
			say(weak)
			asked := f.latestOn(t, tt.channel)
			if asked.owner != "bot" || !strings.Contains(asked.lastReply, "?") {
				t.Fatalf("after %q: %+v; want the bot to ask directly", weak, asked)
			}
			var job dialogs.AskTimeoutArgs
			var due time.Time
			if err := f.db.Pool.QueryRow(t.Context(), `SELECT args, scheduled_at FROM river_job WHERE kind = 'risk_ask_timeout'`).
				Scan(&job, &due); err != nil {
				t.Fatalf("the answer's deadline: %v", err)
			}
			if job.ConversationID != asked.id || !due.Equal(job.AskedAt.Add(dialogs.AskTimeout)) {
				t.Errorf("deadline job %+v at %s, want conversation %d, 30 minutes after asking", job, due, asked.id)
			}
			if tt.answer == "" {
				if err := f.asks.Work(t.Context(), &river.Job[dialogs.AskTimeoutArgs]{Args: job}); err != nil {
					t.Fatal(err)
				}
			} else {
				say(tt.answer)
				// The deadline passes after the answer: nothing more happens.
				if err := f.asks.Work(t.Context(), &river.Job[dialogs.AskTimeoutArgs]{Args: job}); err != nil {
					t.Fatal(err)
				}
			}
			v := f.latestOn(t, tt.channel)
			var priority string
			f.db.Pool.QueryRow(t.Context(), `SELECT coalesce((SELECT priority FROM cases WHERE conversation_id = $1), 'none')`, v.id).Scan(&priority)
			if priority != tt.priority || v.owner != tt.owner {
				t.Errorf("after %q: case %s, owner %s; want case %s, owner %s", tt.answer, priority, v.owner, tt.priority, tt.owner)
			}
			var askedAt *time.Time
			f.db.Pool.QueryRow(t.Context(), `SELECT (data->>'asked_at')::timestamptz FROM conversations WHERE id = $1`, v.id).Scan(&askedAt)
			if askedAt != nil {
				t.Errorf("after %q the conversation still waits for an answer (asked at %s)", tt.answer, askedAt)
			}
			switch tt.owner {
			case "clinician":
				if v.state != dialogs.StateRiskPathway || !strings.Contains(v.lastReply, "999") || v.urgentOut == 0 {
					t.Errorf("after %q: %+v; want the risk pathway with crisis contacts", tt.answer, v)
				}
			default:
				if v.state == dialogs.StateRiskPathway || v.outbound <= asked.outbound {
					t.Errorf("after no: %+v; want the flow to go on with its question again", v)
				}
			}
			header := fmt.Sprintf("# Transcript ask_%s, written by go test ./dialogs -update. Read it as a conversation:\n", tt.name) +
				"# \"<\" is the bot, \">\" the staff member. A message the risk screen is unsure about stops the stress\n" +
				"# check-in and the bot asks directly; the answer (or 30 minutes of silence) decides what follows.\n"
			dialogs.CheckGolden(t, filepath.Join("testdata", "runner", "ask_"+tt.name+".txt"), f.transcriptWith(t, v.id, header))
		})
	}
}

// Messages the screen is unsure about, by language (see firstAsked).
var (
	breakingPoint = []string{"honestly I'm at breaking point", "struggling a lot to be honest", "everything is on top of me", "I feel numb all the time"}
	darkPlace     = []string{"I'm in a really dark place", "I feel numb all the time", "struggling a lot to be honest", "everything is on top of me"}
	welshWeak     = []string{"Dwi ddim yn ymdopi o gwbl", "dwi'n cael amser caled iawn", "mae popeth yn ormod", "dwi wedi blino ar bopeth"}
	polishWeak    = []string{"nie daję rady", "jest mi bardzo ciężko", "wszystkiego jest za dużo", "mam wszystkiego dość"}
)

// sendOn delivers text from Ann on channel at address.
func (f *runnerFixture) sendOn(t *testing.T, channel ohcontact.Channel, address, text string) {
	t.Helper()
	if channel == ohcontact.ChannelSMS {
		f.send(t, address, text)
		return
	}
	f.seq++
	var ann int64
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT id FROM staff WHERE mobile = $1`, annMobile).Scan(&ann); err != nil {
		t.Fatal(err)
	}
	err := f.runner.HandleInbound(t.Context(), ohcontact.Inbound{Channel: channel, Address: address, Text: text,
		ExternalID: fmt.Sprintf("frame-%d", f.seq), ReceivedAt: f.at,
		Organisation: f.runner.DefaultOrganisation, StaffID: ann})
	if err != nil {
		t.Fatalf("HandleInbound(%q): %v", text, err)
	}
}

// latestOn returns Ann's latest conversation on channel.
func (f *runnerFixture) latestOn(t *testing.T, channel ohcontact.Channel) conversationView {
	t.Helper()
	var address string
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT address FROM conversations WHERE channel = $1 ORDER BY id DESC LIMIT 1`, channel).
		Scan(&address); err != nil {
		t.Fatal(err)
	}
	return f.conversation(t, address)
}
