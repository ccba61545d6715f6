package webtest

import (
	"os"
	"path/filepath"

	"github.com/chromedp/chromedp"
)

// Viewports of the screenshots: a desktop and the narrowest phone the console
// supports.
const (
	desktopWidth, desktopHeight = 1280, 800
	mobileWidth, mobileHeight   = 360, 740
)

// UpdateEnv names the variable that makes Screenshot write the committed
// files: PASSERELLE_UPDATE_SCREENSHOTS=1 go test ./web/...
const UpdateEnv = "PASSERELLE_UPDATE_SCREENSHOTS"

// Screenshot photographs the current page, full length, at desktop and at
// 360 px wide, then restores the desktop viewport. The PNGs go to
// docs/screenshots/<name>-desktop.png and <name>-mobile.png when UpdateEnv is
// 1 (the README shows them); otherwise to the test's temporary directory, or
// to $WEBTEST_SHOTS when set, to look at them.
func (e *Env) Screenshot(name string) {
	e.T.Helper()
	dir := os.Getenv("WEBTEST_SHOTS")
	if os.Getenv(UpdateEnv) == "1" {
		root, err := repoRoot()
		if err != nil {
			e.T.Fatal(err)
		}
		dir = filepath.Join(root, "docs", "screenshots")
	}
	if dir == "" {
		dir = e.T.TempDir()
	}
	if err := os.MkdirAll(dir, 0o750); err != nil { //nolint:gosec // G703: dir is the developer's own choice (WEBTEST_SHOTS) or the repo's docs/screenshots
		e.T.Fatal(err)
	}
	shoot := func(suffix string, w, h int64) {
		e.Do(chromedp.EmulateViewport(w, h))
		// quality 100: PNG
		png := Run(e, chromedp.FullScreenshot(100))
		if err := os.WriteFile(filepath.Join(dir, name+"-"+suffix+".png"), png, 0o600); err != nil { //nolint:gosec // G703: dir as above, name given by the test
			e.T.Fatal(err)
		}
	}
	shoot("mobile", mobileWidth, mobileHeight)
	shoot("desktop", desktopWidth, desktopHeight)
}
