package search

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/passerelle-dev/passerelle/search/shard"
)

// Rebuilt is what Rebuild did.
type Rebuilt struct {
	Documents int
	// Placements maps each document id to the cell it was written to (the
	// national index aside).
	Placements map[string]string
	// PerCell counts the documents of each cell.
	PerCell map[string]int
}

// rebuildBatch is how many documents go in one request.
const rebuildBatch = 1000

// Rebuild builds a fresh index for every cell of cells from docs (settings
// first, documents placed by the new map), then swaps each fresh index with
// its cell's live index in one atomic swap per server (renaming it where the
// cell is new), and deletes the replaced indexes. Searches never see a
// half-built shard. The caller then installs cells as the shard map
// (store.ReplaceShardMap) and drops the indexes of cells no longer in it
// (DropIndexes). Writes made to the live indexes meanwhile are lost with
// them: run the reconciler afterwards (the reindex command does).
func (c *Client) Rebuild(ctx context.Context, cells []shard.Cell, docs iter.Seq2[OfferDoc, error]) (Rebuilt, error) {
	m, err := shard.NewMap(cells)
	if err != nil {
		return Rebuilt{}, fmt.Errorf("search: rebuild: %w", err)
	}
	suffix := "__" + strconv.FormatInt(time.Now().UnixMilli(), 10)
	fresh := func(cell shard.Cell) string { return c.IndexName(cell.Index) + suffix }
	var created []shard.Cell
	isCreated := map[string]bool{}
	create := func(cell shard.Cell) error {
		if isCreated[cell.ID] {
			return nil
		}
		if err := c.ensureIndex(ctx, cell.Server, fresh(cell), cell.Kind); err != nil {
			return err
		}
		created, isCreated[cell.ID] = append(created, cell), true
		return nil
	}
	cleanup := func() {
		// Best effort: a failed rebuild leaves no stray index behind.
		for _, cell := range created {
			if s, err := c.server(cell.Server); err == nil {
				if info, err := s.DeleteIndexWithContext(context.WithoutCancel(ctx), fresh(cell)); err == nil {
					_ = c.wait(context.WithoutCancel(ctx), s, info)
				}
			}
		}
	}
	// Cells get an index with their first document; the remote and national
	// ones always have one.
	for _, cell := range m.Cells {
		if cell.Kind != shard.KindGeo {
			if err := create(cell); err != nil {
				cleanup()
				return Rebuilt{}, err
			}
		}
	}

	type pending struct {
		s    meilisearch.ServiceManager
		info *meilisearch.TaskInfo
	}
	var tasks []pending
	buffers := map[string][]OfferDoc{}
	out := Rebuilt{Placements: map[string]string{}, PerCell: map[string]int{}}
	national, hasNational := m.National()
	flush := func(cell shard.Cell) error {
		batch := buffers[cell.ID]
		if len(batch) == 0 {
			return nil
		}
		if err := create(cell); err != nil {
			return err
		}
		s, err := c.server(cell.Server)
		if err != nil {
			return err
		}
		var body any = batch
		if cell.Kind == shard.KindNational {
			nd := make([]nationalDoc, len(batch))
			for i, d := range batch {
				nd[i] = nationalDoc{OfferDoc: d}
			}
			body = nd
		}
		pk := "id"
		info, err := s.Index(fresh(cell)).AddDocumentsWithContext(ctx, body, &meilisearch.DocumentOptions{PrimaryKey: &pk})
		if err != nil {
			return fmt.Errorf("search: rebuild %s: add documents: %w", cell.ID, classify(err))
		}
		tasks = append(tasks, pending{s, info})
		buffers[cell.ID] = nil
		return nil
	}
	add := func(cell shard.Cell, d OfferDoc) error {
		buffers[cell.ID] = append(buffers[cell.ID], d)
		out.PerCell[cell.ID]++
		if len(buffers[cell.ID]) >= rebuildBatch {
			return flush(cell)
		}
		return nil
	}
	for d, err := range docs {
		if err == nil {
			cell := m.Place(d.Point(), d.INSEECode, d.FullyRemote())
			out.Placements[d.ID] = cell.ID
			out.Documents++
			err = add(cell, d)
			if err == nil && hasNational {
				err = add(national, d)
			}
		}
		if err != nil {
			cleanup()
			return Rebuilt{}, fmt.Errorf("search: rebuild: %w", err)
		}
	}
	for _, cell := range m.Cells {
		if err := flush(cell); err != nil {
			cleanup()
			return Rebuilt{}, err
		}
	}
	for _, t := range tasks {
		if err := c.wait(ctx, t.s, t.info); err != nil {
			cleanup()
			return Rebuilt{}, fmt.Errorf("search: rebuild: add documents: %w", err)
		}
	}

	// One swap per server: every shard of it changes at once.
	byServer := map[string][]*meilisearch.SwapIndexesParams{}
	swapped := map[string][]string{} // server → fresh names now holding the old documents
	var empty []shard.Cell           // cells without documents: their live index goes
	for _, cell := range m.Cells {
		if !isCreated[cell.ID] {
			empty = append(empty, cell)
			continue
		}
		s, err := c.server(cell.Server)
		if err != nil {
			cleanup()
			return Rebuilt{}, err
		}
		live := c.IndexName(cell.Index)
		_, err = s.GetIndexWithContext(ctx, live)
		rename := err != nil && isCode(err, "index_not_found")
		if err != nil && !rename {
			cleanup()
			return Rebuilt{}, fmt.Errorf("search: rebuild: %w", classify(err))
		}
		byServer[cell.Server] = append(byServer[cell.Server], &meilisearch.SwapIndexesParams{Indexes: []string{fresh(cell), live}, Rename: rename})
		if !rename {
			swapped[cell.Server] = append(swapped[cell.Server], fresh(cell))
		}
	}
	for server, pairs := range byServer {
		s, _ := c.server(server)
		info, err := s.SwapIndexesWithContext(ctx, pairs)
		if err == nil {
			err = c.wait(ctx, s, info)
		}
		if err != nil {
			cleanup()
			return Rebuilt{}, fmt.Errorf("search: rebuild: swap on server %q: %w", server, classify(err))
		}
	}
	c.mu.Lock()
	for _, cell := range created {
		key := existKey(cell.Server, c.IndexName(cell.Index))
		c.ensured[key], c.existing[key] = true, true
	}
	c.mu.Unlock()
	var errs []error
	for server, names := range swapped {
		s, _ := c.server(server)
		for _, name := range names {
			if err := c.dropIndex(ctx, s, name); err != nil {
				errs = append(errs, err)
			}
		}
	}
	c.mu.Lock()
	c.listedAt = time.Time{}
	c.mu.Unlock()
	if empty, err = c.exists(ctx, empty); err != nil {
		errs = append(errs, err)
	} else if err := c.DropIndexes(ctx, empty); err != nil {
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// DropIndexes deletes the indexes of cells (a rebuilt map's former cells),
// missing ones included.
func (c *Client) DropIndexes(ctx context.Context, cells []shard.Cell) error {
	var errs []error
	for _, cell := range cells {
		s, err := c.server(cell.Server)
		if err == nil {
			err = c.dropIndex(ctx, s, c.IndexName(cell.Index))
		}
		if err != nil {
			errs = append(errs, err)
		}
		c.mu.Lock()
		delete(c.ensured, existKey(cell.Server, c.IndexName(cell.Index)))
		delete(c.existing, existKey(cell.Server, c.IndexName(cell.Index)))
		c.mu.Unlock()
	}
	return errors.Join(errs...)
}

func (c *Client) dropIndex(ctx context.Context, s meilisearch.ServiceManager, uid string) error {
	info, err := s.DeleteIndexWithContext(ctx, uid)
	if err == nil {
		err = c.wait(ctx, s, info)
	}
	if err != nil && !isCode(err, "index_not_found") {
		return fmt.Errorf("search: delete index %s: %w", uid, classify(err))
	}
	return nil
}

// ReindexOffers rebuilds every cell of the current map from docs (see
// Rebuild), for callers without a shard map of their own (tests, tools):
// the map itself does not change.
func (c *Client) ReindexOffers(ctx context.Context, docs iter.Seq2[OfferDoc, error]) (int, error) {
	m, err := c.Map(ctx)
	if err != nil {
		return 0, err
	}
	r, err := c.Rebuild(ctx, m.Cells, docs)
	return r.Documents, err
}
