-- 0025: new starters' health questionnaires. HR's feed may carry a member of
-- staff's first day (staff.starts_on; the staff import and API, like
-- job_title). A configurable number of days before it the service sends a
-- welcome text with a link to the organisation's OH health questionnaire and
-- an offer of help; one reminder if there is no reply; no reply after the
-- reminder puts the new starter on the OH admin team's worklist. The OH
-- team records when the questionnaire came back and when clearance was
-- given. Nothing clinical is asked by text.
ALTER TABLE staff ADD COLUMN starts_on date;

CREATE TABLE new_starters (
    id                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id           bigint NOT NULL REFERENCES organisations (id),
    staff_id                  bigint NOT NULL REFERENCES staff (id),
    starts_on                 date NOT NULL,
    -- planned → welcomed → reminded → (worklist when no reply after the
    -- reminder); replied as soon as they write; cancelled when HR withdraws
    -- or moves the start date before the welcome went (a new row is planned
    -- for a new date).
    state                     text NOT NULL DEFAULT 'planned'
                                  CHECK (state IN ('planned', 'welcomed', 'reminded', 'replied', 'worklist', 'cancelled')),
    welcome_due_at            timestamptz NOT NULL,
    welcomed_at               timestamptz,
    reminded_at               timestamptz,
    replied_at                timestamptz,
    -- On the OH admin worklist since (no reply after the reminder, or the
    -- person asked for help).
    worklist_at               timestamptz,
    questionnaire_received_at timestamptz,
    questionnaire_received_by bigint REFERENCES users (id),
    clearance_given_at        timestamptz,
    clearance_given_by        bigint REFERENCES users (id),
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    UNIQUE (staff_id, starts_on),
    CHECK ((questionnaire_received_at IS NULL) = (questionnaire_received_by IS NULL)),
    CHECK ((clearance_given_at IS NULL) = (clearance_given_by IS NULL))
);
CREATE INDEX new_starters_due_idx ON new_starters (welcome_due_at) WHERE state = 'planned';
CREATE INDEX new_starters_worklist_idx ON new_starters (organisation_id, worklist_at)
    WHERE worklist_at IS NOT NULL AND clearance_given_at IS NULL;

-- A conversation a welcome opened names its new starter, so a reply lands on it.
ALTER TABLE conversations
    ADD COLUMN new_starter_id bigint REFERENCES new_starters (id);
CREATE INDEX conversations_new_starter_idx ON conversations (new_starter_id) WHERE new_starter_id IS NOT NULL;
