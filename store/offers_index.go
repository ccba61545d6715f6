package store

import (
	"context"
	"errors"
	"iter"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Read-only queries for search indexing: no tenancy (the callers are jobs and
// the reindex command, acting for the system), no writes.

// searchableStatuses are the statuses Offer.Searchable accepts, for queries.
var searchableStatuses = []string{StatusDraft, StatusPublished, StatusPaused}

// OfferForIndex returns an offer as the index job sees it; found is false
// when it does not exist (any more).
func (s *Store) OfferForIndex(ctx context.Context, id uuid.UUID) (o Offer, found bool, err error) {
	o, err = scanOffer(s.pool.QueryRow(ctx, `SELECT `+offerColumns+` FROM offer_rows WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Offer{}, false, nil
	}
	if err != nil {
		return Offer{}, false, wrap("offer for index "+id.String(), err)
	}
	return o, true, nil
}

// OfferVersion returns an offer's current version; found is false when it
// does not exist.
func (s *Store) OfferVersion(ctx context.Context, id uuid.UUID) (version int, found bool, err error) {
	err = s.pool.QueryRow(ctx, `SELECT version FROM offers WHERE id = $1`, id).Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, wrap("offer version "+id.String(), err)
	}
	return version, true, nil
}

// FinishIndexing ends an offer's index job once its document was written
// from the offer at version (found false: absent, the document deleted). In
// one transaction holding a share lock on the offer's row, it checks that the
// offer is still as indexed and then calls complete (which marks the job
// completed in tx; nil when there is no job). Writers lock the row before
// enqueuing: one that changed the offer first is seen here (moved: index
// again), one that comes after waits for the commit and then finds the job
// completed, so its own index job is enqueued. Without this, a write landing
// between the check and River's completion would enqueue nothing (the job is
// unique while running) and leave the index stale.
func (s *Store) FinishIndexing(ctx context.Context, id uuid.UUID, version int, found bool, complete func(pgx.Tx) error) (moved bool, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		var v int
		err := tx.QueryRow(ctx, `SELECT version FROM offers WHERE id = $1 FOR SHARE`, id).Scan(&v)
		exists := err == nil
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if exists != found || (exists && v != version) {
			moved = true
			return nil
		}
		if complete == nil {
			return nil
		}
		return complete(tx)
	})
	return moved, wrap("finish indexing "+id.String(), err)
}

// SearchableOfferVersions returns the id and version of every offer that
// belongs in the search index, for the reconciler.
func (s *Store) SearchableOfferVersions(ctx context.Context) (map[uuid.UUID]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, version FROM offers WHERE status = ANY($1)`, searchableStatuses)
	if err != nil {
		return nil, wrap("searchable offer versions", err)
	}
	out := map[uuid.UUID]int{}
	var id uuid.UUID
	var v int
	_, err = pgx.ForEachRow(rows, []any{&id, &v}, func() error { out[id] = v; return nil })
	if err != nil {
		return nil, wrap("searchable offer versions", err)
	}
	return out, nil
}

// SearchableOffers streams every searchable offer from one consistent
// snapshot (a read-only repeatable-read transaction), for a full reindex.
// Stop early by breaking out of the loop.
func (s *Store) SearchableOffers(ctx context.Context) iter.Seq2[Offer, error] {
	return func(yield func(Offer, error) bool) {
		tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			yield(Offer{}, wrap("searchable offers", err))
			return
		}
		defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // read-only
		rows, err := tx.Query(ctx, `SELECT `+offerColumns+` FROM offer_rows WHERE status = ANY($1) ORDER BY id`, searchableStatuses)
		if err != nil {
			yield(Offer{}, wrap("searchable offers", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanOffer(rows)
			if err != nil {
				yield(Offer{}, wrap("searchable offers", err))
				return
			}
			if !yield(o, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(Offer{}, wrap("searchable offers", err))
		}
	}
}
