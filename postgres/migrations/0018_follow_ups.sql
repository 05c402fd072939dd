-- 0018: follow-ups and signed replies (issue 18, items 7 and 8).
--
-- A clinician holding a case sets a follow-up ("call Monday 9am"): a time
-- and a note. At that time a River job (escalation.FollowUpChecks) alerts
-- whoever holds the case, or the organisation's on-duty clinicians, unless
-- the follow-up was cancelled or the case resolved by then.
CREATE TABLE case_follow_ups (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id       bigint NOT NULL REFERENCES cases (id),
    due_at        timestamptz NOT NULL,
    note          text NOT NULL CHECK (length(note) BETWEEN 1 AND 1000),
    set_by        bigint NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    cancelled_by  bigint REFERENCES users (id),
    cancelled_at  timestamptz,
    -- When the job alerted someone: the follow-up fell due.
    alerted_at    timestamptz,
    CHECK ((cancelled_by IS NULL) = (cancelled_at IS NULL)),
    CHECK (cancelled_at IS NULL OR alerted_at IS NULL)
);
CREATE INDEX case_follow_ups_case_idx ON case_follow_ups (case_id, due_at);

ALTER TABLE case_events DROP CONSTRAINT case_events_kind_check;
ALTER TABLE case_events ADD CONSTRAINT case_events_kind_check CHECK (kind IN
    ('opened', 'claimed', 'released', 'reassigned', 'note', 'replied', 'handed_back', 'resolved', 'sla_breached',
     'priority_changed', 'follow_up_set', 'follow_up_cancelled', 'follow_up_due'));

-- A follow_up_due alert names its follow-up, whose time the banner shows.
ALTER TABLE clinician_alerts ADD COLUMN follow_up_id bigint REFERENCES case_follow_ups (id);
ALTER TABLE clinician_alerts DROP CONSTRAINT clinician_alerts_kind_check;
ALTER TABLE clinician_alerts ADD CONSTRAINT clinician_alerts_kind_check CHECK (kind IN ('sla_breached', 'follow_up_due'));
ALTER TABLE clinician_alerts ADD CHECK ((kind = 'follow_up_due') = (follow_up_id IS NOT NULL));

-- The job title a clinician's signed replies carry ("OH nurse"); when
-- unset, the role's default (escalation.DefaultTitle).
ALTER TABLE users ADD COLUMN job_title text CHECK (length(job_title) BETWEEN 1 AND 60);
