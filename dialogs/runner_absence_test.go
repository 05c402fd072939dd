package dialogs_test

import (
	"strings"
	"testing"
)

// reportAbsence texts a whole day-1 report from mobile (first name Ann):
// off today, back on returning ("friday", "not sure"), and returns the
// text that confirmed it.
func (f *runnerFixture) reportAbsence(t *testing.T, mobile, returning string) string {
	t.Helper()
	for _, text := range []string{"SICK", "Ann", "today", "flu", returning, "yes"} {
		f.send(t, mobile, text)
	}
	var confirmation string
	err := f.db.Pool.QueryRow(t.Context(), `
		SELECT m.body FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE c.address = $1 AND m.direction = 'outbound' AND m.body LIKE '%reference%'
		ORDER BY m.id DESC LIMIT 1`, mobile).Scan(&confirmation)
	if err != nil {
		t.Fatalf("no confirmation with a reference was sent to %s: %v", mobile, err)
	}
	f.send(t, mobile, "no") // no support information, thanks: the flow ends
	return confirmation
}

type storedEpisode struct {
	reference, source string
	expectedReturn    *string
}

func (f *runnerFixture) episodes(t *testing.T, mobile string) []storedEpisode {
	t.Helper()
	rows, err := f.db.Pool.Query(t.Context(), `
		SELECT coalesce(e.reference, ''), e.source, e.expected_return::text
		FROM absence_episodes e JOIN staff s ON s.id = e.staff_id WHERE s.mobile = $1 ORDER BY e.id`, mobile)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedEpisode
	for rows.Next() {
		var e storedEpisode
		if err := rows.Scan(&e.reference, &e.source, &e.expectedReturn); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// Two people off the same day are told different references, each stored
// on their episode with the day they expect to be back; a reference
// already taken is drawn again and the person is told the one stored.
func TestSelfReportedAbsenceReferences(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)
	other := f.addStaff(t, 1)[0]
	// The first two draws give the same reference: the second report's
	// collides and is drawn again.
	draws := []string{"K7M4QX", "K7M4QX", "P3R9TW"}
	f.engine.NewReference = func() string {
		ref := draws[0]
		if len(draws) > 1 {
			draws = draws[1:]
		}
		return ref
	}

	first := f.reportAbsence(t, annMobile, "friday")
	second := f.reportAbsence(t, other, "not sure")
	if !strings.Contains(first, "reference K7M4QX") || !strings.Contains(second, "reference P3R9TW") {
		t.Fatalf("confirmations %q and %q; want references K7M4QX, then P3R9TW (the second draw, as the first was taken)", first, second)
	}
	ann, oth := f.episodes(t, annMobile), f.episodes(t, other)
	if len(ann) != 1 || ann[0].reference != "K7M4QX" || ann[0].source != "self_report" || ann[0].expectedReturn == nil || *ann[0].expectedReturn != "2026-11-20" {
		t.Errorf("Ann's episodes %+v; want one self-report, reference K7M4QX, back 2026-11-20", ann)
	}
	if len(oth) != 1 || oth[0].reference != "P3R9TW" || oth[0].expectedReturn != nil {
		t.Errorf("the other person's episodes %+v; want one, reference P3R9TW, return unknown (NULL)", oth)
	}
}

// A second report of the same first day is the same episode: the person
// is told its reference again, and the return they give now is kept.
func TestSelfReportedAbsenceRepeated(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)
	first := f.reportAbsence(t, annMobile, "friday")
	again := f.reportAbsence(t, annMobile, "monday")
	eps := f.episodes(t, annMobile)
	if len(eps) != 1 {
		t.Fatalf("%d episodes after reporting the same day twice, want 1", len(eps))
	}
	ref := eps[0].reference
	if !strings.Contains(first, "recorded, reference "+ref) {
		t.Errorf("first confirmation %q, want the stored reference %s", first, ref)
	}
	if !strings.Contains(again, "already have your absence from that day, reference "+ref) {
		t.Errorf("repeat confirmation %q, want it to say the absence was already recorded, reference %s", again, ref)
	}
	if eps[0].expectedReturn == nil || *eps[0].expectedReturn != "2026-11-23" {
		t.Errorf("expected return %v, want the later answer, 2026-11-23", eps[0].expectedReturn)
	}
}

// A person who reports a day HR has already sent is given a reference for
// that episode, which stays HR's.
func TestSelfReportOfAnHRFeedEpisode(t *testing.T) {
	t.Parallel()
	f := newRunnerFixture(t)
	_, err := f.db.Pool.Exec(t.Context(), `INSERT INTO absence_episodes (staff_id, starts_on, reason_code, source)
		SELECT id, '2026-11-18', 'S13', 'hr_feed' FROM staff WHERE mobile = $1`, annMobile)
	if err != nil {
		t.Fatal(err)
	}
	got := f.reportAbsence(t, annMobile, "friday")
	eps := f.episodes(t, annMobile)
	if len(eps) != 1 || eps[0].source != "hr_feed" || eps[0].reference == "" || !strings.Contains(got, "already have your absence from that day, reference "+eps[0].reference) {
		t.Fatalf("episodes %+v after a report of HR's day, confirmation %q; want HR's episode given a reference and the person told it", eps, got)
	}
}
