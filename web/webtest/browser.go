// Package webtest is the console's browser test harness: a real console on
// 127.0.0.1:0 over a fresh test database holding the demo data, an SMTP
// server the sign-in links go to, and a real headless Chromium driven with
// chromedp, with axe-core checks, screenshots and keyboard-only helpers.
//
// One browser per test package (Main, from TestMain), a new browser context
// (cookies, storage) per test (New), so tests stay fast and isolated:
//
//	func TestMain(m *testing.M) { webtest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		t.Parallel()
//		e := webtest.New(t)
//		e.SignIn(webtest.GonesseAdviser)
//		e.Visit("/console/")
//		e.Axe()
//		e.Screenshot("today")
//	}
package webtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// browser is the package's Chromium, started by Main.
var browser context.Context

// ChromiumPath finds the browser: $CHROMIUM_PATH, else chromium or
// chromium-browser on PATH (scripts/test.sh installs Debian's).
func ChromiumPath() (string, error) {
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("webtest: Chromium not found: install it (scripts/test.sh does: apt-get install -y chromium) or set CHROMIUM_PATH")
}

// Main starts one headless Chromium for the package's tests, runs them and
// stops it. A missing browser fails the package: browser tests are part of
// make test, never skipped.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	path, err := ChromiumPath()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "webtest-chromium-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "webtest:", err)
		return 1
	}
	defer func() {
		if err := os.RemoveAll(dir); err != nil {
			fmt.Fprintln(os.Stderr, "webtest:", err)
		}
	}()
	// Without the background-networking flags Chromium keeps calling home on a
	// network that is closed here.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // tests run as root in CI containers
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Screenshots of long pages: no scrollbar eating 15 px of the 360 px
		// viewport (the page was laid out at 360 and cut at 345).
		chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(desktopWidth, desktopHeight),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	// The first action starts the browser; it lives as long as ctx.
	if err := chromedp.Do(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "webtest: start Chromium:", err)
		return 1
	}
	browser = ctx
	return m.Run()
}
