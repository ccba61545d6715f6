package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/passerelle-dev/passerelle/bench"
	"github.com/passerelle-dev/passerelle/internal/childproc"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/store"
)

func runBench(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "bench", "bench [--small] [--offers N] [--out FILE] [--only NAMES] [--database NAME] [--index-prefix PREFIX] [--cpuprofile FILE] [--processes N]")
	small := fs.Bool("small", false, "smoke test: 2,000 offers and a few dozen requests per measurement, under a minute; not a benchmark")
	offers := fs.Int("offers", 100_000, "offers in the generated dataset (2,000 with --small unless given)")
	out := fs.String("out", "", "JSON report `file` (default bench/results/<UTC timestamp>.json)")
	only := fs.String("only", "", "comma-separated measurements to run: "+strings.Join(slices.Concat(bench.Names, bench.Extra), ", ")+" (default: all; "+strings.Join(bench.Extra, ", ")+" with --processes only)")
	database := fs.String("database", "passerelle_bench", "database created (dropped first!) on DATABASE_URL's server for the run")
	prefix := fs.String("index-prefix", "bench_", "Meilisearch index prefix of the run (replaces MEILI_INDEX_PREFIX)")
	seed := fs.Uint64("seed", 1, "dataset seed: the same seed, size and day give the same dataset")
	maildev := fs.String("maildev", "http://127.0.0.1:1080", "web API of the maildev behind SMTP_URL, where the notification measurement counts messages")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the measurements (server included) to `file`, for go tool pprof")
	processes := fs.Int("processes", 0, "run `N` API processes and N worker processes (child `passerelle serve --only api|worker` on loopback ports, the configured rate limit) instead of one in-process server; the mixed load spreads over the API processes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"bench: unexpected arguments: " + strings.Join(fs.Args(), " ")}
	}
	offersSet := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "offers" {
			offersSet = true
		}
	})
	if *small && !offersSet {
		*offers = 2_000
	}
	if *offers < 100 {
		return usageError{"bench: --offers must be at least 100"}
	}
	var names []string
	for n := range strings.SplitSeq(*only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			if !bench.Known(n) {
				return usageError{fmt.Sprintf("bench: --only: unknown measurement %q (want %s)", n, strings.Join(slices.Concat(bench.Names, bench.Extra), ", "))}
			}
			names = append(names, n)
		}
	}
	if *out == "" {
		*out = filepath.Join("bench", "results", time.Now().UTC().Format("20060102T150405Z")+".json")
	}

	// Progress lines and the server's warnings reach stderr from several
	// goroutines.
	stderr := &lockedWriter{w: env.Stderr}
	cfg := bench.Config{
		Offers: *offers, Small: *small, Only: names, Seed: *seed,
		DatabaseURL: env.Config.DatabaseURL, Database: *database,
		MeiliURL: env.Config.MeiliURL, MeiliKey: env.Config.MeiliMasterKey, IndexPrefix: *prefix,
		SMTPURL: env.Config.SMTPURL, MaildevURL: *maildev,
		CPUProfile: *cpuprofile, Progress: stderr,
		// The shards are built as `passerelle reindex` builds them.
		BuildIndex: func(ctx context.Context, st *store.Store, sc *search.Client) (int, error) {
			r, err := Reindex(ctx, st, sc, DefaultShardBound, true)
			return r.Documents, err
		},
		RateLimitPerMinute: benchRateLimitPerMin, RateLimitBurst: benchRateLimitBurst,
		Serve: func(ctx context.Context, databaseURL string) ([]string, func() error, error) {
			if *processes > 0 {
				return serveProcesses(ctx, env, stderr, databaseURL, *prefix, *processes)
			}
			c := env.Config
			c.DatabaseURL, c.MeiliIndexPrefix = databaseURL, *prefix
			c.ListenAddr, c.MetricsListenAddr = "127.0.0.1:0", ""
			// Per-key rate limits are a product rule, not a cost under test
			// (the bench also spreads its requests over several keys).
			c.RateLimitPerMin, c.RateLimitBurst = benchRateLimitPerMin, benchRateLimitBurst
			// Access logs are written as in production, at the configured
			// level; only warnings and errors reach the terminal.
			logger := newLogger(&severeLines{w: stderr}, Config{LogLevel: c.LogLevel, LogFormat: "json"})
			m := &Main{Config: c, Logger: logger}
			if err := m.Run(ctx); err != nil {
				return nil, nil, err
			}
			return []string{"http://" + m.Addr()}, m.Close, nil
		},
	}
	if *processes > 0 {
		cfg.RateLimitPerMinute, cfg.RateLimitBurst = env.Config.RateLimitPerMin, env.Config.RateLimitBurst
	}
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if err := rep.WriteTable(env.Stdout); err != nil {
		return err
	}
	if err := rep.WriteJSON(*out); err != nil {
		return fmt.Errorf("bench: write %s: %w", *out, err)
	}
	fmt.Fprintf(env.Stderr, "bench: wrote %s\n", *out)
	return nil
}

// The in-process server's per-key limits: out of the measurements' way.
const (
	benchRateLimitPerMin = 1_000_000
	benchRateLimitBurst  = 100_000
)

// serveProcesses starts n API and n worker processes (this binary's `serve
// --only …`) over databaseURL, with the configured rate limit, which they
// share through PostgreSQL. Their warnings and errors reach stderr.
func serveProcesses(ctx context.Context, env *Env, stderr io.Writer, databaseURL, prefix string, n int) ([]string, func() error, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	c := env.Config
	vars := append(os.Environ(), "DATABASE_URL="+databaseURL, "MEILI_URL="+c.MeiliURL, "MEILI_MASTER_KEY="+c.MeiliMasterKey,
		"MEILI_INDEX_PREFIX="+prefix, "SMTP_URL="+c.SMTPURL, "LOG_LEVEL=warn", "LOG_FORMAT=json",
		fmt.Sprintf("RATE_LIMIT_PER_MINUTE=%d", c.RateLimitPerMin), fmt.Sprintf("RATE_LIMIT_BURST=%d", c.RateLimitBurst))
	var procs []*childproc.Process
	stop := func() error {
		var errs []error
		for _, p := range procs {
			errs = append(errs, p.Stop(c.ShutdownTimeout+5*time.Second))
		}
		return errors.Join(errs...)
	}
	var bases []string
	out := &severeLines{w: stderr}
	for _, only := range []string{"api", "worker"} {
		for i := range n {
			p, err := childproc.Start(ctx, fmt.Sprintf("%s-%d", only, i+1), exe, vars, out, "serve", "--only", only)
			if err != nil {
				_ = stop()
				return nil, nil, err
			}
			procs = append(procs, p)
			if only == "api" {
				bases = append(bases, p.URL)
			}
		}
	}
	return bases, stop, nil
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// severeLines passes on the JSON log lines of warnings and errors only.
type severeLines struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *severeLines) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(`"level":"WARN"`)) || bytes.Contains(p, []byte(`"level":"ERROR"`)) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, err := s.w.Write(p); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}
