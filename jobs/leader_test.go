package jobs

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/internal/testdb"
	"github.com/passerelle-dev/passerelle/internal/testsearch"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/store"
)

// workerProcess is what one `passerelle serve --only worker` holds: its own
// pool, store and working River client, over a database shared with others.
func workerProcess(t *testing.T, connString string, sc *search.Client) *river.Client[pgx.Tx] {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), connString)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	st := store.New(pool, nil)
	rc, err := NewClient(pool, st, Config{Work: true, MaxWorkers: 2, Logger: slog.New(slog.DiscardHandler), Search: sc,
		SoftStopTimeout: 5 * time.Second})
	require.NoError(t, err)
	st.SetRiver(rc)
	return rc
}

// TestPeriodicJobsRunOnceAcrossWorkers: two worker processes on one database
// elect one leader, and only the leader schedules periodic jobs, so each
// job's effect happens once, not once per process.
func TestPeriodicJobsRunOnceAcrossWorkers(t *testing.T) {
	t.Parallel()
	pool := testdb.NewPool(t)
	ctx := context.Background()
	srv := testsearch.Shared(t)
	sc := search.New(srv.URL, srv.MasterKey, srv.Prefix)
	t.Cleanup(func() { _ = sc.DeleteIndexes(context.Background()) })
	require.NoError(t, sc.EnsureOffersIndex(ctx))

	// An idempotency record past retention: the purge job's effect to observe.
	st := store.New(pool, nil)
	key, _, err := st.CreateKey(ctx, passerelle.System, store.KeyInput{Name: "k", Role: passerelle.RoleAdmin})
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO idempotency_keys (api_key_id, key, request_hash, state, created_at)
		VALUES ($1, 'old', '\x00', 'in_progress', now() - interval '3 days')`, key.ID)
	require.NoError(t, err)

	clients := []*river.Client[pgx.Tx]{
		workerProcess(t, pool.Config().ConnString(), sc),
		workerProcess(t, pool.Config().ConnString(), sc),
	}
	require.NotEqual(t, clients[0].ID(), clients[1].ID(), "each process has its own client id")
	for _, c := range clients {
		require.NoError(t, c.Start(ctx))
		t.Cleanup(func() {
			stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = c.Stop(stop)
		})
	}

	// The jobs run at start, one row each once the leader scheduled them.
	onStart := []string{"apply_retention", "expire_offers", "schedule_digests", "reconcile_index",
		"expire_proposals", "create_followups"}
	counts := func() map[string]int {
		rows, err := pool.Query(ctx, `SELECT kind, count(*) FROM river_job WHERE kind = ANY($1) AND state = 'completed' GROUP BY kind`, onStart)
		require.NoError(t, err)
		out := map[string]int{}
		for rows.Next() {
			var kind string
			var n int
			require.NoError(t, rows.Scan(&kind, &n))
			out[kind] = n
		}
		require.NoError(t, rows.Err())
		return out
	}
	require.Eventually(t, func() bool { return len(counts()) == len(onStart) }, 60*time.Second, 200*time.Millisecond,
		"every run-on-start periodic job completes")

	// Give the follower every chance to schedule its own copies: it does not.
	time.Sleep(3 * time.Second)
	got := counts()
	for _, kind := range onStart {
		require.Equal(t, 1, got[kind], "%s ran once for two worker processes", kind)
	}
	var leaders int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM river_leader`).Scan(&leaders))
	require.Equal(t, 1, leaders)
	var left int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM idempotency_keys WHERE key = 'old'`).Scan(&left))
	require.Zero(t, left, "the purge ran")
}
