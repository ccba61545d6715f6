package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Lists are change feeds: ordered by (updated_at, id), resumed after a cursor,
// optionally from updated_since. A row updated while a client pages through
// moves to the end and shows again; none is skipped.
//
// updated_at is now(), the start of the writing transaction, so a transaction
// that waited (on a lock, say) commits rows behind rows other transactions
// committed meanwhile. A page is therefore served only up to a watermark: the
// start of the oldest transaction still running in the database, read before
// the page's own snapshot. No transaction running then can commit a row below
// it, and every later one starts above it. Rows at or above the watermark are
// held back: a page that would end with some waits a little for the
// transactions before them to finish, then ends before them (next_cursor
// null: the feed resumes from the last row seen, with updated_since). See
// docs/decisions.md.

// MaxLimit bounds a page; DefaultLimit is used when none is asked.
const (
	MaxLimit     = 200
	DefaultLimit = 50
)

// Cursor is the position after the last row of a page.
type Cursor struct {
	UpdatedAt time.Time
	ID        uuid.UUID
}

// Page is which rows of a list to return.
type Page struct {
	Limit        int
	After        *Cursor
	UpdatedSince *time.Time
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// feedSettleWait bounds how long a page waits for the transactions running
// before its last rows to finish; feedSettlePoll is how often it looks again.
const (
	feedSettleWait = 300 * time.Millisecond
	feedSettlePoll = 5 * time.Millisecond
)

// watermarkSQL is the start of the oldest transaction of another session
// running in this database, or the present when there is none. The session
// statistics are cleared first: they are otherwise read once per transaction.
// The application's role sees its own sessions; one that writes the same
// tables under another role must be granted pg_read_all_stats.
const watermarkSQL = `SELECT coalesce(min(xact_start), clock_timestamp()) FROM pg_stat_activity
	WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
		AND xact_start IS NOT NULL`

// listPage runs base — a "SELECT ... FROM t WHERE <tenancy>" over one table
// with updated_at and id columns, named arguments in args — for one page, and
// returns the rows and the cursor of the next page (nil on the last).
func listPage[T any](ctx context.Context, db querier, base string, args pgx.NamedArgs, page Page,
	scan func(pgx.Row) (T, error), cursorOf func(T) Cursor) ([]T, *Cursor, error) {
	limit := page.Limit
	if limit <= 0 || limit > MaxLimit {
		limit = DefaultLimit
	}
	sql := base
	if page.UpdatedSince != nil {
		sql += ` AND updated_at >= @updated_since`
		args["updated_since"] = *page.UpdatedSince
	}
	if page.After != nil {
		sql += ` AND (updated_at, id) > (@after_t, @after_id)`
		args["after_t"], args["after_id"] = page.After.UpdatedAt, page.After.ID
	}
	sql += fmt.Sprintf(` ORDER BY updated_at, id LIMIT %d`, limit+1)
	deadline := time.Now().Add(feedSettleWait)
	for {
		watermark, items, err := feedPage(ctx, db, sql, args, limit, scan)
		if err != nil {
			return nil, nil, err
		}
		settled := len(items)
		for settled > 0 && !cursorOf(items[settled-1]).UpdatedAt.Before(watermark) {
			settled--
		}
		switch {
		case settled >= limit && len(items) > limit:
			items = items[:limit]
			next := cursorOf(items[limit-1])
			return items, &next, nil
		case settled == len(items):
			return items, nil, nil
		case time.Now().After(deadline):
			return items[:settled], nil, nil
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(feedSettlePoll):
		}
	}
}

// feedPage reads the watermark, then, on a later snapshot, up to limit+1 rows
// of sql, in one round trip.
func feedPage[T any](ctx context.Context, db querier, sql string, args pgx.NamedArgs, limit int,
	scan func(pgx.Row) (T, error)) (watermark time.Time, items []T, err error) {
	var b pgx.Batch
	b.Queue(`SELECT pg_stat_clear_snapshot()`)
	b.Queue(watermarkSQL).QueryRow(func(row pgx.Row) error { return row.Scan(&watermark) })
	b.Queue(sql, args).Query(func(rows pgx.Rows) error {
		items = make([]T, 0, limit+1)
		for rows.Next() {
			item, err := scan(rows)
			if err != nil {
				return err
			}
			items = append(items, item)
		}
		return rows.Err()
	})
	err = db.SendBatch(ctx, &b).Close()
	return watermark, items, err
}

// getOne runs query — a SELECT of one row by id, tenancy included, named
// arguments in args — and scans its row. forUpdate locks the row (of table
// alias lockOf when the query joins, "" otherwise). No row is what, not found.
func getOne[T any](ctx context.Context, db querier, query string, args pgx.NamedArgs, forUpdate bool, lockOf string,
	scan func(pgx.Row) (T, error), what string) (T, error) {
	if forUpdate {
		query += ` FOR UPDATE`
		if lockOf != "" {
			query += ` OF ` + lockOf
		}
	}
	v, err := scan(db.QueryRow(ctx, query, args))
	if errors.Is(err, pgx.ErrNoRows) {
		return v, notFound(what)
	}
	return v, err
}
