package console_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// frame is a frame of a live connection as the browser reads it: the
// queue's (liveFrame) or a case page's (caseFrame).
type frame interface {
	kind() string // the frame's type
	text() string // the frame as sent
}

// liveConn is an open live connection whose frames, of type F, a goroutine
// reads.
type liveConn[F frame] struct {
	t      *testing.T
	ws     *websocket.Conn
	kind   string // the type every frame must have
	frames chan F
	ended  chan error // the error that ended reading: a *websocket.CloseError when the server closed
	done   chan struct{}
}

// dialWS opens the websocket at path with b's cookies, sending header
// (Origin: the server's own, unless header says otherwise; a header with
// no values is not sent).
func (b *browser) dialWS(path string, header http.Header) (*websocket.Conn, *http.Response, error) {
	h := http.Header{"Origin": {b.f.srv.URL}}
	for k, v := range header {
		h[k] = v
		if len(v) == 0 {
			delete(h, k)
		}
	}
	d := websocket.Dialer{Jar: b.client.Jar, HandshakeTimeout: 5 * time.Second}
	return d.DialContext(b.t.Context(), "ws"+strings.TrimPrefix(b.f.srv.URL, "http")+path, h)
}

// openLiveConn opens b's live connection at path, whose frames are of type
// kind, decoded by decode, failing the test unless it opens.
func openLiveConn[F frame](b *browser, path, kind string, decode func(data []byte) (F, error)) *liveConn[F] {
	b.t.Helper()
	ws, resp, err := b.dialWS(path, nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		b.t.Fatalf("open %s: %v (status %d)", path, err, status)
	}
	lc := &liveConn[F]{t: b.t, ws: ws, kind: kind, frames: make(chan F), ended: make(chan error, 1), done: make(chan struct{})}
	go func() {
		defer close(lc.frames)
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				lc.ended <- err
				return
			}
			f, err := decode(data)
			if err != nil {
				lc.ended <- err
				return
			}
			select {
			case lc.frames <- f:
			case <-lc.done:
				return
			}
		}
	}()
	b.t.Cleanup(lc.close)
	return lc
}

func (lc *liveConn[F]) close() {
	select {
	case <-lc.done:
	default:
		close(lc.done)
		_ = lc.ws.Close()
	}
}

// waitFor returns the first frame for which ok holds, failing the test
// when none comes within 10 seconds, or a frame is not of lc's kind.
func (lc *liveConn[F]) waitFor(what string, ok func(F) bool) F {
	lc.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case f, open := <-lc.frames:
			if !open {
				lc.t.Fatalf("waiting for %s, the live connection ended: %v", what, <-lc.ended)
			}
			if f.kind() != lc.kind {
				lc.t.Fatalf("frame of type %q, want %s: %s", f.kind(), lc.kind, f.text())
			}
			if ok(f) {
				return f
			}
		case <-deadline:
			lc.t.Fatalf("no frame with %s within 10 seconds", what)
		}
	}
}

// next returns the next frame, failing the test after 10 seconds.
func (lc *liveConn[F]) next() F {
	lc.t.Helper()
	return lc.waitFor("anything", func(F) bool { return true })
}

// quiet returns the frames that arrive within d.
func (lc *liveConn[F]) quiet(d time.Duration) []F {
	var got []F
	deadline := time.After(d)
	for {
		select {
		case f, open := <-lc.frames:
			if !open {
				return got
			}
			got = append(got, f)
		case <-deadline:
			return got
		}
	}
}

// endedWith waits until the server closes the connection, failing the test
// unless it does so with code within 10 seconds.
func (lc *liveConn[F]) endedWith(code int) {
	lc.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case _, open := <-lc.frames:
			if open {
				continue
			}
			var ce *websocket.CloseError
			if err := <-lc.ended; !errors.As(err, &ce) || ce.Code != code {
				lc.t.Fatalf("the live connection ended with %v, want close code %d", err, code)
			}
			return
		case <-deadline:
			lc.t.Fatalf("the live connection was not closed within 10 seconds")
		}
	}
}
