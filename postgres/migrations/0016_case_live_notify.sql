-- 0016: an open case page (the console's GET /console/cases/{id}/live)
-- shows the case's timeline and conversation as they change, so those
-- changes wake the consoles too, on the channel of 0008 (which
-- notify_cases_changed already names). As there, the notification carries
-- nothing and comes once per transaction; each case page then reads its
-- own case again.

-- Notes, replies, hand-backs and every other timeline event.
CREATE TRIGGER case_events_notify AFTER INSERT ON case_events
    FOR EACH STATEMENT EXECUTE FUNCTION notify_cases_changed();

-- A message in a conversation that has an unresolved case, or that follows
-- one after a hand-back (0015): the person's replies, the clinicians' and
-- the bot's. Every other message (the bulk of the inbound hot path) wakes
-- nobody: the function looks for such a case first, through the index
-- below (which also serves postgres.NoteCaseMessage and
-- ConversationCaseStatus), and notifies only when there is one.
CREATE INDEX cases_unresolved_conversation_idx ON cases (conversation_id) WHERE status <> 'resolved';

CREATE FUNCTION notify_case_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM cases WHERE conversation_id = NEW.conversation_id AND status <> 'resolved')
       OR EXISTS (SELECT 1 FROM conversations v JOIN cases k ON k.id = v.follows_case_id
                  WHERE v.id = NEW.conversation_id AND k.status <> 'resolved') THEN
        PERFORM pg_notify('ohcontact_cases', '');
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER messages_notify_case AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION notify_case_message();
