package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
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
// audited like any other, a batch of expiryBatch at a time, each batch one
// transaction of a few statements. Proposals locked by a concurrent answer
// are left for the next run. It returns how many expired.
func (s *Store) ExpireProposals(ctx context.Context, after time.Duration) (int, error) {
	total := 0
	reason := fmt.Sprintf("No answer from the company within %d days.", int(after.Hours()/24))
	for {
		n := 0
		err := s.inTx(ctx, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `UPDATE proposals p SET status = 'expired', status_actor_role = 'system',
					status_changed_at = now(), updated_at = now(), version = p.version + 1
				FROM (SELECT id FROM proposals WHERE status = 'proposed' AND status_changed_at < now() - make_interval(secs => $1)
					ORDER BY status_changed_at LIMIT $2 FOR UPDATE SKIP LOCKED) due
				WHERE p.id = due.id
				RETURNING p.id`, after.Seconds(), expiryBatch)
			if err != nil {
				return err
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
			if err != nil || len(ids) == 0 {
				return err
			}
			n = len(ids)
			rows, err = tx.Query(ctx, `SELECT `+proposalColumns+proposalFrom+` WHERE p.id = ANY($1) ORDER BY p.id`, ids)
			if err != nil {
				return err
			}
			expired, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (proposalRow, error) { return scanProposalRow(row) })
			if err != nil {
				return err
			}
			return recordExpiries(ctx, tx, expired, reason)
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

// recordExpiries writes what a transition to expired writes, for a batch of
// proposals already moved (rows read after the move): history, events and
// audit, each in one statement.
func recordExpiries(ctx context.Context, tx pgx.Tx, rows []proposalRow, reason string) error {
	from := ProposalProposed
	history := make([]transitionRow, len(rows))
	events := make([]Event, len(rows))
	audits := make([]auditRow, len(rows))
	for i := range rows {
		r := &rows[i]
		history[i] = transitionRow{ProposalID: r.ID, From: &from, To: ProposalExpired, Reason: reason}
		// The event is about the full proposal, as the system reads it.
		events[i] = proposalEvent(EventProposalStatusChanged, r.view(passerelle.System),
			map[string]any{"from": from, "to": ProposalExpired})
		audits[i] = auditRow{ResourceID: r.ID, OrganisationID: &r.OrganisationID,
			Details: map[string]any{"from": from, "to": ProposalExpired, "offer_id": r.OfferID}}
	}
	if err := insertTransitions(ctx, tx, systemActor, history); err != nil {
		return err
	}
	if _, err := insertEvents(ctx, tx, events); err != nil {
		return err
	}
	if err := auditRows(ctx, tx, systemActor, "transition", "proposal", audits); err != nil {
		return err
	}
	return auditProposalReads(ctx, tx, passerelle.System, rows)
}

// RemindExpiringProposals writes one proposal.expiring event for each
// proposal that has waited for the company's answer long enough to expire
// within `before` (after − before since it was proposed), and marks it
// reminded, a batch of expiryBatch at a time, each batch one transaction. It
// returns how many were reminded.
func (s *Store) RemindExpiringProposals(ctx context.Context, after, before time.Duration) (int, error) {
	total := 0
	for {
		n := 0
		err := s.inTx(ctx, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `WITH reminded AS (
					UPDATE proposals SET expiry_reminded_at = now()
					WHERE id IN (SELECT id FROM proposals WHERE status = 'proposed' AND expiry_reminded_at IS NULL
						AND status_changed_at < now() - make_interval(secs => $1)
						AND status_changed_at >= now() - make_interval(secs => $2)
						ORDER BY status_changed_at LIMIT $3 FOR UPDATE SKIP LOCKED)
					RETURNING id, status_changed_at + make_interval(secs => $2) AS expires_at)
				SELECT `+proposalColumns+`, r.expires_at`+proposalFrom+` JOIN reminded r ON r.id = p.id`,
				(after - before).Seconds(), after.Seconds(), expiryBatch)
			if err != nil {
				return err
			}
			events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Event, error) {
				var expires time.Time
				pr, err := scanProposalRow(extraColumn{row, &expires})
				p := pr.view(passerelle.System)
				return proposalEvent(EventProposalExpiring, p, map[string]any{"status": p.Status, "expires_at": expires.UTC()}), err
			})
			if err != nil {
				return err
			}
			if _, err := insertEvents(ctx, tx, events); err != nil {
				return err
			}
			n = len(events)
			return nil
		})
		total += n
		if err != nil {
			return total, wrap("remind expiring proposals", err)
		}
		if n < expiryBatch {
			return total, nil
		}
	}
}

// extraColumn scans a proposal row followed by one more column.
type extraColumn struct {
	pgx.Row
	extra any
}

func (r extraColumn) Scan(dest ...any) error { return r.Row.Scan(append(dest, r.extra)...) }
