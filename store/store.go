package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/internal/datakey"
)

// Store is the database and the River client used to enqueue jobs inside
// transactions. The River client may be insert-only (an API-only process).
type Store struct {
	pool  db // the pool, with its connection errors classified
	river *river.Client[pgx.Tx]
	keys  *datakey.Ring // seal and open article 9 data (datakey.go)
}

// New returns a Store over pool. riverClient may be nil until the jobs package
// has built it (see SetRiver).
func New(pool *pgxpool.Pool, riverClient *river.Client[pgx.Tx]) *Store {
	return &Store{pool: db{pool}, river: riverClient}
}

// SetRiver sets the client used for InsertTx. The jobs package needs the store to
// build its workers and the store needs the client to enqueue: this breaks the loop.
func (s *Store) SetRiver(c *river.Client[pgx.Tx]) { s.river = c }

// Pool returns the underlying pool, for health checks and tests.
func (s *Store) Pool() *pgxpool.Pool { return s.pool.Pool }

// Ping checks that PostgreSQL answers.
func (s *Store) Ping(ctx context.Context) error { return classify(s.pool.Ping(ctx)) }

// inTx runs fn in a transaction, committing when it returns nil. A
// connection lost inside the transaction is classified here, once for every
// statement of fn.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return classify(pgx.BeginFunc(ctx, s.pool, fn))
}

// notFound is the answer for a missing row and for another tenant's row alike.
func notFound(what string) error {
	return passerelle.Errorf(passerelle.ENotFound, "%s not found.", what)
}

// uniqueViolation reports whether err is PostgreSQL's unique_violation on the
// named constraint (any constraint when name is "").
func uniqueViolation(err error, name string) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		return false
	}
	return name == "" || pgErr.ConstraintName == name
}

// wrap names the operation that failed; codes of passerelle.Error survive it.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", op, err)
}
