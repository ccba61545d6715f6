package main

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/jobs"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/search/shard"
	"github.com/passerelle-dev/passerelle/store"
)

// DefaultShardBound is the number of offers above which a geo cell splits.
const DefaultShardBound = 5000

func runReindex(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "reindex", "reindex [--shard-bound N] [--national=false]")
	bound := fs.Int("shard-bound", DefaultShardBound, "split a geographic cell holding more than `N` offers into finer cells")
	national := fs.Bool("national", true, "keep a national index without _geo for searches without a point (else they query every shard)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pool, err := openPool(ctx, env.Config.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool, nil)
	sc, err := shardedSearch(ctx, env.Config, st)
	if err != nil {
		return err
	}
	// Insert-only: repairs are enqueued for the workers of `passerelle serve`.
	rc, err := jobs.NewClient(pool, st, jobs.Config{Logger: env.Logger, Search: sc})
	if err != nil {
		return err
	}
	st.SetRiver(rc)

	start := time.Now()
	r, err := Reindex(ctx, st, sc, *bound, *national)
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	took := time.Since(start)
	// Writes made while the new shards were built went to the old ones: the
	// reconciler finds them and queues them for the index job.
	rec, err := jobs.Reconcile(ctx, st, sc, rc)
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	geo := 0
	for _, c := range r.Cells {
		if c.Kind == shard.KindGeo {
			geo++
		}
	}
	fmt.Fprintf(env.Stdout, "reindex: %d offers indexed into %d shards (%d geographic, largest %s with %d) in %s\n",
		r.Documents, len(r.Cells), geo, r.Largest, r.PerCell[r.Largest], took.Round(time.Millisecond))
	if rec.Repairs() > 0 {
		fmt.Fprintf(env.Stdout, "reindex: %d offers changed meanwhile; they are queued for the index job\n", rec.Repairs())
	}
	return nil
}

// Reindexed is what Reindex did.
type Reindexed struct {
	search.Rebuilt
	Cells   []shard.Cell
	Largest string // the cell with the most documents
}

// Reindex rebuilds every shard from PostgreSQL and swaps them together: the
// layout is recomputed from the offers' places (a cell over bound splits;
// each département keeps its server), every shard is built afresh and
// swapped in, the map and the placements are replaced in one transaction,
// and the indexes of cells no longer in the map are deleted.
func Reindex(ctx context.Context, st *store.Store, sc *search.Client, bound int, national bool) (Reindexed, error) {
	old, err := st.ShardMap(ctx)
	if err != nil {
		return Reindexed{}, err
	}
	points, err := st.OfferPointsByDepartment(ctx)
	if err != nil {
		return Reindexed{}, err
	}
	base := old
	if _, hasNational := findCell(old, shard.NationalID); hasNational != national {
		base = nil
		for _, c := range old {
			if c.ID != shard.NationalID {
				base = append(base, c)
			}
		}
		if national {
			base = append(base, shard.Cell{ID: shard.NationalID, Kind: shard.KindNational, Index: shard.IndexName(shard.NationalID)})
		}
	}
	// Départements that appeared in the reference since the map was written.
	for d, r := range shard.DepartmentRects() {
		if !hasDepartment(base, d) {
			base = append(base, shard.Cell{ID: d, Kind: shard.KindGeo, Department: d, Rect: r, Index: shard.IndexName(d)})
		}
	}
	cells := shard.Layout(base, points, bound)
	r, err := sc.Rebuild(ctx, cells, offerDocs(st.SearchableOffers(ctx)))
	if err != nil {
		return Reindexed{}, err
	}
	placements := make([]store.ShardPlacement, 0, len(r.Placements))
	for id, cell := range r.Placements {
		placements = append(placements, store.ShardPlacement{OfferID: uuid.MustParse(id), ShardID: cell})
	}
	if err := st.ReplaceShardMap(ctx, cells, placements); err != nil {
		return Reindexed{}, err
	}
	var gone []shard.Cell
	for _, c := range old {
		if n, ok := findCell(cells, c.ID); !ok || n.Index != c.Index || n.Server != c.Server {
			gone = append(gone, c)
		}
	}
	sc.SetShardSource(st) // read the new map now
	if err := sc.DropIndexes(ctx, gone); err != nil {
		return Reindexed{}, err
	}
	out := Reindexed{Rebuilt: r, Cells: cells}
	for id, n := range r.PerCell {
		if id != shard.NationalID && (out.Largest == "" || n > r.PerCell[out.Largest] || (n == r.PerCell[out.Largest] && id < out.Largest)) {
			out.Largest = id
		}
	}
	return out, nil
}

func findCell(cells []shard.Cell, id string) (shard.Cell, bool) {
	for _, c := range cells {
		if c.ID == id {
			return c, true
		}
	}
	return shard.Cell{}, false
}

func hasDepartment(cells []shard.Cell, d string) bool {
	for _, c := range cells {
		if c.Kind == shard.KindGeo && c.Department == d {
			return true
		}
	}
	return false
}

// offerDocs maps offers to their search documents.
func offerDocs(offers iter.Seq2[store.Offer, error]) iter.Seq2[search.OfferDoc, error] {
	return func(yield func(search.OfferDoc, error) bool) {
		for o, err := range offers {
			if err != nil {
				yield(search.OfferDoc{}, err)
				return
			}
			if !yield(jobs.OfferDoc(o), nil) {
				return
			}
		}
	}
}
