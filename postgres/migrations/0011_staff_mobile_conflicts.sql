-- 0011: one person, one trust (issue 16). A mobile may be on the records of
-- several organisations (a person employed by two trusts, or an HR feed's
-- mistake); inbound texts must not simply follow whichever record changed
-- last.
--
-- mobile_since is when the record got its current mobile, kept by a trigger
-- so that no writer (the HR feed, an operator's SQL) can forget it: the
-- earliest holder of a number wins a tie (postgres.StaffForInbound). Rows
-- that had a mobile before this migration take their updated_at, the
-- latest moment the mobile can have been set.
ALTER TABLE staff ADD COLUMN mobile_since timestamptz;
UPDATE staff SET mobile_since = updated_at WHERE mobile IS NOT NULL;
ALTER TABLE staff ADD CONSTRAINT staff_mobile_since_check CHECK ((mobile IS NULL) = (mobile_since IS NULL));

CREATE FUNCTION staff_mobile_since() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.mobile IS NULL THEN
        NEW.mobile_since := NULL;
    ELSIF TG_OP = 'INSERT' THEN
        NEW.mobile_since := coalesce(NEW.mobile_since, now());
    ELSIF NEW.mobile IS DISTINCT FROM OLD.mobile THEN
        NEW.mobile_since := now();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER staff_mobile_since BEFORE INSERT OR UPDATE OF mobile ON staff
    FOR EACH ROW EXECUTE FUNCTION staff_mobile_since();

-- A text's number finds the conversations it may continue, open or closed.
-- The address never changes after a conversation opens (except when
-- retention purges it), so the index costs no heap-only updates.
CREATE INDEX conversations_sms_address_idx ON conversations (address) WHERE channel = 'sms';

-- staff_mobile_conflicts lists each mobile held by staff of two
-- organisations, once from each side: the admins' Users page shows it.
-- It carries ids, assignment numbers and the number's last three digits,
-- never the number.
CREATE VIEW staff_mobile_conflicts AS
SELECT s.id AS staff_id, s.organisation_id, s.assignment_number, s.mobile_since,
       t.id AS other_staff_id, t.organisation_id AS other_organisation_id, t.assignment_number AS other_assignment_number,
       t.mobile_since AS other_mobile_since, right(s.mobile, 3) AS mobile_last3
FROM staff s
JOIN staff t ON t.mobile = s.mobile AND t.organisation_id <> s.organisation_id
WHERE s.mobile IS NOT NULL;
