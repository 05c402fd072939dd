-- 0020: the day an organisation's pilot went live (OHCONTACT_CONFIG's
-- go_live, in [[organisations]]). The pilot dashboard compares the figures
-- from that day on with a baseline period of the same length just before
-- it. NULL: not live yet, or not said; the dashboard then shows no
-- comparison for the organisation.
ALTER TABLE organisations ADD COLUMN go_live_on date;
