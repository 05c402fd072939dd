package dialogs_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
)

// replies returns the bot's replies in conversation id after seq, in order.
func (f *runnerFixture) repliesAfter(t *testing.T, id int64, seq int) []string {
	t.Helper()
	rows, err := f.db.Pool.Query(t.Context(), `SELECT body FROM messages WHERE conversation_id = $1 AND direction = 'outbound'
		AND seq > $2 ORDER BY seq`, id, seq)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func (f *runnerFixture) lastSeq(t *testing.T, id int64) int {
	t.Helper()
	var seq int
	if err := f.db.Pool.QueryRow(t.Context(), `SELECT coalesce(max(seq), 0) FROM messages WHERE conversation_id = $1`, id).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return seq
}

// claim has a clinician claim conversation id's case.
func (f *runnerFixture) claim(t *testing.T, id int64) {
	t.Helper()
	_, err := f.db.Pool.Exec(t.Context(), `
		WITH u AS (INSERT INTO users (email, display_name, role, password_hash)
			VALUES ('nurse@example.org', 'Nurse', 'clinician', 'x') RETURNING id)
		UPDATE cases SET status = 'claimed', claimed_by = (SELECT id FROM u), claimed_at = now()
		WHERE conversation_id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
}

// sendAnonymous delivers text from an anonymous web chat.
func (f *runnerFixture) sendAnonymous(t *testing.T, address, text string) {
	t.Helper()
	f.seq++
	err := f.runner.HandleInbound(t.Context(), ohcontact.Inbound{Channel: ohcontact.ChannelWebChat, Address: address, Text: text,
		ExternalID: fmt.Sprintf("frame-%d", f.seq), ReceivedAt: f.at, Organisation: f.runner.DefaultOrganisation})
	if err != nil {
		t.Fatalf("HandleInbound(%q): %v", text, err)
	}
}

const (
	atWork = "The OH team is at work now and has your messages."
	away   = "The OH team is not at work now."
)

// TestHoldingLineInTheTeamsHours: after a disclosure in the OH team's
// hours the person hears the crisis contacts alone (they say the team has
// been told); a message while the case waits unclaimed hears, once an
// hour, that the team has it; once a clinician has claimed the case, the
// bot adds nothing to their conversation.
func TestHoldingLineInTheTeamsHours(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t) // Wednesday 10:00
	f.startFlow(t, "support")
	f.send(t, annMobile, disclosure)
	v := f.conversation(t, annMobile)
	if got := f.repliesAfter(t, v.id, 0); strings.Contains(strings.Join(got, "\n"), "OH team is") {
		t.Errorf("in the team's hours the disclosure got a holding line: %q", got)
	}

	seq := f.lastSeq(t, v.id)
	f.send(t, annMobile, "hello? is anyone there")
	f.send(t, annMobile, "please")
	got := f.repliesAfter(t, v.id, seq)
	if len(got) != 1 || !strings.HasPrefix(got[0], atWork) {
		t.Fatalf("two messages while the case waits got %q; want one holding line saying the team has them", got)
	}

	f.at = f.at.Add(61 * time.Minute)
	seq = f.lastSeq(t, v.id)
	f.send(t, annMobile, "still here")
	if got := f.repliesAfter(t, v.id, seq); len(got) != 1 || !strings.HasPrefix(got[0], atWork) {
		t.Errorf("an hour later: %q; want the holding line again", got)
	}

	f.claim(t, v.id)
	f.at = f.at.Add(2 * time.Hour)
	seq = f.lastSeq(t, v.id)
	f.send(t, annMobile, "thanks for calling")
	if got := f.repliesAfter(t, v.id, seq); len(got) != 0 {
		t.Errorf("a claimed case in the team's hours got %q from the bot; want silence", got)
	}
}

// TestHoldingLineWhenTheTeamIsAway: a disclosure on Friday evening hears,
// after the crisis contacts, that the team is back on Monday at 09:00 and
// where to turn until then; so does a message to a claimed case then.
func TestHoldingLineWhenTheTeamIsAway(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)
	f.at = time.Date(2026, 11, 20, 18, 30, 0, 0, time.UTC) // Friday, GMT
	f.startFlow(t, "support")
	seq := 0
	f.send(t, annMobile, disclosure)
	v := f.conversation(t, annMobile)
	got := f.repliesAfter(t, v.id, seq+1)
	joined := strings.Join(got, "\n")
	if !strings.Contains(joined, "116 123") || !strings.Contains(joined, away) ||
		!strings.Contains(joined, "They are back on Monday 23/11/2026 at 09:00") {
		t.Fatalf("Friday evening disclosure got %q; want crisis contacts and when the team is back", got)
	}

	f.claim(t, v.id)
	f.at = f.at.Add(3 * time.Hour)
	seq = f.lastSeq(t, v.id)
	f.send(t, annMobile, "are you there")
	if got := f.repliesAfter(t, v.id, seq); len(got) != 1 || !strings.HasPrefix(got[0], away) {
		t.Errorf("a claimed case out of hours got %q; want when the team is back", got)
	}
}

// TestAnonymousDisclosureIsOneConsistentReply: an anonymous web chatter's
// disclosure gets one crisis reply that asks how to reach them and
// promises nothing; the contact details they then write are acknowledged.
func TestAnonymousDisclosureIsOneConsistentReply(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)
	const client = "anon-client-1"
	f.sendAnonymous(t, client, "hi")
	v := f.conversation(t, client)
	seq := f.lastSeq(t, v.id)
	f.sendAnonymous(t, client, disclosure)
	got := f.repliesAfter(t, v.id, seq)
	if len(got) != 1 || !strings.Contains(got[0], "116 123") || !strings.Contains(got[0], "cannot contact you") ||
		strings.Contains(got[0], "who will contact you") {
		t.Fatalf("anonymous disclosure got %q; want one crisis reply asking for contact details, promising nothing", got)
	}

	seq = f.lastSeq(t, v.id)
	f.sendAnonymous(t, client, "I'm Jo, my number is 07700 900123")
	got = f.repliesAfter(t, v.id, seq)
	if len(got) != 1 || !strings.HasPrefix(got[0], "Thank you. We have passed these details to the OH team") {
		t.Fatalf("contact details got %q; want them acknowledged", got)
	}
	seq = f.lastSeq(t, v.id)
	f.sendAnonymous(t, client, "or jo.bloggs@example.org")
	if got = f.repliesAfter(t, v.id, seq); len(got) != 1 || !strings.HasPrefix(got[0], "Thank you.") {
		t.Errorf("an email address got %q; want it acknowledged too", got)
	}
}
