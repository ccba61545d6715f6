package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle/jobs/jobargs"
	"github.com/passerelle-dev/passerelle/search/shard"
)

// The search side of offers: the shard map, the queue of offer changes the
// index job takes in batches (an outbox written in the change's transaction),
// and where each offer's document was written. No tenancy: the callers are
// jobs and commands acting for the system.

// queueIndex records, in tx, that the offers' search documents must follow
// this change, and makes sure an index job will run: the index follows the
// database only if the write and its queue row commit together. A later
// change gives the row a new seq, so the job that read the older state keeps
// the row and indexes again.
func (s *Store) queueIndex(ctx context.Context, tx pgx.Tx, ids ...uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	var b pgx.Batch
	queuePending(&b, ids...)
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return err
	}
	return s.enqueueIndex(ctx, tx)
}

// queuePending queues, on b, the record that offers ids changed and wait for
// the index job (enqueueIndex, once b is sent).
func queuePending(b *pgx.Batch, ids ...uuid.UUID) {
	b.Queue(`INSERT INTO search_pending (offer_id) SELECT unnest($1::uuid[])
		ON CONFLICT (offer_id) DO UPDATE SET seq = nextval('search_pending_seq')`, ids)
}

// enqueueIndex enqueues the job that writes the pending changes to the shards.
func (s *Store) enqueueIndex(ctx context.Context, tx pgx.Tx) error {
	_, err := s.river.InsertTx(ctx, tx, jobargs.IndexOffers{}, nil)
	return err
}

// QueueIndex queues offers for indexing outside any other write (the
// reconciler's repairs).
func (s *Store) QueueIndex(ctx context.Context, ids []uuid.UUID) error {
	return wrap("queue index", s.inTx(ctx, func(tx pgx.Tx) error { return s.queueIndex(ctx, tx, ids...) }))
}

// EnsureShardMap writes the initial map when the table is empty (first start
// after the migration). Concurrent starts write it once.
func (s *Store) EnsureShardMap(ctx context.Context, initial []shard.Cell) error {
	return wrap("ensure shard map", s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE search_shards IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM search_shards`).Scan(&n); err != nil || n > 0 {
			return err
		}
		return insertShards(ctx, tx, initial)
	}))
}

func insertShards(ctx context.Context, tx pgx.Tx, cells []shard.Cell) error {
	rows := make([][]any, len(cells))
	for i, c := range cells {
		rows[i] = []any{c.ID, string(c.Kind), c.Department, c.Rect.MinLat, c.Rect.MinLon, c.Rect.MaxLat, c.Rect.MaxLon, c.Index, c.Server}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"search_shards"},
		[]string{"id", "kind", "department", "min_lat", "min_lon", "max_lat", "max_lon", "index_name", "server"}, pgx.CopyFromRows(rows))
	return err
}

// ShardMap returns the cells of the shard map (empty before EnsureShardMap).
func (s *Store) ShardMap(ctx context.Context) ([]shard.Cell, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, kind, department, min_lat, min_lon, max_lat, max_lon, index_name, server
		FROM search_shards ORDER BY id`)
	if err != nil {
		return nil, wrap("shard map", err)
	}
	cells, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (shard.Cell, error) {
		var c shard.Cell
		var kind string
		err := row.Scan(&c.ID, &kind, &c.Department, &c.Rect.MinLat, &c.Rect.MinLon, &c.Rect.MaxLat, &c.Rect.MaxLon, &c.Index, &c.Server)
		c.Kind = shard.Kind(kind)
		return c, err
	})
	if err != nil {
		return nil, wrap("shard map", err)
	}
	shard.SortCells(cells)
	return cells, nil
}

// SetShardServer moves a cell to another Meilisearch server in the map (the
// index must be copied there first: see docs/search-shards.md).
func (s *Store) SetShardServer(ctx context.Context, id, server string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE search_shards SET server = $2, updated_at = now() WHERE id = $1`, id, server)
	if err == nil && tag.RowsAffected() == 0 {
		err = notFound("Shard")
	}
	return wrap("set shard server", err)
}

// ShardPlacement is where an offer's document was written.
type ShardPlacement struct {
	OfferID uuid.UUID
	ShardID string
}

// ReplaceShardMap installs a rebuilt map and the placements of the documents
// it was built with, in one transaction: a reindex's swap. Placements of
// offers not in the list are dropped (their documents went with the old
// indexes).
func (s *Store) ReplaceShardMap(ctx context.Context, cells []shard.Cell, placements []ShardPlacement) error {
	return wrap("replace shard map", s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM search_shards`); err != nil {
			return err
		}
		if err := insertShards(ctx, tx, cells); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `TRUNCATE search_placements`); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"search_placements"}, []string{"offer_id", "shard_id"},
			pgx.CopyFromSlice(len(placements), func(i int) ([]any, error) {
				return []any{placements[i].OfferID, placements[i].ShardID}, nil
			}))
		return err
	}))
}

// PendingIndex is an offer change waiting for the index job.
type PendingIndex struct {
	OfferID  uuid.UUID
	Seq      int64
	QueuedAt time.Time
}

// PendingIndexChanges returns up to limit pending changes, oldest first.
func (s *Store) PendingIndexChanges(ctx context.Context, limit int) ([]PendingIndex, error) {
	rows, err := s.pool.Query(ctx, `SELECT offer_id, seq, queued_at FROM search_pending ORDER BY seq LIMIT $1`, limit)
	if err != nil {
		return nil, wrap("pending index changes", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (PendingIndex, error) {
		var p PendingIndex
		err := row.Scan(&p.OfferID, &p.Seq, &p.QueuedAt)
		return p, err
	})
	return out, wrap("pending index changes", err)
}

// OffersForIndex returns the offers with the given ids that still exist.
func (s *Store) OffersForIndex(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]Offer, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+offerColumns+` FROM offer_rows WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, wrap("offers for index", err)
	}
	out := make(map[uuid.UUID]Offer, len(ids))
	for rows.Next() {
		o, err := scanOffer(rows)
		if err != nil {
			rows.Close()
			return nil, wrap("offers for index", err)
		}
		out[o.ID] = o
	}
	return out, wrap("offers for index", rows.Err())
}

// Placements returns the shards each offer's document may be in.
func (s *Store) Placements(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT offer_id, shard_id FROM search_placements WHERE offer_id = ANY($1) ORDER BY 1, 2`, ids)
	if err != nil {
		return nil, wrap("placements", err)
	}
	out := map[uuid.UUID][]string{}
	var p ShardPlacement
	_, err = pgx.ForEachRow(rows, []any{&p.OfferID, &p.ShardID}, func() error {
		out[p.OfferID] = append(out[p.OfferID], p.ShardID)
		return nil
	})
	return out, wrap("placements", err)
}

// AddPlacements records, before the documents are written, the shards they
// are written to.
func (s *Store) AddPlacements(ctx context.Context, ps []ShardPlacement) error {
	if len(ps) == 0 {
		return nil
	}
	ids, shards := make([]uuid.UUID, len(ps)), make([]string, len(ps))
	for i, p := range ps {
		ids[i], shards[i] = p.OfferID, p.ShardID
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO search_placements (offer_id, shard_id)
		SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT DO NOTHING`, ids, shards)
	return wrap("add placements", err)
}

// FinishIndexBatch records a batch written to the shards: each offer's
// placement becomes exactly where its document now is (none when deleted),
// and the pending rows are deleted unless a change came after the state
// indexed (its seq moved: the next pass indexes it again).
func (s *Store) FinishIndexBatch(ctx context.Context, done []PendingIndex, placed map[uuid.UUID]string) error {
	ids, seqs := make([]uuid.UUID, len(done)), make([]int64, len(done))
	for i, p := range done {
		ids[i], seqs[i] = p.OfferID, p.Seq
	}
	keepIDs, keepShards := make([]uuid.UUID, 0, len(placed)), make([]string, 0, len(placed))
	for id, sh := range placed {
		keepIDs, keepShards = append(keepIDs, id), append(keepShards, sh)
	}
	return wrap("finish index batch", s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM search_placements p WHERE p.offer_id = ANY($1)
			AND NOT EXISTS (SELECT 1 FROM unnest($2::uuid[], $3::text[]) AS k(offer_id, shard_id)
				WHERE k.offer_id = p.offer_id AND k.shard_id = p.shard_id)`, ids, keepIDs, keepShards); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM search_pending p USING unnest($1::uuid[], $2::bigint[]) AS d(offer_id, seq)
			WHERE p.offer_id = d.offer_id AND p.seq = d.seq`, ids, seqs)
		return err
	}))
}

// CompleteIndexing ends the index job when nothing is pending: under a lock
// that writers queueing a change wait for, it checks the pending table and,
// when empty, calls complete (which marks the job completed in tx). A writer
// that comes after finds the job completed and enqueues a new one; one that
// came before left a row, seen here (remaining). Without the lock a change
// queued between the check and the completion would enqueue nothing (the
// job is unique while running) and wait for the reconciler.
func (s *Store) CompleteIndexing(ctx context.Context, complete func(pgx.Tx) error) (remaining bool, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE search_pending IN SHARE MODE`); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM search_pending)`).Scan(&remaining); err != nil || remaining {
			return err
		}
		return complete(tx)
	})
	return remaining, wrap("complete indexing", err)
}

// HandOverIndexing completes the running index job and enqueues its successor
// in one transaction: a job that has worked long yields its worker while
// changes keep coming, without a window where none is queued.
func (s *Store) HandOverIndexing(ctx context.Context, complete func(pgx.Tx) error) error {
	return wrap("hand over indexing", s.inTx(ctx, func(tx pgx.Tx) error {
		if err := complete(tx); err != nil {
			return err
		}
		_, err := s.river.InsertTx(ctx, tx, jobargs.IndexOffers{}, nil)
		return err
	}))
}

// IndexBacklog says how far the search shards are behind the database.
type IndexBacklog struct {
	Pending int
	Oldest  time.Time // zero when nothing is pending
}

// PendingByOffer returns every pending change with the offer's current
// place (for the per-shard lag: the caller places them on the map); absent
// offers have found false.
func (s *Store) PendingByOffer(ctx context.Context) ([]PendingPlace, error) {
	rows, err := s.pool.Query(ctx, `SELECT p.offer_id, p.queued_at, o.id IS NOT NULL, coalesce(o.latitude, 0), coalesce(o.longitude, 0),
		coalesce(o.insee_code, ''), coalesce(o.remote, ''), coalesce(array_agg(pl.shard_id) FILTER (WHERE pl.shard_id IS NOT NULL), '{}')
		FROM search_pending p LEFT JOIN offers o ON o.id = p.offer_id LEFT JOIN search_placements pl ON pl.offer_id = p.offer_id
		GROUP BY p.offer_id, p.queued_at, o.id, o.latitude, o.longitude, o.insee_code, o.remote
		ORDER BY p.queued_at LIMIT 100000`)
	if err != nil {
		return nil, wrap("pending by offer", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (PendingPlace, error) {
		var p PendingPlace
		err := row.Scan(&p.OfferID, &p.QueuedAt, &p.Found, &p.Lat, &p.Lon, &p.INSEE, &p.Remote, &p.Shards)
		return p, err
	})
	return out, wrap("pending by offer", err)
}

// PendingPlace is a pending change with where its offer is and was indexed.
type PendingPlace struct {
	OfferID  uuid.UUID
	QueuedAt time.Time
	Found    bool
	Lat, Lon float64
	INSEE    string
	Remote   string
	Shards   []string // where its document may be now
}

// OfferPointsByDepartment returns the point of every searchable offer that
// is not fully remote, by the département of its commune: what a reindex
// splits cells by.
func (s *Store) OfferPointsByDepartment(ctx context.Context) (map[string][]shard.Point, error) {
	rows, err := s.pool.Query(ctx, `SELECT insee_code, latitude, longitude FROM offers
		WHERE status = ANY($1) AND remote <> 'full'`, searchableStatuses)
	if err != nil {
		return nil, wrap("offer points", err)
	}
	out := map[string][]shard.Point{}
	var insee string
	var p shard.Point
	_, err = pgx.ForEachRow(rows, []any{&insee, &p.Lat, &p.Lon}, func() error {
		d := shard.Department(insee)
		out[d] = append(out[d], p)
		return nil
	})
	return out, wrap("offer points", err)
}

// OfferPlace is what the reconciler needs of a searchable offer.
type OfferPlace struct {
	Version  int
	Lat, Lon float64
	INSEE    string
	Remote   string
}

// SearchableOfferPlaces returns, for every offer that belongs in the search
// index, its version and place.
func (s *Store) SearchableOfferPlaces(ctx context.Context) (map[uuid.UUID]OfferPlace, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, version, latitude, longitude, insee_code, remote FROM offers WHERE status = ANY($1)`,
		searchableStatuses)
	if err != nil {
		return nil, wrap("searchable offer places", err)
	}
	out := map[uuid.UUID]OfferPlace{}
	var id uuid.UUID
	var p OfferPlace
	_, err = pgx.ForEachRow(rows, []any{&id, &p.Version, &p.Lat, &p.Lon, &p.INSEE, &p.Remote}, func() error { out[id] = p; return nil })
	return out, wrap("searchable offer places", err)
}
