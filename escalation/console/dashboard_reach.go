package console

import "github.com/ohcontact/ohcontact/postgres"

// reachStepLabel words a step of the reach funnel.
func reachStepLabel(step string) string {
	switch step {
	case postgres.ReachEligible:
		return "Eligible: a trigger applied"
	case postgres.ReachScheduled:
		return "Scheduled"
	case postgres.ReachSent:
		return "Sent"
	case postgres.ReachDelivered:
		return "Delivered (or seen in the web chat)"
	case postgres.ReachAnswered:
		return "Answered"
	case postgres.ReachSupported:
		return "Supported"
	}
	return categoryLabel(step)
}

// reachLostLabel says why check-ins stopped at a step of the reach
// funnel.
func reachLostLabel(why string) string {
	switch why {
	case postgres.LostLate:
		return "Not scheduled: the absence was recorded too late"
	case postgres.LostNotYetSent:
		return "Not sent yet: waiting for its send time"
	case postgres.LostReturned:
		return "Not sent: back at work first"
	case postgres.LostOptedOut:
		return "Not sent: the person had opted out"
	case postgres.LostClinician:
		return "Not sent: a clinician was already talking with them"
	case postgres.LostNoSendTime:
		return "Not sent: no send time (send window and quiet hours)"
	case postgres.LostOtherNotSent:
		return "Not sent: another reason"
	case postgres.LostDeliveryFailed:
		return "Not delivered: the text failed"
	case postgres.LostWebChatUnseen:
		return "Not delivered: web chat never seen"
	case postgres.LostWebChatNoMobile:
		return "Not delivered: web chat never seen, no mobile on record"
	case postgres.LostNotConfirmed:
		return "Delivery not confirmed (no delivery report)"
	case postgres.LostNoReply:
		return "Not answered: no reply after the reminder"
	case postgres.LostReturnedUnanswered:
		return "Not answered: back at work first"
	case postgres.LostWaitingReply:
		return "Not answered yet: waiting for a reply"
	case postgres.LostOtherUnanswered:
		return "Not answered: closed another way"
	case postgres.LostStopped:
		return "Answered STOP"
	case postgres.LostNoSupport:
		return "Answered: no support needed or taken"
	}
	return categoryLabel(why)
}

// reachCharts are the reach funnel's charts: how far the check-ins that
// fell due in the period got, and why the others stopped.
func reachCharts(d postgres.Dashboard) []chart {
	funnel := chart{ID: "reach_funnel", Title: "Reach: from a trigger applying to a person being supported", RowHeader: "Step",
		Caption: "The check-ins that fell due in the period (stress, MSK and long-term), and how many got to each step: eligible " +
			"(a trigger applied to an absence; not those whose absence changed so that it no longer applied), scheduled (not recorded " +
			"too late to send), sent (the first message went), delivered (a text reached the phone, or a web chat message reached a " +
			"browser, or the person wrote), answered (the person replied), supported (in that check-in's conversations the person was " +
			"signposted or referred, or a case was opened). A check-in first sent in the web chat and texted when nobody saw it " +
			"counts once. Day-1 absence reports are started by the person, so they are not in the funnel."}
	lost := chart{ID: "reach_lost", Title: "Reach: why check-ins stopped short", RowHeader: "Stopped at",
		Caption: "The check-ins that fell due in the period and stopped before being supported, by the step they reached and why " +
			"they went no further. Someone with no mobile is contacted in the web chat, so no mobile shows as a web chat never " +
			"seen (the mobile as on record now); a web chat nobody sees for a day is texted when there is a mobile. " +
			"Not sent yet, not confirmed and waiting for a reply may still move on."}
	for n, f := range d.Reach {
		s := series{triggerLabel(f.Trigger), true}
		funnel.Series = append(funnel.Series, s)
		lost.Series = append(lost.Series, s)
		row := 0 // of lost
		for i, step := range f.Steps {
			if n == 0 {
				funnel.Rows = append(funnel.Rows, chartRow{Label: reachStepLabel(step.Step)})
			}
			funnel.Rows[i].Cells = append(funnel.Rows[i].Cells, countCell(step.Contacts))
			for _, why := range step.Lost {
				if n == 0 {
					lost.Rows = append(lost.Rows, chartRow{Label: reachLostLabel(why.Key)})
				}
				lost.Rows[row].Cells = append(lost.Rows[row].Cells, countCell(why.Count))
				row++
			}
		}
	}
	return []chart{funnel, lost}
}
