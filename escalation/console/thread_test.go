package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
)

// personWrites stores body from tc's person as the dialog runner does: in
// their open SMS conversation, or a new one (which follows the case if its
// conversation was handed back), raising the case's new-message cue when
// the conversation is on its thread. It returns the conversation's id.
func (f *fixture) personWrites(tc testCase, body string) int64 {
	f.t.Helper()
	ctx := f.t.Context()
	var id int64
	err := f.db.InTx(ctx, func(tx pgx.Tx) error {
		key := postgres.ConversationKey{StaffID: tc.staff, Channel: ohcontact.ChannelSMS}
		convs, _, err := postgres.LockForInbound(ctx, tx, []postgres.ConversationKey{key}, nil)
		if err != nil {
			return err
		}
		conv, ok := convs[key]
		if !ok {
			opened, err := postgres.OpenConversations(ctx, tx, []ohcontact.Conversation{{OrganisationID: f.org, StaffID: tc.staff,
				Channel: ohcontact.ChannelSMS, Address: tc.mobile, Flow: "support", State: "menu", Language: "en-GB"}})
			if err != nil {
				return err
			}
			conv = opened[key]
		}
		id = conv.ID
		m := ohcontact.Message{Direction: ohcontact.DirectionInbound, Author: ohcontact.AuthorStaff, Body: body,
			ExternalID: fmt.Sprintf("SM-%d", f.seq.Add(1))}
		if err := postgres.AppendMessage(ctx, tx, &conv, &m); err != nil {
			return err
		}
		if err := postgres.SaveMessageSeq(ctx, tx, &conv); err != nil {
			return err
		}
		if conv.Owner == ohcontact.OwnerClinician || conv.FollowsCaseID != 0 {
			return postgres.NoteCaseMessage(ctx, tx, conv, f.now())
		}
		return nil
	})
	if err != nil {
		f.t.Fatalf("person writes: %v", err)
	}
	return id
}

const newMessageCue = "New message from the person"

// TestHandBackKeepsTheThread: after a hand-back, the person's reply (in a
// new conversation with the bot) shows on the case page after a marker,
// with the new-message cue, which the clinician holding the case lowers by
// opening it and a lead does not; the clinician can reply to it; resolving
// with the closing message sends it there and closes that conversation.
func TestHandBackKeepsTheThread(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("sam@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	f.user("lee@example.nhs.uk", "Lee Lead", ohcontact.RoleLead, f.org)
	tc := f.newCase(f.org, ohcontact.PriorityUrgent, 0)
	path := fmt.Sprintf("/console/cases/%d", tc.id)
	sam, lee := f.signIn("sam@example.nhs.uk"), f.signIn("lee@example.nhs.uk")
	sam.post(path+"/claim", nil)
	sam.post(path+"/reply", url.Values{"body": {"Can I call you on Monday at 9am?"}})
	sam.post(path+"/hand-back", nil)

	later := f.personWrites(tc, "yes Monday 9am is fine")
	if later == tc.conversation {
		t.Fatal("the reply after the hand-back went into the closed conversation")
	}
	if _, queue := sam.get("/console/"); !strings.Contains(queue, "New message</strong>") {
		t.Error("the queue does not mark the case as having a new message")
	}
	_, page := lee.get(path)
	if !strings.Contains(page, "yes Monday 9am is fine") || !strings.Contains(text(page), "The person wrote again after the conversation was handed back") {
		t.Fatal("the case page does not show the reply written after the hand-back, after its marker")
	}
	if !strings.Contains(page, newMessageCue) {
		t.Error("the case page shows no new-message cue")
	}
	if n := f.count(`SELECT count(*) FROM cases WHERE id = $1 AND new_message_at IS NOT NULL`, tc.id); n != 1 {
		t.Error("a lead reading the case lowered the cue meant for the clinician holding it")
	}
	_, page = sam.get(path)
	if !strings.Contains(page, newMessageCue) {
		t.Error("the clinician holding the case was not shown the new-message cue")
	}
	if _, page = sam.get(path); strings.Contains(page, newMessageCue) {
		t.Error("the cue stayed after the clinician holding the case had opened it")
	}
	if _, queue := sam.get("/console/"); strings.Contains(queue, "New message</strong>") {
		t.Error("the queue still marks the case after the clinician holding it had opened it")
	}
	if !strings.Contains(page, `id="reply"`) {
		t.Fatal("the clinician cannot reply to the conversation that followed the hand-back")
	}
	if resp, _ := sam.post(path+"/reply", url.Values{"body": {"Thanks, speak then."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply after the hand-back: status %d, want 303", resp.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM messages WHERE conversation_id = $1 AND author = 'clinician' AND body = 'Thanks, speak then.'`, later); n != 1 {
		t.Error("the reply did not go to the conversation the person is writing in")
	}
	if !strings.Contains(page, "Send the person the closing message") || !strings.Contains(page, "the OH team has closed this conversation") {
		t.Error("the resolve form does not offer the closing message with its words")
	}

	queued := len(f.sms.messages())
	if resp, _ := sam.post(path+"/resolve", url.Values{"outcome": {"support_arranged"}, "tell": {"yes"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resolve: status %d, want 303", resp.StatusCode)
	}
	sent := f.sms.messages()[queued:]
	if len(sent) != 1 || !strings.Contains(sent[0].Body, "the OH team has closed this conversation") || sent[0].ConversationID != later {
		t.Fatalf("resolving queued %+v, want the closing message in conversation %d", sent, later)
	}
	if n := f.count(`SELECT count(*) FROM conversations WHERE id IN ($1, $2) AND status = 'closed'`, tc.conversation, later); n != 2 {
		t.Error("resolving with the closing message left a conversation of the thread open")
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE record_id = $1 AND action = 'case.resolved' AND details->>'told' = 'true'`, tc.id); n != 1 {
		t.Error("the audit log does not record that the person was told")
	}
}

// TestResolveWithoutClosingMessage: unticked, resolving sends nothing; for
// a person who opted out the form offers no closing message and says why.
func TestResolveWithoutClosingMessage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	f.user("sam@example.nhs.uk", "Sam Jones", ohcontact.RoleClinician, f.org)
	sam := f.signIn("sam@example.nhs.uk")
	quiet, optedOut := f.newCase(f.org, ohcontact.PriorityHigh, 0), f.newCase(f.org, ohcontact.PriorityHigh, 0)
	for _, tc := range []testCase{quiet, optedOut} {
		sam.post(fmt.Sprintf("/console/cases/%d/claim", tc.id), nil)
	}
	if resp, _ := sam.post(fmt.Sprintf("/console/cases/%d/resolve", quiet.id), url.Values{"outcome": {"no_risk_found"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resolve: status %d, want 303", resp.StatusCode)
	}
	if got := f.sms.messages(); len(got) != 0 {
		t.Errorf("resolving without the closing message queued %d messages", len(got))
	}

	if _, err := f.db.Pool.Exec(t.Context(), `UPDATE staff SET consent = 'opted_out', consent_changed_at = now() WHERE id = $1`, optedOut.staff); err != nil {
		t.Fatal(err)
	}
	_, page := sam.get(fmt.Sprintf("/console/cases/%d", optedOut.id))
	if strings.Contains(page, `name="tell"`) || !strings.Contains(text(page), "No closing message will be sent: This person has opted out") {
		t.Error("the resolve form offers a closing message to a person who opted out")
	}
}
