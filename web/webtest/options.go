package webtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"iter"
	"net/http"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/internal/testsearch"
	"github.com/passerelle-dev/passerelle/jobs"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/store"
)

// Option adds to a test's console what some journeys need: the API beside
// it, a Meilisearch holding the demo's offers.
type Option func(*options)

type options struct {
	api     bool
	search  bool
	private bool
}

// WithAPI mounts the API beside the console, the way cmd/passerelle serve
// does (/console/… the console's, the rest the API's), with the test's
// Meilisearch when there is one. A journey then calls the API with a key of
// Env.APIKey, as a company's system would.
func WithAPI() Option { return func(o *options) { o.api = true } }

// WithSearch gives the console (and the API) the shared Meilisearch, under
// an index prefix of the test's own, with the demo's offers indexed.
func WithSearch() Option { return func(o *options) { o.search = true } }

// WithPrivateSearch is WithSearch on a Meilisearch process of the test's own
// (Env.Meili), which the test may stop to see the console cope without it.
func WithPrivateSearch() Option { return func(o *options) { o.search, o.private = true, true } }

// startSearch starts the test's Meilisearch as o asks, and indexes the
// offers the database holds (the demo's), as `passerelle reindex` does.
func startSearch(e *Env, o options) {
	t := e.T
	srv := testsearch.Shared(t)
	if o.private {
		e.Meili = testsearch.Start(t)
		srv = e.Meili.Server
	}
	sc := search.New(srv.URL, srv.MasterKey, srv.Prefix)
	ctx := context.Background()
	if err := sc.EnsureOffersIndex(ctx); err != nil {
		t.Fatalf("webtest: offers index: %v", err)
	}
	t.Cleanup(func() {
		if e.Meili == nil {
			_ = sc.DeleteIndexes(context.Background())
		}
	})
	docs := func(yield func(search.OfferDoc, error) bool) {
		for o, err := range e.Store.SearchableOffers(ctx) {
			if err != nil {
				yield(search.OfferDoc{}, err)
				return
			}
			if !yield(jobs.OfferDoc(o), nil) {
				return
			}
		}
	}
	if _, err := sc.ReindexOffers(ctx, iter.Seq2[search.OfferDoc, error](docs)); err != nil {
		t.Fatalf("webtest: index the demo's offers: %v", err)
	}
	e.Search = sc
}

// APIKey creates an API key (as the system would for an operator) and
// returns its secret.
func (e *Env) APIKey(in store.KeyInput) string {
	e.T.Helper()
	if in.Name == "" {
		in.Name = in.Role + " webtest key"
	}
	_, secret, err := e.Store.CreateKey(e.T.Context(), passerelle.System, in)
	if err != nil {
		e.T.Fatalf("webtest: key: %v", err)
	}
	return secret
}

// API calls the API (WithAPI) with key and a JSON body (nil for none), and
// returns the status and the decoded JSON answer (nil when empty).
func (e *Env) API(method, path, key string, body any) (int, map[string]any) {
	e.T.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.T.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(e.T.Context(), method, e.URL+path, r)
	if err != nil {
		e.T.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatalf("webtest: %s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			e.T.Fatalf("webtest: %s %s: not JSON (%d): %s", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, out
}
