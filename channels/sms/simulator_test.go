package sms

import (
	"errors"
	"testing"
	"time"
)

// The demo network does what Twilio does with its keywords: STOP blocks the
// number (texts to it are refused with 21610) with Twilio's confirmation
// on the phone, and START unblocks it.
func TestSimulatorActsOnTwilioKeywords(t *testing.T) {
	t.Parallel()
	var s Simulator
	const number = "+447700900101"
	at := time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)
	s.Receive(number, "hello", at)
	if _, err := s.Send(t.Context(), Outgoing{To: number, Body: "hi"}); err != nil || len(s.networkTexts(number)) != 0 {
		t.Fatalf("after hello: Send = %v, network texts %v; want sent and no Twilio reply", err, s.networkTexts(number))
	}
	s.Receive(number, "STOP", at)
	_, err := s.Send(t.Context(), Outgoing{To: number, Body: "hi"})
	var se *SendError
	if !errors.As(err, &se) || se.Code != ErrCodeOptedOut || !se.Permanent {
		t.Fatalf("Send after STOP = %v, want a permanent 21610", err)
	}
	if got := s.networkTexts(number); len(got) != 1 || got[0].Body != TwilioOptOutReply {
		t.Fatalf("the phone shows %v, want Twilio's opt-out confirmation", got)
	}
	if _, err := s.Send(t.Context(), Outgoing{To: "+447700900102", Body: "hi"}); err != nil {
		t.Fatalf("another number is blocked too: %v", err)
	}
	s.Receive(number, "start", at.Add(time.Minute))
	if _, err := s.Send(t.Context(), Outgoing{To: number, Body: "hi"}); err != nil {
		t.Fatalf("Send after START = %v, want sent", err)
	}
}
