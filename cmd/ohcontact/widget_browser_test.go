package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ohcontact/ohcontact/demo"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// sendInWidget types text into the widget's message box and presses Enter.
func sendInWidget(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	within(t, ctx, 10*time.Second,
		drop(chromedp.Evaluate[any](widgetJS(`r.querySelector("textarea").focus()`))),
		chromedp.KeyEvent(text), chromedp.KeyEvent("\r"))
}

// endAndClear ends the chat with "End chat and clear" and its confirmation,
// and waits until the widget has forgotten it.
func endAndClear(t *testing.T, ctx context.Context) {
	t.Helper()
	within(t, ctx, 20*time.Second,
		drop(chromedp.Evaluate[any](widgetJS(`r.querySelector("button.end").click()`))),
		drop(chromedp.Evaluate[any](widgetJS(`r.querySelector("button.btn-warning").click()`))),
		drop(chromedp.Poll[bool](widgetJS(`r.querySelector(".status").textContent === "Chat ended and cleared." &&
			r.querySelector(".messages").children.length === 0`), chromedp.WithPollingInterval(50*time.Millisecond))))
}

// waitForSent waits until the widget shows n messages and none of them is
// still being sent.
func waitForSent(t *testing.T, ctx context.Context, n int) {
	t.Helper()
	expr := widgetJS(fmt.Sprintf(`r.querySelectorAll(".msg").length >= %d && r.querySelectorAll(".msg.pending").length === 0`, n))
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		got, _ := chromedp.Run(context.WithoutCancel(ctx), chromedp.Evaluate[string](widgetJS(`r.querySelector(".messages").innerText`)))
		t.Fatalf("the widget does not show %d sent messages (%v); it shows:\n%s", n, err, got)
	}
}

// TestWidgetImmediateCloseInBrowser sends, anonymously, a message whose
// conversation the service answers and closes at once ("sick": an
// anonymous chat cannot report an absence), before and after "End chat and
// clear": each time the message and the reply are shown, nothing stays
// "Sending…", and axe-core finds no violation.
func TestWidgetImmediateCloseInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	addr := freeAddr(t)
	startDemoAt(t, pgtest.NewEmptyURL(t), addr, "http://"+addr)

	within(t, ctx, 20*time.Second, chromedp.Navigate("http://"+addr+"/demo/intranet?as=anonymous"), widgetLoaded, openWidget)
	sendInWidget(t, ctx, "sick")
	waitForChat(t, ctx, "does not know who you are")
	waitForChat(t, ctx, "This chat has ended.")
	waitForSent(t, ctx, 2)
	checkAxe(t, ctx, axe, "a chat closed at once")

	endAndClear(t, ctx)
	sendInWidget(t, ctx, "sick")
	waitForChat(t, ctx, "does not know who you are")
	waitForSent(t, ctx, 2)
}

// TestWidgetEndChatKeepsIdentityInBrowser ends a signed-in chat with "End
// chat and clear": the next conversation is still the person's (the
// service knows who they are, so "sick" starts recording an absence
// instead of finding no staff record), and the widget says they are signed
// in.
func TestWidgetEndChatKeepsIdentityInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	dbURL := pgtest.NewEmptyURL(t)
	addr := freeAddr(t)
	startDemoAt(t, dbURL, addr, "http://"+addr)

	within(t, ctx, 20*time.Second, chromedp.Navigate("http://"+addr+"/demo/intranet?as=staff"), widgetLoaded, openWidget)
	sendInWidget(t, ctx, "sick")
	waitForChat(t, ctx, "record your absence")
	endAndClear(t, ctx)
	sendInWidget(t, ctx, "sick")
	waitForChat(t, ctx, "record your absence")
	waitForSent(t, ctx, 2)
	poll(t, ctx, 5*time.Second, widgetJS(`r.querySelector(".log .hint").textContent.startsWith("You are signed in")`))
	checkAxe(t, ctx, axe, "signed in after End chat and clear")

	db := openDB(t, dbURL)
	var n int
	if err := db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM conversations c JOIN staff s ON s.id = c.staff_id
		WHERE c.channel = 'webchat' AND s.assignment_number = $1`, demo.SignedIn).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d web chats of the signed-in member of staff (%v), want 2", n, err)
	}
}

// TestWidgetLayoutInBrowser checks the message area on a desktop and a
// phone: it takes the panel's free height (at least 60% of the panel), and
// after a disclosure the crisis reply is read from its start with the
// newest message in view.
func TestWidgetLayoutInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	addr := freeAddr(t)
	startDemoAt(t, pgtest.NewEmptyURL(t), addr, "http://"+addr)

	for _, size := range []struct{ w, h int64 }{{1280, 900}, {375, 667}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			within(t, ctx, 20*time.Second, chromedp.EmulateViewport(size.w, size.h),
				chromedp.Navigate("http://"+addr+"/demo/intranet?as=anonymous"), widgetLoaded, openWidget)
			share, err := chromedp.Run(ctx, chromedp.Evaluate[float64](widgetJS(
				`r.querySelector(".log").getBoundingClientRect().height / r.querySelector(".panel").getBoundingClientRect().height`)))
			if err != nil || share < 0.6 {
				t.Errorf("the message area is %.0f%% of the panel (%v), want at least 60%%", share*100, err)
			}
			sendInWidget(t, ctx, "hello")
			waitForChat(t, ctx, "What would you like help with")
			sendInWidget(t, ctx, "I have been saving up my tablets and I am going to take them all tonight")
			waitForChat(t, ctx, "116 123")
			waitForChat(t, ctx, "cannot contact you")
			// The crisis reply's start, and the newest message, are in the
			// visible part of the message area once it has scrolled.
			poll(t, ctx, 5*time.Second, widgetJS(`(() => {
				const box = r.querySelector(".log").getBoundingClientRect();
				const msgs = [...r.querySelectorAll(".msg")];
				const crisis = msgs.find((m) => m.textContent.includes("116 123")).getBoundingClientRect();
				const newest = msgs[msgs.length - 1].getBoundingClientRect();
				const visible = (y) => y >= box.top - 1 && y <= box.bottom + 1;
				return visible(crisis.top) && visible(newest.top) && visible(Math.min(newest.bottom, box.bottom - 1));
			})()`))
			checkAxe(t, ctx, axe, fmt.Sprintf("after a disclosure at %dx%d", size.w, size.h))
			endAndClear(t, ctx)
		})
	}
}

// TestWidgetWelshInBrowser checks the widget's own words in Welsh: after
// the person types "Cymraeg", and on a page whose widget has
// data-lang="cy" before any message.
func TestWidgetWelshInBrowser(t *testing.T) {
	t.Parallel()
	ctx, axe := browser(t)
	addr := freeAddr(t)
	startDemoAt(t, pgtest.NewEmptyURL(t), addr, "http://"+addr)
	welsh := widgetJS(`r.querySelector("button.send").textContent === "Anfon" &&
		r.querySelector("label").textContent === "Eich neges" &&
		r.querySelector("button.end").textContent === "Gorffen a chlirio'r sgwrs" &&
		r.querySelector(".notice").textContent.startsWith("Nid yw'r sgwrs hon yn cael ei monitro 24/7") &&
		r.querySelector("aside").lang === "cy"`)

	within(t, ctx, 20*time.Second, chromedp.Navigate("http://"+addr+"/demo/intranet?as=staff"), widgetLoaded, openWidget)
	sendInWidget(t, ctx, "Cymraeg")
	poll(t, ctx, 15*time.Second, welsh)
	checkAxe(t, ctx, axe, "Welsh after Cymraeg")

	// A new tab, as far as the widget knows: no conversation to resume.
	within(t, ctx, 20*time.Second, drop(chromedp.Evaluate[any](`sessionStorage.clear()`)),
		chromedp.Navigate("http://"+addr+"/demo/intranet?as=anonymous&lang=cy"), widgetLoaded)
	poll(t, ctx, 5*time.Second, widgetJS(`r.querySelector("button.launcher").textContent.startsWith("Sgwrsio â ")`))
	within(t, ctx, 10*time.Second, openWidget)
	poll(t, ctx, 5*time.Second, welsh)
	checkAxe(t, ctx, axe, "Welsh from data-lang")
}
