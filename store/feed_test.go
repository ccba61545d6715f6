package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// A writer that waited on a lock commits a row whose updated_at (its
// transaction's start) is older than rows committed meanwhile. A client
// paging the feed while it waits must still see that row afterwards: the
// feed is served only up to the watermark of the transactions still running.
func TestFeedNeverSkipsALateCommit(t *testing.T) {
	b := setup(t)
	late, err := b.store.CreateOffer(b.ctx, passerelle.System, offerInput(b.company))
	require.NoError(t, err)
	early, err := b.store.CreateOffer(b.ctx, passerelle.System, offerInput(b.company))
	require.NoError(t, err)

	// A holds a lock on the late offer; W begins, then waits on that lock to
	// rename it.
	holder, err := b.pool.Begin(b.ctx)
	require.NoError(t, err)
	defer holder.Rollback(b.ctx) //nolint:errcheck // committed below; this only cleans up a failed test
	_, err = holder.Exec(b.ctx, `SELECT 1 FROM offers WHERE id = $1 FOR UPDATE`, late.ID)
	require.NoError(t, err)
	writer, err := b.pool.Begin(b.ctx)
	require.NoError(t, err)
	defer writer.Rollback(b.ctx) //nolint:errcheck // committed below
	var writerStart time.Time
	require.NoError(t, writer.QueryRow(b.ctx, `SELECT now()`).Scan(&writerStart))
	var wg sync.WaitGroup
	var writeErr error
	wg.Go(func() {
		_, writeErr = writer.Exec(b.ctx, `UPDATE offers SET title = 'Arrivée tardive', updated_at = now(), version = version + 1
			WHERE id = $1`, late.ID)
		if writeErr == nil {
			writeErr = writer.Commit(b.ctx)
		}
	})
	require.Eventually(t, func() bool {
		return b.count(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`) == 1
	}, 10*time.Second, 5*time.Millisecond, "the writer waits on the lock")

	// Meanwhile another offer changes and commits: its updated_at is after
	// the writer's.
	b.exec(`UPDATE offers SET updated_at = now(), version = version + 1 WHERE id = $1`, early.ID)
	require.Positive(t, b.count(`SELECT (extract(epoch FROM updated_at - $2::timestamptz) * 1e6)::int FROM offers WHERE id = $1`,
		early.ID, writerStart))

	// The client reads the feed to its end now...
	seen := map[uuid.UUID]string{}
	var last time.Time
	read := func(since time.Time) {
		page := store.Page{Limit: 2, UpdatedSince: &since}
		for {
			items, next, err := b.store.ListOffers(b.ctx, passerelle.System, store.OfferFilter{}, page)
			require.NoError(t, err)
			for _, o := range items {
				seen[o.ID] = o.Title
				last = o.UpdatedAt
			}
			if next == nil {
				return
			}
			page.After = next
		}
	}
	read(time.Time{})
	require.NotContains(t, seen, early.ID, "a row above the watermark is held back while older transactions run")

	// ... and resumes after the writer has committed, from the last row it saw.
	require.NoError(t, holder.Commit(b.ctx))
	wg.Wait()
	require.NoError(t, writeErr)
	read(last)
	require.Equal(t, "Arrivée tardive", seen[late.ID], "the late commit is in the feed")
	require.Contains(t, seen, early.ID)
}
