package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/internal/datakey"
	"github.com/passerelle-dev/passerelle/internal/testdb"
	"github.com/passerelle-dev/passerelle/internal/testsearch"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/store"
)

// testMain is a running Passerelle for one test, on 127.0.0.1:0, with its own
// database and index prefix.
type testMain struct {
	*Main
	BaseURL string
	Logs    *syncBuffer
}

type setupOpts struct {
	only   string
	meili  *testsearch.Server
	config func(*Config)
}

// startMain starts a Main the way `passerelle serve` does, and closes it when
// the test ends, checking that shutdown is clean.
func startMain(t *testing.T, opts setupOpts) *testMain {
	t.Helper()
	cfg, err := LoadConfig(func(string) string { return "" })
	require.NoError(t, err)
	cfg.DatabaseURL = testdb.New(t)
	meili := opts.meili
	if meili == nil {
		shared := testsearch.Shared(t)
		meili = &shared
	}
	cfg.MeiliURL, cfg.MeiliMasterKey, cfg.MeiliIndexPrefix = meili.URL, meili.MasterKey, meili.Prefix
	if opts.meili == nil {
		// The shared Meilisearch outlives the test: drop the indexes it made
		// (cleanups run last-in first-out, so after Main's Close below).
		t.Cleanup(func() {
			_ = search.New(meili.URL, meili.MasterKey, meili.Prefix).DeleteIndexes(context.Background())
		})
	}
	cfg.ListenAddr = "127.0.0.1:0"
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.DataKey, err = datakey.Generate("test")
	require.NoError(t, err)
	if opts.config != nil {
		opts.config(&cfg)
	}
	logs := &syncBuffer{}
	m := &Main{Config: cfg, Logger: slog.New(slog.NewJSONHandler(logs, nil)), Only: opts.only}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, m.Run(ctx))
	t.Cleanup(func() { require.NoError(t, m.Close(), "clean shutdown") })
	return &testMain{Main: m, BaseURL: "http://" + m.Addr(), Logs: logs}
}

// do sends a request and returns the response with its body read.
func (tm *testMain) do(t *testing.T, method, path string, body io.Reader, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, tm.BaseURL+path, body)
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

// problem decodes an RFC 9457 body, checking its content type.
func problem(t *testing.T, resp *http.Response, body []byte) map[string]any {
	t.Helper()
	require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"), "body: %s", body)
	var p map[string]any
	require.NoError(t, json.Unmarshal(body, &p))
	require.EqualValues(t, resp.StatusCode, p["status"])
	require.True(t, strings.HasPrefix(p["type"].(string), "urn:passerelle:problem:"), "type %v", p["type"])
	require.Equal(t, resp.Header.Get("X-Request-Id"), p["request_id"])
	return p
}

func TestServeOperationalEndpoints(t *testing.T) {
	t.Parallel()
	tm := startMain(t, setupOpts{})

	resp, body := tm.do(t, http.MethodGet, "/healthz", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.JSONEq(t, `{"status":"ok"}`, string(body))
	require.Len(t, resp.Header.Get("X-Request-Id"), 24)

	// The indexes serve creates in the background, created here for sure.
	sc := search.New(tm.Config.MeiliURL, tm.Config.MeiliMasterKey, tm.Config.MeiliIndexPrefix)
	sc.SetShardSource(store.New(tm.pool, nil))
	require.NoError(t, sc.EnsureOffersIndex(t.Context()))
	resp, body = tm.do(t, http.MethodGet, "/readyz", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
		Shards []struct {
			Shard, Status      string
			Documents, Pending int
		} `json:"shards"`
	}
	require.NoError(t, json.Unmarshal(body, &ready))
	require.Equal(t, "ready", ready.Status)
	require.Equal(t, map[string]string{"postgres": "ok", "meilisearch": "ok"}, ready.Checks)
	// Every shard of the map: the national, remote and elsewhere indexes are
	// created at start, the départements' with their first offer.
	shards := map[string]string{}
	for _, s := range ready.Shards {
		shards[s.Shard] = s.Status
		require.Zero(t, s.Pending, s.Shard)
	}
	require.Greater(t, len(shards), 100)
	require.Equal(t, "ok", shards["national"])
	require.Equal(t, "ok", shards["remote"])
	require.Equal(t, "empty", shards["95"])

	resp, body = tm.do(t, http.MethodGet, "/openapi.yaml", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), "openapi: 3.1.0")
	resp, body = tm.do(t, http.MethodGet, "/openapi.json", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var spec map[string]any
	require.NoError(t, json.Unmarshal(body, &spec))
	require.Equal(t, "3.1.0", spec["openapi"])

	resp, body = tm.do(t, http.MethodGet, "/docs", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), `apiDescriptionUrl="/openapi.json"`)
	require.NotContains(t, string(body), "https://")

	resp, body = tm.do(t, http.MethodGet, "/metrics", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, grepLines(string(body), "passerelle_http_request_duration_seconds_count"),
		`passerelle_http_request_duration_seconds_count{method="GET",route="GET /healthz",status="200"} 1`, "latency of /healthz by route and status")
	// The periodic retention runs on start once River has elected a leader; the
	// queue metric counts it by kind and state.
	var last string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		_, body := tm.do(t, http.MethodGet, "/metrics", nil)
		last = grepLines(string(body), "passerelle_river_jobs")
		if strings.Contains(last, `passerelle_river_jobs{kind="apply_retention",state="completed"} 1`) {
			break
		}
	}
	require.Contains(t, last, `passerelle_river_jobs{kind="apply_retention",state="completed"} 1`,
		"River jobs by kind and state in /metrics; logs:\n%s", tm.Logs.String())

	// The request id reaches the log line of its request.
	require.Contains(t, tm.Logs.String(), `"request_id":"`+resp.Header.Get("X-Request-Id")+`"`)
}

func TestServeUnknownRouteAndMethod(t *testing.T) {
	t.Parallel()
	tm := startMain(t, setupOpts{})

	resp, body := tm.do(t, http.MethodGet, "/v1/nothing-here", nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	p := problem(t, resp, body)
	require.Equal(t, "urn:passerelle:problem:not_found", p["type"])
	require.Equal(t, "/v1/nothing-here", p["instance"])

	resp, body = tm.do(t, http.MethodDelete, "/healthz", nil)
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	require.Equal(t, "GET", resp.Header.Get("Allow"))
	problem(t, resp, body)

	// A caller's own request id is kept when it is plain.
	resp, _ = tm.do(t, http.MethodGet, "/healthz", nil, "X-Request-Id", "client-id-12345")
	require.Equal(t, "client-id-12345", resp.Header.Get("X-Request-Id"))
	resp, _ = tm.do(t, http.MethodGet, "/healthz", nil, "X-Request-Id", "bad id\twith tab")
	require.NotEqual(t, "bad id\twith tab", resp.Header.Get("X-Request-Id"))
}

func TestServeReadyzFollowsMeilisearch(t *testing.T) {
	t.Parallel()
	meili := testsearch.Start(t)
	tm := startMain(t, setupOpts{meili: &meili.Server})

	resp, body := tm.do(t, http.MethodGet, "/readyz", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))

	meili.Stop()
	resp, body = tm.do(t, http.MethodGet, "/readyz", nil)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.JSONEq(t, `{"status":"unavailable","checks":{"postgres":"ok","meilisearch":"down"}}`, string(body))
	require.NotEmpty(t, resp.Header.Get("Retry-After"))

	meili.Restart()
	resp, body = tm.do(t, http.MethodGet, "/readyz", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, "ready again without a restart of passerelle: %s", body)
}

func TestServeWorkerOnly(t *testing.T) {
	t.Parallel()
	tm := startMain(t, setupOpts{only: OnlyWorker})

	resp, _ := tm.do(t, http.MethodGet, "/readyz", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp, body := tm.do(t, http.MethodGet, "/openapi.json", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotContains(t, string(body), `"/v1/`, "a worker-only process serves no API operation")
}

func TestServeGracefulShutdownDrainsRequests(t *testing.T) {
	t.Parallel()
	tm := startMain(t, setupOpts{})
	// An idle keep-alive connection must not hold shutdown up, and a request in
	// flight must complete: Close is called while one is being answered.
	resp, _ := tm.do(t, http.MethodGet, "/healthz", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, tm.BaseURL+"/readyz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	require.NoError(t, tm.Close())
	require.Less(t, time.Since(start), tm.Config.ShutdownTimeout)
	select {
	case err := <-done:
		if err != nil {
			// The request may have arrived after the listener closed; it must
			// then be refused, not cut in the middle.
			require.Contains(t, err.Error(), "connection refused")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("request still hanging after shutdown")
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, tm.BaseURL+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err, "no longer accepting")
}

// grepLines returns the lines of s that contain substr.
func grepLines(s, substr string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
