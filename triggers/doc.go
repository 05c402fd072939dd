// Package triggers decides who is contacted about an absence, and when, and
// sees that it happens. Its core is pure: no database, no network, no clock
// (times come in as arguments).
//
//   - Imports: NewStaffReader and NewAbsenceReader read HR exports (CSV) one
//     row at a time, checking each row and reporting a bad one as a RowError
//     without stopping; NewNumberReader reads only the assignment numbers of
//     any export (a campaign's list).
//   - Rules: Plan turns an absence Episode into the contacts it triggers
//     (stress, msk, long_term), each due at a moment, or skipped when the
//     absence was recorded too late for it.
//   - Send windows: Window.Next moves a due moment to the next time a
//     non-urgent message may be sent, honouring the person's QuietHours.
//   - Configuration: Config is an organisation's part of the service's TOML
//     file and Config.Settings its Rules and Windows; NewPolicy gives every
//     organisation its Settings.
//
// Around the core, the rest connects it to PostgreSQL and River jobs:
//
//   - Scheduler records an episode's contacts as a caller recording it must:
//     it runs Plan, stores one contact per Due (a skipped one with state
//     skipped and its SkipReason), and schedules each other contact's
//     ContactDue job for Window.Next of the later of DueAt and now, all in
//     the transaction that records the episode. A return to work cancels
//     the episode's scheduled contacts and closes its bot conversations;
//     a changed reason plans again without repeating a contact made.
//   - Import loads HR exports into the database; API is the HR systems'
//     API (POST and PUT /api/v1/…), authenticated by API keys.
//   - Contacts runs the jobs: ContactDue sends a contact, ReminderDue
//     reminds the person once, NoResponseDue closes it unanswered (opening
//     a routine case for the OH team when the trigger is in
//     follow_up_unanswered: stress and long_term by default), FollowUpDue
//     contacts again after "not now", WebChatFallbackDue sends by SMS a
//     web chat contact nobody has seen, and ScheduleAll (DailySchedule, at
//     06:00) plans any episode not yet planned.
//
// Days are Dates (a calendar day, no time zone) and times of day are
// Clocks; both are read on the organisation's local calendar and clock, so
// 09:00 is 09:00 in Europe/London in winter and in summer.
//
// # Configuration file
//
// The file named by OHCONTACT_CONFIG holds one [[organisations]] table per
// organisation, keyed by code (format and other keys: the signposting
// package). It is decoded once, for every package, by cmd/ohcontact, which
// refuses unknown keys; this package owns the keys below (Config). Every
// key is optional; the values shown are the defaults, except for
// bank_holidays.
//
//	[[organisations]]
//	code      = "RTD"
//	time_zone = "Europe/London"    # IANA name; days and clock times are local to it
//
//	  [organisations.send_window]  # when non-urgent messages may be sent
//	  days  = ["mon", "tue", "wed", "thu", "fri", "sat"]
//	  from  = "09:00"              # also the time triggers fall due
//	  until = "18:00"              # not included; from must be before until
//
//	  [organisations.oh_hours]     # when the OH team is at work (bank holidays excepted): told to
//	  days  = ["mon", "tue", "wed", "thu", "fri"] # someone waiting for a clinician
//	  from  = "09:00"
//	  until = "17:00"
//
//	  [organisations.triggers]
//	  stress_after_working_days = 1   # S10: due the first working day after the start (0 to 10)
//	  msk_after_days = 1              # MSK: due this many days after the start day; 1 = day 2 (0 to 28)
//	  msk_codes      = ["S11", "S12"] # add "S28" to include injuries; [] turns MSK contacts off
//	  long_term_days = 28             # due on this day of a continuous absence (1 to 366)
//	  grace          = "72h"          # a trigger due longer ago than this when recorded is skipped
//	  reminder_after = "48h"          # remind an unanswered contact after this
//	  close_after    = "72h"          # close it as no_response this long after the reminder
//	  follow_up_unanswered = ["stress", "long_term"] # open a case when these go unanswered
//	  bank_holidays  = [2026-01-01, "2026-04-03"]    # dates or strings; replaces the default list (see below)
//
//	  [organisations.webchat]
//	  sms_fallback_after = "24h"   # a web chat contact (or campaign invitation) unseen this long goes by SMS; "0" or "off": never
//
//	  [organisations.sms]
//	  fold_diacritics = false      # true: send Welsh and Polish letters folded (tal, not tâl), GSM-7, for cost
//
// Working days are Monday to Friday except bank holidays. The default bank
// holidays are England and Wales's for 2026 and 2027; organisations in
// Scotland or Northern Ireland set their own, and every organisation's list
// needs the next year's dates added each year. Durations are written as
// Go durations (72h, 90m). Unknown keys in send_window, oh_hours, triggers,
// webchat and sms are errors.
package triggers
