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
}

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
	rows, err := db.Query(ctx, sql, args)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	items := make([]T, 0, limit)
	for rows.Next() {
		item, err := scan(rows)
		if err != nil {
			return nil, nil, err
		}
		items = append(items, item)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if len(items) <= limit {
		return items, nil, nil
	}
	items = items[:limit]
	next := cursorOf(items[limit-1])
	return items, &next, nil
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
