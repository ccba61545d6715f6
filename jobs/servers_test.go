package jobs

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/internal/testdb"
	"github.com/passerelle-dev/passerelle/internal/testsearch"
	"github.com/passerelle-dev/passerelle/reference"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/search/shard"
	"github.com/passerelle-dev/passerelle/store"
)

// TestShardsOnTwoServers: the shard map names a second Meilisearch server for
// the Deux-Sèvres (Niort); offers are written to the server of their shard,
// a search meeting both shards merges both servers' answers, and the
// reconciler reads both.
func TestShardsOnTwoServers(t *testing.T) {
	t.Parallel()
	a := testsearch.Start(t)
	b := testsearch.StartWithKey(t, a.MasterKey)
	ctx := context.Background()
	pool := testdb.NewPool(t)
	st := store.New(pool, nil)
	sc := search.New(a.URL, a.MasterKey, a.Prefix)
	sc.SetShardSource(st)
	rc, err := NewClient(pool, st, Config{Logger: slog.New(slog.DiscardHandler), Search: sc})
	require.NoError(t, err)
	st.SetRiver(rc)
	require.NoError(t, st.EnsureShardMap(ctx, shard.Initial(true)))
	require.NoError(t, st.SetShardServer(ctx, "79", b.URL))
	worker := &IndexOffersWorker{Store: st, Search: sc}

	c, err := st.CreateCompany(ctx, passerelle.System, store.CompanyInput{SIRET: "44306184100047", Name: "Atelier",
		Address: store.Address{Street: "1 rue", PostalCode: "95500", Town: "Gonesse"}})
	require.NoError(t, err)
	var ids []string
	for _, pc := range []string{"95500", "79000"} {
		o, err := st.CreateOffer(ctx, passerelle.System, store.OfferInput{CompanyID: c.ID, Kind: store.KindInternship,
			Title: "Développeur web", ROMECodes: []string{"M1805"}, RequiredSkills: []string{"HTML"}, PostalCode: pc,
			Remote: "none", Positions: 1, QualificationLevel: "none"})
		require.NoError(t, err)
		_, err = st.TransitionOffer(ctx, passerelle.System, o.ID, nil, store.ActionPublish)
		require.NoError(t, err)
		ids = append(ids, o.ID.String())
	}
	n, err := worker.IndexBatch(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)

	onServer := func(p *testsearch.Process, index string) map[string]int {
		other := search.New(p.URL, p.MasterKey, a.Prefix)
		other.SetStaticMap([]shard.Cell{{ID: shard.RemoteID, Kind: shard.KindRemote, Index: "r"},
			{ID: shard.ElsewhereID, Kind: shard.KindGeo, Rect: shard.World, Index: index}})
		v, err := other.CellVersions(ctx, shard.Cell{Index: index})
		require.NoError(t, err)
		out := map[string]int{}
		for id := range v {
			out[id] = 1
		}
		return out
	}
	require.Equal(t, map[string]int{ids[0]: 1}, onServer(a, "offers_95"), "Gonesse on the default server")
	require.Equal(t, map[string]int{ids[1]: 1}, onServer(b, "offers_79"), "Niort on the second server")

	lat, lon, _ := reference.Geocode("37000") // Tours, between the two
	res, err := sc.Search(ctx, passerelle.Principal{Role: passerelle.RoleAdviser}, search.OfferQuery{
		Near: &search.Point{Lat: lat, Lon: lon}, RadiusMetres: 400_000, Sort: search.SortDistance, PerPage: 10})
	require.NoError(t, err)
	require.EqualValues(t, 2, res.Total)
	require.Equal(t, []string{ids[1], ids[0]}, []string{res.Hits[0].ID, res.Hits[1].ID}, "Niort (~170 km) before Gonesse (~220 km)")
	require.Equal(t, map[string]int64{"internship": 2}, res.Facets["kind"])

	r, err := Reconcile(ctx, st, sc, rc)
	require.NoError(t, err)
	require.Zero(t, r.Repairs())
	require.Equal(t, 2, r.Documents)

	// /readyz and /metrics see the second server's shard.
	statuses, err := ShardStatuses(ctx, st, sc)
	require.NoError(t, err)
	found := false
	for _, s := range statuses {
		if s.Shard == "79" {
			found = true
			require.Equal(t, b.URL, s.Server)
			require.Equal(t, "ok", s.Status)
			require.EqualValues(t, 1, s.Documents)
		}
	}
	require.True(t, found)
	b.Stop()
	statuses, err = ShardStatuses(ctx, st, sc)
	require.NoError(t, err)
	for _, s := range statuses {
		if s.Shard == "79" {
			require.Equal(t, "down", s.Status, "its server is stopped")
		}
	}
}
