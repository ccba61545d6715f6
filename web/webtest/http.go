package webtest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// Client is a plain HTTP client with its own cookies that does not follow
// redirects: for what a browser does not show (statuses, headers, a post
// from another origin).
func (e *Env) Client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: actionTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Post posts a form as a browser on origin would (Origin and Sec-Fetch-Site
// set accordingly; origin "" means the console's own) and returns the
// response with its body read.
func (e *Env) Post(c *http.Client, path string, form url.Values, origin string) (*http.Response, string) {
	e.T.Helper()
	req, err := http.NewRequestWithContext(e.T.Context(), http.MethodPost, e.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		e.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	site := "same-origin"
	if origin == "" {
		origin = e.URL
	} else {
		site = "cross-site"
	}
	req.Header.Set("Origin", origin)
	req.Header.Set("Sec-Fetch-Site", site)
	return e.send(c, req)
}

// Get fetches a path with c's cookies.
func (e *Env) Get(c *http.Client, path string) (*http.Response, string) {
	e.T.Helper()
	req, err := http.NewRequestWithContext(e.T.Context(), http.MethodGet, e.URL+path, nil)
	if err != nil {
		e.T.Fatal(err)
	}
	return e.send(c, req)
}

func (e *Env) send(c *http.Client, req *http.Request) (*http.Response, string) {
	e.T.Helper()
	resp, err := c.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	return resp, string(b)
}

// SessionClient is a client signed in as email through a link made directly
// in the store (the link journey itself is SignIn's).
func (e *Env) SessionClient(email string) *http.Client {
	e.T.Helper()
	links, err := e.Store.CreateSigninLinks(e.T.Context(), email)
	if err != nil || len(links) != 1 {
		e.T.Fatalf("webtest: sign-in link for %s: %d links, %v", email, len(links), err)
	}
	c := e.Client()
	resp, _ := e.Post(c, "/console/signin/link", url.Values{"token": {links[0].Token}}, "") //nolint:bodyclose // e.Post (send) has read and closed the body
	if resp.StatusCode != http.StatusSeeOther {
		e.T.Fatalf("webtest: sign in %s: status %d", email, resp.StatusCode)
	}
	return c
}
