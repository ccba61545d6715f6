package jobs

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/internal/datakey"
	"github.com/passerelle-dev/passerelle/internal/testdb"
	"github.com/passerelle-dev/passerelle/internal/testsearch"
	"github.com/passerelle-dev/passerelle/jobs/jobargs"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/store"
)

type indexBundle struct {
	store  *store.Store
	search *search.Client
	worker *IndexOfferWorker
	river  *river.Client[pgx.Tx]
}

func setupIndex(t *testing.T) *indexBundle {
	t.Helper()
	pool := testdb.NewPool(t)
	st := store.New(pool, nil)
	st.SetDataKeys(datakey.Ephemeral("test"))
	srv := testsearch.Shared(t)
	sc := search.New(srv.URL, srv.MasterKey, srv.Prefix)
	t.Cleanup(func() { _ = sc.DeleteIndexes(context.Background()) })
	rc, err := NewClient(pool, st, Config{Logger: slog.New(slog.DiscardHandler), Search: sc})
	require.NoError(t, err)
	st.SetRiver(rc)
	return &indexBundle{store: st, search: sc, worker: &IndexOfferWorker{Store: st, Search: sc}, river: rc}
}

func (b *indexBundle) offer(t *testing.T, company uuid.UUID, title string) store.Offer {
	t.Helper()
	o, err := b.store.CreateOffer(context.Background(), passerelle.System, store.OfferInput{CompanyID: company, Kind: store.KindInternship,
		Title: title, ROMECodes: []string{"M1805", "K9999"}, RequiredSkills: []string{"HTML"}, OptionalSkills: []string{"Git"},
		PostalCode: "95500", Remote: "none", Positions: 3, QualificationLevel: "none"})
	require.NoError(t, err)
	return o
}

// pendingIndexJobs returns the offers with an IndexOffer job not yet worked.
func (b *indexBundle) pendingIndexJobs(t *testing.T) map[string]bool {
	t.Helper()
	rows, err := b.store.Pool().Query(context.Background(),
		`SELECT args->>'offer_id' FROM river_job WHERE kind = 'index_offer' AND state = 'available'`)
	require.NoError(t, err)
	out := map[string]bool{}
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		out[id] = true
	}
	require.NoError(t, rows.Err())
	return out
}

func TestOfferDoc(t *testing.T) {
	t.Parallel()
	b := setupIndex(t)
	c, err := b.store.CreateCompany(context.Background(), passerelle.System, store.CompanyInput{SIRET: "44306184100047", Name: "Atelier",
		Address: store.Address{Street: "1 rue", PostalCode: "95500", Town: "Gonesse"}})
	require.NoError(t, err)
	o := b.offer(t, c.ID, "Développeur web")
	d := OfferDoc(o)
	require.Equal(t, o.ID.String(), d.ID)
	require.Equal(t, "Atelier", d.CompanyName)
	require.Equal(t, []string{"HTML", "Git"}, d.Skills, "required then optional")
	require.Equal(t, []string{"HTML"}, d.RequiredSkills)
	require.Equal(t, []string{"M1805", "K9999"}, d.ROMECodes)
	require.Equal(t, "Études et développement informatique", d.ROMELabels[0])
	require.Len(t, d.ROMELabels, 2, "an unknown code takes its family or domain label")
	require.Equal(t, 3, d.PositionsLeft)
	require.InDelta(t, 48.98, d.Geo.Lat, 0.05)
	require.Nil(t, d.StartDate)
}

func TestIndexOfferAndReconcile(t *testing.T) {
	t.Parallel()
	b := setupIndex(t)
	ctx := context.Background()
	c, err := b.store.CreateCompany(ctx, passerelle.System, store.CompanyInput{SIRET: "44306184100047", Name: "Atelier",
		Address: store.Address{Street: "1 rue", PostalCode: "95500", Town: "Gonesse"}})
	require.NoError(t, err)
	a, stale, missing, gone := b.offer(t, c.ID, "A"), b.offer(t, c.ID, "Stale"), b.offer(t, c.ID, "Missing"), b.offer(t, c.ID, "Gone")
	for _, o := range []store.Offer{a, stale, gone} {
		moved, err := b.worker.Index(ctx, o.ID)
		require.NoError(t, err)
		require.False(t, moved)
	}
	// Drift: an old version, a document never written, one whose offer was
	// closed without its job running, and two strays.
	staleDoc := OfferDoc(stale)
	staleDoc.Version = 0
	require.NoError(t, b.search.UpsertOffer(ctx, staleDoc))
	_, err = b.store.TransitionOffer(ctx, passerelle.System, gone.ID, nil, store.ActionClose)
	require.NoError(t, err)
	stray := search.OfferDoc{ID: uuid.NewString(), Title: "stray"}
	require.NoError(t, b.search.UpsertOffer(ctx, stray))
	require.NoError(t, b.search.UpsertOffer(ctx, search.OfferDoc{ID: "not-an-offer-id", Title: "garbage"}))

	// As if every job had run or been discarded, but the missing offer's,
	// waiting for a distant retry (a long outage).
	_, err = b.store.Pool().Exec(ctx, `DELETE FROM river_job`)
	require.NoError(t, err)
	res, err := b.river.Insert(ctx, jobargs.IndexOffer{OfferID: missing.ID}, nil)
	require.NoError(t, err)
	_, err = b.store.Pool().Exec(ctx, `UPDATE river_job SET state = 'retryable', attempt = 9, scheduled_at = now() + interval '3 hours' WHERE id = $1`, res.Job.ID)
	require.NoError(t, err)

	r, err := Reconcile(ctx, b.store, b.search, b.river)
	require.NoError(t, err)
	require.Equal(t, Reconciliation{Offers: 3, Documents: 5, Missing: 1, Stale: 1, Extra: 3}, r)
	require.Equal(t, map[string]bool{stale.ID.String(): true, missing.ID.String(): true, gone.ID.String(): true, stray.ID: true},
		b.pendingIndexJobs(t), "repairs go through the index job; the garbage id is deleted at once")

	// Working the jobs repairs the index.
	for id := range b.pendingIndexJobs(t) {
		_, err := b.worker.Index(ctx, uuid.MustParse(id))
		require.NoError(t, err)
	}
	v, err := b.search.OfferVersions(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]int{a.ID.String(): a.Version, stale.ID.String(): stale.Version, missing.ID.String(): missing.Version}, v)
	_, err = b.store.Pool().Exec(ctx, `DELETE FROM river_job`)
	require.NoError(t, err)
	r, err = Reconcile(ctx, b.store, b.search, b.river)
	require.NoError(t, err)
	require.Zero(t, r.Repairs())
	require.Empty(t, b.pendingIndexJobs(t))
}

// TestFinishIndexingWaitsForWriters: a writer holding the offer's row lock
// (as every store write does before enqueuing) makes the index job wait, then
// see the new version and run again, rather than complete on a stale state.
func TestFinishIndexingWaitsForWriters(t *testing.T) {
	t.Parallel()
	b := setupIndex(t)
	ctx := context.Background()
	c, err := b.store.CreateCompany(ctx, passerelle.System, store.CompanyInput{SIRET: "44306184100047", Name: "Atelier",
		Address: store.Address{Street: "1 rue", PostalCode: "95500", Town: "Gonesse"}})
	require.NoError(t, err)
	o := b.offer(t, c.ID, "Développeur web")

	completed := false
	moved, err := b.store.FinishIndexing(ctx, o.ID, o.Version, true, func(pgx.Tx) error { completed = true; return nil })
	require.NoError(t, err)
	require.False(t, moved)
	require.True(t, completed)
	moved, err = b.store.FinishIndexing(ctx, o.ID, o.Version-1, true, nil)
	require.NoError(t, err)
	require.True(t, moved, "an older version")
	moved, err = b.store.FinishIndexing(ctx, uuid.New(), 0, false, nil)
	require.NoError(t, err)
	require.False(t, moved, "still absent")

	writer, err := b.store.Pool().Begin(ctx)
	require.NoError(t, err)
	defer writer.Rollback(ctx) //nolint:errcheck // committed below
	_, err = writer.Exec(ctx, `SELECT 1 FROM offers WHERE id = $1 FOR UPDATE`, o.ID)
	require.NoError(t, err)
	done := make(chan bool, 1)
	go func() {
		moved, err := b.store.FinishIndexing(ctx, o.ID, o.Version, true, func(pgx.Tx) error { return nil })
		if err != nil {
			moved = false
		}
		done <- moved
	}()
	select {
	case <-done:
		t.Fatal("finished while a writer held the row")
	case <-time.After(200 * time.Millisecond):
	}
	_, err = writer.Exec(ctx, `UPDATE offers SET version = version + 1 WHERE id = $1`, o.ID)
	require.NoError(t, err)
	require.NoError(t, writer.Commit(ctx))
	require.True(t, <-done, "the job sees the writer's version and runs again")
}
