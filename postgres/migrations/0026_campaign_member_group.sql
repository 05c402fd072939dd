-- 0026: a campaign member keeps the staff group HR recorded for them when
-- the campaign was planned (NULL: not known), so that uptake by staff group
-- counts people in the group they were invited as, however HR records
-- them later, and a past campaign's figures do not move when staff change
-- group or leave.
ALTER TABLE campaign_members
    ADD COLUMN staff_group text CHECK (length(staff_group) BETWEEN 1 AND 100);

UPDATE campaign_members m SET staff_group = s.staff_group
FROM staff s WHERE s.id = m.staff_id AND s.staff_group IS NOT NULL;
