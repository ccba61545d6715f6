package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
)

// PipelineCard is one proposal as the console's pipeline shows it: who, for
// which offer at which company, where it stands.
type PipelineCard struct {
	ID              uuid.UUID
	TraineeID       uuid.UUID
	TraineeName     string // "" once the trainee is erased
	OfferTitle      string
	CompanyName     string
	Status          string
	StatusChangedAt time.Time
	// ExpiresAt is when a proposal waiting on the company expires; nil in
	// any other status.
	ExpiresAt *time.Time
	UpdatedAt time.Time
	Version   int
}

// PipelineCounts counts the proposals actor's programme has in each status
// (every status in ProposalStatuses, zero included). Only a programme reads
// its pipeline: a company answers proposals through the API.
func (s *Store) PipelineCounts(ctx context.Context, actor passerelle.Principal) (map[string]int, error) {
	if err := mayManageTrainees(actor); err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, st := range ProposalStatuses {
		out[st] = 0
	}
	args := pgx.NamedArgs{}
	rows, err := s.pool.Query(ctx, `SELECT p.status, count(*) FROM proposals p WHERE `+proposalScope(actor, args)+
		` GROUP BY p.status`, args)
	if err != nil {
		return nil, wrap("pipeline counts", err)
	}
	var status string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&status, &n}, func() error { out[status] = n; return nil })
	return out, wrap("pipeline counts", err)
}

// ListPipeline lists actor's programme's proposals in status, a page at a
// time, with the names a person reads. expiry is the process's proposal
// expiry (Config), which dates the proposals waiting on a company. Trainee
// names shown are identity reads, audited as such.
func (s *Store) ListPipeline(ctx context.Context, actor passerelle.Principal, status string, expiry time.Duration, page Page) ([]PipelineCard, *Cursor, error) {
	if err := mayManageTrainees(actor); err != nil {
		return nil, nil, err
	}
	if !slices.Contains(ProposalStatuses, status) {
		return nil, nil, passerelle.Invalid("Unknown proposal status.", passerelle.FieldError{Location: "status",
			Message: "must be one of " + strings.Join(ProposalStatuses, ", "), Value: status})
	}
	var items []PipelineCard
	var next *Cursor
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		args := pgx.NamedArgs{"status": status, "expiry": expiry.Seconds()}
		base := `SELECT * FROM (SELECT p.id, p.trainee_id, CASE WHEN t.erased_at IS NULL THEN t.first_name || ' ' || t.last_name ELSE '' END AS trainee_name, o.title,
				c.name, p.status, p.status_changed_at,
				CASE WHEN p.status = 'proposed' THEN p.status_changed_at + make_interval(secs => @expiry) END AS expires_at,
				p.updated_at, p.version
			FROM proposals p JOIN trainees t ON t.id = p.trainee_id JOIN offers o ON o.id = p.offer_id
			JOIN companies c ON c.id = p.company_id
			WHERE ` + proposalScope(actor, args) + ` AND p.status = @status) x WHERE true`
		var err error
		items, next, err = listPage(ctx, tx, base, args, page, func(row pgx.Row) (PipelineCard, error) {
			var c PipelineCard
			return c, row.Scan(&c.ID, &c.TraineeID, &c.TraineeName, &c.OfferTitle, &c.CompanyName, &c.Status,
				&c.StatusChangedAt, &c.ExpiresAt, &c.UpdatedAt, &c.Version)
		}, func(c PipelineCard) Cursor { return Cursor{UpdatedAt: c.UpdatedAt, ID: c.ID} })
		if err != nil {
			return err
		}
		return auditNamesShown(ctx, tx, actor, "pipeline", traineeIDs(items, func(c PipelineCard) uuid.UUID { return c.TraineeID }))
	})
	return items, next, wrap("list pipeline", err)
}

// auditNamesShown records one identity read per trainee named on a console
// page.
func auditNamesShown(ctx context.Context, tx pgx.Tx, actor passerelle.Principal, page string, ids []uuid.UUID) error {
	seen := map[uuid.UUID]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if err := audit(ctx, tx, actor, "read_identity", "trainee", id, &actor.OrganisationID,
			map[string]any{"rqth": false, "page": page}); err != nil {
			return err
		}
	}
	return nil
}
