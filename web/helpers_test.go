package web_test

import (
	"net/http"
	"regexp"
	"strconv"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-dev/passerelle/web/session"
)

func itoa(n int) string { return strconv.Itoa(n) }

// chromedpCount counts the elements matching a CSS selector.
func chromedpCount(css string) chromedp.Action[int] {
	return chromedp.Evaluate[int](`document.querySelectorAll(` + strconv.Quote(css) + `).length`)
}

// sessionCookie is the session cookie a response sets, "" if none.
func sessionCookie(resp *http.Response) string {
	for _, c := range resp.Cookies() {
		if c.Name == session.CookieName && c.MaxAge >= 0 {
			return c.Value
		}
	}
	return ""
}

var requestIDRe = regexp.MustCompile(`<code>[0-9a-f]+</code>`)

func stripRequestID(body string) string { return requestIDRe.ReplaceAllString(body, "") }
