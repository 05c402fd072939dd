package triggers

import (
	"testing"
	"time"
)

// BenchmarkScheduleAll measures the daily planning run, Scheduler.ScheduleAll,
// over 100,000 staff and 150,000 absence episodes in one organisation with
// the default rules, all of them open or ended in the last 28 days so that
// every episode is evaluated: each of the 100,000 has an episode that
// started 0 to 24 days ago (60% still open, the others ending up to 9 days
// after they started, some in the future), and 50,000 also have an earlier,
// ended one. A quarter are S10 (about its share of NHS sickness), one in
// eight MSK (S11, S12), the rest other reasons (S13, S16, S25, S28, S99); a
// tenth of the staff have no mobile and one in twenty prefer the web chat.
//
// One op is a first run on the seeded database with no contacts: reading
// every episode with its staff member and organisation, planning each in
// Go, inserting every contact (scheduled, held, skipped or cancelled) and
// the River jobs of the scheduled ones with COPY, in DefaultShards
// transactions at once. The target is under 5 s on the project's 2-core
// machine. After the ops, a
// second run over the same database is timed once (second-run-s) and must
// schedule nothing (second-run-scheduled, 0). contacts/op counts the
// contacts the first run recorded, scheduled/op those it gave a job.
func BenchmarkScheduleAll(b *testing.B) {
	// Monday 11 May 2026, 06:00: when the daily job runs.
	f := newFixture(b, time.Date(2026, 5, 11, 6, 0, 0, 0, london(b)))
	ctx := b.Context()
	if _, err := f.db.Pool.Exec(ctx, `
		INSERT INTO staff (organisation_id, assignment_number, first_name, last_name, mobile, preferred_channel)
		SELECT $1, 'B' || i, 'First', 'Last',
		       CASE WHEN i % 10 <> 0 THEN '+447700' || lpad((i % 1000000)::text, 6, '0') END,
		       CASE WHEN i % 20 = 0 THEN 'webchat' END
		FROM generate_series(1, 100000) AS i`, f.orgID); err != nil {
		b.Fatal(err)
	}
	if _, err := f.db.Pool.Exec(ctx, `
		WITH s AS (SELECT id, row_number() OVER (ORDER BY id) AS i FROM staff),
		     a AS (SELECT id, i, date '2026-05-11' - (i % 25)::int AS starts_on,
		                  CASE WHEN i % 4 = 0 THEN 'S10' WHEN i % 16 = 1 THEN 'S11' WHEN i % 16 = 5 THEN 'S12'
		                       ELSE (ARRAY['S13', 'S25', 'S16', 'S28', 'S99'])[1 + i % 5] END AS reason
		           FROM s)
		INSERT INTO absence_episodes (staff_id, starts_on, ends_on, reason_code, source)
		SELECT id, starts_on, CASE WHEN i % 5 >= 3 THEN starts_on + (i % 10)::int END, reason, 'hr_feed' FROM a
		UNION ALL
		SELECT id, starts_on - 14 - (i % 7)::int, starts_on - 2, reason, 'hr_feed' FROM a WHERE i <= 50000`); err != nil {
		b.Fatal(err)
	}
	if _, err := f.db.Pool.Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}

	var first Scheduled
	for b.Loop() {
		b.StopTimer()
		if _, err := f.db.Pool.Exec(ctx, `TRUNCATE contacts CASCADE; DELETE FROM river_job`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		n, err := f.scheduler.ScheduleAll(ctx, f.db)
		if err != nil {
			b.Fatal(err)
		}
		first = n
	}
	b.StopTimer()
	if first.Episodes != 150000 {
		b.Fatalf("first run planned %d episodes, want 150,000", first.Episodes)
	}
	start := time.Now()
	second, err := f.scheduler.ScheduleAll(ctx, f.db)
	if err != nil {
		b.Fatal(err)
	}
	if second.Scheduled != 0 || second.Skipped+second.Cancelled+second.Failed != 0 {
		b.Errorf("second run %+v, want nothing recorded", second)
	}
	b.ReportMetric(float64(first.Scheduled+first.Skipped+first.Cancelled+first.Failed), "contacts/op")
	b.ReportMetric(float64(first.Scheduled), "scheduled/op")
	b.ReportMetric(time.Since(start).Seconds(), "second-run-s")
	b.ReportMetric(float64(second.Scheduled), "second-run-scheduled")
}
