package api

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/internal/datakey"
	"github.com/passerelle-dev/passerelle/jobs"
	"github.com/passerelle-dev/passerelle/store"
)

// twin is a second API process over b's database: its own pool, store, River
// client and server, as another replica would have. The bundle it returns
// sends its requests there; keys and rows are b's.
func (b *bundle) twin(o setupOpts) *bundle {
	b.t.Helper()
	pool, err := pgxpool.New(b.t.Context(), b.pool.Config().ConnString())
	require.NoError(b.t, err)
	b.t.Cleanup(pool.Close)
	st := store.New(pool, nil)
	st.SetDataKeys(datakey.Ephemeral("test"))
	rc, err := jobs.NewClient(pool, st, jobs.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b.t, err)
	st.SetRiver(rc)
	srv := New(Deps{
		Store: st, Logger: slog.New(slog.DiscardHandler), PublicBaseURL: "http://127.0.0.1",
		RateLimitPerMinute: o.rateLimitPerMinute, RateLimitBurst: o.rateLimitBurst,
	})
	ts := httptest.NewServer(srv)
	b.t.Cleanup(ts.Close)
	c := *b
	c.pool, c.store, c.server, c.http = pool, st, srv, ts
	return &c
}

// TestRateLimitIsSharedByProcesses: a key's budget is one, however many API
// processes its requests reach.
func TestRateLimitIsSharedByProcesses(t *testing.T) {
	t.Parallel()
	opts := setupOpts{rateLimitPerMinute: 60, rateLimitBurst: 4}
	a := setup(t, opts)
	b := a.twin(opts)
	servers := []*bundle{a, b}
	for i := range 4 {
		r := servers[i%2].do(http.MethodGet, "/v1/organisations", a.admin, nil)
		requireStatus(t, http.StatusOK, r)
		require.Contains(t, r.Header.Get("RateLimit"), fmt.Sprintf(`r=%d;`, 3-i), "remaining after request %d", i+1)
	}
	// The burst is spent on both processes, not on each.
	for _, s := range servers {
		r := s.do(http.MethodGet, "/v1/organisations", a.admin, nil)
		requireProblem(t, r, http.StatusTooManyRequests, "rate_limited")
		require.Equal(t, "1", r.Header.Get("Retry-After"))
		require.Contains(t, r.Header.Get("RateLimit"), `r=0`)
	}
	// Another key has its own budget, on either process.
	other := a.adviserKey(a.organisation("x"))
	requireStatus(t, http.StatusOK, b.do(http.MethodGet, "/v1/organisations", other, nil))
}

// TestRateLimitCountsConcurrentRequestsOnce: requests racing on two processes
// are each charged exactly once (the state is updated atomically).
func TestRateLimitCountsConcurrentRequestsOnce(t *testing.T) {
	t.Parallel()
	// A slow refill (one a minute) so that no token comes back during the test.
	opts := setupOpts{rateLimitPerMinute: 1, rateLimitBurst: 10}
	a := setup(t, opts)
	b := a.twin(opts)
	servers := []*bundle{a, b}
	const n = 30
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			statuses[i] = servers[i%2].do(http.MethodGet, "/v1/organisations", a.admin, nil).StatusCode
		})
	}
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	require.Equal(t, map[int]int{http.StatusOK: 10, http.StatusTooManyRequests: n - 10}, count)
}

// TestIdempotencyAcrossProcesses: the same Idempotency-Key sent to two API
// processes at once creates once; every other answer is the replay or a 409.
func TestIdempotencyAcrossProcesses(t *testing.T) {
	t.Parallel()
	a := setup(t)
	b := a.twin(setupOpts{})
	servers := []*bundle{a, b}
	body := map[string]any{"kind": "programme", "name": "Fabrique du numérique", "town": "Niort"}
	const n = 10
	statuses := make([]int, n)
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := servers[i%2].do(http.MethodPost, "/v1/organisations", a.admin, body, "Idempotency-Key", "twin-burst")
			statuses[i] = r.StatusCode
			var created struct{ ID string }
			if r.StatusCode == http.StatusCreated && json.Unmarshal(r.body, &created) == nil {
				ids[i] = created.ID
			}
		})
	}
	wg.Wait()
	var created []string
	for i, st := range statuses {
		require.Contains(t, []int{http.StatusCreated, http.StatusConflict}, st, "request %d", i)
		if st == http.StatusCreated {
			created = append(created, ids[i])
		}
	}
	require.NotEmpty(t, created)
	for _, id := range created {
		require.Equal(t, created[0], id, "every 201 is the same organisation (first or replayed)")
	}
	require.Equal(t, 1, countOrganisations(t, a), "one creation for the key across both processes")
	// Once the first is done, either process replays it.
	for _, s := range servers {
		r := s.do(http.MethodPost, "/v1/organisations", a.admin, body, "Idempotency-Key", "twin-burst")
		requireStatus(t, http.StatusCreated, r)
		require.Equal(t, "true", r.Header.Get("Idempotent-Replayed"))
		require.Contains(t, string(r.body), created[0])
	}
}
