package webtest

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-dev/passerelle/api"
	"github.com/passerelle-dev/passerelle/demo"
	"github.com/passerelle-dev/passerelle/internal/datakey"
	"github.com/passerelle-dev/passerelle/internal/testdb"
	"github.com/passerelle-dev/passerelle/internal/testsearch"
	"github.com/passerelle-dev/passerelle/internal/testsmtp"
	"github.com/passerelle-dev/passerelle/jobs"
	"github.com/passerelle-dev/passerelle/notify"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web"
)

// Demo advisers (demo/dataset.go), one per test that signs out or revokes
// sessions, so that tests sharing nothing never step on each other.
const (
	GonesseAdviser  = "samia.exemple@fabrique-gonesse.example.org" // the one make run signs in
	GonesseAdviser2 = "julien.fictif@fabrique-gonesse.example.org" // same programme
	NormandyAdviser = "claire.exemple@e2c-normandie.example.org"   // another organisation
)

// Env is one test's console and browser tab.
type Env struct {
	T     *testing.T
	URL   string // http://127.0.0.1:PORT
	Store *store.Store
	SMTP  *testsmtp.Server
	Demo  demo.Summary
	// Ctx is the test's browser context: chromedp actions run on it.
	Ctx context.Context
	// Search is the test's Meilisearch client (WithSearch, WithPrivateSearch).
	Search *search.Client
	// Meili is the test's own Meilisearch process (WithPrivateSearch).
	Meili *testsearch.Process
}

// New starts a console over a fresh database with the demo data, and opens a
// new browser context (its own cookies) on the package's Chromium. Both end
// with the test. Options add the API and Meilisearch (options.go).
func New(t *testing.T, opts ...Option) *Env {
	t.Helper()
	if browser == nil {
		t.Fatal("webtest: no browser: call webtest.Main(m) from TestMain")
	}
	ctx := context.Background()
	pool := testdb.NewPool(t)
	st := store.New(pool, nil)
	st.SetDataKeys(datakey.Ephemeral("test"))
	// Insert-only: match and index jobs wait in the queue; pages read the
	// database.
	rc, err := jobs.NewClient(pool, st, jobs.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("webtest: river: %v", err)
	}
	st.SetRiver(rc)
	sum, err := demo.Load(ctx, st)
	if err != nil {
		t.Fatalf("webtest: demo data: %v", err)
	}
	smtp := testsmtp.Start(t)
	mailer, err := notify.NewMailer(smtp.URL, "Passerelle <passerelle@localhost>")
	if err != nil {
		t.Fatalf("webtest: mailer: %v", err)
	}
	t.Cleanup(mailer.Close)

	var o options
	for _, opt := range opts {
		opt(&o)
	}
	e := &Env{T: t, Store: st, SMTP: smtp, Demo: sum}
	if o.search {
		startSearch(e, o)
	}

	ln, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("webtest: listen: %v", err)
	}
	base := "http://" + ln.Addr().String()
	// Mounted the way cmd/passerelle mounts it (serve.go withConsole).
	mux := http.NewServeMux()
	mux.Handle(web.Prefix+"/", web.New(web.Deps{Store: st, Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil)),
		Mailer: mailer, Search: e.Search, PublicBaseURL: base, ProposalExpiry: store.DefaultProposalExpiry}))
	mux.HandleFunc("GET /{$}", web.RedirectRoot)
	if o.api {
		mux.Handle("/", api.New(api.Deps{Store: st, Search: e.Search, Logger: slog.New(slog.DiscardHandler),
			PublicBaseURL: base}))
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})

	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("webtest: new browser context: %v", err)
	}
	e.URL, e.Ctx = base, tab
	return e
}

// testWriter sends the console's logs to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
