-- 0007: a case left unclaimed past its SLA re-notifies the organisation's
-- on-duty clinicians and texts its on-call number. Both are recorded, so
-- that who was told, and when, can be shown afterwards.

-- Alerts a clinician sees in the console (a banner, pushed live) until they
-- mark them seen or claim the case.
CREATE TABLE clinician_alerts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id),
    case_id     bigint NOT NULL REFERENCES cases (id),
    kind        text NOT NULL CHECK (kind IN ('sla_breached')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    seen_at     timestamptz
);
CREATE INDEX clinician_alerts_unseen_idx ON clinician_alerts (user_id, id) WHERE seen_at IS NULL;
CREATE INDEX clinician_alerts_case_idx ON clinician_alerts (case_id);

-- Texts to an organisation's on-call number. They name the case by number
-- and carry no personal data. Delivered like staff texts: a River job
-- inserted in the same transaction, the provider's id recorded before the
-- job completes, status callbacks moving the status forward only.
CREATE TABLE on_call_texts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  bigint NOT NULL REFERENCES organisations (id),
    case_id          bigint NOT NULL REFERENCES cases (id),
    mobile           text NOT NULL CHECK (mobile ~ '^\+[1-9][0-9]{6,14}$'),
    body             text NOT NULL CHECK (length(body) BETWEEN 1 AND 320),
    delivery_status  text NOT NULL DEFAULT 'queued' CHECK (delivery_status IN
                         ('queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed')),
    external_id      text UNIQUE CHECK (length(external_id) BETWEEN 1 AND 64),
    error_code       integer,
    error_reason     text CHECK (length(error_reason) <= 200),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX on_call_texts_case_idx ON on_call_texts (case_id);
