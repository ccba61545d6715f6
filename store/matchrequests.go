package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/passerelle-dev/passerelle"
)

// Job states as the API shows them.
const (
	JobQueued    = "queued"
	JobRunning   = "running"
	JobRetrying  = "retrying"
	JobCompleted = "completed"
	JobFailed    = "failed"
	// JobUnknown is a job finished long enough ago for its record to be gone.
	JobUnknown = "unknown"
)

// JobStates lists the states of a match job as the API shows them.
var JobStates = []string{JobQueued, JobRunning, JobRetrying, JobCompleted, JobFailed, JobUnknown}

// MatchRequest is a match asked for through the API, and the state of the
// job that runs it.
type MatchRequest struct {
	ID         uuid.UUID
	TraineeID  uuid.UUID
	CreatedAt  time.Time
	State      string
	Attempt    int
	FinishedAt *time.Time
	Output     json.RawMessage // the job's result, once completed
}

// Progress is how far the job is, from 0 to 1.
func (m MatchRequest) Progress() float64 {
	switch m.State {
	case JobRunning:
		return 0.5
	case JobCompleted, JobFailed, JobUnknown:
		return 1
	}
	return 0
}

// RequestMatch asks for trainee id's suggestions to be recomputed now. When a
// match of the trainee is already pending, the request follows that job.
func (s *Store) RequestMatch(ctx context.Context, actor passerelle.Principal, id uuid.UUID) (MatchRequest, error) {
	if err := mayManageTrainees(actor); err != nil {
		return MatchRequest{}, err
	}
	var m MatchRequest
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		t, err := getTrainee(ctx, tx, actor, id, false)
		if err != nil {
			return err
		}
		job, err := s.enqueueMatchTx(ctx, tx, id)
		if err != nil {
			return err
		}
		m = MatchRequest{ID: uuid.New(), TraineeID: id}
		if err := tx.QueryRow(ctx, `INSERT INTO match_requests (id, organisation_id, trainee_id, river_job_id)
			VALUES ($1, $2, $3, $4) RETURNING created_at`, m.ID, t.OrganisationID, id, job.ID).Scan(&m.CreatedAt); err != nil {
			return err
		}
		m.fromJob(job)
		return nil
	})
	return m, wrap("request match", err)
}

// GetMatchRequest returns a match request of actor's organisation with the
// current state of its job.
func (s *Store) GetMatchRequest(ctx context.Context, actor passerelle.Principal, id uuid.UUID) (MatchRequest, error) {
	if err := mayManageTrainees(actor); err != nil {
		return MatchRequest{}, err
	}
	args := pgx.NamedArgs{"id": id}
	m := MatchRequest{ID: id}
	var jobID int64
	err := s.pool.QueryRow(ctx, `SELECT trainee_id, created_at, river_job_id FROM match_requests
		WHERE id = @id AND `+memberScope(actor, args), args).Scan(&m.TraineeID, &m.CreatedAt, &jobID)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, notFound("Job")
	} else if err != nil {
		return m, wrap("get match request", err)
	}
	job, err := s.river.JobGet(ctx, jobID)
	if errors.Is(err, river.ErrNotFound) {
		m.State = JobUnknown
		return m, nil
	} else if err != nil {
		return m, wrap("get match request", err)
	}
	m.fromJob(job)
	return m, nil
}

func (m *MatchRequest) fromJob(j *rivertype.JobRow) {
	switch j.State {
	case rivertype.JobStateRunning:
		m.State = JobRunning
	case rivertype.JobStateRetryable:
		m.State = JobRetrying
	case rivertype.JobStateCompleted:
		m.State = JobCompleted
	case rivertype.JobStateCancelled, rivertype.JobStateDiscarded:
		m.State = JobFailed
	default:
		m.State = JobQueued
	}
	m.Attempt = j.Attempt
	m.FinishedAt = j.FinalizedAt
	if out := j.Output(); len(out) > 0 {
		m.Output = out
	}
}
