package widget_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/signposting"
	widget "github.com/ohcontact/ohcontact/web-widget"
)

// script returns widget.js as the server builds it, with the notice the
// server gives (the national crisis numbers).
func script(t *testing.T) []byte {
	t.Helper()
	bundle, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	engine, err := dialogs.New(bundle, signposting.Demo())
	if err != nil {
		t.Fatal(err)
	}
	s, err := widget.Script(func(lang string) string { return engine.WidgetNotice(lang, "") })
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// words returns the words built into script, by language.
func words(t *testing.T, script []byte) map[string]map[string]any {
	t.Helper()
	m := regexp.MustCompile(`var WORDS = (\{.*\});`).FindSubmatch(script)
	if m == nil {
		t.Fatal("widget.js has no WORDS")
	}
	var w map[string]map[string]any
	if err := json.Unmarshal(m[1], &w); err != nil {
		t.Fatal(err)
	}
	return w
}

func get(t *testing.T, h http.Handler, method string, header map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, "/widget.js", nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHandlerServesTheScript(t *testing.T) {
	res := get(t, widget.Handler(script(t)), http.MethodGet, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	for k, want := range map[string]string{
		"Content-Type":           "text/javascript; charset=utf-8",
		"Cache-Control":          "public, max-age=300",
		"X-Content-Type-Options": "nosniff",
		"Vary":                   "Accept-Encoding",
		"Content-Encoding":       "",
	} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if !regexp.MustCompile(`^"[0-9a-f]{32}"$`).MatchString(res.Header.Get("ETag")) {
		t.Errorf("ETag %q is not a strong hash tag", res.Header.Get("ETag"))
	}
	if got := body(t, res); !bytes.Equal(got, script(t)) {
		t.Errorf("body is not Script(): %d bytes, want %d", len(got), len(script(t)))
	}
}

func TestHandlerGzip(t *testing.T) {
	h := widget.Handler(script(t))
	plainTag := get(t, h, http.MethodGet, nil).Header.Get("ETag")
	tests := []struct {
		accept string
		gzip   bool
	}{
		{"gzip, deflate, br", true},
		{"br;q=1.0, GZIP;q=0.5", true},
		{"*", true},
		{"gzip;q=0", false},
		{"gzip;q=0.000, *", false},
		{"*;q=0, gzip", true},
		{"deflate, br", false},
		{"identity", false},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			res := get(t, h, http.MethodGet, map[string]string{"Accept-Encoding": tt.accept})
			b := body(t, res)
			if !tt.gzip {
				if res.Header.Get("Content-Encoding") != "" || !bytes.Equal(b, script(t)) {
					t.Fatalf("Content-Encoding %q, %d bytes: want the plain script", res.Header.Get("Content-Encoding"), len(b))
				}
				return
			}
			if res.Header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("Content-Encoding %q, want gzip", res.Header.Get("Content-Encoding"))
			}
			if res.Header.Get("ETag") == plainTag {
				t.Fatal("gzipped and plain bodies share an ETag")
			}
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, script(t)) {
				t.Fatalf("gunzipped body differs from Script() (err %v)", err)
			}
		})
	}
}

func TestHandlerNotModified(t *testing.T) {
	h := widget.Handler(script(t))
	for _, enc := range []string{"", "gzip"} {
		tag := get(t, h, http.MethodGet, map[string]string{"Accept-Encoding": enc}).Header.Get("ETag")
		res := get(t, h, http.MethodGet, map[string]string{"Accept-Encoding": enc, "If-None-Match": `"other", ` + tag})
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("encoding %q: If-None-Match with its ETag: status %d, want 304", enc, res.StatusCode)
		}
		if len(body(t, res)) != 0 {
			t.Errorf("encoding %q: 304 with a body", enc)
		}
		res = get(t, h, http.MethodGet, map[string]string{"Accept-Encoding": enc, "If-None-Match": `"stale"`})
		if res.StatusCode != http.StatusOK {
			t.Errorf("encoding %q: stale If-None-Match: status %d, want 200", enc, res.StatusCode)
		}
	}
}

func TestHandlerMethods(t *testing.T) {
	h := widget.Handler(script(t))
	res := get(t, h, http.MethodHead, nil)
	if res.StatusCode != http.StatusOK || len(body(t, res)) != 0 {
		t.Errorf("HEAD: status %d, want 200 without a body", res.StatusCode)
	}
	res = get(t, h, http.MethodPost, nil)
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", res.StatusCode)
	}
}

// TestScriptWords checks the words built into widget.js: every language
// has every word of en-GB's, from the locale files, in its own language,
// the notice with the crisis numbers.
func TestScriptWords(t *testing.T) {
	w := words(t, script(t))
	for _, lang := range locales.Languages {
		for id := range w["en-GB"] {
			if w[lang][id] == nil {
				t.Errorf("%s lacks %s", lang, id)
			}
		}
		for _, n := range []string{"999", "111", "option", "116 123"} {
			if n == "option" {
				n = map[string]string{"en-GB": "option 2", "cy": "opsiwn 2", "pl": "opcja 2"}[lang]
			}
			if s, _ := w[lang]["notice"].(string); !strings.Contains(s, n) {
				t.Errorf("%s notice %q lacks %q", lang, s, n)
			}
		}
	}
	for lang, want := range map[string]string{"en-GB": "Send", "cy": "Anfon", "pl": "Wyślij"} {
		if got := w[lang]["send"]; got != want {
			t.Errorf("%s send = %v, want %q", lang, got, want)
		}
	}
	if forms, _ := w["cy"]["count_left"].(map[string]any); len(forms) != 6 {
		t.Errorf("cy count_left has forms %v, want the six Welsh ones", forms)
	}
}

// TestScriptSize keeps the widget small: it loads on every intranet page.
func TestScriptSize(t *testing.T) {
	const limit = 30 << 10
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(script(t))
	zw.Close()
	if b.Len() > limit {
		t.Fatalf("widget.js is %d bytes gzipped; the limit is %d", b.Len(), limit)
	}
	t.Logf("widget.js: %d bytes, %d gzipped", len(script(t)), b.Len())
}

// TestScriptRules checks what can be checked without a browser: strict
// mode, no HTML parsing of data, no eval, no focus outline removed, the
// crisis numbers in the notice shown before the server's.
func TestScriptRules(t *testing.T) {
	src := string(script(t))
	for _, want := range []string{
		`"use strict"`,
		"This chat is not monitored 24/7",
		"Emergency: 999.",
		"111, option 2",
		"Samaritans: 116 123",
		"prefers-reduced-motion",
		`rel: "noopener noreferrer"`,
	} {
		if !strings.Contains(src, want) {
			t.Errorf("widget.js lacks %q", want)
		}
	}
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "outline:none", "outline: none", "outline:0"} {
		if strings.Contains(src, bad) {
			t.Errorf("widget.js contains %q", bad)
		}
	}
}

// TestScriptBehaviour runs testdata/widget_test.js on widget.js as served:
// the widget in Node with a fake DOM and websocket, the test playing the
// server.
func TestScriptBehaviour(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	out, err := exec.Command(node, "--check", "widget.js").CombinedOutput()
	if err != nil {
		t.Fatalf("node --check widget.js: %v\n%s", err, out)
	}
	built := filepath.Join(t.TempDir(), "widget.js")
	if err := os.WriteFile(built, script(t), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(node, "testdata/widget_test.js", built).CombinedOutput()
	if err != nil {
		t.Fatalf("testdata/widget_test.js: %v\n%s", err, out)
	}
	if testing.Verbose() {
		t.Logf("%s", out)
	}
}

func TestRenderIntranet(t *testing.T) {
	scriptTag := regexp.MustCompile(`<script src="([^"]*)" data-org="([^"]*)"(?: data-token="([^"]*)")? async></script>`)
	tests := []struct {
		name      string
		data      widget.IntranetData
		wantToken string
		want      []string
		notWant   []string
	}{
		{
			name: "signed in",
			data: widget.IntranetData{
				OrgCode: "RX1", OrgName: "Tyne Hospitals NHS Foundation Trust", WidgetSrc: "http://127.0.0.1:8080/widget.js",
				Token: "eyJzdWIiOiIxIn0.c2ln", StaffName: "Alex Morgan", SignedIn: true, SwitchURL: "/demo/intranet",
			},
			wantToken: "eyJzdWIiOiIxIn0.c2ln",
			want:      []string{"Signed in as Alex Morgan", `href="/demo/intranet?as=anonymous">Browse anonymously</a>`, "<title>Staff intranet – Tyne Hospitals NHS Foundation Trust</title>"},
			notWant:   []string{"?as=staff"},
		},
		{
			name:    "anonymous",
			data:    widget.IntranetData{OrgCode: "RX1", OrgName: "Tyne Hospitals NHS Foundation Trust", WidgetSrc: "/widget.js", SwitchURL: "/demo/intranet"},
			want:    []string{"Not signed in", `href="/demo/intranet?as=staff">Sign in as a member of staff</a>`},
			notWant: []string{"data-token", "Signed in as", "?as=anonymous"},
		},
		{
			name: "escapes its data",
			data: widget.IntranetData{
				OrgCode: `RX1" onload="x`, OrgName: "<script>alert(1)</script>", WidgetSrc: "javascript:alert(1)",
				Token: `"><b>`, StaffName: "<i>Sam</i>", SignedIn: true, SwitchURL: "/demo/intranet",
			},
			wantToken: "&#34;&gt;&lt;b&gt;",
			want:      []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;i&gt;Sam&lt;/i&gt;", `src="#ZgotmplZ"`},
			notWant:   []string{"<script>alert", "<i>Sam", `" onload="`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := widget.RenderIntranet(&b, tt.data); err != nil {
				t.Fatal(err)
			}
			page := b.String()
			for _, s := range []string{`<html lang="en-GB">`, `<a class="skip" href="#main-content">`, `<main id="main-content"`, "<header>", "<nav ", "<footer>"} {
				if !strings.Contains(page, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			if n := strings.Count(page, "<h1"); n != 1 {
				t.Errorf("%d h1 elements, want 1", n)
			}
			tags := scriptTag.FindAllStringSubmatch(page, -1)
			if len(tags) != 1 {
				t.Fatalf("%d widget script tags, want 1 in\n%s", len(tags), page)
			}
			if tt.data.WidgetSrc != "javascript:alert(1)" && (tags[0][1] != tt.data.WidgetSrc || tags[0][2] != tt.data.OrgCode) {
				t.Errorf("script tag %q: want src %q and data-org %q", tags[0][0], tt.data.WidgetSrc, tt.data.OrgCode)
			}
			if tags[0][3] != tt.wantToken {
				t.Errorf("data-token %q, want %q", tags[0][3], tt.wantToken)
			}
			for _, s := range tt.want {
				if !strings.Contains(page, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			for _, s := range tt.notWant {
				if strings.Contains(page, s) {
					t.Errorf("page contains %q", s)
				}
			}
		})
	}
}
