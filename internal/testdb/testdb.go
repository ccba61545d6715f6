// Package testdb gives each test its own PostgreSQL database, cloned from a
// template that holds every migration, so tests run in parallel against the
// real engine without seeing each other's rows.
//
// It needs PASSERELLE_TEST_DATABASE_URL (set by `make test`, which starts the
// database): a server where the role may create databases. Only tests import it.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/passerelle-dev/passerelle/migrations"
)

// EnvVar names the admin connection URL tests use.
const EnvVar = "PASSERELLE_TEST_DATABASE_URL"

// AdminURL returns the test server's URL, failing the test with a hint when the
// variable is missing: these tests need the real database and never skip.
func AdminURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvVar)
	if u == "" {
		t.Fatalf("%s is not set: run the tests with `make test`, which starts PostgreSQL, Meilisearch and SMTP and sets it", EnvVar)
	}
	return u
}

// New creates a fresh, migrated database for the test, dropped when it ends,
// and returns its connection URL.
func New(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin := AdminURL(t)
	tpl, err := ensureTemplate(ctx, admin)
	if err != nil {
		t.Fatalf("testdb: template: %v", err)
	}
	name := "t_" + randomHex(8)
	if err := withConn(ctx, admin, func(conn *pgx.Conn) error {
		return retryBusy(ctx, func() error {
			_, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, tpl))
			return err
		})
	}); err != nil {
		t.Fatalf("testdb: create %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := withConn(ctx, admin, func(conn *pgx.Conn) error {
			_, err := conn.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name))
			return err
		}); err != nil {
			t.Errorf("testdb: drop %s: %v", name, err)
		}
	})
	return replaceDatabase(admin, name)
}

// NewPool is New with a pool on the database, closed when the test ends
// (before the database is dropped).
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), New(t))
	if err != nil {
		t.Fatalf("testdb: pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// ensureTemplate makes the template database for the current migrations once,
// across every test process (go test runs packages in parallel), under an
// advisory lock.
func ensureTemplate(ctx context.Context, admin string) (string, error) {
	fp, err := migrations.Fingerprint()
	if err != nil {
		return "", err
	}
	tpl := "tpl_" + fp
	err = withConn(ctx, admin, func(conn *pgx.Conn) error {
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7419)`); err != nil {
			return err
		}
		defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7419)`) //nolint:errcheck // released with the session
		var exists bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, tpl).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return nil
		}
		// A half-built template from an interrupted run is rebuilt.
		if _, err := conn.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, tpl)); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s`, tpl)); err != nil {
			return err
		}
		pool, err := pgxpool.New(ctx, replaceDatabase(admin, tpl))
		if err != nil {
			return err
		}
		_, err = migrations.Apply(ctx, pool)
		pool.Close()
		if err != nil {
			return err
		}
		_, err = conn.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %s WITH is_template = true ALLOW_CONNECTIONS = false`, tpl))
		return err
	})
	return tpl, err
}

// retryBusy retries while the template is briefly in use by another creation
// (SQLSTATE 55006, object_in_use).
func retryBusy(ctx context.Context, fn func() error) error {
	for {
		err := fn()
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || pgErr.Code != "55006" {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func withConn(ctx context.Context, url string, fn func(*pgx.Conn) error) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return fn(conn)
}

// replaceDatabase swaps the database name in a postgres:// URL.
func replaceDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
