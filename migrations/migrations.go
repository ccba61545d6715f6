package migrations

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed *.sql
var files embed.FS

// lockKey serialises concurrent migrators (two replicas starting at once).
const lockKey = 0x7061737365 // "passe"

// Applied lists what one Apply did, for the caller to report.
type Applied struct {
	River []string // River migration versions, e.g. "river 6"
	App   []string // application files, e.g. "0001_foundation.sql"
}

// Apply brings the database up to date: River's tables first, then the
// application's files not yet recorded in schema_migrations. It is idempotent.
func Apply(ctx context.Context, pool *pgxpool.Pool) (Applied, error) {
	var out Applied
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return out, fmt.Errorf("migrations: acquire: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
		return out, fmt.Errorf("migrations: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockKey) //nolint:errcheck // released with the session anyway

	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return out, fmt.Errorf("migrations: river: %w", err)
	}
	res, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return out, fmt.Errorf("migrations: river up: %w", err)
	}
	for _, v := range res.Versions {
		out.River = append(out.River, fmt.Sprintf("river %d", v.Version))
	}

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name text PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return out, fmt.Errorf("migrations: bookkeeping table: %w", err)
	}
	names, err := Names()
	if err != nil {
		return out, err
	}
	for _, name := range names {
		applied, err := applyFile(ctx, conn.Conn(), name)
		if err != nil {
			return out, err
		}
		if applied {
			out.App = append(out.App, name)
		}
	}
	return out, nil
}

func applyFile(ctx context.Context, conn *pgx.Conn, name string) (bool, error) {
	body, err := files.ReadFile(name)
	if err != nil {
		return false, fmt.Errorf("migrations: read %s: %w", name, err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("migrations: begin %s: %w", name, err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	tag, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name) VALUES ($1) ON CONFLICT DO NOTHING`, name)
	if err != nil {
		return false, fmt.Errorf("migrations: record %s: %w", name, err)
	}
	if tag.RowsAffected() == 0 {
		return false, nil // already applied
	}
	if _, err := tx.Exec(ctx, string(body)); err != nil {
		return false, fmt.Errorf("migrations: apply %s: %w", name, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("migrations: commit %s: %w", name, err)
	}
	return true, nil
}

// Names returns the application's migration files in the order they apply.
func Names() ([]string, error) {
	entries, err := fs.Glob(files, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("migrations: list: %w", err)
	}
	sort.Strings(entries)
	return entries, nil
}

// Fingerprint identifies the schema this binary would build: a hash of every
// embedded file and of River's migration count. Test databases cloned from a
// template use it to know when the template is stale.
func Fingerprint() (string, error) {
	names, err := Names()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, name := range names {
		body, err := files.ReadFile(name)
		if err != nil {
			return "", fmt.Errorf("migrations: read %s: %w", name, err)
		}
		fmt.Fprintf(h, "%s\n%s\n", name, body)
	}
	migrator, err := rivermigrate.New(riverpgxv5.New(nil), nil)
	if err != nil {
		return "", fmt.Errorf("migrations: river: %w", err)
	}
	versions := migrator.AllVersions()
	fmt.Fprintf(h, "river %d\n", len(versions))
	return strings.ToLower(hex.EncodeToString(h.Sum(nil))[:16]), nil
}
