-- 0004: a sending rate shared by every instance.
--
-- One row per rate-limited sender (e.g. 'sms'). next_slot is the earliest
-- moment the next text may go; reserving a slot moves it on by the spacing
-- (1 / messages per second), so instances together keep to the provider's
-- rate whatever their number.
CREATE TABLE send_slots (
    name       text PRIMARY KEY CHECK (name ~ '^[a-z_]{1,40}$'),
    next_slot  timestamptz NOT NULL
);
