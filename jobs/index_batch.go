package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/passerelle-dev/passerelle/jobs/jobargs"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/search/shard"
	"github.com/passerelle-dev/passerelle/store"
)

// DefaultIndexWindow is how long the index job gathers offer changes before
// a batch: long enough for a burst of writes to share one request per
// shard, short against the one-second bar from write to searchable.
const DefaultIndexWindow = 25 * time.Millisecond

// IndexBatchSize bounds the offers of one batch.
const IndexBatchSize = 2000

// IndexHandOverAfter is how long one job keeps indexing while changes keep
// coming before it hands over to a fresh job (so that it stays within its
// timeout).
const IndexHandOverAfter = 30 * time.Second

// IndexOffersWorker writes pending offer changes to the search shards.
type IndexOffersWorker struct {
	river.WorkerDefaults[jobargs.IndexOffers]
	Store  *store.Store
	Search *search.Client
	// Window is how long changes are gathered before each batch.
	Window time.Duration
}

// Work indexes batches until nothing is pending, then completes itself under
// the lock writers queue changes with (store.CompleteIndexing), so that no
// change is left without a job.
func (w *IndexOffersWorker) Work(ctx context.Context, job *river.Job[jobargs.IndexOffers]) error {
	complete := func(tx pgx.Tx) error {
		_, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	}
	window := w.Window
	if window <= 0 {
		window = DefaultIndexWindow
	}
	start := time.Now()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(window):
		}
		n, err := w.IndexBatch(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			if time.Since(start) > IndexHandOverAfter {
				return w.Store.HandOverIndexing(ctx, complete)
			}
			continue
		}
		remaining, err := w.Store.CompleteIndexing(ctx, complete)
		if err != nil || !remaining {
			return err
		}
	}
}

// IndexBatch writes one batch of pending changes (IndexBatchSize at most)
// and reports how many it took. For each offer it reads the current state:
// a searchable offer's document goes to the shard the map gives it and to
// the national index; its copies elsewhere (the offer moved, or left search)
// are deleted. One request per shard and kind of write.
func (w *IndexOffersWorker) IndexBatch(ctx context.Context) (int, error) {
	pending, err := w.Store.PendingIndexChanges(ctx, IndexBatchSize)
	if err != nil || len(pending) == 0 {
		return 0, err
	}
	ids := make([]uuid.UUID, len(pending))
	for i, p := range pending {
		ids[i] = p.OfferID
	}
	offers, err := w.Store.OffersForIndex(ctx, ids)
	if err != nil {
		return 0, fmt.Errorf("jobs: index offers: %w", err)
	}
	placements, err := w.Store.Placements(ctx, ids)
	if err != nil {
		return 0, fmt.Errorf("jobs: index offers: %w", err)
	}
	m, err := w.Search.Map(ctx)
	if err != nil {
		return 0, fmt.Errorf("jobs: index offers: %w", err)
	}
	plan := planBatch(m, ids, offers, placements)
	if err := w.Store.AddPlacements(ctx, plan.placed); err != nil {
		return 0, fmt.Errorf("jobs: index offers: %w", err)
	}
	if err := w.Search.Apply(ctx, plan.writes); err != nil {
		return 0, fmt.Errorf("jobs: index offers: %w", err)
	}
	final := make(map[uuid.UUID]string, len(plan.placed))
	for _, p := range plan.placed {
		final[p.OfferID] = p.ShardID
	}
	if err := w.Store.FinishIndexBatch(ctx, pending, final); err != nil {
		return 0, fmt.Errorf("jobs: index offers: %w", err)
	}
	return len(pending), nil
}

// batchPlan is what one batch writes.
type batchPlan struct {
	writes []search.Write
	placed []store.ShardPlacement // where each searchable offer's document goes
}

// planBatch groups a batch's documents and deletions by shard.
func planBatch(m shard.Map, ids []uuid.UUID, offers map[uuid.UUID]store.Offer, placements map[uuid.UUID][]string) batchPlan {
	byCell := map[string]*search.Write{}
	write := func(c shard.Cell) *search.Write {
		if byCell[c.ID] == nil {
			byCell[c.ID] = &search.Write{Cell: c}
		}
		return byCell[c.ID]
	}
	national, hasNational := m.National()
	var plan batchPlan
	for _, id := range ids {
		o, found := offers[id]
		home := ""
		if found && o.Searchable() {
			doc := OfferDoc(o)
			cell := m.Place(doc.Point(), doc.INSEECode, doc.FullyRemote())
			home = cell.ID
			write(cell).Upserts = append(write(cell).Upserts, doc)
			plan.placed = append(plan.placed, store.ShardPlacement{OfferID: id, ShardID: cell.ID})
			if hasNational {
				write(national).Upserts = append(write(national).Upserts, doc)
			}
		} else if hasNational {
			write(national).Deletes = append(write(national).Deletes, id.String())
		}
		for _, was := range placements[id] {
			if was == home {
				continue
			}
			// A shard no longer in the map went with its index (a reindex).
			if c, ok := m.Cell(was); ok {
				write(c).Deletes = append(write(c).Deletes, id.String())
			}
		}
	}
	for _, c := range m.Cells {
		if w := byCell[c.ID]; w != nil {
			plan.writes = append(plan.writes, *w)
		}
	}
	return plan
}
