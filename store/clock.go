package store

import (
	"context"
	"time"
)

// The database's clock is the one clock: every stored or compared time is
// now() of PostgreSQL, so that API processes and workers on several machines
// agree, and tests move rows in time rather than a process's clock. Days
// (ages, "today") are counted in Europe/Paris, the programmes' zone.

// parisToday is the SQL of today's date in Paris by the database clock.
const parisToday = `(now() AT TIME ZONE 'Europe/Paris')::date`

// Now returns the database clock: the start of a job run that compares times
// with what it stores reads it once.
func (s *Store) Now(ctx context.Context) (time.Time, error) {
	var now time.Time
	err := s.pool.QueryRow(ctx, `SELECT now()`).Scan(&now)
	return now, wrap("now", err)
}

// today is the database's current date in Paris, as a date at 00:00 UTC
// (how dates are read).
func today(ctx context.Context, db querier) (time.Time, error) {
	var d time.Time
	err := db.QueryRow(ctx, `SELECT `+parisToday).Scan(&d)
	return d, err
}
