package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
)

// Today is what an adviser looks at first: their trainees by status, the
// proposals waiting on a company, the follow-ups due and the unread inbox.
type Today struct {
	TraineesByStatus map[string]int // every status in TraineeStatuses, zero included
	Waiting          []WaitingProposal
	FollowupsDue     []DueFollowup
	Unread           int
}

// WaitingProposal is a proposal sent to a company and not answered yet.
type WaitingProposal struct {
	ID          uuid.UUID
	TraineeID   uuid.UUID
	TraineeName string // "" once the trainee is erased
	OfferTitle  string
	CompanyName string
	ProposedAt  time.Time
	ExpiresAt   time.Time
}

// DueFollowup is a follow-up whose date has come and whose outcome is not
// recorded.
type DueFollowup struct {
	ID          uuid.UUID
	TraineeID   uuid.UUID
	TraineeName string // "" once the trainee is erased
	Month       int
	DueDate     time.Time
}

// todayLimit bounds each list of the Today page; the full lists have pages
// of their own.
const todayLimit = 20

// Today reads actor's day in a few set-based queries. Only an adviser
// session or an adviser key issued for a named adviser has one. expiry is the
// process's proposal expiry (Config), which dates the waiting proposals.
// Trainee names shown are identity reads, audited as such.
func (s *Store) Today(ctx context.Context, actor passerelle.Principal, expiry time.Duration) (Today, error) {
	adviser, err := inboxOf(actor)
	if err != nil {
		return Today{}, err
	}
	out := Today{TraineesByStatus: map[string]int{}}
	for _, st := range TraineeStatuses {
		out.TraineesByStatus[st] = 0
	}
	args := pgx.NamedArgs{"adviser": adviser, "org": actor.OrganisationID, "expiry": expiry.Seconds(), "limit": todayLimit}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT status, count(*) FROM trainees
			WHERE referent_id = @adviser AND organisation_id = @org GROUP BY status`, args)
		if err != nil {
			return err
		}
		var status string
		var n int
		if _, err := pgx.ForEachRow(rows, []any{&status, &n}, func() error { out.TraineesByStatus[status] = n; return nil }); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT p.id, t.id, CASE WHEN t.erased_at IS NULL THEN t.first_name || ' ' || t.last_name ELSE '' END, o.title, c.name, p.status_changed_at,
				p.status_changed_at + make_interval(secs => @expiry)
			FROM proposals p JOIN trainees t ON t.id = p.trainee_id JOIN offers o ON o.id = p.offer_id
			JOIN companies c ON c.id = p.company_id
			WHERE t.referent_id = @adviser AND p.organisation_id = @org AND p.status = 'proposed'
			ORDER BY p.status_changed_at, p.id LIMIT @limit`, args)
		if err != nil {
			return err
		}
		if out.Waiting, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (WaitingProposal, error) {
			var w WaitingProposal
			return w, r.Scan(&w.ID, &w.TraineeID, &w.TraineeName, &w.OfferTitle, &w.CompanyName, &w.ProposedAt, &w.ExpiresAt)
		}); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT f.id, t.id, CASE WHEN t.erased_at IS NULL THEN t.first_name || ' ' || t.last_name ELSE '' END, f.month, f.due_date
			FROM followups f JOIN trainees t ON t.id = f.trainee_id
			WHERE t.referent_id = @adviser AND f.organisation_id = @org AND f.recorded_at IS NULL AND f.due_date <= current_date
			ORDER BY f.due_date, f.id LIMIT @limit`, args)
		if err != nil {
			return err
		}
		if out.FollowupsDue, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (DueFollowup, error) {
			var f DueFollowup
			return f, r.Scan(&f.ID, &f.TraineeID, &f.TraineeName, &f.Month, &f.DueDate)
		}); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE adviser_id = @adviser AND read_at IS NULL`,
			args).Scan(&out.Unread); err != nil {
			return err
		}
		return auditNamesRead(ctx, tx, actor, out)
	})
	return out, wrap("today", err)
}

// auditNamesRead records one identity read per trainee named on the page.
func auditNamesRead(ctx context.Context, tx pgx.Tx, actor passerelle.Principal, t Today) error {
	seen := map[uuid.UUID]bool{}
	for _, id := range append(traineeIDs(t.Waiting, func(w WaitingProposal) uuid.UUID { return w.TraineeID }),
		traineeIDs(t.FollowupsDue, func(f DueFollowup) uuid.UUID { return f.TraineeID })...) {
		if seen[id] {
			continue
		}
		seen[id] = true
		if err := audit(ctx, tx, actor, "read_identity", "trainee", id, &actor.OrganisationID,
			map[string]any{"rqth": false, "page": "today"}); err != nil {
			return err
		}
	}
	return nil
}

func traineeIDs[T any](items []T, id func(T) uuid.UUID) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(items))
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}
