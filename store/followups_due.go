package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
)

// FollowupOverdueAfter is how long after its due date a follow-up not
// recorded yet is shown as overdue: a month to reach the person is normal.
const FollowupOverdueAfter = 30 * 24 * time.Hour

// FollowupCard is a follow-up to do, as the console lists it.
type FollowupCard struct {
	ID          uuid.UUID
	TraineeID   uuid.UUID
	TraineeName string // "" once the trainee is erased
	Month       int
	DueDate     time.Time
	UpdatedAt   time.Time
}

// Overdue reports whether the follow-up is late on now.
func (f FollowupCard) Overdue(now time.Time) bool {
	return now.Sub(f.DueDate) > FollowupOverdueAfter
}

// ListDueFollowups lists the follow-ups of actor's organisation whose date
// has come and whose outcome is not recorded, a page at a time, with the
// trainee's name (an identity read, audited).
func (s *Store) ListDueFollowups(ctx context.Context, actor passerelle.Principal, page Page) ([]FollowupCard, *Cursor, error) {
	if err := mayManageTrainees(actor); err != nil {
		return nil, nil, err
	}
	var items []FollowupCard
	var next *Cursor
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		args := pgx.NamedArgs{}
		base := `SELECT * FROM (SELECT f.id, f.trainee_id, CASE WHEN t.erased_at IS NULL THEN t.first_name || ' ' || t.last_name ELSE '' END AS trainee_name, f.month,
				f.due_date, f.updated_at, f.organisation_id
			FROM followups f JOIN trainees t ON t.id = f.trainee_id
			WHERE f.recorded_at IS NULL AND f.due_date <= current_date) x WHERE ` + memberScope(actor, args)
		var err error
		items, next, err = listPage(ctx, tx, base, args, page, func(row pgx.Row) (FollowupCard, error) {
			var f FollowupCard
			var org uuid.UUID
			return f, row.Scan(&f.ID, &f.TraineeID, &f.TraineeName, &f.Month, &f.DueDate, &f.UpdatedAt, &org)
		}, func(f FollowupCard) Cursor { return Cursor{UpdatedAt: f.UpdatedAt, ID: f.ID} })
		if err != nil {
			return err
		}
		return auditNamesShown(ctx, tx, actor, "followups", traineeIDs(items, func(f FollowupCard) uuid.UUID { return f.TraineeID }))
	})
	return items, next, wrap("list due follow-ups", err)
}
