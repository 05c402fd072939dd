package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// browser returns a chromedp context on a headless Chromium, and axe-core's
// source. `make test` installs both (Debian's chromium, axe-core from npm)
// and says where with CHROMIUM and AXE_CORE_JS; run alone, without them,
// the browser tests are skipped, except under CI where that is a failure.
func browser(t *testing.T) (context.Context, string) {
	t.Helper()
	chromium, axePath := os.Getenv("CHROMIUM"), os.Getenv("AXE_CORE_JS")
	if chromium == "" {
		chromium, _ = exec.LookPath("chromium")
	}
	axe, err := os.ReadFile(axePath)
	if chromium == "" || axePath == "" || err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("browser tests need Chromium and axe-core (CHROMIUM=%q AXE_CORE_JS=%q): run them with make test", chromium, axePath)
		}
		t.Skip("Chromium or axe-core missing: make test installs them")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
		chromedp.WindowSize(1024, 800))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser with no timeout
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx, string(axe)
}

// within runs steps with a deadline (the browser itself has none).
func within(t *testing.T, ctx context.Context, d time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// drop turns an action with a result into a step whose result is dropped.
func drop[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error { _, err := a(ctx, t); return err })
}

// widgetLoaded waits until the page has loaded and the widget is on it.
var widgetLoaded = drop(chromedp.Poll[bool](`document.readyState === "complete" && document.querySelector("ohcontact-widget") !== null`,
	chromedp.WithPollingInterval(50*time.Millisecond)))

// openWidget clicks the widget's launcher and waits for the panel's opening
// animation to end (axe would measure contrast half-way through the fade).
var openWidget = chromedp.Steps(
	drop(chromedp.Evaluate[any](widgetJS(`r.querySelector("button.launcher").click()`))),
	drop(chromedp.Poll[bool](widgetJS(`r.querySelector(".panel").getAnimations().length === 0`),
		chromedp.WithPollingInterval(50*time.Millisecond))))

// widgetJS evaluates expression with r bound to the widget's shadow root.
func widgetJS(expression string) string {
	return `(() => { const r = document.querySelector("ohcontact-widget").shadowRoot; return (` + expression + `); })()`
}

// waitForChat waits until the chat's transcript contains text.
func waitForChat(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	quoted := strings.ReplaceAll(text, `"`, `\"`)
	within(t, ctx, 15*time.Second, drop(chromedp.Poll[bool](widgetJS(`r.querySelector(".messages").textContent.includes("`+quoted+`")`),
		chromedp.WithPollingInterval(50*time.Millisecond))))
}

// axeViolation is one rule axe-core found broken, with where.
type axeViolation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// checkAxe runs axe-core over the page (the widget's shadow DOM included)
// and fails the test on any WCAG 2.2 A or AA violation.
func checkAxe(t *testing.T, ctx context.Context, axe, what string) {
	t.Helper()
	await := func(p *runtime.EvaluateParams) { yes := true; p.AwaitPromise = &yes }
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](axe)); err != nil {
		t.Fatalf("load axe-core: %v", err)
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {runOnly: {type: "tag",
		values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}).then(r => r.violations)`, await))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	for _, v := range violations {
		t.Errorf("axe (%s): %s: %s at %v", what, v.ID, v.Help, v.Nodes)
	}
}

// TestWidgetInBrowser drives the widget in headless Chromium as a person
// would, with the keyboard: open it on the demo intranet page, go through
// the support menu (reloading half-way and finding the history), then in a
// new conversation disclose risk and get crisis contacts; the widget fits a
// 320 px screen, and axe-core finds no WCAG 2.2 AA violation on the page
// with the widget closed and open.
func TestWidgetInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	addr := freeAddr(t)
	startDemoAt(t, pgtest.NewEmptyURL(t), addr, "http://"+addr)
	page := "http://" + addr + "/demo/intranet?as=anonymous"

	within(t, ctx, 20*time.Second, chromedp.Navigate(page), widgetLoaded)
	checkAxe(t, ctx, axe, "page, widget closed")

	// Open the widget; focus lands in the message box, so typing goes there.
	within(t, ctx, 10*time.Second, openWidget)
	send := func(text string) {
		t.Helper()
		within(t, ctx, 10*time.Second, chromedp.KeyEvent(text), chromedp.KeyEvent("\r"))
	}
	send("hello")
	waitForChat(t, ctx, "What would you like help with")
	checkAxe(t, ctx, axe, "widget open")
	send("3")
	waitForChat(t, ctx, "Fast-track staff physiotherapy")

	within(t, ctx, 20*time.Second, chromedp.Reload(), widgetLoaded, openWidget)
	waitForChat(t, ctx, "Fast-track staff physiotherapy") // the history, after a reload
	send("5")
	waitForChat(t, ctx, "Thank you for talking to us")

	// A new conversation, in the same widget.
	send("I have been saving up my tablets and I am going to take them all tonight")
	waitForChat(t, ctx, "116 123")
	waitForChat(t, ctx, "999")

	// On a 320 px wide screen the open panel fits: nothing scrolls sideways.
	within(t, ctx, 10*time.Second, chromedp.EmulateViewport(320, 640))
	fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](widgetJS(
		`document.documentElement.scrollWidth <= 320 && r.querySelector(".panel").getBoundingClientRect().right <= 320`)))
	if err != nil || !fits {
		t.Errorf("at 320 px wide the widget does not fit (%v)", err)
	}
}

// TestWidgetEndChatInBrowser ends a chat with "End chat and clear" in
// headless Chromium: the server revokes the session, the widget goes on
// with a new anonymous chat, and the old session no longer resumes.
func TestWidgetEndChatInBrowser(t *testing.T) {
	t.Parallel()
	ctx, _ := browser(t)
	addr := freeAddr(t)
	startDemoAt(t, pgtest.NewEmptyURL(t), addr, "http://"+addr)

	within(t, ctx, 20*time.Second, chromedp.Navigate("http://"+addr+"/demo/intranet?as=anonymous"), widgetLoaded, openWidget)
	within(t, ctx, 10*time.Second, chromedp.KeyEvent("hello"), chromedp.KeyEvent("\r"))
	waitForChat(t, ctx, "What would you like help with")
	old, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.parse(sessionStorage.getItem("ohcontact:DEMO")).session`))
	if err != nil || old == "" {
		t.Fatalf("the widget's session: %q (%v)", old, err)
	}

	within(t, ctx, 10*time.Second,
		drop(chromedp.Evaluate[any](widgetJS(`r.querySelector("button.end").click()`))),
		drop(chromedp.Evaluate[any](widgetJS(`r.querySelector("button.btn-warning").click()`))),
		drop(chromedp.Poll[bool](`sessionStorage.getItem("ohcontact:DEMO") === null`, chromedp.WithPollingInterval(50*time.Millisecond))))
	// The widget carries on: a new message starts a new chat.
	within(t, ctx, 10*time.Second, chromedp.KeyEvent("hello"), chromedp.KeyEvent("\r"))
	waitForChat(t, ctx, "What would you like help with")

	ws := dialChat(t, addr, "http://"+addr)
	hello(t, ws, "", old, 0)
	if f := next(t, ws); f.Type != "error" || f.Code != "session_expired" {
		t.Fatalf("the ended session got %+v, want error session_expired", f)
	}
}

// TestDemoLandingInBrowser: the demo's landing page is styled under its
// Content-Security-Policy (the style block's hash lets it in) and axe-core
// finds no WCAG 2.2 AA violation on it.
func TestDemoLandingInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	addr := freeAddr(t)
	startDemoAt(t, pgtest.NewEmptyURL(t), addr, "http://"+addr)
	within(t, ctx, 20*time.Second, chromedp.Navigate("http://"+addr+"/"),
		drop(chromedp.Poll[bool](`document.readyState === "complete"`)))
	styled, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("header")).backgroundColor`))
	if err != nil {
		t.Fatal(err)
	}
	if styled != "rgb(0, 94, 184)" {
		t.Errorf("the header's background is %q, want NHS blue: the CSP blocked the page's style", styled)
	}
	checkAxe(t, ctx, axe, "landing page")
}
