-- 0021: staff feedback. When a known member of staff's conversation ends
-- normally, the bot may ask once how helpful it was (dialogs, "Staff
-- feedback"); each row is one question asked: at the end of conversation
-- conversation_id, of flow, in language on channel. rating (1 to 5) and
-- comment are filled in when the person answers, in the conversation
-- answer_conversation_id (a new one: the asking one had closed).
-- comment is the person's own words: personal data, cleared with the
-- transcripts of either conversation (postgres.PurgeRetention); the row
-- stays for the dashboard's counts.
CREATE TABLE feedback (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id         bigint NOT NULL REFERENCES organisations (id),
    staff_id                bigint NOT NULL REFERENCES staff (id),
    conversation_id         bigint NOT NULL UNIQUE REFERENCES conversations (id),
    flow                    text NOT NULL CHECK (flow ~ '^[a-z][a-z0-9-]{0,39}$'),
    channel                 text NOT NULL CHECK (channel IN ('sms', 'webchat')),
    language                text NOT NULL CHECK (language IN ('en-GB', 'cy', 'pl')),
    asked_at                timestamptz NOT NULL,
    rating                  smallint CHECK (rating BETWEEN 1 AND 5),
    rated_at                timestamptz,
    answer_conversation_id  bigint REFERENCES conversations (id),
    comment                 text CHECK (length(comment) BETWEEN 1 AND 2000),
    commented_at            timestamptz,
    CHECK ((rating IS NULL) = (rated_at IS NULL)),
    CHECK ((rating IS NULL) = (answer_conversation_id IS NULL)),
    CHECK (commented_at IS NULL OR rating IS NOT NULL),
    CHECK (comment IS NULL OR commented_at IS NOT NULL)
);
-- At most one question a person every FeedbackEvery: the latest is found by it.
CREATE INDEX feedback_staff_idx ON feedback (staff_id, asked_at DESC);
CREATE INDEX feedback_asked_idx ON feedback (asked_at);
CREATE INDEX feedback_answer_conversation_idx ON feedback (answer_conversation_id) WHERE answer_conversation_id IS NOT NULL;
