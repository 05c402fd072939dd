-- 0017: a member of staff's job title and department, as HR sends them
-- (the staff import's optional columns job_title and department, and the
-- staff API's fields of the same names). NULL means unknown: HR sent
-- nothing, or a blank. The console shows them on the case page's contact
-- panel and the person page, so that a clinician calling knows who they
-- are calling.
ALTER TABLE staff
    ADD COLUMN job_title text CHECK (length(job_title) BETWEEN 1 AND 100),
    ADD COLUMN department text CHECK (length(department) BETWEEN 1 AND 100);

-- The person page (postgres.PersonCases, PersonConversations and
-- ListReferrals by member of staff) finds a person's rows by staff id.
CREATE INDEX cases_staff_idx ON cases (staff_id) WHERE staff_id IS NOT NULL;
CREATE INDEX conversations_staff_idx ON conversations (staff_id) WHERE staff_id IS NOT NULL;
CREATE INDEX referrals_staff_idx ON referrals (staff_id);
