-- 0024: a campaign's progress (postgres.CampaignProgressOf), which the
-- console polls every few seconds while a lead watches, reads
-- campaign_members alone. delivered_at is when the first text of the
-- member's campaign conversations reached them (delivered to the phone, or
-- to a browser); the trigger below sets it in the statement that marks the
-- message delivered, whichever code does so, so it cannot drift from the
-- messages.
ALTER TABLE campaign_members ADD COLUMN delivered_at timestamptz;

UPDATE campaign_members m SET delivered_at = d.at
FROM (SELECT c.campaign_member_id AS id, min(g.updated_at) AS at
      FROM conversations c JOIN messages g ON g.conversation_id = c.id
      WHERE c.campaign_member_id IS NOT NULL AND g.direction = 'outbound' AND g.delivery_status = 'delivered'
      GROUP BY 1) d
WHERE m.id = d.id;

CREATE FUNCTION mark_campaign_member_delivered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE campaign_members m SET delivered_at = now()
    FROM conversations c
    WHERE c.id = NEW.conversation_id AND m.id = c.campaign_member_id AND m.delivered_at IS NULL;
    RETURN NULL;
END;
$$;

-- Only outbound texts become delivered; every other message, and every
-- other status, never runs the function.
CREATE TRIGGER messages_campaign_delivered AFTER INSERT OR UPDATE OF delivery_status ON messages
    FOR EACH ROW WHEN (NEW.delivery_status = 'delivered')
    EXECUTE FUNCTION mark_campaign_member_delivered();

-- The progress is counted from this index alone.
CREATE INDEX campaign_members_progress_idx ON campaign_members (campaign_id)
    INCLUDE (state, skip_reason, outcome, delivered_at);
