-- 0023: campaigns beyond absence (vaccination invitations; later
-- new-starter checks). An OH lead picks an organisation, a group of its staff
-- and a flow; the service plans one member row per person, sends at the
-- configured rate in the campaign's send window, reminds once, and records
-- each person's outcome.

-- The staff group ESR reports (e.g. "Nursing and Midwifery Registered",
-- "Medical and Dental"), from the staff import and API like job_title and
-- department (0017); NULL means unknown. Campaigns pick their group by it.
ALTER TABLE staff
    ADD COLUMN staff_group text CHECK (length(staff_group) BETWEEN 1 AND 100);

CREATE TABLE campaigns (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  bigint NOT NULL REFERENCES organisations (id),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    flow             text NOT NULL CHECK (flow ~ '^[a-z][a-z0-9-]{0,39}$'),
    -- The vaccine a vaccination campaign invites to ("flu", "COVID-19", ...).
    vaccine          text CHECK (length(vaccine) BETWEEN 1 AND 40),
    -- Who it is for: everyone of a staff group or department (matched
    -- without regard to case), or a list of assignment numbers (the members
    -- planned from it are the list).
    audience         text NOT NULL CHECK (audience IN ('staff_group', 'department', 'list')),
    audience_value   text CHECK (length(audience_value) BETWEEN 1 AND 100),
    starts_at        timestamptz NOT NULL,
    -- The send window, in Europe/London local time, on the ISO weekdays
    -- listed (1 Monday … 7 Sunday). A window may not cross midnight.
    window_from      time NOT NULL,
    window_until     time NOT NULL,
    window_days      smallint[] NOT NULL DEFAULT '{1,2,3,4,5}'
                         CHECK (window_days <@ '{1,2,3,4,5,6,7}' AND cardinality(window_days) >= 1),
    -- The one reminder goes this long after the invitation if there is no
    -- reply (held to the window); NULL: no reminder.
    remind_after     interval CHECK (remind_after > interval '0'),
    status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'running', 'paused', 'stopped', 'finished')),
    created_by       bigint REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((audience = 'list') = (audience_value IS NULL)),
    CHECK (window_from < window_until)
);
CREATE INDEX campaigns_organisation_idx ON campaigns (organisation_id, created_at DESC);

-- One row per person a campaign is for. planned → sent (the invitation
-- queued) → reminded → replied; skipped when the plan or the send found a
-- reason not to contact them (opted out, no way to reach them, left);
-- cancelled when the campaign stopped before they were sent. The outcome
-- is what they answered; outcome_detail holds its particulars (a date and
-- place, a reason) and is purged with transcripts.
CREATE TABLE campaign_members (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id      bigint NOT NULL REFERENCES campaigns (id),
    staff_id         bigint NOT NULL REFERENCES staff (id),
    state            text NOT NULL DEFAULT 'planned'
                         CHECK (state IN ('planned', 'sent', 'reminded', 'replied', 'skipped', 'cancelled')),
    skip_reason      text CHECK (skip_reason IN ('opted_out', 'no_channel', 'left')),
    -- While the person is in a live conversation their invitation waits
    -- (the sender looks again after this moment).
    not_before       timestamptz,
    outcome          text CHECK (outcome IN ('booked', 'had_elsewhere', 'declined', 'question')),
    outcome_detail   jsonb NOT NULL DEFAULT '{}',
    sent_at          timestamptz,
    replied_at       timestamptz,
    outcome_at       timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, staff_id),
    CHECK ((state = 'skipped') = (skip_reason IS NOT NULL)),
    CHECK ((outcome IS NULL) = (outcome_at IS NULL))
);
-- The sender takes the next planned members of a running campaign in id order.
CREATE INDEX campaign_members_planned_idx ON campaign_members (campaign_id, id) WHERE state = 'planned';
CREATE INDEX campaign_members_staff_idx ON campaign_members (staff_id);

-- A conversation a campaign opened names its member row, so a reply's
-- outcome lands on it (as contact_id does for absence contacts).
ALTER TABLE conversations
    ADD COLUMN campaign_member_id bigint REFERENCES campaign_members (id);
CREATE INDEX conversations_campaign_member_idx ON conversations (campaign_member_id) WHERE campaign_member_id IS NOT NULL;
