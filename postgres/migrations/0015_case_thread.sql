-- 0015: a hand-back keeps the case's thread. After a clinician hands a
-- case's conversation back, what the person writes next starts a new
-- conversation with the bot; until the case is resolved, that conversation
-- follows the case (conversations.follows_case_id), so its messages show on
-- the case page. new_message_at is when the person wrote on the case's
-- thread since the clinician holding it last opened the case page (the
-- "new message" cue); handed_back_at is when its conversation was first
-- handed back.
ALTER TABLE cases ADD COLUMN handed_back_at timestamptz;
ALTER TABLE cases ADD COLUMN new_message_at timestamptz;
ALTER TABLE conversations ADD COLUMN follows_case_id bigint REFERENCES cases (id) ON DELETE SET NULL;
CREATE INDEX conversations_follows_case_idx ON conversations (follows_case_id) WHERE follows_case_id IS NOT NULL;
-- The cases a new conversation may follow: few at any time.
CREATE INDEX cases_handed_back_idx ON cases (organisation_id) WHERE status <> 'resolved' AND handed_back_at IS NOT NULL;
-- Conversations clinicians closed by resolving their case: a thank-you soon
-- after is answered as such (postgres.ClosedByClinicians).
CREATE INDEX conversations_resolved_staff_idx ON conversations (staff_id, channel, closed_at)
    WHERE closed_reason = 'resolved' AND staff_id IS NOT NULL;
CREATE INDEX conversations_resolved_address_idx ON conversations (channel, address, closed_at)
    WHERE closed_reason = 'resolved' AND staff_id IS NULL;
