package wsconn_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ohcontact/ohcontact/channels/wsconn"
)

// serve runs a server whose one route upgrades with opts and runs the
// connection with read and wake (made from the Conn by setup), and dials
// it. Run's result arrives on done.
func serve(t *testing.T, opts wsconn.Options, setup func(c *wsconn.Conn) (func([]byte) bool, func() error)) (*websocket.Conn, <-chan error) {
	t.Helper()
	done := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := wsconn.New(opts)
		if err := c.Upgrade(w, r); err != nil {
			done <- err
			return
		}
		defer c.Close()
		read, wake := setup(c)
		done <- c.Run(read, wake)
	}))
	t.Cleanup(srv.Close)
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws, done
}

// readText reads the next text message, failing the test on anything else.
func readText(t *testing.T, ws *websocket.Conn) string {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, data, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return strings.TrimSuffix(string(data), "\n") // WriteJSON ends its message with one
}

// closedWith reads until the server closes, failing the test unless it
// does so with code and reason.
func closedWith(t *testing.T, ws *websocket.Conn, code int, reason string) {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, data, err := ws.ReadMessage()
		if err == nil {
			t.Logf("message before the close: %s", data)
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != code || ce.Text != reason {
			t.Fatalf("connection ended with %v, want close %d %q", err, code, reason)
		}
		return
	}
}

func result(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
		return nil
	}
}

func TestWakeDoAndEnd(t *testing.T) {
	t.Parallel()
	var wakes atomic.Int32
	ws, done := serve(t, wsconn.Options{ReadLimit: 1024}, func(c *wsconn.Conn) (func([]byte) bool, func() error) {
		read := func(data []byte) bool {
			switch msg := string(data); msg {
			case "poke":
				c.Poke()
			case "bye":
				c.Do(func() error {
					err := c.WriteJSON("bye")
					c.End(websocket.ClosePolicyViolation, "bye now")
					return err
				})
			default:
				c.Do(func() error { return c.WriteText([]byte("echo " + msg)) })
			}
			return true
		}
		wake := func() error { return c.WriteJSON(map[string]int32{"wake": wakes.Add(1)}) }
		return read, wake
	})
	if got := readText(t, ws); got != `{"wake":1}` {
		t.Fatalf("first message %s, want the first wake at once", got)
	}
	for _, msg := range []string{"a", "b", "poke", "c"} {
		ws.WriteMessage(websocket.TextMessage, []byte(msg))
	}
	var got []string
	for range 4 {
		got = append(got, readText(t, ws))
	}
	// A wake-up and the work given to Do are not ordered between them.
	echoes := slices.DeleteFunc(slices.Clone(got), func(m string) bool { return m == `{"wake":2}` })
	if strings.Join(echoes, " ") != "echo a echo b echo c" || len(echoes) != 3 {
		t.Errorf("got %q, want the echoes in order and one wake for the poke", got)
	}
	ws.WriteMessage(websocket.TextMessage, []byte("bye"))
	if got := readText(t, ws); got != `"bye"` {
		t.Errorf("got %s before the close, want the last message", got)
	}
	closedWith(t, ws, websocket.ClosePolicyViolation, "bye now")
	ws.Close()
	if err := result(t, done); err != nil {
		t.Errorf("Run = %v after End, want nil", err)
	}
}

func TestCoalesceAndRefresh(t *testing.T) {
	t.Parallel()
	const coalesce, refresh = 100 * time.Millisecond, 400 * time.Millisecond
	ws, _ := serve(t, wsconn.Options{ReadLimit: 1024, Coalesce: coalesce, Refresh: refresh}, func(c *wsconn.Conn) (func([]byte) bool, func() error) {
		read := func([]byte) bool {
			for range 20 {
				c.Poke()
			}
			return true
		}
		return read, func() error { return c.WriteText([]byte("wake")) }
	})
	readText(t, ws)
	start := time.Now()
	ws.WriteMessage(websocket.TextMessage, []byte("burst"))
	readText(t, ws)
	if d := time.Since(start); d > refresh/2 {
		t.Errorf("the burst's wake came after %v, want within about %v", d, coalesce)
	}
	// Nothing more for the burst: the next wake is the refresh.
	readText(t, ws)
	if d := time.Since(start); d < refresh*3/4 {
		t.Errorf("a second wake %v after a burst of pokes, want one wake, then the refresh after %v", d, refresh)
	}
}

func TestPeerCloseAndReadStop(t *testing.T) {
	t.Parallel()
	t.Run("the peer closes", func(t *testing.T) {
		t.Parallel()
		ws, done := serve(t, wsconn.Options{ReadLimit: 1024}, func(c *wsconn.Conn) (func([]byte) bool, func() error) {
			return func([]byte) bool { return true }, func() error { return nil }
		})
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(time.Second))
		closedWith(t, ws, websocket.CloseNormalClosure, "")
		if err := result(t, done); err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	})
	t.Run("read stops", func(t *testing.T) {
		t.Parallel()
		var after atomic.Int32
		ws, done := serve(t, wsconn.Options{ReadLimit: 1024}, func(c *wsconn.Conn) (func([]byte) bool, func() error) {
			return func(data []byte) bool { after.Add(1); return string(data) != "stop" }, func() error { return nil }
		})
		ws.WriteMessage(websocket.TextMessage, []byte("stop"))
		ws.WriteMessage(websocket.TextMessage, []byte("ignored"))
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		closedWith(t, ws, websocket.CloseNormalClosure, "")
		if err := result(t, done); err != nil || after.Load() != 1 {
			t.Errorf("Run = %v after %d messages read, want nil after 1", err, after.Load())
		}
	})
	t.Run("a message over the read limit", func(t *testing.T) {
		t.Parallel()
		ws, done := serve(t, wsconn.Options{ReadLimit: 16}, func(c *wsconn.Conn) (func([]byte) bool, func() error) {
			return func([]byte) bool { t.Error("a message over the limit was read"); return true }, func() error { return nil }
		})
		ws.WriteMessage(websocket.TextMessage, []byte(strings.Repeat("x", 17)))
		closedWith(t, ws, websocket.CloseMessageTooBig, "")
		if err := result(t, done); err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	})
}

func TestWriterErrorEnds(t *testing.T) {
	t.Parallel()
	failed := errors.New("snapshot failed")
	ws, done := serve(t, wsconn.Options{ReadLimit: 1024}, func(c *wsconn.Conn) (func([]byte) bool, func() error) {
		return func([]byte) bool { return true }, func() error { return failed }
	})
	closedWith(t, ws, websocket.CloseInternalServerErr, "")
	if err := result(t, done); !errors.Is(err, failed) {
		t.Errorf("Run = %v, want the writer's error", err)
	}
}

// TestEndBeforeUpgrade checks that a connection ended before it is
// upgraded (a server shutting down meanwhile) closes at once.
func TestEndBeforeUpgrade(t *testing.T) {
	t.Parallel()
	ws, done := serve(t, wsconn.Options{ReadLimit: 1024}, func(c *wsconn.Conn) (func([]byte) bool, func() error) {
		c.End(websocket.CloseGoingAway, "")
		return func([]byte) bool { return true }, func() error { return c.WriteText([]byte("late")) }
	})
	closedWith(t, ws, websocket.CloseGoingAway, "")
	if err := result(t, done); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
}

// TestNoGoroutinesLeft checks that Run leaves no goroutine behind when the
// network drops. It runs alone.
func TestNoGoroutinesLeft(t *testing.T) {
	ws, done := serve(t, wsconn.Options{ReadLimit: 1024}, func(c *wsconn.Conn) (func([]byte) bool, func() error) {
		return func([]byte) bool { return true }, func() error { return c.WriteText([]byte("running")) }
	})
	readText(t, ws)
	if n := running(); n == 0 {
		t.Fatal("no wsconn goroutines while the connection is open: the count does not see them")
	}
	ws.NetConn().Close()
	result(t, done)
	deadline := time.Now().Add(5 * time.Second)
	for running() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d wsconn goroutines left behind", running())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// running counts the goroutines in wsconn's Run or writer.
func running() int {
	buf := make([]byte, 1<<20)
	n := 0
	for g := range strings.SplitSeq(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "wsconn.(*Conn).Run") || strings.Contains(g, "wsconn.(*Conn).write") {
			n++
		}
	}
	return n
}
