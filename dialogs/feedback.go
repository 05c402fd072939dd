package dialogs

import (
	"slices"
	"strings"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/dialogs/intent"
	"github.com/ohcontact/ohcontact/locales"
)

// Staff feedback. When a flow ends normally (its closing message, the
// closed state's prompt), the engine adds AskFeedback unless the ending
// makes the question unwelcome: a goodbye a handler said itself
// (skipClosing: an unknown number, a name that did not match, "not now"), a
// check-in the person declined or put off (consent no or not_now), or a
// conversation in which the bot asked directly about thoughts of ending
// their life (State.AskedDirectly), or a campaign's invitation (a text more
// than the person asked for). The runner then decides whether this
// person may be asked (postgres.AskFeedback: a member of staff on record,
// not opted out, not asked in 30 days, no case on the conversation, none
// unresolved or opened in 30 days) and, if so, adds the question
// (FeedbackQuestion) after the closing message. It is never asked in an
// anonymous web chat or of an unknown number: there is nobody to limit to
// once a month.
//
// The conversation has closed, so the answer opens a new one (Inbound,
// StartInfo.Feedback): a whole message 1 to 5 ("4", "4/5") within
// FeedbackGrace of the question is stored as the rating (RateFeedback) and
// thanked with an offer of a comment; the new conversation waits in the
// support flow's state feedback_comment. There, within CommentWindow, any
// message that is no keyword and not about an absence or asking for a
// person is the comment (CommentFeedback), thanked, and the conversation
// closes; a keyword, a message about an absence or asking for a person, or
// anything later than CommentWindow is taken as a first message would be
// (Inbound). Any other first message is a first message as ever. Nothing is
// sent when nobody answers.
//
// The risk screen reads every message before the engine, the rating and
// the comment included: a disclosure typed as a comment takes the risk
// pathway (crisis contacts, a case) and is not stored as a comment.

// FeedbackGrace is how long after the question a rating is taken as its
// answer.
const FeedbackGrace = 72 * time.Hour

// CommentWindow is how long after a rating a message is taken as its
// comment.
const CommentWindow = 24 * time.Hour

// stateFeedbackComment is the support flow's state waiting for an optional
// comment after a rating.
const stateFeedbackComment = "feedback_comment"

// evRated enters the comment state from the support flow's initial state,
// for a rating that is a first message (no menu is shown); evComment
// closes the conversation after the comment.
const (
	evRated   = "rated"
	evComment = "commented"
)

// asksFeedback reports whether the flow's normal ending may be followed by
// the feedback question (see above).
func (s *session) asksFeedback() bool {
	if s.skipClosing || s.st.AskedDirectly || s.st.Flow == FlowVaccination || s.st.Flow == FlowNewStarter {
		return false
	}
	c, ok := s.st.Answers["consent"]
	return !ok || c == "yes"
}

// FeedbackQuestion is the feedback question in lang, as sent on channel.
func (e *Engine) FeedbackQuestion(lang string, channel ohcontact.Channel) Reply {
	s := &session{e: e, loc: e.localizer(lang)}
	r := Reply{Text: s.text("feedback_question", nil), MessageID: "feedback_question"}
	if channel == ohcontact.ChannelSMS {
		r.Text = locales.SMSText(r.Text)
	}
	return r
}

// parseRating reads a whole message that is a rating from 1 to 5: "4",
// " 4. ", "4/5".
func parseRating(text string) (int, bool) {
	t := strings.TrimSpace(text)
	t = strings.TrimSuffix(t, "/5")
	t = strings.TrimRight(t, ".! ")
	if len(t) == 1 && t[0] >= '1' && t[0] <= '5' {
		return int(t[0] - '0'), true
	}
	return 0, false
}

// rated answers a rating n of question st.Feedback: thanks, the offer of a
// comment, and the support flow's comment state.
func (e *Engine) rated(st StartInfo, in Input, n int) (Result, error) {
	s, err := e.begin(FlowSupport, st, in)
	if err != nil {
		return Result{}, err
	}
	at := in.Now.UTC().Truncate(time.Millisecond)
	s.st.FeedbackID, s.st.RatedAt = st.Feedback, &at
	s.effect(RateFeedback{ID: st.Feedback, Rating: n})
	if err := s.fire(evRated); err != nil {
		return Result{}, err
	}
	return s.result()
}

// commentIsInput reports whether a message in state feedback_comment is
// to be taken as a first message rather than as the comment (see above).
func (s *session) commentIsInput(text string) bool {
	if s.st.RatedAt == nil || s.now.Sub(*s.st.RatedAt) > CommentWindow {
		return true
	}
	if k, _ := parseKeyword(normalize(text)); k != KeywordNone {
		return true
	}
	r := s.intentOf(text)
	return r.Intent == intent.Absence || r.Intent == intent.Talk || r.AskAbsence
}

// feedbackComment is the support flow's comment state.
func feedbackComment() *node {
	return &node{
		prompt: sayer("feedback_thanks", false),
		answer: func(s *session, a answer) string {
			s.effect(CommentFeedback{ID: s.st.FeedbackID, Text: strings.TrimSpace(a.raw)})
			s.say("feedback_comment_thanks", nil, false)
			s.skipClosing = true
			return evComment
		}}
}

// inboundAfterFeedback takes a message in state feedback_comment that is
// not the comment as a first message, in the same conversation.
func (e *Engine) inboundAfterFeedback(state State, in Input) (Result, error) {
	res, err := e.Inbound(StartInfo{Org: state.Org, Channel: state.Channel, Lang: state.Lang, Known: state.Known,
		FirstName: state.FirstName, IdentityConfirmed: state.Verified}, in)
	if err != nil {
		return Result{}, err
	}
	// Identity was confirmed before, and recorded then.
	res.Effects = slices.DeleteFunc(res.Effects, isEffect[IdentityConfirmed])
	return res, nil
}
