package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Daily digests: email deliveries in digest mode wait (pending) until the
// adviser's digest of the day claims them. A digest row per adviser and day
// (digests_once) is claimed, with the deliveries it carries, before the
// message goes: a retried job sends that same digest, never a second one.

// AdvisersWithPendingDigest lists advisers with digest deliveries written
// before cutoff and not sent yet.
func (s *Store) AdvisersWithPendingDigest(ctx context.Context, cutoff time.Time) ([]uuid.UUID, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT adviser_id FROM deliveries
		WHERE mode = 'digest' AND status = 'pending' AND digest_id IS NULL AND created_at < $1 AND adviser_id IS NOT NULL`, cutoff)
	if err != nil {
		return nil, wrap("advisers with pending digest", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	return ids, wrap("advisers with pending digest", err)
}

// Digest is an adviser's digest of one day, with what it tells.
type Digest struct {
	ID        uuid.UUID
	AdviserID uuid.UUID
	Day       time.Time
	SentAt    *time.Time
	To        string
	ToName    string
	Events    []Event
}

// ClaimDigest claims adviser's digest of day: the digest row, and the pending
// digest deliveries written before cutoff not yet claimed. It returns the
// digest with every event it carries (those claimed by an earlier, failed
// attempt too); found is false when the adviser is gone.
func (s *Store) ClaimDigest(ctx context.Context, adviser uuid.UUID, day, cutoff time.Time) (d Digest, found bool, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT email, name FROM advisers WHERE id = $1`, adviser).Scan(&d.To, &d.ToName)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		if _, err := tx.Exec(ctx, `INSERT INTO digests (id, adviser_id, day) VALUES ($1, $2, $3)
			ON CONFLICT ON CONSTRAINT digests_once DO NOTHING`, uuid.New(), adviser, day); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT id, adviser_id, day, sent_at FROM digests WHERE adviser_id = $1 AND day = $2 FOR UPDATE`,
			adviser, day).Scan(&d.ID, &d.AdviserID, &d.Day, &d.SentAt); err != nil {
			return err
		}
		if d.SentAt != nil {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE deliveries SET digest_id = $1, updated_at = now()
			WHERE adviser_id = $2 AND mode = 'digest' AND status = 'pending' AND digest_id IS NULL AND created_at < $3`,
			d.ID, adviser, cutoff); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+eventColumns+` FROM events e WHERE e.id IN (SELECT event_id FROM deliveries WHERE digest_id = $1)
			ORDER BY e.occurred_at, e.id`, d.ID)
		if err != nil {
			return err
		}
		d.Events, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Event, error) { return scanEvent(row) })
		return err
	})
	return d, found, wrap("claim digest", err)
}

// FinishDigest records a digest sent, with the deliveries it carried, and
// calls complete (River's JobCompleteTx) in the same transaction.
func (s *Store) FinishDigest(ctx context.Context, id uuid.UUID, complete func(pgx.Tx) error) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE digests SET sent_at = coalesce(sent_at, now()) WHERE id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE deliveries SET status = 'sent', sent_at = now(), attempts = attempts + 1, updated_at = now()
			WHERE digest_id = $1 AND status = 'pending'`, id); err != nil {
			return err
		}
		return complete(tx)
	})
	return wrap("finish digest", err)
}
