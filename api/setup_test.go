package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/internal/datakey"
	"github.com/passerelle-dev/passerelle/internal/testdb"
	"github.com/passerelle-dev/passerelle/jobs"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/store"
)

// bundle is what an API test works with: a server over its own database, and
// helpers to make tenants and keys.
type bundle struct {
	t      *testing.T
	pool   *pgxpool.Pool
	store  *store.Store
	server *Server
	http   *httptest.Server
	client *http.Client   // checks every response against the spec (specclient_test.go)
	admin  string         // an admin key
	search *search.Client // with setupOpts.search
}

type setupOpts struct {
	rateLimitPerMinute, rateLimitBurst int
	// search gives the server a Meilisearch (the shared one, with an index
	// prefix of the test's own) whose offers index is ready.
	search bool
	// webhookAllowLoopback lets webhooks point at loopback receivers.
	webhookAllowLoopback bool
}

func setup(t *testing.T, opts ...setupOpts) *bundle {
	t.Helper()
	var o setupOpts
	if len(opts) > 0 {
		o = opts[0]
	}
	pool := testdb.NewPool(t)
	st := store.New(pool, nil)
	st.SetDataKeys(datakey.Ephemeral("test"))
	rc, err := jobs.NewClient(pool, st, jobs.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	st.SetRiver(rc)
	var sc *search.Client
	if o.search {
		sc = newSearchClient(t)
	}
	srv := New(Deps{
		Store: st, Search: sc, Logger: slog.New(slog.DiscardHandler), PublicBaseURL: "http://127.0.0.1",
		RateLimitPerMinute: o.rateLimitPerMinute, RateLimitBurst: o.rateLimitBurst, WebhookAllowLoopback: o.webhookAllowLoopback,
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	b := &bundle{t: t, pool: pool, store: st, server: srv, http: ts, search: sc, client: newSpecClient(t, ts.Client())}
	b.admin = b.key(store.KeyInput{Role: passerelle.RoleAdmin})
	return b
}

// key creates an API key directly in the store and returns its secret.
func (b *bundle) key(in store.KeyInput) string {
	b.t.Helper()
	if in.Name == "" {
		in.Name = in.Role + " test key"
	}
	_, secret, err := b.store.CreateKey(context.Background(), passerelle.System, in)
	require.NoError(b.t, err)
	return secret
}

// organisation creates an organisation and returns its id.
func (b *bundle) organisation(name string) uuid.UUID {
	b.t.Helper()
	o, err := b.store.CreateOrganisation(context.Background(), passerelle.System,
		store.OrganisationInput{Kind: "e2c", Name: name, Town: "Caen"})
	require.NoError(b.t, err)
	return o.ID
}

// adviserKey returns an adviser key of organisation org.
func (b *bundle) adviserKey(org uuid.UUID) string {
	return b.key(store.KeyInput{Role: passerelle.RoleAdviser, OrganisationID: &org})
}

// integratorKey returns an integrator key of organisation org.
func (b *bundle) integratorKey(org uuid.UUID) string {
	return b.key(store.KeyInput{Role: passerelle.RoleIntegrator, OrganisationID: &org})
}

// response is a decoded answer.
type response struct {
	*http.Response
	body []byte
}

// json decodes the body into a map (or fails the test).
func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body: %s", r.body)
	return m
}

// do sends method path with the key (none when "") and a JSON body (none when
// nil; a string or []byte is sent as is), plus header pairs.
func (b *bundle) do(method, path, key string, body any, headers ...string) response {
	b.t.Helper()
	var r io.Reader
	switch v := body.(type) {
	case nil:
	case string:
		r = bytes.NewBufferString(v)
	case []byte:
		r = bytes.NewReader(v)
	default:
		j, err := json.Marshal(v)
		require.NoError(b.t, err)
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(b.t.Context(), method, b.http.URL+path, r)
	require.NoError(b.t, err)
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := b.client.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	return response{Response: resp, body: data}
}

// requireStatus checks the status, showing the body when it differs.
func requireStatus(t *testing.T, want int, r response) {
	t.Helper()
	require.Equal(t, want, r.StatusCode, "%s %s: %s", r.Request.Method, r.Request.URL.Path, r.body)
}

// requireProblem checks an RFC 9457 answer of the given status and code.
func requireProblem(t *testing.T, r response, status int, code string) map[string]any {
	t.Helper()
	requireStatus(t, status, r)
	require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"))
	p := r.json(t)
	require.Equal(t, ProblemTypePrefix+code, p["type"], "body: %s", r.body)
	require.EqualValues(t, status, p["status"])
	return p
}

func mustUUID(t *testing.T, s string) uuid.UUID {
	t.Helper()
	id, err := uuid.Parse(s)
	require.NoError(t, err)
	return id
}

func codeOf(err error) string { return passerelle.ErrorCode(err) }

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// companyKey returns a key of the company.
func (b *bundle) companyKey(id uuid.UUID) string {
	return b.key(store.KeyInput{Role: "company", CompanyID: &id})
}

// pageIDs are the ids of a list page's items.
func pageIDs(t *testing.T, r response) []string {
	t.Helper()
	ids := []string{}
	for _, it := range r.json(t)["items"].([]any) {
		ids = append(ids, it.(map[string]any)["id"].(string))
	}
	return ids
}

// fieldLocations are the locations of a problem's field errors.
func fieldLocations(p map[string]any) []string {
	out := []string{}
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		out = append(out, e.(map[string]any)["location"].(string))
	}
	return out
}
