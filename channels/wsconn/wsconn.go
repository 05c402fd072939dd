// Package wsconn runs one websocket connection the way every websocket of
// the service runs: the web chat widget's (channels/webchat) and the
// console's live updates (escalation/console). It owns the upgrade, the
// read limit, the pong-driven read deadline, the ping ticker, the one
// writer goroutine and the closing, once; what is read and written is the
// caller's. It checks no Origin: each caller checks its own, before or
// after the upgrade, and bounds its own clients.
package wsconn

import (
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The timings every connection keeps.
const (
	// PongWait is how long the peer may stay silent, sending neither a
	// frame nor a pong, before the connection is dropped.
	PongWait = 60 * time.Second
	// PingPeriod is how often the writer pings the peer, well within
	// PongWait.
	PingPeriod = 25 * time.Second
	// WriteWait bounds each write, and how long the reader waits for the
	// peer's close once it has stopped reading.
	WriteWait = 10 * time.Second
)

// Options are what differs between connections.
type Options struct {
	// ReadLimit is the largest message the peer may send, in bytes; a
	// larger one ends the connection.
	ReadLimit int64
	// ReadBufferSize and WriteBufferSize are the upgrader's buffers, in
	// bytes.
	ReadBufferSize, WriteBufferSize int
	// Coalesce is the least time between two calls of Run's wake: wake-ups
	// (Poke) meanwhile merge into one call at its end. 0 calls wake as
	// soon as the writer is free.
	Coalesce time.Duration
	// Refresh, when not 0, is the most time between two calls of wake.
	Refresh time.Duration
}

// Conn is one websocket connection. Poke, Do, End, HangUp and Close may be
// called from any goroutine, and Poke and End even before Upgrade; the
// other methods only as each says.
type Conn struct {
	opts Options
	ws   *websocket.Conn

	wake chan struct{}     // holds a wake-up not yet answered
	do   chan func() error // work for the writer
	stop chan struct{}     // closed, once code and reason are set, to end the connection
	read chan struct{}     // closed when Run's reader has stopped
	once sync.Once
	// code and reason are the close frame's, set before stop is closed.
	code   int
	reason string
}

// New returns a connection not yet upgraded.
func New(o Options) *Conn {
	return &Conn{opts: o, wake: make(chan struct{}, 1), do: make(chan func() error, 8), stop: make(chan struct{}),
		read: make(chan struct{})}
}

// Upgrade upgrades the request r to a websocket, with the server's read
// and write deadlines lifted (they bound a request; a websocket outlives
// them and keeps deadlines of its own) and the read limit set. On failure
// the upgrader has answered r. After it the caller owns the connection:
// it must Run it, or HangUp or Close it.
func (c *Conn) Upgrade(w http.ResponseWriter, r *http.Request) error {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	up := websocket.Upgrader{ReadBufferSize: c.opts.ReadBufferSize, WriteBufferSize: c.opts.WriteBufferSize,
		CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return err
	}
	ws.SetReadLimit(c.opts.ReadLimit)
	c.ws = ws
	return nil
}

// ReadJSON reads one message within wait and decodes it, as JSON, into v.
// It is for the caller's own goroutine, before Run.
func (c *Conn) ReadJSON(wait time.Duration, v any) error {
	_ = c.ws.SetReadDeadline(time.Now().Add(wait))
	return c.ws.ReadJSON(v)
}

// WriteJSON writes v as a text message, within WriteWait. It is for the
// writer (Run's wake and the work given to Do) or, before Run, the
// caller's own goroutine.
func (c *Conn) WriteJSON(v any) error {
	_ = c.ws.SetWriteDeadline(time.Now().Add(WriteWait))
	return c.ws.WriteJSON(v)
}

// WriteText writes data as a text message, within WriteWait, as WriteJSON
// does.
func (c *Conn) WriteText(data []byte) error {
	_ = c.ws.SetWriteDeadline(time.Now().Add(WriteWait))
	return c.ws.WriteMessage(websocket.TextMessage, data)
}

// Poke asks the writer to call wake; wake-ups not yet answered merge into
// one.
func (c *Conn) Poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Do gives f to the writer, which runs it in turn with what else it
// writes, and reports whether it was given: it waits while the writer is
// behind, and returns false once the connection is ending.
func (c *Conn) Do(f func() error) bool {
	select {
	case c.do <- f:
		return true
	case <-c.stop:
		return false
	}
}

// End asks the writer to send a close frame with code and reason and end
// the connection once the peer has answered it (the reader then stops) or
// WriteWait has passed; only the first call counts. The writer writes
// nothing more once it has seen it.
func (c *Conn) End(code int, reason string) {
	c.once.Do(func() { c.code, c.reason = code, reason; close(c.stop) })
}

// HangUp sends a close frame with code and reason now, within WriteWait,
// and closes the connection, which ends the reader.
func (c *Conn) HangUp(code int, reason string) {
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(WriteWait))
	_ = c.ws.Close()
}

// Close closes the connection at once, with no close frame.
func (c *Conn) Close() error { return c.ws.Close() }

// Run runs the connection until either side ends it, and returns the
// error that ended the writer, if any (nil when the connection was
// ended, by End or by the peer). The calling goroutine reads: each
// message goes to read, until read returns false (then the peer's close is
// awaited for at most WriteWait, and nothing more is read), the peer
// closes the connection, or nothing, not even a pong, has come for
// PongWait. One other goroutine writes: it calls wake at once, then after
// each Poke (as Options.Coalesce and Refresh say), runs what Do gives it,
// pings every PingPeriod, and sends the close frame at the end (End's;
// 1000, normal closure, when the peer closed or read stopped). An error
// from wake, from work given to Do or from a ping ends the connection at
// once, with 1011 (internal error). Run returns once both goroutines have
// ended.
func (c *Conn) Run(read func(data []byte) bool, wake func() error) error {
	written := make(chan error, 1)
	go func() { written <- c.write(wake) }()
	c.readAll(read)
	close(c.read)
	c.End(websocket.CloseNormalClosure, "")
	return <-written
}

// readAll reads until read returns false, the peer closes the connection
// or a pong is overdue. A close frame is answered by the writer, not here.
func (c *Conn) readAll(read func([]byte) bool) {
	c.ws.SetCloseHandler(func(int, string) error { return nil })
	_ = c.ws.SetReadDeadline(time.Now().Add(PongWait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(PongWait)) })
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(PongWait))
		if !read(data) {
			c.drain()
			return
		}
	}
}

// drain reads and drops what the peer still sends for at most WriteWait,
// until it closes the connection.
func (c *Conn) drain() {
	_ = c.ws.SetReadDeadline(time.Now().Add(WriteWait))
	c.ws.SetPongHandler(nil)
	for {
		if _, _, err := c.ws.ReadMessage(); err != nil {
			return
		}
	}
}

// write is the connection's one writer (see Run).
func (c *Conn) write(wake func() error) error {
	ping := time.NewTicker(PingPeriod)
	defer ping.Stop()
	next := time.NewTimer(0) // the first call of wake, at once
	defer next.Stop()
	// last is when wake was last called; due when it is next called (zero:
	// not until a wake-up).
	var last, due time.Time
	for {
		select {
		case <-c.stop:
			// The peer answers the close frame with its own, which ends
			// the reader; one that does not is not waited for long.
			_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(c.code, c.reason), time.Now().Add(WriteWait))
			wait := time.NewTimer(WriteWait)
			defer wait.Stop()
			select {
			case <-c.read:
			case <-wait.C:
			}
			_ = c.ws.Close()
			return nil
		default:
		}
		var err error
		select {
		case <-next.C:
			err = wake()
			last, due = time.Now(), time.Time{}
			if c.opts.Refresh > 0 {
				due = last.Add(c.opts.Refresh)
				next.Reset(c.opts.Refresh)
			}
		case <-c.wake:
			if soon := last.Add(c.opts.Coalesce); due.IsZero() || soon.Before(due) {
				due = soon
				next.Reset(time.Until(soon))
			}
		case f := <-c.do:
			err = f()
		case <-ping.C:
			err = c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(WriteWait))
		case <-c.stop:
		}
		if err != nil {
			c.End(websocket.CloseInternalServerErr, "")
			c.HangUp(websocket.CloseInternalServerErr, "")
			return err
		}
	}
}
