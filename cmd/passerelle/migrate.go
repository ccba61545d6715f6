package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/passerelle-dev/passerelle/migrations"
	"github.com/passerelle-dev/passerelle/store"
)

func runMigrate(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "migrate", "migrate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pool, err := openPool(ctx, env.Config.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	applied, err := migrations.Apply(ctx, pool)
	if err != nil {
		return err
	}
	reportMigrations(env, applied)
	// RQTH written in clear before it was sealed (0011_privacy.sql) is
	// sealed now, when a data key is set.
	keys, err := env.Config.dataKeys()
	if err != nil || keys == nil {
		return err
	}
	st := store.New(pool, nil)
	st.SetDataKeys(keys)
	n, err := st.RotateData(ctx)
	if n > 0 {
		fmt.Fprintf(env.Stdout, "migrate: sealed %d RQTH value(s) with data key %q\n", n, keys.CurrentID())
	}
	return err
}

func reportMigrations(env *Env, applied migrations.Applied) {
	if len(applied.River)+len(applied.App) == 0 {
		fmt.Fprintln(env.Stdout, "migrate: database already up to date")
		return
	}
	if len(applied.River) > 0 {
		fmt.Fprintf(env.Stdout, "migrate: applied %s\n", strings.Join(applied.River, ", "))
	}
	for _, name := range applied.App {
		fmt.Fprintf(env.Stdout, "migrate: applied %s\n", name)
	}
}

// openPool connects to PostgreSQL and checks that it answers, with a message
// that says where it tried.
func openPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database at %s:%d does not answer (is it started? `make run` starts one): %w",
			cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	return pool, nil
}
