-- 0006: find the conversation a contact opened. The reminder and
-- no-response jobs look it up by contact; without an index each would scan
-- the conversations, and so would removing a contact (its foreign key).
CREATE INDEX conversations_contact_idx ON conversations (contact_id) WHERE contact_id IS NOT NULL;
