-- 0010: every promise reaches a person.
--
-- A referral is tracked work for its organisation's physio team, with an
-- SLA and a history, as a case is for the clinicians. OH call-backs stop
-- being referrals: they are cases in the clinicians' queue, so the ones
-- already made are moved there (routine, "callback_requested", already due:
-- the person was promised a call; they get no breach alerts, having no SLA
-- check job, but lead the queue's routine cases as overdue).

ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('clinician', 'lead', 'admin', 'physio'));

-- What an API key may do: 'hr' (absences and staff) or 'referrals'.
ALTER TABLE api_keys ADD COLUMN scope text NOT NULL DEFAULT 'hr' CHECK (scope IN ('hr', 'referrals'));

WITH moved AS (
    INSERT INTO cases (organisation_id, conversation_id, staff_id, priority, category, evidence, sla_due_at, created_at)
    SELECT organisation_id, conversation_id, staff_id, 'routine', 'callback_requested',
           jsonb_build_array('asked for a call back from OH'), created_at, created_at
    FROM referrals WHERE kind = 'oh_callback'
    RETURNING id, created_at)
INSERT INTO case_events (case_id, kind, created_at) SELECT id, 'opened', created_at FROM moved;
DELETE FROM referrals WHERE kind = 'oh_callback';
ALTER TABLE referrals DROP CONSTRAINT referrals_kind_check;
ALTER TABLE referrals ADD CONSTRAINT referrals_kind_check CHECK (kind = 'physiotherapy');

-- The status only moves forward: new → accepted → booked → attended or
-- did_not_attend; new or accepted → declined.
ALTER TABLE referrals DROP CONSTRAINT referrals_status_check;
UPDATE referrals SET status = 'attended' WHERE status = 'completed';
ALTER TABLE referrals
    ADD CONSTRAINT referrals_status_check CHECK (status IN ('new', 'accepted', 'booked', 'declined', 'attended', 'did_not_attend')),
    ADD COLUMN language          text NOT NULL DEFAULT 'en-GB' CHECK (language IN ('en-GB', 'cy', 'pl')),
    -- The SLA: acted on (accepted, booked or declined) by sla_due_at.
    ADD COLUMN sla_due_at        timestamptz,
    ADD COLUMN breach_count      integer NOT NULL DEFAULT 0 CHECK (breach_count >= 0),
    ADD COLUMN acted_at          timestamptz,
    ADD COLUMN appointment_at    timestamptz,
    ADD COLUMN appointment_kind  text CHECK (appointment_kind IN ('in_person', 'phone')),
    ADD COLUMN appointment_place text CHECK (length(appointment_place) BETWEEN 1 AND 200),
    ADD COLUMN booked_at         timestamptz,
    -- Why the physio team declined, as the person is told it (what to do
    -- instead), and the team's own note.
    ADD COLUMN decline_reason    text CHECK (decline_reason IN ('see_gp', 'self_refer', 'under_care', 'oh_call')),
    ADD COLUMN decline_note      text CHECK (length(decline_note) BETWEEN 1 AND 500);
UPDATE referrals SET sla_due_at = created_at,
                     acted_at = CASE WHEN status <> 'new' THEN updated_at END;
ALTER TABLE referrals
    ALTER COLUMN sla_due_at SET NOT NULL,
    ALTER COLUMN sla_due_at SET DEFAULT now(), -- made without a due time: due at once
    ADD CHECK ((status = 'new') = (acted_at IS NULL)),
    ADD CHECK ((status IN ('booked', 'attended', 'did_not_attend')) = (appointment_at IS NOT NULL)),
    ADD CHECK ((appointment_at IS NULL) = (appointment_kind IS NULL)),
    ADD CHECK (appointment_kind IS DISTINCT FROM 'in_person' OR appointment_place IS NOT NULL),
    ADD CHECK ((status = 'declined') = (decline_reason IS NOT NULL));
CREATE INDEX referrals_worklist_idx ON referrals (organisation_id, status, created_at);
CREATE INDEX referrals_conversation_idx ON referrals (conversation_id);

-- The history of a referral: who did what, and when. api_key_id is set when
-- a referral system made the change.
CREATE TABLE referral_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    referral_id  bigint NOT NULL REFERENCES referrals (id),
    user_id      bigint REFERENCES users (id),
    api_key_id   bigint REFERENCES api_keys (id),
    kind         text NOT NULL CHECK (kind IN ('made', 'accepted', 'booked', 'declined', 'attended', 'did_not_attend',
                     'sla_breached', 'person_told', 'person_not_told')),
    note         text CHECK (length(note) <= 1000),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (user_id IS NULL OR api_key_id IS NULL)
);
CREATE INDEX referral_events_referral_idx ON referral_events (referral_id, id);

-- A referral past its SLA texts the organisation's MSK on-call number, as a
-- case does the clinicians' one.
ALTER TABLE on_call_texts
    ALTER COLUMN case_id DROP NOT NULL,
    ADD COLUMN referral_id bigint REFERENCES referrals (id),
    ADD CHECK (num_nonnulls(case_id, referral_id) = 1);
CREATE INDEX on_call_texts_referral_idx ON on_call_texts (referral_id) WHERE referral_id IS NOT NULL;
