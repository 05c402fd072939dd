// Package twiliotest is a local HTTP server that answers like Twilio's
// Messages REST API, for tests and benchmarks: it checks Basic auth and the
// form, records every message, can be told to fail the way Twilio does, and
// handles Twilio's opt-out keywords as Twilio does (Receive).
package twiliotest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
)

// Server is a fake Twilio REST API.
type Server struct {
	*httptest.Server
	AccountSID, AuthToken string

	mu        sync.Mutex
	messages  []url.Values
	failures  []Failure
	onMessage func(url.Values)
	blocked   map[string]bool
	replies   []url.Values // Twilio's own confirmations
}

// Twilio's default opt-out and opt-in keywords, and its confirmations: the
// fake's own model of Twilio (https://help.twilio.com/articles/223134027),
// kept apart from the service's (sms.TwilioKeyword), which it tests.
var (
	optOutWords = map[string]bool{"STOP": true, "STOPALL": true, "UNSUBSCRIBE": true, "CANCEL": true,
		"END": true, "QUIT": true, "REVOKE": true, "OPTOUT": true}
	optInWords = map[string]bool{"START": true, "YES": true, "UNSTOP": true}
)

const (
	optOutReply = "You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe."
	optInReply  = "You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply."
)

// Receive is a text from number reaching Twilio, before Twilio passes it
// to the inbound webhook: a message that is exactly one of Twilio's
// opt-out keywords blocks the number (every message to it is then refused
// with error 21610) and one of its opt-in keywords unblocks it; either is
// answered with Twilio's confirmation (Replies).
func (s *Server) Receive(number, body string) {
	w := strings.ToUpper(strings.TrimSpace(body))
	if !optOutWords[w] && !optInWords[w] {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blocked == nil {
		s.blocked = map[string]bool{}
	}
	s.blocked[number] = optOutWords[w]
	reply := optInReply
	if optOutWords[w] {
		reply = optOutReply
	}
	s.replies = append(s.replies, url.Values{"To": {number}, "Body": {reply}})
}

// Replies returns the confirmations Twilio itself sent (To and Body), in
// order.
func (s *Server) Replies() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.replies...)
}

// Failure is an error answer to give instead of accepting a message.
type Failure struct {
	HTTP int // e.g. 400, 429, 500
	Code int // Twilio error code; 0 sends a body that is not Twilio's JSON
}

// New starts a server for the given account; Close it when done.
func New(accountSID, authToken string) *Server {
	s := &Server{AccountSID: accountSID, AuthToken: authToken}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Messages.json", s.createMessage)
	s.Server = httptest.NewServer(mux)
	return s
}

// FailNext makes the next len(f) message requests fail, in order.
func (s *Server) FailNext(f ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, f...)
}

// OnMessage makes the server call fn with the form of each message it
// accepts, as it accepts it (before answering), from the request's
// goroutine; nil stops it.
func (s *Server) OnMessage(fn func(url.Values)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onMessage = fn
}

// Messages returns the forms of the messages accepted so far.
func (s *Server) Messages() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.messages...)
}

func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != s.AccountSID || pass != s.AuthToken || r.PathValue("sid") != s.AccountSID {
		twilioError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if err := r.ParseForm(); err != nil {
		twilioError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	}
	s.mu.Lock()
	blocked := s.blocked[r.PostForm.Get("To")]
	s.mu.Unlock()
	if blocked {
		twilioError(w, http.StatusBadRequest, 21610, "Attempt to send to unsubscribed recipient")
		return
	}
	s.mu.Lock()
	var fail *Failure
	if len(s.failures) > 0 {
		fail = &s.failures[0]
		s.failures = s.failures[1:]
	}
	s.mu.Unlock()
	if fail != nil {
		if fail.Code == 0 {
			w.WriteHeader(fail.HTTP)
			fmt.Fprint(w, "<html>upstream error</html>")
			return
		}
		twilioError(w, fail.HTTP, fail.Code, "simulated failure")
		return
	}
	switch {
	case r.PostForm.Get("To") == "":
		twilioError(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
		return
	case r.PostForm.Get("Body") == "":
		twilioError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	case r.PostForm.Get("From") == "" && r.PostForm.Get("MessagingServiceSid") == "":
		twilioError(w, http.StatusBadRequest, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.")
		return
	}
	// Twilio's form of a message SID, modelled apart from the service's
	// (sms.NewMessageSID), which this fake tests.
	var b [16]byte
	rand.Read(b[:])
	sid := "SM" + hex.EncodeToString(b[:])
	s.mu.Lock()
	s.messages = append(s.messages, r.PostForm)
	onMessage := s.onMessage
	s.mu.Unlock()
	if onMessage != nil {
		onMessage(r.PostForm)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{
		"sid": sid, "account_sid": s.AccountSID, "to": r.PostForm.Get("To"), "from": r.PostForm.Get("From"),
		"messaging_service_sid": nullable(r.PostForm.Get("MessagingServiceSid")), "body": r.PostForm.Get("Body"),
		"status": "queued", "num_segments": "1", "direction": "outbound-api", "api_version": "2010-04-01",
		"uri": "/2010-04-01/Accounts/" + s.AccountSID + "/Messages/" + sid + ".json",
	})
}

// twilioError writes an error the way Twilio's REST API does.
func twilioError(w http.ResponseWriter, status, code int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"code": code, "message": message, "status": status,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
	})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
