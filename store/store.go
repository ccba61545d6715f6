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

// inTxFrom runs a transaction that opens with a batch: queue fills the batch,
// and BEGIN travels with it (pgx's Batch.BeginTx), so the transaction costs
// no round trip of its own. read takes the batch's results in order (BEGIN's
// is already read); fn, when not nil, goes on in the transaction. It commits
// when both return nil. Writes that start with their row and its audit entry
// use it: creating an offer has a latency bar (see `passerelle bench`).
func (s *Store) inTxFrom(ctx context.Context, queue func(b *pgx.Batch), read func(br pgx.BatchResults) error, fn func(tx pgx.Tx) error) error {
	var (
		b   pgx.Batch
		tx  pgx.Tx
		br  pgx.BatchResults
		err error
	)
	if requestTx(ctx) != nil {
		// Inside a request transaction: a savepoint, then the batch.
		if tx, err = s.pool.Begin(ctx); err != nil {
			return err
		}
		queue(&b)
		br = tx.SendBatch(ctx, &b)
	} else {
		b.BeginTx(pgx.TxOptions{})
		queue(&b)
		br = s.pool.SendBatch(ctx, &b)
		tx = br.Tx()
		_, err = br.Exec() // BEGIN's result
	}
	// After Commit, Rollback is a no-op; after an error, that error is the one to return.
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // see above

	if err == nil {
		err = read(br)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err == nil && fn != nil {
		err = fn(tx)
	}
	if err == nil {
		err = tx.Commit(ctx)
	}
	return classify(err)
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

// foreignKeyViolation reports whether err is PostgreSQL's foreign_key_violation.
func foreignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503"
}

// wrap names the operation that failed; codes of passerelle.Error survive it.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", op, err)
}
