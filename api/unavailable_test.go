package api

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/internal/datakey"
	"github.com/passerelle-dev/passerelle/internal/testdb"
	"github.com/passerelle-dev/passerelle/jobs"
	"github.com/passerelle-dev/passerelle/store"
)

// TestDatabaseDownIsUnavailable puts a Toxiproxy (in-process, on loopback)
// between the server and the test's real PostgreSQL database, cuts it, and
// calls every /v1 operation of the spec: each answers 503 with Retry-After —
// authentication included, which is the first thing to need the database —
// then the same calls work again once the proxy is restored. The shared
// PostgreSQL is never stopped.
func TestDatabaseDownIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(testdb.New(t))
	require.NoError(t, err)

	proxy := toxiproxy.NewProxy(toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop()),
		"postgresql", "127.0.0.1:0", net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))))
	require.NoError(t, proxy.Start())
	t.Cleanup(proxy.Stop)
	host, port, err := net.SplitHostPort(proxy.Listen)
	require.NoError(t, err)
	p, err := strconv.ParseUint(port, 10, 16)
	require.NoError(t, err)
	cfg.ConnConfig.Host, cfg.ConnConfig.Port = host, uint16(p)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)

	st := store.New(pool, nil)
	st.SetDataKeys(datakey.Ephemeral("test"))
	rc, err := jobs.NewClient(pool, st, jobs.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	st.SetRiver(rc)
	srv := New(Deps{Store: st, Logger: slog.New(slog.DiscardHandler), PublicBaseURL: "http://127.0.0.1"})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	b := &bundle{t: t, pool: pool, store: st, server: srv, http: ts, client: newSpecClient(t, ts.Client())}
	b.admin = b.key(store.KeyInput{Role: passerelle.RoleAdmin})
	org := b.organisation("E2C Normandie")
	requireStatus(t, http.StatusOK, b.do(http.MethodGet, "/v1/organisations/"+org.String(), b.admin, nil))

	// Every operation under /v1 that needs a key, with any id and an empty
	// body: the answer comes before the id or the body matter.
	type call struct{ method, path string }
	var calls []call
	param := regexp.MustCompile(`\{[^}]+\}`)
	for path, item := range srv.OpenAPI().Paths {
		for method, op := range map[string]*huma.Operation{http.MethodGet: item.Get, http.MethodPost: item.Post,
			http.MethodPut: item.Put, http.MethodPatch: item.Patch, http.MethodDelete: item.Delete} {
			if op != nil && len(op.Security) > 0 && regexp.MustCompile(`^/v1/`).MatchString(path) {
				calls = append(calls, call{method, param.ReplaceAllString(path, uuid.NewString())})
			}
		}
	}
	require.Greater(t, len(calls), 50)

	proxy.Stop()
	for _, c := range calls {
		var body any
		if c.method != http.MethodGet && c.method != http.MethodDelete {
			body = "{}"
		}
		r := b.do(c.method, c.path, b.admin, body)
		requireProblem(t, r, http.StatusServiceUnavailable, passerelle.EUnavailable)
		require.Equal(t, strconv.Itoa(RetryAfterSeconds), r.Header.Get("Retry-After"), "%s %s", c.method, c.path)
	}
	// Behind the routes, the store says the same of reads, writes and
	// transactions.
	_, err = st.GetOrganisation(ctx, passerelle.System, org)
	require.True(t, store.IsUnavailable(err), "%v", err)
	_, err = st.CreateOrganisation(ctx, passerelle.System, store.OrganisationInput{Kind: "e2c", Name: "Cité Apprenti.e", Town: "Longvic"})
	require.Equal(t, passerelle.EUnavailable, passerelle.ErrorCode(err), "%v", err)
	_, _, err = st.ListOrganisations(ctx, passerelle.System, store.Page{})
	require.Equal(t, passerelle.EUnavailable, passerelle.ErrorCode(err), "%v", err)

	// Restored: the same server answers again, without a restart.
	require.NoError(t, proxy.Start())
	requireStatus(t, http.StatusOK, b.do(http.MethodGet, "/v1/organisations/"+org.String(), b.admin, nil))
	requireStatus(t, http.StatusOK, b.do(http.MethodGet, "/v1/organisations", b.admin, nil))
}
