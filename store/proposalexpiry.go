package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
)

// A proposal sent to a company waits for its answer: after a configurable
// time without one it expires, with a reminder before. Both go by the
// database clock.

// Defaults of the proposal expiry; the process configuration overrides them.
const (
	DefaultProposalExpiry         = 14 * 24 * time.Hour
	DefaultProposalReminderBefore = 3 * 24 * time.Hour
)

// systemActor makes the periodic transitions.
var systemActor = passerelle.Principal{Role: RoleSystem}

// ExpireProposals expires the proposals left proposed for longer than after
// (by the database clock), as the system: each move is recorded, evented and
// audited like any other. Proposals locked by a concurrent answer are left
// for the next run. It returns how many expired.
func (s *Store) ExpireProposals(ctx context.Context, after time.Duration) (int, error) {
	total := 0
	reason := fmt.Sprintf("No answer from the company within %d days.", int(after.Hours()/24))
	for {
		n := 0
		err := s.inTx(ctx, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT `+proposalColumns+proposalFrom+`
				WHERE p.status = 'proposed' AND p.status_changed_at < now() - make_interval(secs => $1)
				ORDER BY p.status_changed_at LIMIT $2 FOR UPDATE OF p SKIP LOCKED`, after.Seconds(), expiryBatch)
			if err != nil {
				return err
			}
			due, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (proposalRow, error) { return scanProposalRow(row) })
			if err != nil {
				return err
			}
			for _, r := range due {
				if _, err := s.transition(ctx, tx, systemActor, r, TransitionInput{To: ProposalExpired, Reason: reason}); err != nil {
					return err
				}
			}
			n = len(due)
			return nil
		})
		total += n
		if err != nil {
			return total, wrap("expire proposals", err)
		}
		if n < expiryBatch {
			return total, nil
		}
	}
}

// RemindExpiringProposals writes one proposal.expiring event for each
// proposal that has waited for the company's answer long enough to expire
// within `before` (after − before since it was proposed), and marks it
// reminded. It returns how many were reminded.
func (s *Store) RemindExpiringProposals(ctx context.Context, after, before time.Duration) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `WITH reminded AS (
				UPDATE proposals SET expiry_reminded_at = now()
				WHERE id IN (SELECT id FROM proposals WHERE status = 'proposed' AND expiry_reminded_at IS NULL
					AND status_changed_at < now() - make_interval(secs => $1)
					AND status_changed_at >= now() - make_interval(secs => $2)
					FOR UPDATE SKIP LOCKED)
				RETURNING id, status_changed_at + make_interval(secs => $2) AS expires_at)
			SELECT `+proposalColumns+`, r.expires_at`+proposalFrom+` JOIN reminded r ON r.id = p.id`,
			(after - before).Seconds(), after.Seconds())
		if err != nil {
			return err
		}
		type reminder struct {
			p       Proposal
			expires time.Time
		}
		due, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (reminder, error) {
			var expires time.Time
			pr, err := scanProposalRow(extraColumn{row, &expires})
			return reminder{pr.view(passerelle.System), expires}, err
		})
		if err != nil {
			return err
		}
		for _, d := range due {
			if err := insertEvent(ctx, tx, proposalEvent(EventProposalExpiring, d.p, map[string]any{"status": d.p.Status,
				"expires_at": d.expires.UTC()})); err != nil {
				return err
			}
		}
		n = len(due)
		return nil
	})
	return n, wrap("remind expiring proposals", err)
}

// extraColumn scans a proposal row followed by one more column.
type extraColumn struct {
	pgx.Row
	extra any
}

func (r extraColumn) Scan(dest ...any) error { return r.Row.Scan(append(dest, r.extra)...) }
