-- A clinician may change a case's priority (escalation.Cases.SetPriority):
-- raise it at any time, lower it with a reason. Each change is a case event.
ALTER TABLE case_events DROP CONSTRAINT case_events_kind_check;
ALTER TABLE case_events ADD CONSTRAINT case_events_kind_check CHECK (kind IN
    ('opened', 'claimed', 'released', 'reassigned', 'note', 'replied', 'handed_back', 'resolved', 'sla_breached',
     'priority_changed'));
