// Package campaigns invites a group of an organisation's staff to a
// conversation the service starts (a vaccination campaign's invitation),
// at a steady rate, in the campaign's send window, and reminds each person
// once. The console creates and steers campaigns through Campaigns; the
// conversations then run in the dialog runner like any other, where every
// reply is risk-screened and marks its member replied
// (postgres.SaveSteps), and the flow records the outcome
// (postgres.RecordCampaignOutcome).
//
// Contracts:
//
//   - Create checks a New campaign (Problems names each field that is
//     wrong, and nothing is stored) and, in one transaction, inserts it as a
//     draft and plans its members in one INSERT … SELECT
//     (postgres.PlanCampaign): the staff of its organisation whose staff
//     group or department matches, ignoring case, or whose assignment
//     number is in the uploaded list. Unknown and repeated numbers are
//     reported in the Plan, never dropped silently; an audience of nobody is
//     refused. Opted-out staff are planned as skipped (opted_out). A draft
//     sends nothing.
//   - Start (draft), Pause (running), Resume (paused) and Stop (any but
//     stopped and finished) change the status, each audited
//     (campaign.start, campaign.pause, campaign.resume, campaign.stop) with
//     the user, in the transaction that changes it; another status is
//     ErrStatus. Start and Resume insert the campaign's sender job in that
//     transaction. Stop cancels every member not yet sent. A campaign with
//     nobody left to invite becomes finished (campaign.finish).
//   - The sender (SendArgs, one River job per campaign, unique while it
//     waits or runs) invites one member at a time, each in its own short
//     transaction that re-reads the campaign's status under its row lock:
//     a pause or a stop waits for at most the one invitation in flight,
//     and nothing is sent after it. It sends from StartsAt, inside the
//     campaign's window (Europe/London, on its days), outside the person's
//     quiet hours; it re-checks consent (opted out since: skipped) and that
//     the record is still a person's (anonymised: skipped, left); a person
//     in a live conversation (triggers.MakeWay: one a clinician owns, or
//     one on the same channel with activity in the last triggers.BusyFor)
//     is held (not_before) and the sender goes on to the next. Otherwise it
//     opens a conversation for the member on triggers.ChooseChannel's
//     channel (SMS when a mobile is known and the person does not prefer
//     the web chat; else the web chat at their staff address), starts the
//     campaign's flow, queues its messages, marks the member sent and
//     schedules the reminder.
//   - Rate: before each SMS invitation the sender takes a send slot on the
//     ordinary SMS line (sms.Throttle.Wait on sms.Queue), the line every
//     reply and contact delivery also takes its slot on, and queues the
//     invitation on sms.PrepaidQueue, whose delivery takes no second slot.
//     Invitations and everything else therefore share TWILIO_SEND_RATE in
//     the order their slots were taken, and a campaign never has more than
//     an invitation or two queued: a reply to someone mid-conversation
//     waits behind at most the slot already taken, never behind the
//     campaign. Web chat invitations take no slot; SMS reminders and SMS
//     fallbacks take theirs the same way (workSlotted), so a crowd of them
//     due at once (the window opening) is paced by the rate too.
//   - The reminder (RemindArgs, one job per member, at the invitation plus
//     the campaign's remind_after, held to its window and the person's
//     quiet hours) is sent once, only if the member has not replied: the
//     flow's opening again, marked as a reminder (dialogs.StartInfo
//     Reminder), in the same conversation while it is open with the bot,
//     else in a new one. It waits while the campaign is paused, does
//     nothing once it is stopped, and never reaches an opted-out person.
//     The reminder runs on Queue, as the senders do. An invitation or
//     reminder of several texts takes a slot for each (the rest after
//     queueing it).
//   - The SMS fallback (FallbackArgs, on Queue, scheduled with a web chat
//     invitation at SMSFallbackAfter, the organisation's webchat
//     sms_fallback_after, 24 hours by default; 0 never): a person who
//     prefers the web chat but is off work may never open the intranet.
//     When it runs it re-checks, under the conversation's and the member's
//     locks: the invitation's web chat is still open with the bot and
//     nobody has seen it (triggers.UnseenWebChat: no message reached a
//     browser, the person has not written); the member has not replied; the
//     person has a mobile, has not opted out and is still a person's
//     record. A stopped campaign drops it, a paused one holds it (looking
//     again every 15 minutes); it waits for the campaign's window outside
//     the person's quiet hours, and for the person as the sender does
//     (triggers.MakeWay). Then it opens an SMS conversation of the same
//     flow for the member (triggers.Proactive), the invitation in its SMS
//     wording, even when an unseen reminder followed it in the web chat,
//     closes the web chat one as no_response, schedules the new one's
//     closing and audits campaign.sms_fallback (ids only). Only once it is
//     due does it take a send slot, before a second transaction queues the
//     invitation on sms.PrepaidQueue, and the rest's slots after, as the
//     sender does (takeSlots). It happens once: nothing else schedules it.
//     With the reminder: a reminder still to come follows in the SMS
//     conversation; one already sent, unseen, in the web chat is the one
//     reminder, and the SMS invitation is not reminded again. So the person
//     is reached by at most the invitation and the reminder, whichever
//     channel carries them. The member stays one row: a reply by SMS marks
//     it replied and delivered_at (migration 0024) follows its
//     conversations, whichever channel.
//   - Closing (CloseArgs, scheduled with the invitation, with the reminder
//     and with the SMS fallback): a campaign conversation still open with
//     the bot is closed as no_response when nothing was said in it for
//     CloseAfter (the organisation's triggers close_after) after the
//     reminder, or after the invitation (or its SMS fallback) when there is
//     none; something said meanwhile puts it off by CloseAfter from when the
//     job looks. One a clinician owns is left to them, and one a later
//     conversation replaced is left to that one's closing.
//
// Logs carry ids only: no name, number or message.
package campaigns
