package webtest

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// actionTimeout bounds one step in the browser; a loaded 2-core machine is
// slow, a hung page is a failure.
const actionTimeout = 30 * time.Second

// Do runs browser actions, failing the test on error.
func (e *Env) Do(actions ...chromedp.Action[chromedp.Void]) {
	e.T.Helper()
	ctx, cancel := context.WithTimeout(e.Ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		e.T.Fatalf("webtest: %v", err)
	}
}

// Run runs one action returning a value, failing the test on error.
func Run[T any](e *Env, a chromedp.Action[T]) T {
	e.T.Helper()
	ctx, cancel := context.WithTimeout(e.Ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		e.T.Fatalf("webtest: %v", err)
	}
	return v
}

// Visit opens a console path (or full URL) and waits for its main landmark.
func (e *Env) Visit(path string) {
	e.T.Helper()
	if !strings.HasPrefix(path, "http") {
		path = e.URL + path
	}
	e.Do(chromedp.Navigate(path), chromedp.WaitReady(chromedp.CSS("main")))
}

// Path is the current page's path.
func (e *Env) Path() string {
	e.T.Helper()
	loc := Run(e, chromedp.Location())
	return strings.TrimPrefix(loc, e.URL)
}

// Text is the visible text of the first element matching a CSS selector.
func (e *Env) Text(css string) string {
	e.T.Helper()
	return Run(e, chromedp.Text(chromedp.CSS(css)))
}

// H1 is the page's title as shown.
func (e *Env) H1() string { e.T.Helper(); return e.Text("h1") }

var linkRe = regexp.MustCompile(`https?://\S+/console/signin/link\?token=[A-Za-z0-9_-]+`)

// RequestLink asks for a sign-in link for email through the form and returns
// the link read from the n-th message the SMTP server receives (1-based,
// counting every message of this test).
func (e *Env) RequestLink(email string, n int) string {
	e.T.Helper()
	e.Visit("/console/signin")
	e.Do(chromedp.SendKeys(chromedp.CSS("#email"), email), chromedp.Submit(chromedp.CSS("#email")),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	msgs := e.SMTP.Wait(e.T, n, actionTimeout)
	text, _ := msgs[n-1].Bodies()
	link := linkRe.FindString(text)
	if link == "" {
		e.T.Fatalf("webtest: no sign-in link in the email:\n%s", text)
	}
	return link
}

// SignIn signs email in through the whole journey: the form, the link read
// from the SMTP server, the confirmation button; it ends on the Today page.
func (e *Env) SignIn(email string) {
	e.T.Helper()
	link := e.RequestLink(email, len(e.SMTP.Messages())+1)
	e.Visit(link)
	e.ClickAndWait("main form button")
	e.WaitFor("#trainees-title")
}

// Tab presses Tab n times (keyboard-only journeys).
func (e *Env) Tab(n int) {
	e.T.Helper()
	for range n {
		e.Do(chromedp.KeyEvent(kb.Tab))
	}
}

// Type types text into whatever has the focus.
func (e *Env) Type(text string) { e.T.Helper(); e.Do(chromedp.KeyEvent(text)) }

// Enter presses Enter on whatever has the focus.
func (e *Env) Enter() { e.T.Helper(); e.Do(chromedp.KeyEvent(kb.Enter)) }

// Focused describes the focused element ("INPUT#email", "BUTTON"...), to
// check where the keyboard is.
func (e *Env) Focused() string {
	e.T.Helper()
	return Run(e, chromedp.Evaluate[string](`(() => { const a = document.activeElement;
		return a.tagName + (a.id ? "#" + a.id : "") + (a.textContent && a.tagName !== "BODY" && a.tagName !== "MAIN" ? " " + a.textContent.trim() : ""); })()`))
}

// TabTo presses Tab until the focused element's description contains want
// (at most 30 presses), failing otherwise: "reach the button by keyboard".
func (e *Env) TabTo(want string) {
	e.T.Helper()
	for range 30 {
		e.Tab(1)
		if strings.Contains(e.Focused(), want) {
			return
		}
	}
	e.T.Fatalf("webtest: %q not reached with Tab (focus on %q)", want, e.Focused())
}

// WaitFor waits until a CSS selector matches a visible element.
func (e *Env) WaitFor(css string) { e.T.Helper(); e.Do(chromedp.WaitVisible(chromedp.CSS(css))) }

// ClickAndWait clicks the element (a link, a form's button) and waits until
// the next page has loaded: reading the page before that would read the old
// one.
func (e *Env) ClickAndWait(css string) {
	e.T.Helper()
	e.Do(chromedp.Evaluate[chromedp.Void](`window.__webtestOld = true`), chromedp.Click(chromedp.CSS(css)))
	e.WaitLoaded()
}

// WaitLoaded waits until a navigation started by the last action has ended
// with a loaded page. It asks the page again and again: while it navigates,
// the question fails ("target navigated"), which only means "not yet".
func (e *Env) WaitLoaded() {
	e.T.Helper()
	deadline := time.Now().Add(actionTimeout)
	for {
		ctx, cancel := context.WithTimeout(e.Ctx, 2*time.Second)
		done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
			`!window.__webtestOld && document.readyState === "complete" && !!document.querySelector("main")`))
		cancel()
		if err == nil && done {
			return
		}
		if time.Now().After(deadline) {
			e.T.Fatalf("webtest: the next page did not load within %s (last error: %v)", actionTimeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
