package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// shortLimits are HTTP limits short enough for a test to wait them out.
var shortLimits = httpLimits{
	ReadHeader: 300 * time.Millisecond, Read: 300 * time.Millisecond, Write: 300 * time.Millisecond,
	Idle: time.Second, MaxHeaderBytes: 4 << 10,
}

func TestServerCutsOffSlowClients(t *testing.T) {
	t.Parallel()
	s := newServer(pgtest.New(t), slog.New(slog.DiscardHandler))
	s.limits = shortLimits
	s.mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		w.Write(b)
	})
	base, _ := startServer(t, s)
	addr := strings.TrimPrefix(base, "http://")

	t.Run("slow body", func(t *testing.T) {
		t.Parallel()
		// The server's read deadline starts when it accepts the
		// connection, which may be before Dial returns: time from before.
		start := time.Now()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /echo HTTP/1.1\r\nHost: %s\r\nContent-Length: 1000\r\n\r\n", addr)
		// A byte every 50 ms would take 50 s; the read timeout ends it.
		closed := make(chan time.Duration, 1)
		go func() {
			io.Copy(io.Discard, conn)
			closed <- time.Since(start)
		}()
		for i := 0; i < 1000; i++ {
			select {
			case d := <-closed:
				if d < shortLimits.Read || d > shortLimits.Read+2*time.Second {
					t.Errorf("connection closed after %v, want about the read timeout (%v)", d, shortLimits.Read)
				}
				return
			case <-time.After(50 * time.Millisecond):
			}
			conn.Write([]byte("x")) // fails once the server has closed
		}
		t.Fatal("a client sending its body a byte at a time was never cut off")
	})

	t.Run("normal body", func(t *testing.T) {
		t.Parallel()
		resp, err := http.Post(base+"/echo", "text/plain", strings.NewReader("hello"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 200 || string(b) != "hello" {
			t.Errorf("POST /echo = %d %q, want 200 hello", resp.StatusCode, b)
		}
	})

	t.Run("huge headers", func(t *testing.T) {
		t.Parallel()
		req, _ := http.NewRequest(http.MethodGet, base+"/healthz", nil)
		req.Header.Set("X-Padding", strings.Repeat("a", 16<<10))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("GET with 16 KiB of headers = %d, want 431", resp.StatusCode)
		}
	})

	t.Run("slow headers", func(t *testing.T) {
		t.Parallel()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: %s\r\n", addr)
		// The server answers 408 or just closes; either way, soon.
		conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		start := time.Now()
		io.Copy(io.Discard, conn)
		if d := time.Since(start); d > shortLimits.ReadHeader+time.Second {
			t.Errorf("unfinished headers held the connection for %v, want about the header timeout (%v)", d, shortLimits.ReadHeader)
		}
	})
}

// TestWebChatOutlivesServerTimeouts checks that GET /ws/chat keeps
// working after the server's read and write timeouts, which bound a
// request, not a websocket, have passed.
func TestWebChatOutlivesServerTimeouts(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(func(k string) string {
		return map[string]string{"DATABASE_URL": "unused", "PUBLIC_BASE_URL": chatOrigin,
			"OHCONTACT_WIDGET_SECRETS": "DEMO=" + chatSecret}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := assemble(t.Context(), cfg, pgtest.New(t), slog.New(slog.DiscardHandler), true)
	if err != nil {
		t.Fatalf("assemble: %v", err)
	}
	s.limits = shortLimits
	base, _ := startServer(t, s)

	ws := dialChat(t, strings.TrimPrefix(base, "http://"), chatOrigin)
	hello(t, ws, "", "", 0)
	expect(t, ws, "ready")
	time.Sleep(3 * shortLimits.Write)
	id := say(t, ws, "hello")
	if echo := expect(t, ws, "message"); echo.ID != id {
		t.Fatalf("echo = %+v, want the text just sent", echo)
	}
}
