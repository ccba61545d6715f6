package store

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/passerelle-dev/passerelle"
)

// UnavailableError is returned when PostgreSQL cannot be reached or cannot
// serve now: a refused or timed-out connection, a connection lost mid-query, a
// server shutting down or starting. It carries passerelle.EUnavailable (503
// with Retry-After at the API) so that every route, authentication included,
// answers "retry later" rather than an internal error; the cause stays for
// logs.
type UnavailableError struct {
	Cause error
}

var errUnavailable = passerelle.Errorf(passerelle.EUnavailable,
	"The database is temporarily unavailable: nothing was changed; retry later.")

func (e *UnavailableError) Error() string { return "store: database unavailable: " + e.Cause.Error() }

// Unwrap exposes both the domain error (errors.As finds the
// *passerelle.Error) and the cause (errors.Is finds it).
func (e *UnavailableError) Unwrap() []error { return []error{errUnavailable, e.Cause} }

// IsUnavailable reports whether err says PostgreSQL is down or unreachable.
func IsUnavailable(err error) bool {
	var u *UnavailableError
	return errors.As(err, &u)
}

// classify turns an error that means "PostgreSQL cannot be reached now" into
// an *UnavailableError; any other error passes unchanged. It is applied once,
// where the store meets the pool (db) and where a transaction ends (inTx).
func classify(err error) error {
	if err == nil || !unreachable(err) {
		return err
	}
	return &UnavailableError{Cause: err}
}

// unreachable reports whether err is a connection failure rather than an
// answer of the database.
func unreachable(err error) bool {
	var domain *passerelle.Error
	var u *UnavailableError
	if errors.As(err, &domain) || errors.As(err, &u) {
		return false // already says what it is
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case strings.HasPrefix(pgErr.Code, "08"), // connection_exception
			pgErr.Code == "57P01", // admin_shutdown
			pgErr.Code == "57P02", // crash_shutdown
			pgErr.Code == "57P03", // cannot_connect_now (starting up, recovering)
			pgErr.Code == "53300": // too_many_connections
			return true
		}
		return false
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connectErr), errors.As(err, &netErr):
		return true
	case errors.Is(err, context.DeadlineExceeded):
		// A pool that cannot hand out a connection in time (acquire or
		// connect timeout); a slow query is cut by statement_timeout, a
		// PgError, not by a deadline.
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return true
	}
	// pgconn marks the errors that happened before the query reached the
	// server (a closed connection, a failed write).
	return pgconn.SafeToRetry(err)
}

// db is the pool as the store uses it: every error coming out of it is
// classified, and a context that carries a request transaction (see
// BeginRequest) runs its statements in it. It embeds the pool so that any
// other method stays at hand.
type db struct {
	*pgxpool.Pool
}

// on is where ctx's statements run: its request transaction, or the pool.
func (d db) on(ctx context.Context) interface {
	querier
	Begin(ctx context.Context) (pgx.Tx, error)
} {
	if tx := requestTx(ctx); tx != nil {
		return tx
	}
	return d.Pool
}

// Query implements querier.
func (d db) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := d.on(ctx).Query(ctx, sql, args...)
	if err != nil {
		return rows, classify(err)
	}
	return classifiedRows{rows}, nil
}

// QueryRow implements querier.
func (d db) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return classifiedRow{d.on(ctx).QueryRow(ctx, sql, args...)}
}

// Exec implements querier.
func (d db) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := d.on(ctx).Exec(ctx, sql, args...)
	return tag, classify(err)
}

// Begin starts a transaction (pgx.BeginFunc calls it): a savepoint inside a
// request transaction.
func (d db) Begin(ctx context.Context) (pgx.Tx, error) {
	tx, err := d.on(ctx).Begin(ctx)
	return tx, classify(err)
}

// classifiedRow classifies the error of Scan, where QueryRow reports it.
type classifiedRow struct{ pgx.Row }

func (r classifiedRow) Scan(dest ...any) error { return classify(r.Row.Scan(dest...)) }

// classifiedRows classifies the error of a result set lost mid-read.
type classifiedRows struct{ pgx.Rows }

func (r classifiedRows) Err() error { return classify(r.Rows.Err()) }

// BeginTx starts a transaction with options, outside any request
// transaction (a snapshot for the search index reconciler).
func (d db) BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error) {
	tx, err := d.Pool.BeginTx(ctx, opts)
	return tx, classify(err)
}

// SendBatch implements querier.
func (d db) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return classifiedBatch{d.on(ctx).SendBatch(ctx, b)}
}

// classifiedBatch classifies the errors of a batch's results.
type classifiedBatch struct{ pgx.BatchResults }

func (b classifiedBatch) Exec() (pgconn.CommandTag, error) {
	tag, err := b.BatchResults.Exec()
	return tag, classify(err)
}

func (b classifiedBatch) Query() (pgx.Rows, error) {
	rows, err := b.BatchResults.Query()
	if err != nil {
		return rows, classify(err)
	}
	return classifiedRows{rows}, nil
}

func (b classifiedBatch) QueryRow() pgx.Row { return classifiedRow{b.BatchResults.QueryRow()} }

func (b classifiedBatch) Close() error { return classify(b.BatchResults.Close()) }
