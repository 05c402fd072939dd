-- 0005: a web chat the person ended ("End chat and clear") is closed with
-- its own reason, so it is never shown again on that computer.
ALTER TABLE conversations DROP CONSTRAINT conversations_closed_reason_check;
ALTER TABLE conversations ADD CONSTRAINT conversations_closed_reason_check CHECK (closed_reason IN
    ('completed', 'opted_out', 'no_response', 'returned_to_work', 'resolved', 'purged', 'ended'));
