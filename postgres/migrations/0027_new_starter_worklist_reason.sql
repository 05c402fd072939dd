-- 0027: why a new starter is on the OH admin team's worklist, so that the
-- console can say it: no reply after the reminder (no_reply), asked for
-- help (asked), opted out of texts (opted_out) or no mobile to text
-- (no_mobile); the last two are reached another way. Until now an opt-out
-- left the welcome "welcomed" (or "replied", the STOP being a reply) and a
-- new starter without a mobile was welcomed in a web chat they cannot reach
-- before they start: nobody chased their questionnaire.
ALTER TABLE new_starters ADD COLUMN worklist_reason text
    CHECK (worklist_reason IN ('no_reply', 'asked', 'opted_out', 'no_mobile'));

-- The page told the two existing reasons apart by a reply.
UPDATE new_starters SET worklist_reason = CASE WHEN replied_at IS NOT NULL THEN 'asked' ELSE 'no_reply' END
WHERE worklist_at IS NOT NULL;

-- Welcomes of people who have opted out since, their questionnaire not yet
-- back, go on the worklist now (postgres.SetConsent does so from now on).
UPDATE new_starters n SET state = 'worklist', worklist_at = coalesce(n.worklist_at, now()),
    worklist_reason = 'opted_out', updated_at = now()
FROM staff s
WHERE s.id = n.staff_id AND s.consent = 'opted_out'
  AND n.state IN ('welcomed', 'reminded', 'replied', 'worklist') AND n.questionnaire_received_at IS NULL;

ALTER TABLE new_starters ADD CONSTRAINT new_starters_worklist_has_reason
    CHECK ((worklist_at IS NULL) = (worklist_reason IS NULL));
