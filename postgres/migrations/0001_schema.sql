-- 0001: the data model for the whole service.
--
-- Integrity lives here, not in application code: enumerations are CHECK
-- constraints, references are foreign keys, and the uniqueness rules that make
-- retries harmless (one inbound message per channel + external id, one contact
-- per absence episode + trigger) are unique constraints.

-- Organisations are NHS trusts (or other employers) whose OH service runs here.
CREATE TABLE organisations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    time_zone   text NOT NULL DEFAULT 'Europe/London',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- ESR sickness absence reason codes (S10..S32, S98, S99). A reference table so
-- that an unknown code is refused by a foreign key, and new national codes are
-- one INSERT away.
CREATE TABLE absence_reasons (
    code         text PRIMARY KEY CHECK (code ~ '^S[0-9]{2}$'),
    description  text NOT NULL
);

INSERT INTO absence_reasons (code, description) VALUES
    ('S10', 'Anxiety/stress/depression/other psychiatric illnesses'),
    ('S11', 'Back problems'),
    ('S12', 'Other musculoskeletal problems'),
    ('S13', 'Cold, cough, flu - influenza'),
    ('S14', 'Asthma'),
    ('S15', 'Chest and respiratory problems'),
    ('S16', 'Headache / migraine'),
    ('S17', 'Benign and malignant tumours, cancers'),
    ('S18', 'Blood disorders'),
    ('S19', 'Heart, cardiac and circulatory problems'),
    ('S20', 'Burns, poisoning, frostbite, hypothermia'),
    ('S21', 'Ear, nose, throat (ENT)'),
    ('S22', 'Dental and oral problems'),
    ('S23', 'Eye problems'),
    ('S24', 'Endocrine / glandular problems'),
    ('S25', 'Gastrointestinal problems'),
    ('S26', 'Genitourinary and gynaecological disorders'),
    ('S27', 'Infectious diseases'),
    ('S28', 'Injury, fracture'),
    ('S29', 'Nervous system disorders'),
    ('S30', 'Pregnancy related disorders'),
    ('S31', 'Skin disorders'),
    ('S32', 'Substance abuse'),
    ('S98', 'Other known causes - not elsewhere classified'),
    ('S99', 'Unknown causes / not specified');

-- Staff are the people the service contacts. Identity comes from ESR; the
-- mobile is stored in E.164. Consent records the last opt-in or opt-out and
-- when it happened (STOP takes effect at once, START reverses it).
CREATE TABLE staff (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id     bigint NOT NULL REFERENCES organisations (id),
    assignment_number   text NOT NULL CHECK (assignment_number ~ '^[0-9A-Za-z-]{1,20}$'),
    first_name          text NOT NULL CHECK (length(first_name) <= 100),
    last_name           text NOT NULL CHECK (length(last_name) <= 100),
    mobile              text CHECK (mobile ~ '^\+[1-9][0-9]{6,14}$'),
    email               text CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    language            text NOT NULL DEFAULT 'en-GB' CHECK (language IN ('en-GB', 'cy', 'pl')),
    preferred_channel   text CHECK (preferred_channel IN ('sms', 'webchat')),
    consent             text NOT NULL DEFAULT 'unknown' CHECK (consent IN ('unknown', 'opted_in', 'opted_out')),
    consent_changed_at  timestamptz,
    -- Quiet hours in the organisation's time zone, for night-shift workers.
    -- Both set or both empty; a window may cross midnight (start > end).
    quiet_from          time,
    quiet_until         time,
    night_shift         boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organisation_id, assignment_number),
    CHECK ((quiet_from IS NULL) = (quiet_until IS NULL)),
    CHECK ((consent = 'unknown') = (consent_changed_at IS NULL))
);
CREATE INDEX staff_mobile_idx ON staff (mobile) WHERE mobile IS NOT NULL;

-- An absence episode is one continuous period of sickness absence. The HR feed
-- and the day-1 self-report both write here; one episode per person per start
-- date, so re-importing the same file changes nothing.
CREATE TABLE absence_episodes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_id        bigint NOT NULL REFERENCES staff (id),
    starts_on       date NOT NULL,
    ends_on         date,
    reason_code     text NOT NULL REFERENCES absence_reasons (code),
    related_reason  text CHECK (length(related_reason) <= 100),
    source          text NOT NULL CHECK (source IN ('hr_feed', 'self_report')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (staff_id, starts_on),
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX absence_episodes_open_idx ON absence_episodes (starts_on) WHERE ends_on IS NULL;

-- Users are OH clinicians, OH leads and administrators signing in to the
-- console. Passwords are argon2id hashes; repeated failures lock the account.
CREATE TABLE users (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  bigint REFERENCES organisations (id), -- NULL: every organisation
    email            text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    display_name     text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    role             text NOT NULL CHECK (role IN ('clinician', 'lead', 'admin')),
    password_hash    text NOT NULL,
    failed_logins    integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until     timestamptz,
    on_duty          boolean NOT NULL DEFAULT false,
    disabled_at      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Console sessions, stored by the SHA-256 of the cookie value.
CREATE TABLE user_sessions (
    token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX user_sessions_expires_idx ON user_sessions (expires_at);

-- Per-organisation API keys for HR systems, stored as SHA-256 hashes.
CREATE TABLE api_keys (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  bigint NOT NULL REFERENCES organisations (id),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    key_hash         bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_used_at     timestamptz,
    revoked_at       timestamptz
);

-- Contacts are the proactive side: one per absence episode and trigger, ever.
CREATE TABLE contacts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    episode_id       bigint NOT NULL REFERENCES absence_episodes (id),
    trigger          text NOT NULL CHECK (trigger IN ('stress', 'msk', 'long_term')),
    flow             text NOT NULL CHECK (flow ~ '^[a-z][a-z0-9-]{0,39}$'),
    channel          text NOT NULL CHECK (channel IN ('sms', 'webchat')),
    state            text NOT NULL DEFAULT 'scheduled' CHECK (state IN
                         ('scheduled', 'sent', 'reminded', 'responded', 'no_response', 'cancelled', 'skipped', 'failed')),
    due_at           timestamptz NOT NULL,
    -- Set when the due moment fell outside a send window: shown to clinicians
    -- as "queued until ...".
    held_until       timestamptz,
    state_reason     text CHECK (length(state_reason) <= 200),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (episode_id, trigger)
);
CREATE INDEX contacts_due_idx ON contacts (due_at) WHERE state = 'scheduled';

-- Conversations are one run of a flow on one channel. The FSM state and the
-- flow's answers are saved after every step; version guards against lost
-- updates. A conversation owned by a clinician gets no bot replies.
-- Anonymous web chats and texts from unknown numbers have no staff member; the
-- address (phone number or widget session) says where replies go.
CREATE TABLE conversations (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id   bigint NOT NULL REFERENCES organisations (id),
    staff_id          bigint REFERENCES staff (id),
    contact_id        bigint REFERENCES contacts (id), -- NULL when the person started it
    channel           text NOT NULL CHECK (channel IN ('sms', 'webchat')),
    address           text NOT NULL CHECK (length(address) BETWEEN 1 AND 200),
    flow              text NOT NULL CHECK (flow ~ '^[a-z][a-z0-9-]{0,39}$'),
    fsm_state         text NOT NULL,
    data              jsonb NOT NULL DEFAULT '{}',
    language          text NOT NULL DEFAULT 'en-GB' CHECK (language IN ('en-GB', 'cy', 'pl')),
    version           integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    owner             text NOT NULL DEFAULT 'bot' CHECK (owner IN ('bot', 'clinician')),
    status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closed_reason     text CHECK (closed_reason IN ('completed', 'opted_out', 'no_response', 'returned_to_work', 'resolved', 'purged')),
    last_message_seq  integer NOT NULL DEFAULT 0 CHECK (last_message_seq >= 0),
    last_activity_at  timestamptz NOT NULL DEFAULT now(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    closed_at         timestamptz,
    CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
    CHECK ((status = 'closed') = (closed_reason IS NOT NULL))
);
-- One open conversation per person and channel: a new message finds it.
CREATE UNIQUE INDEX conversations_open_staff_key ON conversations (staff_id, channel)
    WHERE status = 'open' AND staff_id IS NOT NULL;
CREATE UNIQUE INDEX conversations_open_address_key ON conversations (channel, address)
    WHERE status = 'open' AND staff_id IS NULL;
CREATE INDEX conversations_closed_idx ON conversations (closed_at) WHERE status = 'closed';

-- Messages in both directions. seq numbers a conversation's messages from 1
-- with no gaps, so a reconnecting widget asks for "everything after n".
-- (channel, external_id) is unique: a retried webhook (same Twilio MessageSid)
-- or a re-sent widget frame is a no-op.
CREATE TABLE messages (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id  bigint NOT NULL REFERENCES conversations (id),
    seq              integer NOT NULL CHECK (seq >= 1),
    direction        text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    channel          text NOT NULL CHECK (channel IN ('sms', 'webchat')),
    author           text NOT NULL CHECK (author IN ('staff', 'bot', 'clinician')),
    author_user_id   bigint REFERENCES users (id),
    body             text NOT NULL CHECK (length(body) <= 1600),
    external_id      text CHECK (length(external_id) BETWEEN 1 AND 64),
    -- Outbound messages that must never wait for a send window (crisis contacts,
    -- replies to someone who has just written).
    urgent           boolean NOT NULL DEFAULT false,
    delivery_status  text NOT NULL CHECK (delivery_status IN
                         ('received', 'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed')),
    error_code       integer,
    error_reason     text CHECK (length(error_reason) <= 200),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (conversation_id, seq),
    UNIQUE (channel, external_id),
    CHECK ((direction = 'inbound') = (author = 'staff')),
    CHECK ((direction = 'inbound') = (delivery_status = 'received')),
    CHECK ((author = 'clinician') = (author_user_id IS NOT NULL))
);

-- Answers recorded by flows (screening items, choices), one row per question
-- per conversation; the latest answer wins.
CREATE TABLE answers (
    conversation_id  bigint NOT NULL REFERENCES conversations (id),
    question         text NOT NULL CHECK (question ~ '^[a-z0-9_.-]{1,64}$'),
    value            text NOT NULL CHECK (length(value) <= 200),
    answered_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conversation_id, question)
);

-- Signposting given in a conversation, for the pilot's evidence.
CREATE TABLE signposts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  bigint NOT NULL REFERENCES organisations (id),
    conversation_id  bigint NOT NULL REFERENCES conversations (id),
    service          text NOT NULL CHECK (length(service) BETWEEN 1 AND 100),
    category         text NOT NULL CHECK (category IN ('crisis', 'mental_health', 'wellbeing', 'financial', 'msk', 'oh')),
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signposts_org_idx ON signposts (organisation_id, created_at);

-- Referrals made with consent from a flow, e.g. fast-track physiotherapy.
CREATE TABLE referrals (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  bigint NOT NULL REFERENCES organisations (id),
    staff_id         bigint NOT NULL REFERENCES staff (id),
    conversation_id  bigint NOT NULL REFERENCES conversations (id),
    kind             text NOT NULL CHECK (kind IN ('physiotherapy', 'oh_callback')),
    answers          jsonb NOT NULL DEFAULT '{}',
    status           text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'accepted', 'declined', 'completed')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Cases bring a person in: opened by a positive risk screen, a screening
-- score, a request to talk, or a contact nobody answered. Priority sets how
-- fast (SLA); no case is ever "no follow-up".
CREATE TABLE cases (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  bigint NOT NULL REFERENCES organisations (id),
    conversation_id  bigint REFERENCES conversations (id),
    staff_id         bigint REFERENCES staff (id),
    priority         text NOT NULL CHECK (priority IN ('routine', 'high', 'urgent')),
    category         text NOT NULL CHECK (category ~ '^[a-z_]{1,40}$'),
    evidence         jsonb NOT NULL DEFAULT '[]',
    unknown_sender   boolean NOT NULL DEFAULT false,
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'resolved')),
    claimed_by       bigint REFERENCES users (id),
    claimed_at       timestamptz,
    sla_due_at       timestamptz NOT NULL,
    breach_count     integer NOT NULL DEFAULT 0 CHECK (breach_count >= 0),
    outcome          text CHECK (length(outcome) BETWEEN 1 AND 200),
    resolved_by      bigint REFERENCES users (id),
    resolved_at      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'open' OR claimed_by IS NULL),
    CHECK (status <> 'claimed' OR claimed_by IS NOT NULL),
    CHECK ((claimed_by IS NULL) = (claimed_at IS NULL)),
    CHECK ((status = 'resolved') = (resolved_at IS NOT NULL AND outcome IS NOT NULL))
);
CREATE INDEX cases_queue_idx ON cases (organisation_id, priority, created_at) WHERE status <> 'resolved';

-- The timeline of a case: notes, claims, releases, replies, SLA breaches.
CREATE TABLE case_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id     bigint NOT NULL REFERENCES cases (id),
    user_id     bigint REFERENCES users (id),
    kind        text NOT NULL CHECK (kind IN
                    ('opened', 'claimed', 'released', 'reassigned', 'note', 'replied', 'handed_back', 'resolved', 'sla_breached')),
    note        text CHECK (length(note) <= 4000),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_events_case_idx ON case_events (case_id, id);

-- Widget identity token nonces already used, so a token cannot be replayed.
CREATE TABLE widget_token_nonces (
    nonce       text PRIMARY KEY CHECK (length(nonce) BETWEEN 8 AND 64),
    expires_at  timestamptz NOT NULL
);

-- Audit events: who did what to which record, and when. Append-only: rows
-- may be deleted by the retention job, never changed.
CREATE TABLE audit_events (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at      timestamptz NOT NULL DEFAULT now(),
    actor_kind       text NOT NULL CHECK (actor_kind IN ('user', 'system', 'api_key', 'staff')),
    actor_id         bigint,
    action           text NOT NULL CHECK (action ~ '^[a-z_]+(\.[a-z_]+)*$'),
    record_type      text NOT NULL CHECK (record_type ~ '^[a-z_]+$'),
    record_id        bigint,
    organisation_id  bigint REFERENCES organisations (id),
    details          jsonb NOT NULL DEFAULT '{}',
    CHECK ((actor_kind = 'system') = (actor_id IS NULL))
);
CREATE INDEX audit_events_record_idx ON audit_events (record_type, record_id);

CREATE FUNCTION audit_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events are append-only';
END $$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_immutable();
