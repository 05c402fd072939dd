package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
)

// The demo's pilot month: a month of fictional history, so that the pilot
// dashboard has something realistic to show from the first `make run`,
// and before it a fictional baseline year of HR-feed absence history, so
// that its before-and-after figures have something to compare. The
// baseline's episodes are drawn a little longer than the pilot's: the
// improvement the demo shows is made up, and says nothing about the
// service.
//
// Seeded people have neither a mobile number nor an email address: nothing
// can ever be sent to them, the demo phone lists only the five demo staff,
// and no number can collide with theirs (07700 900101 to 900105). Their
// assignment numbers are 91N00001-1 onwards for the Nth organisation, so
// they never meet the demo staff's 9000000N-1 either. Their conversations
// carry the address pilot-N, which no channel delivers to, and hold no
// messages: the history is what happened, not what was said. Every
// contact, conversation and case of it is finished (sent and answered or
// closed unanswered, or skipped, or cancelled; closed; resolved), and it
// schedules no jobs, so nothing of it is ever sent or re-notified. The
// contacts are the ones the trigger rules make, so the daily planning run
// finds nothing to add. The cases are claimed and resolved by three pilot
// clinicians per organisation, and new starters' questionnaires and
// clearances marked by a pilot OH admin, whose accounts are disabled and
// have no password: nobody can sign in as them. Campaign members' and new
// starters' welcomes are finished too (replied, or no reply after the
// reminder), so no campaign or new-starter job waits.

// pilotSeedLock is the advisory lock that makes two instances starting at
// once seed the pilot month once.
const pilotSeedLock = 0x6f6870696c6f74

// pilotMarker is the assignment number of the first member of staff the
// pilot month adds: its presence means the month is there.
const pilotMarker = "91100001-1"

// seedPilot adds the pilot month to the organisations with orgCodes (the
// first four of them that exist, in that order), unless it is there
// already: a second call adds nothing. The month ends yesterday, on the
// Europe/London calendar of now. The history is made by pilotSQL with a
// fixed random seed, so it has the same shape every time: about 4,800
// staff, 750 absence episodes with the ESR reasons' usual mix (S10 about
// one episode in five and over a quarter of the days absent), the
// contacts the trigger rules make with roughly three in five answered,
// day-1 absence reports and support chats, signposting and fast-track
// physiotherapy referrals, a few opt-outs, and about 140 cases, of every
// priority and some of them OH call-backs, a few of which breached their
// SLA. Each organisation goes live on the month's first day (go_live_on,
// unless it has its own already), and has a baseline before it: the 368
// days to the day before go-live hold about 7,500 ended HR-feed episodes
// (no contacts, conversations or cases: the service was not live), with
// the same mix of reasons but about 10 days long on average rather than
// 8.5, and 11% rather than 8% reaching 28 days. Staff were asked the
// feedback question after about three in five of the conversations that
// ended normally (once a person), and about half answered, a few with a
// short fictional comment. Each organisation but the first ran a flu
// vaccination campaign for all its staff (who carry ESR staff groups,
// PilotStaffGroups), a week apart, finished: about half booked or had it
// elsewhere (PilotVaccinationOutcome), and the rest declined, asked OH a
// question (a routine case, resolved: about 120 more), gave no answer, or never replied
// after the reminder; a few answered STOP. Every organisation had new
// starters, about one for every 75 staff, each welcomed a week before a
// first day in the month, who replied or went on the OH admin worklist,
// most with the questionnaire received and clearance given (marked by a
// disabled pilot OH admin account of the organisation), a few not yet. It
// takes about 0.6 s.
func seedPilot(ctx context.Context, db *postgres.DB, orgCodes []string, now time.Time) error {
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(pilotSeedLock)); err != nil {
			return err
		}
		var seeded bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM staff WHERE assignment_number = $1)`, pilotMarker).Scan(&seeded)
		if err != nil || seeded {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE pilot_params (orgs bigint[], yesterday date, pilot_from date) ON COMMIT DROP`); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO pilot_params (orgs, yesterday, pilot_from)
			SELECT array_agg(o.id ORDER BY c.ord), t.today - 1, t.today - 30
			FROM unnest($1::text[]) WITH ORDINALITY AS c(code, ord)
			JOIN organisations o ON o.code = c.code
			CROSS JOIN (SELECT ($2::timestamptz AT TIME ZONE 'Europe/London')::date AS today) t
			GROUP BY t.today`, orgCodes, now)
		if err != nil || tag.RowsAffected() == 0 {
			return err // none of the organisations exists: nothing to seed
		}
		_, err = tx.Exec(ctx, pilotSQL)
		return err
	})
	if err != nil {
		return fmt.Errorf("seed the demo pilot month: %w", err)
	}
	return nil
}

// PilotReasons is the pilot history's mix of ESR absence reasons, as the
// rows of an SQL VALUES list: (code, lo, hi, min_days, max_days, skew), a
// reason taking the share [lo, hi) of the episodes drawn and lasting from
// min_days to max_days, short ones more often (the higher skew, the
// more). S10 is about a sixth of the draws (more of the episodes kept,
// being long) and over a quarter of the days; MSK (S11, S12) and colds and
// flu (S13) are common; S98 and S99 are what a code-less absence gets.
const PilotReasons = `
    ('S13', 0.00, 0.23, 1, 5, 1.5),   ('S10', 0.23, 0.38, 6, 45, 3.0),  ('S25', 0.38, 0.50, 1, 4, 1.5),
    ('S12', 0.50, 0.59, 2, 35, 2.0),  ('S11', 0.59, 0.66, 2, 40, 2.0),  ('S16', 0.66, 0.71, 1, 3, 1.5),
    ('S98', 0.71, 0.77, 1, 15, 2.0),  ('S99', 0.77, 0.81, 1, 10, 2.0),  ('S28', 0.81, 0.84, 3, 50, 2.0),
    ('S15', 0.84, 0.88, 2, 10, 1.5),  ('S21', 0.88, 0.91, 1, 5, 1.5),   ('S26', 0.91, 0.93, 2, 20, 2.0),
    ('S30', 0.93, 0.95, 3, 40, 2.0),  ('S27', 0.95, 0.97, 2, 10, 1.5),  ('S17', 0.97, 0.98, 30, 120, 1.0),
    ('S19', 0.98, 0.99, 5, 60, 1.5),  ('S22', 0.99, 1.00, 1, 3, 1.0)`

// PilotCaseCategory is the pilot history's mix of cases: the SQL
// expression of the category of the case a finished conversation v opened,
// NULL for none. It reads v's flow, reason (its absence's ESR code),
// responded, stop, and r2, r4 and r5, draws uniform on [0, 1).
const PilotCaseCategory = `
           CASE WHEN v.flow IN ('stress-checkin', 'long-term-checkin') AND NOT v.responded THEN 'no_response'
                WHEN NOT v.responded OR v.stop THEN NULL
                WHEN v.flow = 'stress-checkin' AND v.r5 < 0.03 THEN 'suicide_risk'
                WHEN v.flow = 'stress-checkin' AND v.r5 < 0.28 THEN 'screen_positive'
                WHEN v.flow = 'msk-checkin' AND v.reason = 'S11' AND v.r5 < 0.06 THEN 'msk_red_flags'
                WHEN v.flow = 'stress-checkin' AND v.r4 < 0.10 THEN 'callback_requested'
                WHEN v.flow = 'long-term-checkin' AND v.r5 < 0.20 THEN 'long_term_talk'
                WHEN v.flow = 'long-term-checkin' AND v.r2 < 0.25 THEN 'appointment_requested'
                WHEN v.flow = 'support' AND v.r5 < 0.04 THEN 'suicide_risk'
                WHEN v.flow = 'support' AND v.r5 < 0.07 THEN 'self_harm'
                WHEN v.flow = 'support' AND v.r5 < 0.10 THEN 'hopelessness'
                WHEN v.flow = 'support' AND v.r5 < 0.11 THEN 'safeguarding'
                WHEN v.flow = 'support' AND v.r5 < 0.12 THEN 'harm_to_others'
                WHEN v.flow = 'support' AND v.r5 < 0.14 THEN 'past_attempt'
                WHEN v.flow = 'support' AND v.r5 < 0.21 THEN 'asked_to_talk'
           END`

// PilotCasePriority is the SQL expression of the priority of a case k of
// the pilot history, by its category (PilotCaseCategory).
const PilotCasePriority = `
       CASE k.category WHEN 'suicide_risk' THEN 'urgent'
                       WHEN 'self_harm' THEN 'high' WHEN 'safeguarding' THEN 'high'
                       WHEN 'harm_to_others' THEN 'high' WHEN 'msk_red_flags' THEN 'high'
                       ELSE 'routine' END`

// PilotStaffGroups is the pilot history's mix of ESR staff groups, as the
// rows of an SQL VALUES list: (staff_group, lo, hi, lean), a group taking
// the share [lo, hi) of the staff, roughly an NHS trust's workforce; the
// few above the last hi have no group recorded. A campaign member's draw
// for PilotVaccinationOutcome is multiplied by their group's lean, so a
// group leaning under 1 takes the vaccine more often (doctors), over 1 less
// (estates and ancillary staff).
const PilotStaffGroups = `
    ('Nursing and Midwifery Registered', 0.00, 0.27, 1.00), ('Additional Clinical Services', 0.27, 0.47, 1.10),
    ('Administrative and Clerical', 0.47, 0.67, 1.05),      ('Allied Health Professionals', 0.67, 0.75, 0.95),
    ('Medical and Dental', 0.75, 0.86, 0.85),               ('Estates and Ancillary', 0.86, 0.94, 1.20),
    ('Additional Professional Scientific and Technical', 0.94, 0.97, 0.95), ('Healthcare Scientists', 0.97, 0.996, 0.90),
    ('Students', 0.996, 0.9975, 1.00)`

// PilotVaccinationOutcome is the pilot history's mix of answers to a
// vaccination invitation: the SQL expression of the outcome of the
// campaign member drawn m.r (uniform on [0, 1)), NULL for none (no reply,
// or from 0.61 to 0.64 a reply that gave none). About half booked or had it
// elsewhere.
const PilotVaccinationOutcome = `
       CASE WHEN m.r < 0.38 THEN 'booked' WHEN m.r < 0.50 THEN 'had_elsewhere'
            WHEN m.r < 0.58 THEN 'declined' WHEN m.r < 0.61 THEN 'question' END`

// pilotSQL writes the pilot month from the parameters in pilot_params
// (the organisations' ids in order, yesterday, and the month's first day),
// in the caller's transaction. Temporary tables hold each step's plan, so
// that later steps can refer to the rows earlier ones wrote.
const pilotSQL = `
SELECT setseed(0.2026);

-- The temporary tables have no statistics, so the planner overestimates
-- every join, and compiling the plans (JIT) would take longer than running
-- them.
SET LOCAL jit = off;

-- Local moments: day d at clock t in Europe/London.
CREATE OR REPLACE FUNCTION pg_temp.pilot_at(d date, t interval) RETURNS timestamptz
LANGUAGE sql STABLE AS $$ SELECT (d + t) AT TIME ZONE 'Europe/London' $$;

-- The routine SLA's deadline of a case opened at a moment: two working
-- days on, or Wednesday 09:00 from a weekend.
CREATE OR REPLACE FUNCTION pg_temp.pilot_routine_due(at timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT (CASE WHEN extract(isodow FROM l) >= 6 THEN (l::date + (10 - extract(isodow FROM l))::int) + time '09:00'
                 WHEN extract(isodow FROM l) >= 4 THEN l + interval '4 days'
                 ELSE l + interval '2 days' END) AT TIME ZONE 'Europe/London'
    FROM (SELECT at AT TIME ZONE 'Europe/London' AS l) x $$;

-- The organisations, in the order given, with their head counts.
CREATE TEMP TABLE pilot_org ON COMMIT DROP AS
SELECT o.id, o.ord::int AS ord, (ARRAY[1000, 1500, 1300, 1000])[o.ord] AS size
FROM pilot_params p CROSS JOIN LATERAL unnest(p.orgs) WITH ORDINALITY AS o(id, ord)
WHERE o.ord <= 4;

-- Three clinicians per organisation hold the history's claims. Their
-- accounts are disabled and their password hash is not one: nobody can sign
-- in as them.
CREATE TEMP TABLE pilot_clinician (id bigint, org bigint, n int) ON COMMIT DROP;
WITH names AS (
    SELECT ARRAY['Alex Reed', 'Bea Shaw', 'Cal Moss', 'Dee Wood', 'Eli Ross', 'Fay Hart',
                 'Gus Lowe', 'Hana Pike', 'Ivo Dunn', 'Jas Kerr', 'Kit Lane', 'Lou Ames'] AS n
), ins AS (
    INSERT INTO users (organisation_id, email, display_name, role, password_hash, disabled_at, created_at, updated_at)
    SELECT o.id, lower(replace(names.n[(o.ord - 1) * 3 + k], ' ', '.')) || '@pilot.demo.nhs.example',
           names.n[(o.ord - 1) * 3 + k] || ' (pilot)', 'clinician', '!seeded-history-no-sign-in',
           pg_temp.pilot_at(p.pilot_from - 1, '17:00'), pg_temp.pilot_at(p.pilot_from - 60, '09:00'), pg_temp.pilot_at(p.pilot_from - 1, '17:00')
    FROM pilot_org o CROSS JOIN generate_series(1, 3) k CROSS JOIN names CROSS JOIN pilot_params p
    ORDER BY o.ord, k
    RETURNING id, organisation_id
)
INSERT INTO pilot_clinician
SELECT id, organisation_id, row_number() OVER (PARTITION BY organisation_id ORDER BY id) FROM ins;

-- Staff: no mobile number and no email address (history only: nothing can
-- be sent to them), assignment numbers 91N00001-1 onwards for the Nth
-- organisation, English mostly, some Welsh and Polish. Those of every
-- organisation but the first have an ESR staff group (PilotStaffGroups),
-- by a hash of their number rather than a draw, so that the draws stay
-- those the month had before staff groups; DEMO's have none, so that a
-- campaign for a staff group of the demo staff (nurses, AHPs, estates)
-- still invites only the demo phones.
CREATE TEMP TABLE pilot_group (name text, lo float8, hi float8, lean float8) ON COMMIT DROP;
INSERT INTO pilot_group VALUES ` + PilotStaffGroups + `;

CREATE TEMP TABLE pilot_staff (id bigint, org bigint, lang text) ON COMMIT DROP;
WITH names AS (
    SELECT ARRAY['Amy', 'Ben', 'Chloe', 'Daniel', 'Emma', 'Faisal', 'Grace', 'Harry', 'Isla', 'Jack', 'Katie', 'Liam',
                 'Megan', 'Nathan', 'Olivia', 'Priya', 'Rachel', 'Sean', 'Tom', 'Una', 'Vicky', 'Will', 'Yasmin', 'Zara',
                 'Joanne', 'Craig', 'Gemma', 'Lee', 'Dawn', 'Paul', 'Claire', 'Stephen', 'Lisa', 'Mark', 'Karen', 'Gary'] AS en_first,
           ARRAY['Robson', 'Charlton', 'Milburn', 'Armstrong', 'Bell', 'Dodds', 'Elliott', 'Forster', 'Graham', 'Hall',
                 'Irving', 'Jobling', 'Kirkup', 'Lamb', 'Moffat', 'Nixon', 'Oliver', 'Pattinson', 'Reed', 'Scott',
                 'Thompson', 'Urwin', 'Wilkinson', 'Young', 'Ahmed', 'Khan', 'Patel', 'Singh', 'Brown', 'Wilson'] AS en_last,
           ARRAY['Aled', 'Cerys', 'Dafydd', 'Ffion', 'Gethin', 'Llinos', 'Rhys', 'Sioned', 'Iwan', 'Mali'] AS cy_first,
           ARRAY['Jones', 'Davies', 'Evans', 'Hughes', 'Lloyd', 'Morgan', 'Price', 'Pritchard'] AS cy_last,
           ARRAY['Agnieszka', 'Kasia', 'Marek', 'Piotr', 'Tomasz', 'Magda', 'Ewa', 'Pawel', 'Anna', 'Jakub'] AS pl_first,
           ARRAY['Nowak', 'Kowalska', 'Wojcik', 'Kaminski', 'Lewandowska', 'Zielinski', 'Mazur', 'Krawczyk'] AS pl_last
), people AS (
    SELECT o.id AS org, o.ord, n, random() AS lr, random() AS fr, random() AS sr
    FROM pilot_org o CROSS JOIN LATERAL generate_series(1, o.size) n
    ORDER BY o.ord, n
), ins AS (
    INSERT INTO staff (organisation_id, assignment_number, first_name, last_name, language, staff_group, created_at, updated_at)
    SELECT org, (91000000 + ord * 100000 + n)::text || '-1',
           CASE WHEN lr < 0.04 THEN cy_first[1 + floor(fr * 10)::int]
                WHEN lr < 0.085 THEN pl_first[1 + floor(fr * 10)::int]
                ELSE en_first[1 + floor(fr * 36)::int] END,
           CASE WHEN lr < 0.04 THEN cy_last[1 + floor(sr * 8)::int]
                WHEN lr < 0.085 THEN pl_last[1 + floor(sr * 8)::int]
                ELSE en_last[1 + floor(sr * 30)::int] END,
           CASE WHEN lr < 0.04 THEN 'cy' WHEN lr < 0.085 THEN 'pl' ELSE 'en-GB' END,
           CASE WHEN ord > 1 THEN (SELECT g.name FROM pilot_group g
                                   WHERE (hashint8(ord * 100000 + n)::int8 + 2147483648) / 4294967296.0 >= g.lo
                                     AND (hashint8(ord * 100000 + n)::int8 + 2147483648) / 4294967296.0 < g.hi) END,
           pg_temp.pilot_at(p.pilot_from - 400, '06:00'), pg_temp.pilot_at(p.pilot_from - 400, '06:00')
    FROM people CROSS JOIN names CROSS JOIN pilot_params p
    ORDER BY ord, n
    RETURNING id, organisation_id, language
)
INSERT INTO pilot_staff SELECT id, organisation_id, language FROM ins;

-- ESR reasons (PilotReasons).
CREATE TEMP TABLE pilot_reason (code text, lo float8, hi float8, min_days int, max_days int, skew float8) ON COMMIT DROP;
INSERT INTO pilot_reason VALUES ` + PilotReasons + `;

-- Absence episodes, at most one a person: starts over the 70 days to
-- yesterday, kept when the absence reached the pilot month. An absence
-- still going on today is open only when it is past its 28th day (its
-- long-term contact made); a shorter one is ended yesterday, so that no
-- contact of the history falls due after it.
CREATE TEMP TABLE pilot_episode ON COMMIT DROP AS
WITH drawn AS (
    SELECT s.id AS staff_id, s.org, s.lang, random() AS absent, random() AS rr, random() AS lr, random() AS dr, random() AS src
    FROM pilot_staff s ORDER BY s.id
), chosen AS (
    SELECT d.*, r.code, r.min_days + floor(power(d.lr, r.skew) * (r.max_days - r.min_days + 1))::int AS days,
           p.yesterday - floor(d.dr * 70)::int AS starts_on, p.yesterday, p.pilot_from
    FROM drawn d JOIN pilot_reason r ON d.rr >= r.lo AND d.rr < r.hi CROSS JOIN pilot_params p
    WHERE d.absent < 0.30
)
SELECT NULL::bigint AS id, staff_id, org, lang, code AS reason, starts_on,
       CASE WHEN starts_on + days - 1 <= yesterday THEN starts_on + days - 1
            WHEN starts_on <= yesterday - 27 THEN NULL
            ELSE yesterday END AS ends_on,
       CASE WHEN starts_on >= pilot_from AND src < 0.3 THEN 'self_report' ELSE 'hr_feed' END AS source
FROM chosen
WHERE starts_on + days - 1 >= pilot_from;

WITH ins AS (
    INSERT INTO absence_episodes (staff_id, starts_on, ends_on, reason_code, source, reference, created_at, updated_at)
    SELECT staff_id, starts_on, ends_on, reason, source,
           -- the upper half of absence_reference's numbers, which the
           -- references of episodes reported before migration 0013 (by
           -- episode id) do not reach
           CASE source WHEN 'self_report' THEN absence_reference(364500000 + staff_id) END,
           pg_temp.pilot_at(starts_on, CASE source WHEN 'self_report' THEN interval '07:15' ELSE interval '10:00' END),
           pg_temp.pilot_at(starts_on, CASE source WHEN 'self_report' THEN interval '07:15' ELSE interval '10:00' END)
    FROM pilot_episode ORDER BY staff_id
    RETURNING id, staff_id
)
UPDATE pilot_episode e SET id = ins.id FROM ins WHERE ins.staff_id = e.staff_id;

-- Contacts, as the trigger rules make them: stress (S10) on the next
-- working day, MSK (S11, S12) on day 2, long-term on day 28, each only when
-- the absence lasted until its day. Bank holidays are not skipped here; a
-- stress absence lasts at least six days, so it still reaches its day. A
-- contact due before the pilot began was skipped. Texts wait for Monday
-- rather than go on a Sunday.
CREATE TEMP TABLE pilot_contact ON COMMIT DROP AS
WITH due AS (
    SELECT e.id AS episode_id, e.staff_id, e.org, e.lang, e.reason, e.starts_on, t.trigger, t.day,
           random() AS rc, random() AS rr, random() AS rs, random() AS rt, random() AS rd
    FROM pilot_episode e
    CROSS JOIN LATERAL (VALUES
        ('stress', CASE WHEN e.reason = 'S10' THEN e.starts_on + CASE extract(isodow FROM e.starts_on)::int
                                                                    WHEN 5 THEN 3 WHEN 6 THEN 2 ELSE 1 END END),
        ('msk', CASE WHEN e.reason IN ('S11', 'S12') THEN e.starts_on + 1 END),
        ('long_term', e.starts_on + 27)) AS t(trigger, day)
    WHERE t.day IS NOT NULL AND (e.ends_on IS NULL OR e.ends_on >= t.day)
    ORDER BY e.id, t.trigger
)
SELECT NULL::bigint AS id, d.*, p.pilot_from, p.yesterday,
       d.day < p.pilot_from AS before_pilot,
       pg_temp.pilot_at(d.day, '09:00') AS due_at,
       CASE WHEN extract(isodow FROM d.day) = 7 AND d.day < p.yesterday THEN pg_temp.pilot_at(d.day + 1, '09:00') END AS held_until,
       pg_temp.pilot_at(CASE WHEN extract(isodow FROM d.day) = 7 AND d.day < p.yesterday THEN d.day + 1 ELSE d.day END, '09:00')
           + floor(d.rd * 40) * interval '1 minute' AS sent_at,
       CASE WHEN d.rc < 0.12 THEN 'webchat' ELSE 'sms' END AS channel,
       d.rr < CASE d.trigger WHEN 'stress' THEN 0.60 WHEN 'msk' THEN 0.70 ELSE 0.56 END AS responded,
       false AS stop,
       false AS opted_out_before
FROM due d CROSS JOIN pilot_params p;

UPDATE pilot_contact SET stop = responded AND rs < 0.05;
UPDATE pilot_contact c SET opted_out_before = true
WHERE EXISTS (SELECT 1 FROM pilot_contact o WHERE o.staff_id = c.staff_id AND o.stop AND o.sent_at < c.sent_at);

WITH ins AS (
    INSERT INTO contacts (episode_id, trigger, flow, channel, state, due_at, held_until, state_reason, created_at, updated_at)
    SELECT episode_id, trigger,
           CASE trigger WHEN 'stress' THEN 'stress-checkin' WHEN 'msk' THEN 'msk-checkin' ELSE 'long-term-checkin' END,
           channel,
           CASE WHEN before_pilot THEN 'skipped' WHEN opted_out_before THEN 'cancelled'
                WHEN responded THEN 'responded' ELSE 'no_response' END,
           due_at, CASE WHEN NOT before_pilot THEN held_until END,
           CASE WHEN before_pilot THEN 'due before the pilot began' WHEN opted_out_before THEN 'the person has opted out of messages' END,
           pg_temp.pilot_at(greatest(starts_on, pilot_from - 1), '10:05'), pg_temp.pilot_at(greatest(starts_on, pilot_from - 1), '10:05')
    FROM pilot_contact ORDER BY episode_id, trigger
    RETURNING id, episode_id, trigger
)
UPDATE pilot_contact c SET id = ins.id FROM ins WHERE ins.episode_id = c.episode_id AND ins.trigger = c.trigger;

-- Conversations: one for each contact made (the person replied to roughly
-- three in five), one for each day-1 absence report (the person texted in
-- or used the widget), and support chats people started themselves, some
-- of them anonymous in the widget. Draws r1 to r5 decide what happened in
-- each.
CREATE TEMP TABLE pilot_conv (
    n bigint GENERATED ALWAYS AS IDENTITY, id bigint, org bigint, staff_id bigint, contact_id bigint,
    flow text, channel text, lang text, reason text, opened_at timestamptz,
    responded boolean, responded_at timestamptz, stop boolean NOT NULL DEFAULT false,
    closed_reason text, closed_at timestamptz, owner text NOT NULL DEFAULT 'bot', interrupted boolean NOT NULL DEFAULT false,
    r1 float8, r2 float8, r3 float8, r4 float8, r5 float8
) ON COMMIT DROP;

INSERT INTO pilot_conv (org, staff_id, contact_id, flow, channel, lang, reason, opened_at, responded, responded_at, stop,
                        r1, r2, r3, r4, r5)
SELECT c.org, c.staff_id, c.id,
       CASE c.trigger WHEN 'stress' THEN 'stress-checkin' WHEN 'msk' THEN 'msk-checkin' ELSE 'long-term-checkin' END,
       c.channel, c.lang, c.reason, c.sent_at, c.responded,
       CASE WHEN c.responded THEN least(c.sent_at + CASE WHEN c.rt < 0.6 THEN c.rt / 0.6 * interval '2 hours'
                                                        ELSE interval '2 hours' + (c.rt - 0.6) / 0.4 * interval '40 hours' END,
                                        pg_temp.pilot_at(c.yesterday, '21:00')) END,
       c.stop, random(), random(), random(), random(), random()
FROM pilot_contact c
WHERE NOT c.before_pilot AND NOT c.opted_out_before
ORDER BY c.id;

INSERT INTO pilot_conv (org, staff_id, flow, channel, lang, reason, opened_at, responded, r1, r2, r3, r4, r5)
SELECT e.org, e.staff_id, 'absence-report', CASE WHEN random() < 0.15 THEN 'webchat' ELSE 'sms' END, e.lang, e.reason,
       pg_temp.pilot_at(e.starts_on, '06:30') + random() * interval '3 hours', true,
       random(), random(), random(), random(), random()
FROM pilot_episode e
WHERE e.source = 'self_report'
ORDER BY e.id;

INSERT INTO pilot_conv (org, staff_id, flow, channel, lang, opened_at, responded, r1, r2, r3, r4, r5)
SELECT s.org, s.id, 'support', CASE WHEN s.ch < 0.45 THEN 'webchat' ELSE 'sms' END, s.lang,
       pg_temp.pilot_at(p.pilot_from + floor(s.day * 30)::int, '07:00') + s.tod * interval '15 hours', true,
       random(), random(), random(), random(), random()
FROM (SELECT id, org, lang, random() AS pick, random() AS ch, random() AS day, random() AS tod FROM pilot_staff ORDER BY id) s
CROSS JOIN pilot_params p
WHERE s.pick < 0.035;

INSERT INTO pilot_conv (org, flow, channel, lang, opened_at, responded, r1, r2, r3, r4, r5)
SELECT o.id, 'support', 'webchat', CASE WHEN a.lr < 0.05 THEN 'pl' ELSE 'en-GB' END,
       pg_temp.pilot_at(p.pilot_from + floor(a.day * 30)::int, '07:00') + a.tod * interval '15 hours', true,
       random(), random(), random(), random(), random()
FROM (SELECT g, random() AS og, random() AS lr, random() AS day, random() AS tod FROM generate_series(1, 40) g ORDER BY g) a
CROSS JOIN pilot_params p
JOIN pilot_org o ON o.ord = 1 + floor(a.og * (SELECT count(*) FROM pilot_org))::int
ORDER BY a.g;

UPDATE pilot_conv v SET
    responded_at = coalesce(v.responded_at, v.opened_at),
    closed_reason = CASE WHEN v.stop THEN 'opted_out' WHEN v.responded THEN 'completed' ELSE 'no_response' END,
    closed_at = CASE WHEN v.stop THEN v.responded_at + interval '1 minute'
                     WHEN v.contact_id IS NOT NULL AND v.responded THEN v.responded_at + interval '9 minutes'
                     WHEN v.responded THEN v.opened_at + interval '12 minutes'
                     ELSE least(v.opened_at + interval '5 days', pg_temp.pilot_at(p.yesterday, '22:00')) END
FROM pilot_params p;

-- Cases, as the service opens them: an unanswered stress or long-term
-- check-in (routine), a positive screen, a wish to talk or an OH call-back
-- (a call back asked for at the stress check-in, an appointment at the
-- long-term one: routine, as the people given the OH service), MSK
-- red flags (high), and risk disclosures (urgent or high, by category).
-- Most are claimed inside their SLA; up to one in ten breaches it. All
-- are resolved, so none waits in the queue.
CREATE TEMP TABLE pilot_case ON COMMIT DROP AS
SELECT k.*,
       ` + PilotCasePriority + ` AS priority,
       k.category IN ('suicide_risk', 'self_harm', 'hopelessness', 'safeguarding', 'harm_to_others', 'past_attempt', 'asked_to_talk') AS handover,
       NULL::bigint AS id, NULL::timestamptz AS sla_due_at, NULL::timestamptz AS claimed_at, NULL::timestamptz AS resolved_at,
       NULL::bigint AS clinician, random() AS rf, random() AS rb, random() AS rr, random() AS ru, random() AS ro
FROM (
    SELECT v.n, v.org, v.staff_id, v.flow, p.yesterday,
           ` + PilotCaseCategory + ` AS category,
           CASE WHEN NOT v.responded THEN v.closed_at ELSE v.responded_at + interval '3 minutes' END AS created_at
    FROM pilot_conv v CROSS JOIN pilot_params p
    ORDER BY v.n
) k
WHERE k.category IS NOT NULL;

UPDATE pilot_case SET sla_due_at = CASE priority
    WHEN 'urgent' THEN created_at + interval '15 minutes'
    WHEN 'high' THEN created_at + interval '4 hours'
    ELSE pg_temp.pilot_routine_due(created_at) END;

UPDATE pilot_case SET claimed_at = greatest(created_at + interval '1 minute', least(
    created_at + (sla_due_at - created_at) * CASE WHEN rb < CASE priority WHEN 'urgent' THEN 0.10 WHEN 'high' THEN 0.10 ELSE 0.08 END
                                                  THEN 1.05 + rf ELSE power(rf, 1.6) * 0.95 END,
    pg_temp.pilot_at(yesterday, '23:00')));
UPDATE pilot_case SET
    resolved_at = greatest(claimed_at + interval '1 minute',
                           least(claimed_at + interval '10 minutes' + rr * interval '2 days', pg_temp.pilot_at(yesterday, '23:30'))),
    clinician = (SELECT k.id FROM pilot_clinician k WHERE k.org = pilot_case.org AND k.n = 1 + floor(ru * 3)::int);

-- A disclosure hands the conversation to clinicians and stops the flow;
-- resolving the case hands it back, closing it. MSK red flags end the flow
-- too.
UPDATE pilot_conv v SET owner = 'clinician', closed_reason = 'resolved', closed_at = k.resolved_at, interrupted = true
FROM pilot_case k WHERE k.n = v.n AND k.handover;
UPDATE pilot_conv v SET interrupted = true FROM pilot_case k WHERE k.n = v.n AND k.category = 'msk_red_flags';

WITH ins AS (
    INSERT INTO conversations (organisation_id, staff_id, contact_id, channel, address, flow, fsm_state, language, owner,
                               status, closed_reason, last_activity_at, created_at, closed_at)
    SELECT org, staff_id, contact_id, channel, 'pilot-' || n, flow, 'closed', lang, owner,
           'closed', closed_reason, closed_at, opened_at, closed_at
    FROM pilot_conv ORDER BY n
    RETURNING id, address
)
UPDATE pilot_conv v SET id = ins.id FROM ins WHERE ins.address = 'pilot-' || v.n;

WITH ins AS (
    INSERT INTO cases (organisation_id, conversation_id, staff_id, priority, category, evidence, unknown_sender, status,
                       claimed_by, claimed_at, sla_due_at, breach_count, outcome, resolved_by, resolved_at, created_at, updated_at)
    SELECT k.org, v.id, k.staff_id, k.priority, k.category,
           jsonb_build_array(CASE k.category
               WHEN 'no_response' THEN 'no reply to the ' || CASE k.flow WHEN 'stress-checkin' THEN 'stress' ELSE 'long-term' END
                                       || ' check-in and its reminder'
               WHEN 'screen_positive' THEN 'PHQ-2 or GAD-2 score of 3 or more'
               WHEN 'msk_red_flags' THEN 'possible cauda equina red flags reported'
               WHEN 'long_term_talk' THEN 'asked to talk to someone from OH'
               WHEN 'callback_requested' THEN 'asked for a call back from OH'
               WHEN 'appointment_requested' THEN 'asked for an appointment with OH'
               WHEN 'asked_to_talk' THEN 'asked to talk to someone'
               WHEN 'suicide_risk' THEN CASE k.flow WHEN 'stress-checkin' THEN 'PHQ-9 item 9 answered above 0'
                                                   ELSE 'means and method words (seeded history: no message kept)' END
               ELSE replace(k.category, '_', ' ') || ' words (seeded history: no message kept)' END),
           k.staff_id IS NULL, 'resolved', k.clinician, k.claimed_at, k.sla_due_at,
           CASE WHEN k.claimed_at > k.sla_due_at THEN 1 ELSE 0 END,
           CASE WHEN k.category = 'safeguarding' THEN 'safeguarding_referral'
                WHEN k.category = 'msk_red_flags' THEN 'referred_crisis_or_gp'
                WHEN k.category = 'suicide_risk' AND k.ro < 0.1 THEN 'emergency_services'
                WHEN k.category = 'suicide_risk' AND k.ro < 0.5 THEN 'referred_crisis_or_gp'
                WHEN k.category = 'no_response' AND k.ro < 0.4 THEN 'unable_to_contact'
                WHEN k.ro < 0.7 THEN 'support_arranged'
                WHEN k.ro < 0.9 THEN 'no_further_action'
                ELSE 'no_risk_found' END,
           k.clinician, k.resolved_at, k.created_at, k.resolved_at
    FROM pilot_case k JOIN pilot_conv v USING (n)
    ORDER BY k.n
    RETURNING id, conversation_id
)
UPDATE pilot_case k SET id = ins.id FROM ins JOIN pilot_conv v ON v.id = ins.conversation_id WHERE v.n = k.n;

INSERT INTO case_events (case_id, user_id, kind, created_at)
SELECT case_id, user_id, kind, at FROM (
    SELECT id AS case_id, NULL::bigint AS user_id, 'opened' AS kind, created_at AS at FROM pilot_case
    UNION ALL SELECT id, clinician, 'claimed', claimed_at FROM pilot_case
    UNION ALL SELECT id, NULL, 'sla_breached', sla_due_at FROM pilot_case WHERE claimed_at > sla_due_at
    UNION ALL SELECT id, clinician, 'resolved', resolved_at FROM pilot_case
) e
ORDER BY at, case_id;

-- Signposting, by category, as the flows give it: every service of the
-- category in the organisation's directory (the first organisation, DEMO,
-- has no regional resilience hub).
INSERT INTO signposts (organisation_id, conversation_id, service, category, created_at)
SELECT v.org, v.id, s.key, g.category, v.responded_at + g.after
FROM pilot_conv v
JOIN pilot_org o ON o.id = v.org
CROSS JOIN LATERAL (VALUES
    ('mental_health', interval '4 minutes',
        (v.flow = 'stress-checkin' AND v.r1 < 0.55) OR (v.flow = 'absence-report' AND v.reason = 'S10' AND v.r1 < 0.6)
        OR (v.flow = 'support' AND v.r1 < 0.5)),
    ('wellbeing', interval '5 minutes',
        (v.flow = 'stress-checkin' AND v.r2 < 0.40) OR (v.flow = 'msk-checkin' AND v.r2 < 0.6)
        OR (v.flow = 'long-term-checkin' AND v.r3 < 0.2)
        OR (v.flow = 'absence-report' AND ((v.reason = 'S10' AND v.r1 < 0.6)
                                            OR (v.reason NOT IN ('S10', 'S11', 'S12', 'S28') AND v.r1 < 0.3)))
        OR (v.flow = 'support' AND v.r1 < 0.5)),
    ('financial', interval '6 minutes',
        (v.flow = 'stress-checkin' AND v.r3 < 0.20) OR (v.flow = 'long-term-checkin' AND v.r1 < 0.30)
        OR (v.flow = 'support' AND v.r1 >= 0.5 AND v.r1 < 0.75)),
    ('msk', interval '7 minutes',
        (v.flow = 'msk-checkin' AND v.r2 < 0.6) OR (v.flow = 'absence-report' AND v.reason IN ('S11', 'S12', 'S28') AND v.r1 < 0.6)
        OR (v.flow = 'support' AND v.r1 >= 0.75 AND v.r1 < 0.9)),
    ('oh', interval '8 minutes', (v.flow = 'stress-checkin' AND v.r4 < 0.10) OR (v.flow = 'long-term-checkin' AND v.r2 < 0.25))
) AS g(category, after, given)
JOIN (VALUES
    ('mental_health', 'practitioner_health', false, 1), ('mental_health', 'talking_therapies', false, 2),
    ('mental_health', 'resilience_hub', true, 3), ('wellbeing', 'wellbeing_hub', false, 1),
    ('financial', 'financial_wellbeing', false, 1), ('financial', 'moneyhelper', false, 2),
    ('msk', 'msk_physio', false, 1), ('msk', 'msk_self_care', false, 2), ('oh', 'oh_callback', false, 1)
) AS s(category, key, regional, ord) ON s.category = g.category AND (NOT s.regional OR o.ord > 1)
WHERE g.given AND v.responded AND NOT v.stop AND NOT v.interrupted
ORDER BY v.n, g.after, s.ord;

-- Referrals: fast-track physiotherapy from about half the MSK check-ins
-- answered (with the answers the physio team asks for), worked by the
-- physio team: most booked and attended, some declined, a few still new.
-- OH call-backs are cases (pilot_case).
INSERT INTO referrals (organisation_id, staff_id, conversation_id, kind, answers, status, sla_due_at, acted_at,
                       appointment_at, appointment_kind, appointment_place, booked_at, decline_reason, created_at, updated_at)
SELECT v.org, v.staff_id, v.id, 'physiotherapy',
       jsonb_build_object(
           'area', CASE WHEN v.reason = 'S11' THEN 'back'
                        ELSE (ARRAY['neck', 'shoulder', 'elbow_wrist_hand', 'hip', 'knee', 'ankle_foot', 'other_or_several'])[1 + floor(v.r3 * 7)::int] END,
           'duration', (ARRAY['under_2_weeks', '2_to_6_weeks', '6_to_12_weeks', 'over_12_weeks'])[1 + floor(v.r4 * 4)::int],
           'can_work', (ARRAY['yes_as_normal', 'yes_with_changes', 'no'])[1 + floor(v.r2 * 3)::int],
           'contact', (ARRAY['phone_any_time', 'phone_morning', 'phone_afternoon', 'text_first'])[1 + floor(v.r5 * 4)::int],
           'progress', (ARRAY['better', 'same', 'worse'])[1 + floor(v.r5 * 3)::int],
           'red_flags', CASE WHEN v.reason = 'S11' THEN 'no' ELSE 'not_asked' END),
       w.status, v.responded_at + interval '2 days', w.acted_at, w.appt, w.appt_kind,
       CASE WHEN w.appt_kind = 'in_person' THEN 'Physiotherapy Outpatients' END,
       CASE WHEN w.appt IS NOT NULL THEN w.acted_at END,
       CASE WHEN w.status = 'declined' THEN (ARRAY['see_gp', 'self_refer', 'under_care'])[1 + floor(v.r2 * 3)::int] END,
       v.responded_at + interval '3 minutes', coalesce(w.acted_at, v.responded_at + interval '3 minutes')
FROM pilot_conv v
CROSS JOIN LATERAL (
    SELECT s.status, CASE WHEN s.status <> 'new' THEN v.responded_at + interval '1 day' * (0.2 + v.r4 * 2) END AS acted_at,
           CASE WHEN s.status IN ('booked', 'attended', 'did_not_attend') THEN v.responded_at + interval '1 day' * (4 + floor(v.r4 * 6)) END AS appt,
           CASE WHEN s.status IN ('booked', 'attended', 'did_not_attend') THEN (CASE WHEN v.r2 < 0.3 THEN 'phone' ELSE 'in_person' END) END AS appt_kind
    FROM (SELECT CASE WHEN v.r4 < 0.08 THEN 'new' WHEN v.r4 < 0.15 THEN 'accepted' WHEN v.r4 < 0.22 THEN 'declined'
                      WHEN v.r4 < 0.30 THEN 'booked' WHEN v.r4 < 0.36 THEN 'did_not_attend' ELSE 'attended' END AS status) s
) w
WHERE v.flow = 'msk-checkin' AND v.responded AND NOT v.stop AND NOT v.interrupted AND v.r1 < 0.5
ORDER BY v.responded_at;

-- Opt-outs: STOP in reply to a check-in.
UPDATE staff s SET consent = 'opted_out', consent_changed_at = v.responded_at, updated_at = v.responded_at
FROM pilot_conv v WHERE v.stop AND v.staff_id = s.id;

-- The baseline: the HR feed's history of the 368 days before go-live
-- (pilot_from), for the dashboard's before-and-after comparison. The
-- service was not live, so it has no contacts, conversations or cases:
-- only ended absence episodes, with the pilot's mix of reasons but lengths
-- drawn longer (a lower skew and a tenth more), so that more reach 28 days
-- and the pilot shows a modest improvement. Each person has at most one
-- episode in each of four 92-day spans (the last ending the day before
-- go-live), placed inside its span and before the person's pilot episode,
-- so that no two of a person's episodes overlap. It is drawn last, so that
-- the pilot month's draws are those it had before the baseline was added.
CREATE TEMP TABLE pilot_baseline ON COMMIT DROP AS
WITH drawn AS (
    SELECT s.id AS staff_id, k, random() AS absent, random() AS rr, random() AS lr, random() AS dr
    FROM pilot_staff s CROSS JOIN generate_series(1, 4) k
    ORDER BY s.id, k
), spans AS (
    SELECT d.*, r.code, least(92, r.min_days + floor(power(d.lr, r.skew * 0.8) * (r.max_days - r.min_days + 1) * 1.1)::int) AS days,
           p.pilot_from - 368 + (d.k - 1) * 92 AS span_from,
           least(p.pilot_from - 369 + d.k * 92, e.starts_on - 1) AS span_to
    FROM drawn d
    JOIN pilot_reason r ON d.rr >= r.lo AND d.rr < r.hi
    CROSS JOIN pilot_params p
    LEFT JOIN pilot_episode e ON e.staff_id = d.staff_id
    WHERE d.absent < 0.39
)
SELECT staff_id, code AS reason, span_from + floor(dr * (span_to - span_from + 2 - days))::int AS starts_on, days
FROM spans
WHERE days <= span_to - span_from + 1;

INSERT INTO absence_episodes (staff_id, starts_on, ends_on, reason_code, source, created_at, updated_at)
SELECT staff_id, starts_on, starts_on + days - 1, reason, 'hr_feed',
       pg_temp.pilot_at(starts_on, '10:00'), pg_temp.pilot_at(starts_on + days, '10:00')
FROM pilot_baseline ORDER BY staff_id, starts_on;

-- Staff feedback, drawn after the baseline for the same reason: the first
-- conversation of a member of staff that ended normally with no case (so at
-- most one question a person, as the 30-day rule allows) was followed by
-- the question three times in five; about half of those were answered,
-- mostly 4 or 5, a fifth of the answers with a short comment. Each answer
-- has its own closed support conversation, as a live one does.
CREATE TEMP TABLE pilot_feedback ON COMMIT DROP AS
SELECT DISTINCT ON (v.staff_id) v.id AS conversation_id, v.org, v.staff_id, v.flow, v.channel, v.lang, v.closed_at,
       random() AS asked, random() AS answered, random() AS rated, random() AS said
FROM pilot_conv v
WHERE v.closed_reason = 'completed' AND v.owner = 'bot' AND v.staff_id IS NOT NULL
  AND NOT EXISTS (SELECT FROM cases k WHERE k.conversation_id = v.id)
ORDER BY v.staff_id, v.closed_at, v.n;

CREATE TEMP TABLE pilot_rating ON COMMIT DROP AS
SELECT f.conversation_id, f.org, f.staff_id, f.channel, f.lang, f.closed_at, f.said, NULL::bigint AS answer_id,
       row_number() OVER (ORDER BY f.conversation_id) AS n,
       CASE WHEN f.rated < 0.04 THEN 1 WHEN f.rated < 0.10 THEN 2 WHEN f.rated < 0.25 THEN 3 WHEN f.rated < 0.55 THEN 4 ELSE 5 END AS rating
FROM pilot_feedback f
WHERE f.asked < 0.6 AND f.answered < 0.55;

WITH ins AS (
    INSERT INTO conversations (organisation_id, staff_id, channel, address, flow, fsm_state, language, owner,
                               status, closed_reason, last_activity_at, created_at, closed_at)
    SELECT org, staff_id, channel, 'pilot-feedback-' || n, 'support', 'closed', lang, 'bot',
           'closed', 'completed', closed_at + interval '20 minutes', closed_at + interval '10 minutes', closed_at + interval '20 minutes'
    FROM pilot_rating ORDER BY n
    RETURNING id, address
)
UPDATE pilot_rating r SET answer_id = ins.id FROM ins WHERE ins.address = 'pilot-feedback-' || r.n;

INSERT INTO feedback (organisation_id, staff_id, conversation_id, flow, channel, language, asked_at,
                      rating, rated_at, answer_conversation_id, comment, commented_at)
SELECT f.org, f.staff_id, f.conversation_id, f.flow, f.channel, f.lang, f.closed_at,
       r.rating, CASE WHEN r.rating IS NOT NULL THEN f.closed_at + interval '10 minutes' END, r.answer_id,
       CASE WHEN r.said < 0.2 THEN (ARRAY['Quick and easy, thank you.', 'Nice to know someone checked in.',
           'The physio link was useful.', 'I would rather have had a phone call.', 'Too many questions while I was unwell.'])[1 + floor(r.said * 25)::int] END,
       CASE WHEN r.said < 0.2 THEN f.closed_at + interval '15 minutes' END
FROM pilot_feedback f LEFT JOIN pilot_rating r ON r.conversation_id = f.conversation_id
WHERE f.asked < 0.6
ORDER BY f.conversation_id;

-- Vaccination campaigns and new starters, drawn after the feedback for the
-- same reason. Their answers are on the rows the dashboard counts
-- (campaign_members, new_starters); their conversations hold no messages,
-- as the month's others, so a member's delivered_at is set here rather
-- than by the trigger on messages.

-- One flu campaign in each of those organisations, a week apart, each on
-- a Tuesday from the fourth day of the month (so in the dashboard's default
-- 28 days), for every member of its staff (an uploaded list): invitations
-- from 09:00 at four a second, the one reminder two days later, finished
-- once everyone was invited. Those opted out by their turn are skipped.
CREATE TEMP TABLE pilot_campaign ON COMMIT DROP AS
SELECT o.id AS org, o.ord, NULL::bigint AS id, d.day, pg_temp.pilot_at(d.day, '09:00') AS starts_at
FROM pilot_org o CROSS JOIN pilot_params p
CROSS JOIN LATERAL (SELECT p.pilot_from + 3 + (9 - extract(isodow FROM p.pilot_from + 3)::int) % 7 + (o.ord - 2) * 7 AS day) d
WHERE o.ord > 1;

WITH ins AS (
    INSERT INTO campaigns (organisation_id, name, flow, vaccine, audience, starts_at, window_from, window_until, window_days,
                           remind_after, status, created_at, updated_at)
    SELECT org, 'Staff flu vaccination', 'vaccination', 'flu', 'list', starts_at, '09:00', '17:00', '{1,2,3,4,5}',
           interval '2 days', 'finished', pg_temp.pilot_at(day - 1, '15:00'), pg_temp.pilot_at(day - 1, '15:00')
    FROM pilot_campaign ORDER BY ord
    RETURNING id, organisation_id
)
UPDATE pilot_campaign c SET id = ins.id FROM ins WHERE ins.organisation_id = c.org;

-- What each member did: the draw r, leant by their staff group, gives the
-- answer (PilotVaccinationOutcome); seven in ten of those who replied did
-- so before the reminder. A few of the replies that gave no answer were
-- STOP, from people with no other history this month (so nothing later
-- was sent to them). Someone who opted out at a check-in after the
-- invitation did not answer it, and got no reminder after that.
CREATE TEMP TABLE pilot_member ON COMMIT DROP AS
WITH drawn AS (
    SELECT c.id AS campaign_id, c.org, c.starts_at, s.id AS staff_id, s.lang,
           CASE WHEN st.consent = 'opted_out' THEN st.consent_changed_at END AS opted_out_at,
           NOT (s.id IN (SELECT e.staff_id FROM pilot_episode e) OR s.id IN (SELECT v.staff_id FROM pilot_conv v WHERE v.staff_id IS NOT NULL)) AS quiet,
           c.starts_at + (row_number() OVER (PARTITION BY c.id ORDER BY s.id) - 1) * interval '250 milliseconds' AS sent_at,
           least(random() * coalesce(g.lean, 1), 0.9999) AS r, random() AS rq, random() AS rt, random() AS rc, random() AS rd,
           random() AS rb, random() AS rf, random() AS rr, random() AS ru, random() AS ro
    FROM pilot_campaign c
    JOIN pilot_staff s ON s.org = c.org
    JOIN staff st ON st.id = s.id
    LEFT JOIN pilot_group g ON g.name = st.staff_group
    ORDER BY c.id, s.id
), answered AS (
    SELECT m.*, p.yesterday, m.sent_at + interval '2 days' AS remind_at, coalesce(m.opted_out_at < m.sent_at, false) AS skipped,
           CASE WHEN m.opted_out_at IS NULL THEN ` + PilotVaccinationOutcome + ` END AS outcome,
           m.opted_out_at IS NULL AND m.r < 0.64 AS replies,
           m.opted_out_at IS NULL AND m.r >= 0.61 AND m.r < 0.614 AND m.quiet AS stop
    FROM drawn m CROSS JOIN pilot_params p
)
SELECT a.*, NULL::bigint AS id, NULL::bigint AS conversation_id, NULL::bigint AS case_id,
       CASE WHEN a.replies THEN least(CASE WHEN a.rq < 0.7 THEN a.sent_at + power(a.rt, 2) * interval '40 hours'
                                           ELSE a.remind_at + power(a.rt, 2) * interval '50 hours' END,
                                      pg_temp.pilot_at(a.yesterday, '20:00')) END AS replied_at,
       NOT a.skipped AND NOT (a.replies AND a.rq < 0.7) AND coalesce(a.opted_out_at >= a.remind_at, true) AS reminded,
       CASE WHEN a.rc < 0.12 THEN 'webchat' ELSE 'sms' END AS channel
FROM answered a;

WITH ins AS (
    INSERT INTO campaign_members (campaign_id, staff_id, staff_group, state, skip_reason, outcome, outcome_detail, sent_at, replied_at,
                                  outcome_at, delivered_at, updated_at)
    SELECT campaign_id, staff_id, (SELECT s.staff_group FROM staff s WHERE s.id = pilot_member.staff_id),
           CASE WHEN skipped THEN 'skipped' WHEN replied_at IS NOT NULL THEN 'replied' WHEN reminded THEN 'reminded' ELSE 'sent' END,
           CASE WHEN skipped THEN 'opted_out' END,
           CASE WHEN NOT stop THEN outcome END,
           CASE WHEN stop THEN '{}'
                WHEN outcome = 'had_elsewhere' THEN jsonb_build_object(
                    'date', CASE WHEN rd < 0.1 THEN 'not_given' ELSE ((replied_at AT TIME ZONE 'Europe/London')::date - 2 - floor(rd * 20)::int)::text END,
                    'where', (ARRAY['gp', 'pharmacy', 'pharmacy', 'other_trust', 'other'])[1 + floor(rd * 5)::int])
                WHEN outcome = 'declined' AND rd < 0.4 THEN jsonb_build_object('reason',
                    (ARRAY['I never have it', 'Pregnant, will ask my midwife', 'Had a bad reaction last year', 'Needle phobia'])[1 + floor(rd * 10)::int])
                ELSE '{}' END,
           CASE WHEN NOT skipped THEN sent_at END, replied_at,
           CASE WHEN outcome IS NOT NULL AND NOT stop THEN replied_at + CASE outcome WHEN 'booked' THEN interval '6 minutes'
                                                                               WHEN 'had_elsewhere' THEN interval '2 minutes' ELSE interval '0' END END,
           CASE WHEN NOT skipped AND (replied_at IS NOT NULL OR rd < 0.95) THEN sent_at + interval '4 seconds' END,
           coalesce(replied_at + interval '6 minutes', CASE WHEN reminded THEN remind_at END, sent_at)
    FROM pilot_member ORDER BY campaign_id, staff_id
    RETURNING id, campaign_id, staff_id
)
UPDATE pilot_member m SET id = ins.id FROM ins WHERE ins.campaign_id = m.campaign_id AND ins.staff_id = m.staff_id;

UPDATE campaigns c SET updated_at = m.last FROM (SELECT campaign_id, max(sent_at) AS last FROM pilot_member GROUP BY 1) m
WHERE c.id = m.campaign_id;

-- A question opened a routine case (vaccination_question) and handed the
-- conversation to the OH team, who answered it, most within the SLA.
CREATE TEMP TABLE pilot_vcase ON COMMIT DROP AS
SELECT m.id AS member_id, m.org, m.staff_id, m.yesterday, m.rb, m.rf, m.rr, m.ru, m.ro, m.replied_at AS created_at,
       pg_temp.pilot_routine_due(m.replied_at) AS sla_due_at, NULL::timestamptz AS claimed_at, NULL::timestamptz AS resolved_at,
       NULL::bigint AS clinician
FROM pilot_member m WHERE m.outcome = 'question' AND NOT m.stop;

UPDATE pilot_vcase SET claimed_at = greatest(created_at + interval '1 minute', least(
    created_at + (sla_due_at - created_at) * CASE WHEN rb < 0.08 THEN 1.05 + rf ELSE power(rf, 1.6) * 0.95 END,
    pg_temp.pilot_at(yesterday, '23:00')));
UPDATE pilot_vcase SET
    resolved_at = greatest(claimed_at + interval '1 minute',
                           least(claimed_at + interval '10 minutes' + rr * interval '1 day', pg_temp.pilot_at(yesterday, '23:30'))),
    clinician = (SELECT k.id FROM pilot_clinician k WHERE k.org = pilot_vcase.org AND k.n = 1 + floor(ru * 3)::int);

WITH ins AS (
    INSERT INTO conversations (organisation_id, staff_id, campaign_member_id, channel, address, flow, fsm_state, language, owner,
                               status, closed_reason, last_activity_at, created_at, closed_at)
    SELECT m.org, m.staff_id, m.id, m.channel, 'pilot-campaign-' || m.id, 'vaccination', 'closed', m.lang,
           CASE WHEN k.member_id IS NOT NULL THEN 'clinician' ELSE 'bot' END, 'closed', e.reason, e.at, m.sent_at, e.at
    FROM pilot_member m
    LEFT JOIN pilot_vcase k ON k.member_id = m.id
    CROSS JOIN LATERAL (SELECT CASE WHEN m.stop THEN 'opted_out' WHEN k.member_id IS NOT NULL THEN 'resolved'
                                    WHEN m.outcome IS NOT NULL THEN 'completed' ELSE 'no_response' END AS reason,
                               CASE WHEN m.stop THEN m.replied_at + interval '1 minute'
                                    WHEN k.member_id IS NOT NULL THEN k.resolved_at
                                    WHEN m.outcome IS NOT NULL THEN m.replied_at + interval '8 minutes'
                                    ELSE least(coalesce(m.replied_at, CASE WHEN m.reminded THEN m.remind_at END, m.sent_at) + interval '72 hours',
                                               pg_temp.pilot_at(m.yesterday, '22:00')) END AS at) e
    WHERE NOT m.skipped
    ORDER BY m.id
    RETURNING id, campaign_member_id
)
UPDATE pilot_member m SET conversation_id = ins.id FROM ins WHERE ins.campaign_member_id = m.id;

WITH ins AS (
    INSERT INTO cases (organisation_id, conversation_id, staff_id, priority, category, evidence, unknown_sender, status,
                       claimed_by, claimed_at, sla_due_at, breach_count, outcome, resolved_by, resolved_at, created_at, updated_at)
    SELECT k.org, m.conversation_id, k.staff_id, 'routine', 'vaccination_question',
           jsonb_build_array('requested by the flow: vaccination_question'), false, 'resolved', k.clinician, k.claimed_at, k.sla_due_at,
           CASE WHEN k.claimed_at > k.sla_due_at THEN 1 ELSE 0 END,
           CASE WHEN k.ro < 0.75 THEN 'no_further_action' ELSE 'support_arranged' END,
           k.clinician, k.resolved_at, k.created_at, k.resolved_at
    FROM pilot_vcase k JOIN pilot_member m ON m.id = k.member_id
    ORDER BY k.member_id
    RETURNING id, conversation_id
)
UPDATE pilot_member m SET case_id = ins.id FROM ins WHERE ins.conversation_id = m.conversation_id;

INSERT INTO case_events (case_id, user_id, kind, created_at)
SELECT case_id, user_id, kind, at FROM (
    SELECT m.case_id, NULL::bigint AS user_id, 'opened' AS kind, k.created_at AS at FROM pilot_vcase k JOIN pilot_member m ON m.id = k.member_id
    UNION ALL SELECT m.case_id, k.clinician, 'claimed', k.claimed_at FROM pilot_vcase k JOIN pilot_member m ON m.id = k.member_id
    UNION ALL SELECT m.case_id, NULL, 'sla_breached', k.sla_due_at FROM pilot_vcase k JOIN pilot_member m ON m.id = k.member_id
              WHERE k.claimed_at > k.sla_due_at
    UNION ALL SELECT m.case_id, k.clinician, 'resolved', k.resolved_at FROM pilot_vcase k JOIN pilot_member m ON m.id = k.member_id
) e
ORDER BY at, case_id;

UPDATE staff s SET consent = 'opted_out', consent_changed_at = m.replied_at, updated_at = m.replied_at
FROM pilot_member m WHERE m.stop AND m.staff_id = s.id;

-- New starters: about one a month for every 75 staff, in every
-- organisation, each a new staff record HR sent a week or two before their
-- first day (a Monday at least a week into the month, so that the welcome,
-- 7 days before, went after go-live), welcomed at 09:00 that day, reminded
-- 3 days later if silent, and on the OH admin worklist 3 days after that
-- (held to the send window: the Monday of their first day).
-- Half replied DONE to the welcome and a fifth after the reminder; one in
-- ten asked for help (straight onto the worklist); the rest never replied.
-- An OH admin of the organisation marked the questionnaire received a day
-- or two after a DONE (later for the others, and for three in ten of the
-- silent ones not yet), and clearance a few days after that, working days
-- only; anything that would fall today or later has not happened yet.
-- Their welcomes are finished: every one replied or is on the worklist,
-- so no job waits.
CREATE TEMP TABLE pilot_oh_admin (id bigint, org bigint) ON COMMIT DROP;
WITH ins AS (
    INSERT INTO users (organisation_id, email, display_name, role, password_hash, disabled_at, created_at, updated_at)
    SELECT o.id, lower(replace(n.name, ' ', '.')) || '@pilot.demo.nhs.example', n.name || ' (pilot)', 'admin',
           '!seeded-history-no-sign-in', pg_temp.pilot_at(p.yesterday, '17:00'), pg_temp.pilot_at(p.pilot_from - 60, '09:00'),
           pg_temp.pilot_at(p.yesterday, '17:00')
    FROM pilot_org o CROSS JOIN pilot_params p
    JOIN (VALUES (1, 'Mo Nash'), (2, 'Nell Ord'), (3, 'Oz Pryce'), (4, 'Pat Quinn')) AS n(ord, name) ON n.ord = o.ord
    ORDER BY o.ord
    RETURNING id, organisation_id
)
INSERT INTO pilot_oh_admin SELECT id, organisation_id FROM ins;

CREATE OR REPLACE FUNCTION pg_temp.pilot_weekday(d date) RETURNS date
LANGUAGE sql IMMUTABLE AS $$ SELECT d + CASE extract(isodow FROM d)::int WHEN 6 THEN 2 WHEN 7 THEN 1 ELSE 0 END $$;

CREATE TEMP TABLE pilot_starter ON COMMIT DROP AS
WITH mondays AS (
    SELECT array_agg(d::date ORDER BY d) AS days
    FROM pilot_params p CROSS JOIN generate_series(p.pilot_from + 7, p.yesterday, interval '1 day') d
    WHERE extract(isodow FROM d) = 1
), drawn AS (
    SELECT o.id AS org, o.ord, n, random() AS rd, random() AS rh, random() AS u, random() AS rt, random() AS rq, random() AS rk,
           random() AS rc, random() AS fr, random() AS sr, random() AS gr
    FROM pilot_org o CROSS JOIN LATERAL generate_series(1, o.size / 75) n
    ORDER BY o.ord, n
), dated AS (
    SELECT d.*, m.days[1 + floor(d.rd * cardinality(m.days))::int] AS starts_on, p.yesterday, p.pilot_from
    FROM drawn d CROSS JOIN mondays m CROSS JOIN pilot_params p
), timed AS (
    SELECT t.*, (91000000 + t.ord * 100000 + 9000 + t.n)::text || '-1' AS assignment_number,
           pg_temp.pilot_at(t.starts_on - 8 - floor(t.rh * 7)::int, '10:00') AS hr_at,
           pg_temp.pilot_at(t.starts_on - 7, '09:00') AS due_at,
           pg_temp.pilot_at(t.starts_on - 7, '09:00') + floor(t.rt * 20) * interval '1 minute' AS welcomed_at,
           CASE WHEN t.u < 0.5 THEN 'done' WHEN t.u < 0.7 THEN 'done_late' WHEN t.u < 0.8 THEN 'help' ELSE 'silent' END AS answer
    FROM dated t
), replied AS (
    SELECT t.*,
           CASE WHEN t.answer IN ('done_late', 'silent') THEN t.welcomed_at + interval '3 days' END AS reminded_at,
           CASE t.answer WHEN 'done' THEN t.welcomed_at + power(t.rq, 2) * interval '60 hours'
                         WHEN 'help' THEN t.welcomed_at + power(t.rq, 2) * interval '60 hours'
                         WHEN 'done_late' THEN t.welcomed_at + interval '3 days' + power(t.rq, 2) * interval '60 hours' END AS replied_at
    FROM timed t
), worked AS (
    SELECT r.*,
           CASE r.answer WHEN 'help' THEN r.replied_at WHEN 'silent' THEN r.welcomed_at + interval '7 days' END AS worklist_at,
           CASE WHEN r.answer IN ('done', 'done_late') AND r.rk >= 0.08
                    THEN pg_temp.pilot_weekday((r.replied_at AT TIME ZONE 'Europe/London')::date + floor(r.rk * 3)::int)
                WHEN r.answer = 'help' THEN pg_temp.pilot_weekday((r.replied_at AT TIME ZONE 'Europe/London')::date + 1 + floor(r.rk * 4)::int)
                WHEN r.answer = 'silent' AND r.rk < 0.7 THEN pg_temp.pilot_weekday(r.starts_on + 1 + floor(r.rk * 8)::int) END AS received_on
    FROM replied r
)
SELECT w.*, NULL::bigint AS staff_id, NULL::bigint AS id,
       CASE WHEN w.received_on < w.yesterday + 1 THEN pg_temp.pilot_at(w.received_on, '09:30') + w.rt * interval '6 hours' END AS received_at,
       CASE WHEN pg_temp.pilot_weekday(w.received_on + floor(power(w.rc, 2) * 18)::int) < w.yesterday + 1
            THEN pg_temp.pilot_at(pg_temp.pilot_weekday(w.received_on + floor(power(w.rc, 2) * 18)::int), '10:00') + w.rc * interval '6 hours' END AS cleared_at
FROM worked w;

-- A clearance on the day the questionnaire came is given after it.
UPDATE pilot_starter SET cleared_at = received_at + interval '30 minutes' WHERE cleared_at <= received_at;

WITH names AS (
    SELECT ARRAY['Ava', 'Noah', 'Mia', 'Leo', 'Ruby', 'Omar', 'Erin', 'Kai', 'Nina', 'Josh', 'Holly', 'Adam', 'Leah', 'Ryan', 'Jade', 'Luke'] AS first,
           ARRAY['Turner', 'Walker', 'Harrison', 'Barker', 'Coulson', 'Dixon', 'Hussain', 'Marshall', 'Storey', 'Tait', 'Wood', 'Yeates'] AS last
), ins AS (
    INSERT INTO staff (organisation_id, assignment_number, first_name, last_name, language, staff_group, starts_on, created_at, updated_at)
    SELECT t.org, t.assignment_number, names.first[1 + floor(t.fr * 16)::int], names.last[1 + floor(t.sr * 12)::int], 'en-GB',
           CASE WHEN t.ord > 1 THEN (SELECT g.name FROM pilot_group g WHERE t.gr >= g.lo AND t.gr < g.hi) END,
           t.starts_on, t.hr_at, t.hr_at
    FROM pilot_starter t CROSS JOIN names
    ORDER BY t.ord, t.n
    RETURNING id, assignment_number
)
UPDATE pilot_starter t SET staff_id = ins.id FROM ins WHERE ins.assignment_number = t.assignment_number;

WITH ins AS (
    INSERT INTO new_starters (organisation_id, staff_id, starts_on, state, welcome_due_at, welcomed_at, reminded_at, replied_at,
                              worklist_at, worklist_reason, questionnaire_received_at, questionnaire_received_by, clearance_given_at,
                              clearance_given_by, created_at, updated_at)
    SELECT t.org, t.staff_id, t.starts_on, CASE WHEN t.worklist_at IS NOT NULL THEN 'worklist' ELSE 'replied' END,
           t.due_at, t.welcomed_at, t.reminded_at, t.replied_at, t.worklist_at,
           CASE WHEN t.worklist_at IS NULL THEN NULL WHEN t.replied_at IS NOT NULL THEN 'asked' ELSE 'no_reply' END,
           t.received_at, CASE WHEN t.received_at IS NOT NULL THEN a.id END, t.cleared_at, CASE WHEN t.cleared_at IS NOT NULL THEN a.id END,
           t.hr_at, greatest(t.welcomed_at, t.reminded_at, t.replied_at, t.worklist_at, t.received_at, t.cleared_at)
    FROM pilot_starter t JOIN pilot_oh_admin a ON a.org = t.org
    ORDER BY t.ord, t.n
    RETURNING id, staff_id
)
UPDATE pilot_starter t SET id = ins.id FROM ins WHERE ins.staff_id = t.staff_id;

-- Each welcome's conversation: thanked for DONE, told the OH team will
-- be in touch for a question, closed unanswered 72 hours after the reminder.
INSERT INTO conversations (organisation_id, staff_id, new_starter_id, channel, address, flow, fsm_state, language, owner,
                           status, closed_reason, last_activity_at, created_at, closed_at)
SELECT t.org, t.staff_id, t.id, 'sms', 'pilot-starter-' || t.id, 'new-starter', 'closed',
       'en-GB', 'bot', 'closed', e.reason, e.at, t.welcomed_at, e.at
FROM pilot_starter t
CROSS JOIN LATERAL (SELECT CASE WHEN t.replied_at IS NOT NULL THEN 'completed' ELSE 'no_response' END AS reason,
                           coalesce(t.replied_at + interval '2 minutes', t.reminded_at + interval '72 hours') AS at) e
ORDER BY t.id;

-- Go-live is the pilot's first day, unless the organisation has its own
-- (from OHCONTACT_CONFIG's go_live).
UPDATE organisations o SET go_live_on = p.pilot_from, updated_at = now()
FROM pilot_org g CROSS JOIN pilot_params p
WHERE o.id = g.id AND o.go_live_on IS NULL;

INSERT INTO audit_events (actor_kind, action, record_type, details)
SELECT 'system', 'demo.pilot_seeded', 'demo', jsonb_build_object(
    'organisations', (SELECT count(*) FROM pilot_org), 'staff', (SELECT count(*) FROM pilot_staff),
    'episodes', (SELECT count(*) FROM pilot_episode), 'baseline_episodes', (SELECT count(*) FROM pilot_baseline), 'contacts', (SELECT count(*) FROM pilot_contact),
    'conversations', (SELECT count(*) FROM pilot_conv), 'cases', (SELECT count(*) FROM pilot_case),
    'feedback', (SELECT count(*) FROM pilot_feedback WHERE asked < 0.6), 'campaign_members', (SELECT count(*) FROM pilot_member),
    'new_starters', (SELECT count(*) FROM pilot_starter));

DROP FUNCTION pg_temp.pilot_at(date, interval);
DROP FUNCTION pg_temp.pilot_routine_due(timestamptz);
DROP FUNCTION pg_temp.pilot_weekday(date);
`
