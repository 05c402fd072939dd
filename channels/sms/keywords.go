package sms

import "strings"

// Twilio's default opt-out and opt-in keywords on a long code or a
// Messaging Service without Advanced Opt-Out
// (https://help.twilio.com/articles/223134027). A text that is exactly one
// of them (any case, surrounding space ignored; "stop please" is not one)
// never reaches a person through Twilio's filter unnoticed: Twilio blocks
// (or unblocks) the number, sends its own confirmation, and then passes the
// text on to the inbound webhook. While a number is blocked Twilio refuses
// every text to it with error 21610.
var (
	twilioOptOut = []string{"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
	twilioOptIn  = []string{"START", "YES", "UNSTOP"}
)

// TwilioKeyword reports whether body is one of Twilio's own opt-out
// keywords (optOut) or opt-in keywords (optIn); at most one is true.
func TwilioKeyword(body string) (optOut, optIn bool) {
	w := strings.ToUpper(strings.TrimSpace(body))
	for _, k := range twilioOptOut {
		if w == k {
			return true, false
		}
	}
	for _, k := range twilioOptIn {
		if w == k {
			return false, true
		}
	}
	return false, false
}

// Twilio's standard confirmations, as the demo phone shows them.
const (
	TwilioOptOutReply = "You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe."
	TwilioOptInReply  = "You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply."
)
