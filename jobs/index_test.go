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
	"github.com/passerelle-dev/passerelle/reference"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/search/shard"
	"github.com/passerelle-dev/passerelle/store"
)

type indexBundle struct {
	store  *store.Store
	search *search.Client
	worker *IndexOffersWorker
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
	sc.SetShardSource(st)
	require.NoError(t, st.EnsureShardMap(context.Background(), shard.Initial(true)))
	return &indexBundle{store: st, search: sc, worker: &IndexOffersWorker{Store: st, Search: sc}, river: rc}
}

func (b *indexBundle) offer(t *testing.T, company uuid.UUID, title string) store.Offer {
	t.Helper()
	o, err := b.store.CreateOffer(context.Background(), passerelle.System, store.OfferInput{CompanyID: company, Kind: store.KindInternship,
		Title: title, ROMECodes: []string{"M1805", "K9999"}, RequiredSkills: []string{"HTML"}, OptionalSkills: []string{"Git"},
		PostalCode: "95500", Remote: "none", Positions: 3, QualificationLevel: "none"})
	require.NoError(t, err)
	return o
}

// pending returns the offers with a change not yet indexed.
func (b *indexBundle) pending(t *testing.T) map[string]bool {
	t.Helper()
	rows, err := b.store.Pool().Query(context.Background(), `SELECT offer_id::text FROM search_pending`)
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

// drain runs the index job's batches until nothing is pending.
func (b *indexBundle) drain(t *testing.T) {
	t.Helper()
	for {
		n, err := b.worker.IndexBatch(context.Background())
		require.NoError(t, err)
		if n == 0 {
			return
		}
	}
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

func TestIndexOffersAndReconcile(t *testing.T) {
	t.Parallel()
	b := setupIndex(t)
	ctx := context.Background()
	c, err := b.store.CreateCompany(ctx, passerelle.System, store.CompanyInput{SIRET: "44306184100047", Name: "Atelier",
		Address: store.Address{Street: "1 rue", PostalCode: "95500", Town: "Gonesse"}})
	require.NoError(t, err)
	a, stale, missing, gone, moved := b.offer(t, c.ID, "A"), b.offer(t, c.ID, "Stale"), b.offer(t, c.ID, "Missing"),
		b.offer(t, c.ID, "Gone"), b.offer(t, c.ID, "Moved")
	_, err = b.store.Pool().Exec(ctx, `DELETE FROM search_pending WHERE offer_id = $1`, missing.ID)
	require.NoError(t, err)
	b.drain(t)
	require.Empty(t, b.pending(t))
	// Drift: an old version, a document never written, one whose offer was
	// closed without its change indexed, one in a shard not its own, and
	// two strays.
	staleDoc := OfferDoc(stale)
	staleDoc.Version = 0
	require.NoError(t, b.search.UpsertOffer(ctx, staleDoc))
	_, err = b.store.TransitionOffer(ctx, passerelle.System, gone.ID, nil, store.ActionClose)
	require.NoError(t, err)
	m, err := b.search.Map(ctx)
	require.NoError(t, err)
	niort, _ := m.Cell("79")
	require.NoError(t, b.search.Apply(ctx, []search.Write{{Cell: niort, Upserts: []search.OfferDoc{OfferDoc(moved)}}}))
	stray := search.OfferDoc{ID: uuid.NewString(), Title: "stray", INSEECode: "95277"}
	require.NoError(t, b.search.UpsertOffer(ctx, stray))
	require.NoError(t, b.search.UpsertOffer(ctx, search.OfferDoc{ID: "not-an-offer-id", Title: "garbage"}))
	_, err = b.store.Pool().Exec(ctx, `DELETE FROM search_pending; DELETE FROM river_job`)
	require.NoError(t, err)

	r, err := Reconcile(ctx, b.store, b.search, b.river)
	require.NoError(t, err)
	// Missing: its shard and the national index. Extra: gone (shard and
	// national), the stray (shard, national), the garbage (elsewhere,
	// national) and the misplaced copy in Niort's shard; the shards that
	// exist: 95, 79, elsewhere and national (the remote one was never written).
	require.Equal(t, Reconciliation{Offers: 4, Documents: 7, Shards: 4, Missing: 1, Stale: 2, Extra: 7}, r)
	require.Equal(t, map[string]bool{stale.ID.String(): true, missing.ID.String(): true, gone.ID.String(): true, stray.ID: true,
		moved.ID.String(): true}, b.pending(t), "repairs go through the index job; the garbage id is deleted at once")

	// Working the jobs repairs every shard.
	b.drain(t)
	byShard, err := b.search.ShardVersions(ctx)
	require.NoError(t, err)
	want := map[string]int{a.ID.String(): a.Version, stale.ID.String(): stale.Version, missing.ID.String(): missing.Version,
		moved.ID.String(): moved.Version}
	require.Equal(t, want, byShard["95"])
	require.Equal(t, want, byShard[shard.NationalID])
	require.Empty(t, byShard["79"])
	r, err = Reconcile(ctx, b.store, b.search, b.river)
	require.NoError(t, err)
	require.Zero(t, r.Repairs())
	require.Empty(t, b.pending(t))
}

// TestOfferMovedLeavesItsShard: an offer moved from Gonesse to Niort is
// found near Niort and no longer near Gonesse, and its document left the
// Gonesse shard. A burst of changes to it is written in one batch, the last
// version winning.
func TestOfferMovedLeavesItsShard(t *testing.T) {
	t.Parallel()
	b := setupIndex(t)
	ctx := context.Background()
	c, err := b.store.CreateCompany(ctx, passerelle.System, store.CompanyInput{SIRET: "44306184100047", Name: "Atelier",
		Address: store.Address{Street: "1 rue", PostalCode: "95500", Town: "Gonesse"}})
	require.NoError(t, err)
	o := b.offer(t, c.ID, "Développeur web")
	o, err = b.store.TransitionOffer(ctx, passerelle.System, o.ID, nil, store.ActionPublish)
	require.NoError(t, err)
	b.drain(t)
	near := func(pc string) []string {
		lat, lon, _ := reference.Geocode(pc)
		res, err := b.search.Search(ctx, passerelle.Principal{Role: passerelle.RoleAdviser}, search.OfferQuery{
			Near: &search.Point{Lat: lat, Lon: lon}, RadiusMetres: 20_000, PerPage: 10})
		require.NoError(t, err)
		var ids []string
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		return ids
	}
	require.Equal(t, []string{o.ID.String()}, near("95500"))
	require.Empty(t, near("79000"))

	in := store.OfferInput{CompanyID: c.ID, Kind: store.KindInternship, Title: "Développeur web à Niort",
		ROMECodes: []string{"M1805"}, RequiredSkills: []string{"HTML"}, PostalCode: "79000", Remote: "none", Positions: 3,
		QualificationLevel: "none"}
	for range 3 {
		o, err = b.store.UpdateOffer(ctx, passerelle.System, o.ID, nil, in)
		require.NoError(t, err)
	}
	n, err := b.worker.IndexBatch(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n, "three changes, one pending row")
	require.Empty(t, near("95500"), "no longer near Gonesse")
	require.Equal(t, []string{o.ID.String()}, near("79000"), "found near Niort")
	byShard, err := b.search.ShardVersions(ctx)
	require.NoError(t, err)
	require.Empty(t, byShard["95"], "the document left the Gonesse shard")
	require.Equal(t, map[string]int{o.ID.String(): o.Version}, byShard["79"], "at its last version")
	rows, err := b.store.Placements(ctx, []uuid.UUID{o.ID})
	require.NoError(t, err)
	require.Equal(t, []string{"79"}, rows[o.ID])
}

// TestIndexJobCompletesOnlyWhenNothingIsPending: the job completes itself
// under the lock writers queue with, so a change is never left without a job.
func TestIndexJobCompletesOnlyWhenNothingIsPending(t *testing.T) {
	t.Parallel()
	b := setupIndex(t)
	ctx := context.Background()
	c, err := b.store.CreateCompany(ctx, passerelle.System, store.CompanyInput{SIRET: "44306184100047", Name: "Atelier",
		Address: store.Address{Street: "1 rue", PostalCode: "95500", Town: "Gonesse"}})
	require.NoError(t, err)
	b.offer(t, c.ID, "Développeur web")
	completed := false
	remaining, err := b.store.CompleteIndexing(ctx, func(pgx.Tx) error { completed = true; return nil })
	require.NoError(t, err)
	require.True(t, remaining)
	require.False(t, completed, "a change is pending: the job runs on")
	b.drain(t)
	remaining, err = b.store.CompleteIndexing(ctx, func(pgx.Tx) error { completed = true; return nil })
	require.NoError(t, err)
	require.False(t, remaining)
	require.True(t, completed)

	// A writer inside its transaction holds the queue: completion waits for
	// it, then sees its change.
	writer, err := b.store.Pool().Begin(ctx)
	require.NoError(t, err)
	defer writer.Rollback(ctx) //nolint:errcheck // committed below
	_, err = writer.Exec(ctx, `INSERT INTO search_pending (offer_id) VALUES ($1)`, uuid.New())
	require.NoError(t, err)
	done := make(chan bool, 1)
	go func() {
		remaining, err := b.store.CompleteIndexing(ctx, func(pgx.Tx) error { return nil })
		done <- err == nil && remaining
	}()
	select {
	case <-done:
		t.Fatal("completed while a writer held the queue")
	case <-time.After(200 * time.Millisecond):
	}
	require.NoError(t, writer.Commit(ctx))
	require.True(t, <-done, "the job sees the writer's change and runs on")
}
