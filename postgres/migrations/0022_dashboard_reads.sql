-- 0022: what the pilot dashboard reads (postgres.Dashboard), so that a year
-- of 100,000 staff in every organisation answers within a second
-- (BenchmarkDashboard).

-- Each absence episode's organisation, its member of staff's, copied on
-- insert so that the absence outcomes scan the episodes without joining
-- them to the staff. A member of staff never changes organisation (their
-- row is keyed by organisation and assignment number), nor an episode its
-- member of staff; the trigger copies it again if either ever did.
ALTER TABLE absence_episodes ADD COLUMN organisation_id bigint REFERENCES organisations (id);
UPDATE absence_episodes e SET organisation_id = s.organisation_id FROM staff s WHERE s.id = e.staff_id;
ALTER TABLE absence_episodes ALTER COLUMN organisation_id SET NOT NULL;

CREATE FUNCTION absence_episode_organisation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT organisation_id INTO STRICT NEW.organisation_id FROM staff WHERE id = NEW.staff_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER absence_episode_organisation BEFORE INSERT OR UPDATE OF staff_id, organisation_id ON absence_episodes
    FOR EACH ROW EXECUTE FUNCTION absence_episode_organisation();

-- A case's first claim, looked up for every case of the period: an
-- index-only lookup rather than reading each case's events.
CREATE INDEX case_events_claimed_idx ON case_events (case_id, created_at) WHERE kind = 'claimed';

-- The SMS messages that failed: the reach funnel asks of each check-in
-- whether any of its messages did.
CREATE INDEX messages_failed_idx ON messages (conversation_id)
    WHERE direction = 'outbound' AND delivery_status IN ('failed', 'undelivered');
