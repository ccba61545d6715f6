package store

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// A request transaction holds everything one API request writes, so that
// something else can be written with it atomically: the response recorded
// under an Idempotency-Key (api/idempotency.go) commits with the row it
// describes, or neither does. While a context carries one, every statement
// the store runs for that context goes through it, and the store's own
// transactions become savepoints inside it.
type requestTxKey struct{}

// BeginRequest starts a request transaction and returns the context that
// carries it. The caller commits or rolls it back.
func (s *Store) BeginRequest(ctx context.Context) (context.Context, pgx.Tx, error) {
	tx, err := s.pool.Pool.Begin(ctx)
	if err != nil {
		return ctx, nil, classify(err)
	}
	return context.WithValue(ctx, requestTxKey{}, tx), tx, nil
}

// requestTx is the request transaction ctx carries, nil when none.
func requestTx(ctx context.Context) pgx.Tx {
	tx, _ := ctx.Value(requestTxKey{}).(pgx.Tx)
	return tx
}
