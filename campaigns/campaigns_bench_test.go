package campaigns_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact/campaigns"
	"github.com/ohcontact/ohcontact/postgres"
)

// BenchmarkPlan creates a campaign for a staff group of 100,000 (of
// 110,000 staff, 2% opted out): the draft, its 100,000 members in one
// INSERT … SELECT, the plan's counts and the audit, in one transaction.
// Target: 10 s (reported as ms/op).
func BenchmarkPlan(b *testing.B) {
	f := newFixture(b)
	f.c.Now = time.Now
	start := time.Now()
	if _, err := f.db.Pool.Exec(b.Context(), `
		INSERT INTO staff (organisation_id, assignment_number, first_name, last_name, mobile, language, preferred_channel,
			consent, consent_changed_at, staff_group, department)
		SELECT $1, 'B' || i, 'Bench', 'Staff ' || i, '+4477009' || lpad((i % 100000)::text, 5, '0'),
			(ARRAY['en-GB', 'en-GB', 'en-GB', 'cy', 'pl'])[1 + i % 5], CASE WHEN i % 10 = 0 THEN 'webchat' END,
			CASE WHEN i % 50 = 0 THEN 'opted_out' ELSE 'unknown' END, CASE WHEN i % 50 = 0 THEN now() END,
			CASE WHEN i <= 100000 THEN 'Nursing and Midwifery Registered' ELSE 'Medical and Dental' END, 'Ward ' || (i % 40)
		FROM generate_series(1, 110000) AS i`, f.org); err != nil {
		b.Fatal(err)
	}
	if _, err := f.db.Pool.Exec(b.Context(), `ANALYZE staff`); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded 110,000 staff in %s", time.Since(start).Round(time.Millisecond))
	n := f.campaign()
	n.Audience, n.AudienceValue, n.StartsAt = campaigns.AudienceStaffGroup, "nursing and midwifery registered", time.Now()
	i := 0
	for b.Loop() {
		i++
		n.Name = fmt.Sprintf("Bench %d", i)
		plan, err := f.c.Create(b.Context(), n)
		if err != nil {
			b.Fatal(err)
		}
		if plan.Planned != 98000 || plan.Skipped["opted_out"] != 2000 {
			b.Fatalf("planned %d, skipped %v; want 98000 and 2000 opted out", plan.Planned, plan.Skipped)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}

// BenchmarkSend runs a campaign through River, the sender and the delivery
// jobs to a fake Twilio at a configured rate (10 texts a second, the
// default TWILIO_SEND_RATE, and 50), and pauses it once 20 seconds' worth
// of invitations were accepted (the sender hands over to a new job once on
// the way). It reports the rate Twilio saw over those
// (texts/s) and its error against the configured rate (rate-error-%), and
// how long after the pause the last text reached Twilio (pause-to-last-ms;
// target ≤ 1000; 0 when none came after it). The ceiling run sets a rate
// no sender reaches (5,000 a second) and pauses after 2,000 texts (about
// 1,000 of 5,000 invitations): its texts/s is how fast one campaign's sender and the
// deliveries can go on this machine (no pause target: unthrottled, the
// deliveries queue behind the sender and drain after the pause).
func BenchmarkSend(b *testing.B) {
	skipNearMidnight(b)
	for _, run := range []struct {
		name          string
		rate          float64
		pauseAt, more int
	}{{"rate_10", 10, 200, 20}, {"rate_50", 50, 1000, 100}, {"ceiling", 5000, 2000, 3000}} {
		b.Run(run.name, func(b *testing.B) {
			f := newFixture(b)
			rate, pauseAt := run.rate, run.pauseAt
			n := pauseAt + run.more
			for range n {
				f.staff(b, person{department: "Bench", mobile: true})
			}
			l := newLive(b, f, rate)
			var achieved, lastAfterPause float64
			for b.Loop() {
				l.mu.Lock()
				l.sent = nil
				l.mu.Unlock()
				id := f.create(b, f.allDay("Bench")).CampaignID
				if err := f.c.Start(b.Context(), 0, id, f.lead); err != nil {
					b.Fatal(err)
				}
				l.waitFor(b, pauseAt, 2*time.Minute)
				if err := f.c.Pause(b.Context(), 0, id, f.lead); err != nil {
					b.Fatal(err)
				}
				paused := time.Now()
				time.Sleep(2 * time.Second)
				sent := l.accepted()
				achieved = float64(pauseAt-1) / sent[pauseAt-1].Sub(sent[0]).Seconds()
				lastAfterPause = 0
				if last := sent[len(sent)-1]; last.After(paused) {
					lastAfterPause = float64(last.Sub(paused).Microseconds()) / 1000
				}
				if err := f.c.Stop(b.Context(), 0, id, f.lead); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(achieved, "texts/s")
			if run.name != "ceiling" { // unthrottled, the deliveries queue behind the sender
				b.ReportMetric((achieved-rate)/rate*100, "rate-error-%")
				b.ReportMetric(lastAfterPause, "pause-to-last-ms")
			}
		})
	}
}

// BenchmarkProgress reads the progress of a campaign of 100,000 members
// (98,000 planned, 2,000 skipped as opted out), half of them invited, each
// by two texts of which a quarter were delivered, and a tenth replied with
// an outcome: what the console polls every few seconds while a lead
// watches. Target: 50 ms (reported as ms/op).
func BenchmarkProgress(b *testing.B) {
	f := newFixture(b)
	ctx := b.Context()
	if _, err := f.db.Pool.Exec(ctx, `
		INSERT INTO staff (organisation_id, assignment_number, first_name, last_name, mobile, consent, consent_changed_at, department)
		SELECT $1, 'B' || i, 'Bench', 'Staff ' || i, '+4477009' || lpad(i::text, 5, '0'),
			CASE WHEN i % 50 = 0 THEN 'opted_out' ELSE 'unknown' END, CASE WHEN i % 50 = 0 THEN now() END, 'Ward 3'
		FROM generate_series(1, 100000) AS i`, f.org); err != nil {
		b.Fatal(err)
	}
	id := f.create(b, f.campaign()).CampaignID
	if _, err := f.db.Pool.Exec(ctx, `
		WITH sent AS (
			UPDATE campaign_members SET state = CASE WHEN id % 10 = 0 THEN 'replied' ELSE 'sent' END, sent_at = now(),
				outcome = CASE WHEN id % 10 = 0 THEN (ARRAY['booked', 'had_elsewhere', 'declined', 'question'])[1 + id / 10 % 4] END,
				outcome_at = CASE WHEN id % 10 = 0 THEN now() END, replied_at = CASE WHEN id % 10 = 0 THEN now() END
			WHERE campaign_id = $1 AND state = 'planned' AND id % 2 = 0 RETURNING id, staff_id),
		conv AS (
			INSERT INTO conversations (organisation_id, staff_id, campaign_member_id, channel, address, flow, fsm_state, data, owner, last_message_seq)
			SELECT $2, s.staff_id, s.id, 'sms', '+44770090000', 'vaccination', 'invited', '{}', 'bot', 2 FROM sent s RETURNING id, campaign_member_id)
		INSERT INTO messages (conversation_id, seq, direction, channel, author, body, delivery_status)
		SELECT c.id, q, 'outbound', 'sms', 'bot', 'Hello', CASE WHEN c.campaign_member_id % 8 < 2 THEN 'delivered' ELSE 'sent' END
		FROM conv c CROSS JOIN generate_series(1, 2) AS q`, id, f.org); err != nil {
		b.Fatal(err)
	}
	if _, err := f.db.Pool.Exec(ctx, `VACUUM ANALYZE campaign_members`); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		p, err := postgres.CampaignProgressOf(ctx, f.db.Pool, id)
		if err != nil {
			b.Fatal(err)
		}
		if p.ByState["skipped"] != 2000 || p.ByState["planned"]+p.ByState["sent"]+p.ByState["replied"] != 98000 || p.Delivered != 18000 {
			b.Fatalf("progress %+v", p)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}
