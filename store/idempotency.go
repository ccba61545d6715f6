package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// PurgeIdempotencyKeys deletes idempotency records older than retention, by the
// database's clock, and returns how many went.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context, retention time.Duration) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < now() - $1::interval`,
		fmt.Sprintf("%d seconds", int64(retention.Seconds())))
	if err != nil {
		return 0, fmt.Errorf("store: purge idempotency keys: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Idempotency says what to do with a creating request carrying an
// Idempotency-Key.
type Idempotency struct {
	// State is IdemNew (run the request, then Finish or Abandon), IdemReplay
	// (answer with the stored response), IdemMismatch (the key was used with
	// another body) or IdemInProgress (a duplicate is running now).
	State   string
	Status  int
	Headers map[string]string
	Body    []byte
}

// Idempotency states.
const (
	IdemNew        = "new"
	IdemReplay     = "replay"
	IdemMismatch   = "mismatch"
	IdemInProgress = "in_progress"
)

// idempotencyTakeover is how long an unfinished request holds its key: past
// it, the process that ran it is taken for dead and a retry may run again.
const idempotencyTakeover = 2 * time.Minute

// BeginIdempotent claims (keyID, key) for a request whose body hashes to hash.
func (s *Store) BeginIdempotent(ctx context.Context, keyID uuid.UUID, key string, hash []byte) (Idempotency, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO idempotency_keys (api_key_id, key, request_hash, state)
		VALUES ($1, $2, $3, 'in_progress')
		ON CONFLICT (api_key_id, key) DO UPDATE SET request_hash = excluded.request_hash, created_at = now()
		WHERE idempotency_keys.state = 'in_progress' AND idempotency_keys.created_at < now() - $4::interval`,
		keyID, key, hash, fmt.Sprintf("%d seconds", int(idempotencyTakeover.Seconds())))
	if err != nil {
		return Idempotency{}, fmt.Errorf("store: begin idempotent: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return Idempotency{State: IdemNew}, nil
	}
	var (
		state   string
		stored  []byte
		status  *int
		headers map[string]string
		body    []byte
	)
	err = s.pool.QueryRow(ctx, `SELECT state, request_hash, response_status, response_headers, response_body
		FROM idempotency_keys WHERE api_key_id = $1 AND key = $2`, keyID, key).Scan(&state, &stored, &status, &headers, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		// Abandoned and deleted between the two statements: try once more.
		return s.BeginIdempotent(ctx, keyID, key, hash)
	}
	if err != nil {
		return Idempotency{}, fmt.Errorf("store: begin idempotent: %w", err)
	}
	switch {
	case !bytes.Equal(stored, hash):
		return Idempotency{State: IdemMismatch}, nil
	case state == "in_progress":
		return Idempotency{State: IdemInProgress}, nil
	default:
		return Idempotency{State: IdemReplay, Status: *status, Headers: headers, Body: body}, nil
	}
}

// FinishIdempotent stores the response to replay.
func (s *Store) FinishIdempotent(ctx context.Context, keyID uuid.UUID, key string, status int, headers map[string]string, body []byte) error {
	_, err := s.pool.Exec(ctx, `UPDATE idempotency_keys SET state = 'done', response_status = $3, response_headers = $4, response_body = $5
		WHERE api_key_id = $1 AND key = $2`, keyID, key, status, headers, body)
	if err != nil {
		return fmt.Errorf("store: finish idempotent: %w", err)
	}
	return nil
}

// AbandonIdempotent forgets a claim whose request did not succeed, so that a
// retry runs afresh.
func (s *Store) AbandonIdempotent(ctx context.Context, keyID uuid.UUID, key string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE api_key_id = $1 AND key = $2 AND state = 'in_progress'`, keyID, key)
	if err != nil {
		return fmt.Errorf("store: abandon idempotent: %w", err)
	}
	return nil
}
