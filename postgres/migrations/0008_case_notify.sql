-- 0008: every change to a case, and every alert for a clinician, wakes the
-- clinician consoles on every instance. Triggers rather than calls in the
-- code, so that no path that writes a case (the runner, the triggers' jobs,
-- the console, the SLA job, an operator's SQL) can forget to. The
-- notification carries nothing: it is only a wake-up, delivered when the
-- transaction commits (and once per transaction, however many statements
-- fire it); the consoles then read the queue again.
CREATE FUNCTION notify_cases_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ohcontact_cases', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER cases_notify AFTER INSERT OR UPDATE OR DELETE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION notify_cases_changed();

CREATE TRIGGER clinician_alerts_notify AFTER INSERT OR UPDATE ON clinician_alerts
    FOR EACH STATEMENT EXECUTE FUNCTION notify_cases_changed();
