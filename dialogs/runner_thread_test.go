package dialogs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/channels"
	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/escalation"
)

// TestHandBackKeepsTheThread: while a case is with a clinician, what the
// person writes raises the case's "new message" cue; after the clinician
// hands the conversation back, the person's next message starts a new
// conversation with the bot that follows the case, so it shows on the case
// and raises the cue too; nobody else's conversation follows it, and once
// the case is resolved (with the closing message) a thank-you is answered
// as such and a new conversation follows nothing.
func TestHandBackKeepsTheThread(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)
	ctx := t.Context()
	f.send(t, annMobile, disclosure)
	first := f.conversation(t, annMobile)
	f.claim(t, first.id)
	var caseID, nurse int64
	if err := f.db.Pool.QueryRow(ctx, `SELECT id, claimed_by FROM cases WHERE conversation_id = $1`, first.id).Scan(&caseID, &nurse); err != nil {
		t.Fatal(err)
	}
	newMessage := func() bool {
		t.Helper()
		var raised bool
		if err := f.db.Pool.QueryRow(ctx, `SELECT new_message_at IS NOT NULL FROM cases WHERE id = $1`, caseID).Scan(&raised); err != nil {
			t.Fatal(err)
		}
		return raised
	}
	if newMessage() {
		t.Fatal("the disclosure that opened the case raised the new-message cue")
	}
	f.at = f.at.Add(time.Minute)
	f.send(t, annMobile, "are you there")
	if !newMessage() {
		t.Fatal("a message to the clinician did not raise the case's new-message cue")
	}
	if _, err := f.db.Pool.Exec(ctx, `UPDATE cases SET new_message_at = NULL WHERE id = $1`, caseID); err != nil {
		t.Fatal(err)
	}

	cases := &escalation.Cases{DB: f.db, SLA: escalation.DefaultSLA, Location: time.UTC}
	if err := cases.HandBack(ctx, escalation.Actor{UserID: nurse}, caseID); err != nil {
		t.Fatalf("hand back: %v", err)
	}
	f.at = f.at.Add(time.Hour)
	f.send(t, annMobile, "yes Monday 9am is fine")
	later := f.conversation(t, annMobile)
	if later.id == first.id {
		t.Fatal("the message after the hand-back went into the closed conversation")
	}
	var follows int64
	if err := f.db.Pool.QueryRow(ctx, `SELECT coalesce(follows_case_id, 0) FROM conversations WHERE id = $1`, later.id).Scan(&follows); err != nil {
		t.Fatal(err)
	}
	if follows != caseID {
		t.Fatalf("the conversation after the hand-back follows case %d, want %d", follows, caseID)
	}
	if !newMessage() {
		t.Error("the message after the hand-back did not raise the case's new-message cue")
	}
	if later.outbound == 0 {
		t.Error("the bot did not answer the person after the hand-back")
	}

	f.send(t, unknownMobile, "hello")
	var stranger int64
	if err := f.db.Pool.QueryRow(ctx, `SELECT coalesce(follows_case_id, 0) FROM conversations WHERE address = $1`, unknownMobile).Scan(&stranger); err != nil {
		t.Fatal(err)
	}
	if stranger != 0 {
		t.Errorf("another person's conversation follows case %d", stranger)
	}

	// Resolved with the closing message: it ends the conversation that
	// followed, so the person's next message is a fresh start.
	cases.Engine = f.engine
	cases.Outboxes = channels.Outboxes{ohcontact.ChannelSMS: &sms.Outbox{Jobs: f.jobs}}
	if err := cases.Resolve(ctx, escalation.Actor{UserID: nurse}, caseID, "support_arranged", "", true); err != nil {
		t.Fatalf("resolve: %v", err)
	}
	closed := f.conversation(t, annMobile)
	if closed.id != later.id || closed.status != "closed" || closed.closedReason != "resolved" ||
		!strings.Contains(closed.lastReply, "the OH team has closed this conversation") || closed.jobs != closed.outbound {
		t.Fatalf("after resolving with the closing message the conversation that followed is %+v, want it closed (resolved) with the message queued", closed)
	}
	f.send(t, annMobile, "thank you so much x")
	thanks := f.conversation(t, annMobile)
	if thanks.id == later.id || thanks.status != "closed" || !strings.HasPrefix(thanks.lastReply, "You're welcome.") {
		t.Errorf("a thank-you after the closing message got %+v, want a you're welcome and nothing more", thanks)
	}
	f.send(t, annMobile, "hello again")
	fresh := f.conversation(t, annMobile)
	if err := f.db.Pool.QueryRow(ctx, `SELECT coalesce(follows_case_id, 0) FROM conversations WHERE id = $1`, fresh.id).Scan(&follows); err != nil {
		t.Fatal(err)
	}
	if fresh.id == later.id || follows != 0 {
		t.Errorf("after the case was resolved the person's conversation %d follows case %d, want a new one following none", fresh.id, follows)
	}
}
