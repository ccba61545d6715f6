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

// EventFollowupDue tells a referent that a follow-up of a trainee who left
// the programme is due.
const EventFollowupDue = "followup.due"

// FollowupMonths are the months after a trainee's exit at which they are
// followed up.
var FollowupMonths = []int{1, 3, 6}

// Follow-up situations.
const (
	SituationEmployed   = "employed"
	SituationTraining   = "training"
	SituationJobSeeking = "job_seeking"
	SituationNoContact  = "no_contact"
)

// Situations lists the situations a follow-up records.
var Situations = []string{SituationEmployed, SituationTraining, SituationJobSeeking, SituationNoContact}

// ContractTypes are the contracts of an employed trainee.
var ContractTypes = []string{"cdi", "cdd", "interim", "apprenticeship", "professionalisation", "other"}

// Followup is the news of a trainee some months after they left.
type Followup struct {
	ID             uuid.UUID
	TraineeID      uuid.UUID
	OrganisationID uuid.UUID
	Month          int
	DueDate        time.Time
	Situation      *string
	ContractType   *string
	Note           string
	RecordedAt     *time.Time
	RecordedBy     *uuid.UUID
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
}

const followupColumns = `id, trainee_id, organisation_id, month, due_date, situation, contract_type, note, recorded_at,
	recorded_by, created_at, updated_at, version`

func scanFollowup(row pgx.Row) (Followup, error) {
	var f Followup
	err := row.Scan(&f.ID, &f.TraineeID, &f.OrganisationID, &f.Month, &f.DueDate, &f.Situation, &f.ContractType, &f.Note,
		&f.RecordedAt, &f.RecordedBy, &f.CreatedAt, &f.UpdatedAt, &f.Version)
	return f, err
}

// CreateDueFollowups creates the follow-ups that are due — 1, 3 and 6 months
// after the exit date of each exited trainee, by the database's calendar in
// Paris — and writes a followup.due event to the referent for each. A
// follow-up exists once per trainee and month, so running it again creates
// nothing. It works in batches of expiryBatch, each its own transaction with
// its events, skipping trainees a concurrent write holds (the next hourly run
// takes them). It returns how many it created.
func (s *Store) CreateDueFollowups(ctx context.Context) (int, error) {
	total := 0
	for {
		n := 0
		err := s.inTx(ctx, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `WITH due AS (
					SELECT t.id AS trainee_id, t.organisation_id, t.referent_id, m.month,
						(t.exit_date + make_interval(months => m.month))::date AS due_date
					FROM trainees t CROSS JOIN unnest($1::int[]) AS m(month)
					WHERE t.status = 'exited' AND t.exit_date IS NOT NULL
						AND (t.exit_date + make_interval(months => m.month))::date <= `+parisToday+`
						AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.trainee_id = t.id AND f.month = m.month)
					ORDER BY t.exit_date, t.id, m.month
					LIMIT $2
					FOR UPDATE OF t SKIP LOCKED
				), created AS (
					INSERT INTO followups (id, trainee_id, organisation_id, month, due_date)
					SELECT gen_random_uuid(), trainee_id, organisation_id, month, due_date FROM due
					ON CONFLICT (trainee_id, month) DO NOTHING
					RETURNING id, trainee_id, organisation_id, month, due_date)
				SELECT c.id, c.trainee_id, c.organisation_id, c.month, c.due_date, d.referent_id
				FROM created c JOIN due d USING (trainee_id, month)`, FollowupMonths, expiryBatch)
			if err != nil {
				return err
			}
			type due struct {
				id, trainee, org, referent uuid.UUID
				month                      int
				date                       time.Time
			}
			created, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (due, error) {
				var d due
				err := row.Scan(&d.id, &d.trainee, &d.org, &d.month, &d.date, &d.referent)
				return d, err
			})
			if err != nil {
				return err
			}
			events := make([]Event, len(created))
			for i, d := range created {
				events[i] = Event{Type: EventFollowupDue, OrganisationID: &d.org, AdviserID: &d.referent,
					SubjectType: "followup", SubjectID: d.id, Payload: map[string]any{"followup_id": d.id, "trainee_id": d.trainee,
						"month": d.month, "due_date": d.date.Format(time.DateOnly)}}
			}
			if _, err := insertEvents(ctx, tx, events); err != nil {
				return err
			}
			n = len(created)
			return nil
		})
		total += n
		if err != nil {
			return total, wrap("create due follow-ups", err)
		}
		if n < expiryBatch {
			return total, nil
		}
	}
}

// GetFollowup returns a follow-up of actor's organisation.
func (s *Store) GetFollowup(ctx context.Context, actor passerelle.Principal, id uuid.UUID) (Followup, error) {
	if err := mayManageTrainees(actor); err != nil {
		return Followup{}, err
	}
	f, err := getFollowup(ctx, s.pool, actor, id, false)
	return f, wrap("get follow-up", err)
}

func getFollowup(ctx context.Context, db querier, actor passerelle.Principal, id uuid.UUID, forUpdate bool) (Followup, error) {
	args := pgx.NamedArgs{"id": id}
	return getOne(ctx, db, `SELECT `+followupColumns+` FROM followups WHERE id = @id AND `+memberScope(actor, args), args,
		forUpdate, "", scanFollowup, "Follow-up")
}

// FollowupFilter narrows a list of follow-ups.
type FollowupFilter struct {
	TraineeID *uuid.UUID
	Pending   *bool // true: not recorded yet; false: recorded
}

// ListFollowups lists the follow-ups of actor's organisation (all for an
// admin), as a change feed.
func (s *Store) ListFollowups(ctx context.Context, actor passerelle.Principal, f FollowupFilter, page Page) ([]Followup, *Cursor, error) {
	if err := mayManageTrainees(actor); err != nil {
		return nil, nil, err
	}
	args := pgx.NamedArgs{"trainee": f.TraineeID, "pending": f.Pending}
	items, next, err := listPage(ctx, s.pool, `SELECT `+followupColumns+` FROM followups WHERE `+memberScope(actor, args)+`
		AND (@trainee::uuid IS NULL OR trainee_id = @trainee) AND (@pending::boolean IS NULL OR (recorded_at IS NULL) = @pending)`,
		args, page, scanFollowup, func(f Followup) Cursor { return Cursor{UpdatedAt: f.UpdatedAt, ID: f.ID} })
	return items, next, wrap("list follow-ups", err)
}

// FollowupInput is the situation an adviser found.
type FollowupInput struct {
	Situation    string
	ContractType string // employed only
	Note         string
}

// RecordFollowup records (or corrects) the situation of a follow-up.
// ifVersion, when not nil, must match.
func (s *Store) RecordFollowup(ctx context.Context, actor passerelle.Principal, id uuid.UUID, ifVersion *int, in FollowupInput) (Followup, error) {
	if err := mayManageTrainees(actor); err != nil {
		return Followup{}, err
	}
	var fields []passerelle.FieldError
	if !slices.Contains(Situations, in.Situation) {
		fields = append(fields, passerelle.FieldError{Location: "situation", Message: "must be one of " + strings.Join(Situations, ", "), Value: in.Situation})
	}
	switch {
	case in.Situation == SituationEmployed && !slices.Contains(ContractTypes, in.ContractType):
		fields = append(fields, passerelle.FieldError{Location: "contract_type",
			Message: "an employed trainee has a contract: one of " + strings.Join(ContractTypes, ", "), Value: in.ContractType})
	case in.Situation != SituationEmployed && in.ContractType != "":
		fields = append(fields, passerelle.FieldError{Location: "contract_type", Message: "only for employed", Value: in.ContractType})
	}
	if len(fields) > 0 {
		return Followup{}, passerelle.Invalid("The follow-up cannot be recorded as described.", fields...)
	}
	var contract *string
	if in.ContractType != "" {
		contract = &in.ContractType
	}
	var f Followup
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := getFollowup(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		if err := checkVersion(ifVersion, cur.Version); err != nil {
			return err
		}
		var key *uuid.UUID
		if actor.KeyID != uuid.Nil {
			key = &actor.KeyID
		}
		f, err = scanFollowup(tx.QueryRow(ctx, `UPDATE followups SET situation = $2, contract_type = $3, note = $4,
			recorded_at = now(), recorded_by = $5, updated_at = now(), version = version + 1
			WHERE id = $1 RETURNING `+followupColumns, id, in.Situation, contract, strings.TrimSpace(in.Note), key))
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "record", "followup", id, &f.OrganisationID,
			map[string]any{"trainee_id": f.TraineeID, "month": f.Month, "situation": in.Situation})
	})
	return f, wrap("record follow-up", err)
}
