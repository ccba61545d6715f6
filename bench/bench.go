package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/demo"
	"github.com/passerelle-dev/passerelle/jobs/jobargs"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/search/shard"
	"github.com/passerelle-dev/passerelle/store"
)

// Measurement names.
const (
	SearchAPIvsMeili  = "search_api_vs_meili"
	CreateAPIvsSQL    = "create_api_vs_sql"
	WriteToSearchable = "write_to_searchable"
	MixedLoad         = "mixed_load"
	MatchOneTrainee   = "match_one_trainee"
	RematchAll        = "rematch_all"
	RematchDB         = "rematch_all_db"
	SharedRateLimit   = "shared_rate_limit"
	GeoSearch         = "geo_search"
	SearchNoPoint     = "search_no_point"
	IndexThroughput   = "index_throughput"
)

// Names lists every measurement in the order they run: the matching ones
// (pure CPU) first, on a quiet machine; the writing ones last, as the index
// jobs of their drafts would otherwise delay what follows (at 100k offers
// Meilisearch takes seconds per batch of documents).
var Names = []string{MatchOneTrainee, RematchAll, SearchAPIvsMeili, GeoSearch, SearchNoPoint, WriteToSearchable, CreateAPIvsSQL,
	IndexThroughput, MixedLoad, NotifyProposals, RematchDB, ConsolePages}

// Extra lists the measurements a run makes only when asked (Config.Only), or
// when its servers apply a real rate limit (several processes): the shared
// rate limit needs one.
var Extra = []string{SharedRateLimit}

// Known says whether name is a measurement.
func Known(name string) bool { return slices.Contains(Names, name) || slices.Contains(Extra, name) }

// Config is one run.
type Config struct {
	// Offers is the dataset's size (published offers).
	Offers int
	// Small runs few requests per measurement: a smoke test, not a benchmark.
	Small bool
	// Only restricts the run to these measurements (nil: all).
	Only []string
	Seed uint64

	// DatabaseURL names the PostgreSQL server; the bench's own database,
	// Database, is dropped and created afresh next to it.
	DatabaseURL string
	Database    string
	MeiliURL    string
	MeiliKey    string
	// IndexPrefix is the bench's index prefix (its Passerelle's too).
	IndexPrefix string
	// SMTPURL is the SMTP server Passerelle sends to, and MaildevURL the
	// web API of that server (maildev), where the notification measurement
	// counts what arrived.
	SMTPURL    string
	MaildevURL string

	// Serve starts Passerelle (API and worker) on databaseURL, with
	// IndexPrefix, on loopback, and returns the base URL of each API process
	// and how to stop them all. The mixed load spreads its requests over
	// the processes in turn; the other measurements use the first.
	Serve func(ctx context.Context, databaseURL string) (baseURLs []string, stop func() error, err error)
	// RateLimitPerMinute and RateLimitBurst are the per-key limit the API
	// processes apply; SharedRateLimit checks it holds across them.
	RateLimitPerMinute, RateLimitBurst int
	// BuildIndex fills the offers index from the database the way `passerelle
	// reindex` does.
	BuildIndex func(ctx context.Context, st *store.Store, sc *search.Client) (int, error)

	// CPUProfile, when set, is written with a CPU profile of the
	// measurements (not of loading), server included: it runs in-process.
	CPUProfile string
	// Progress receives a line per step (stderr).
	Progress io.Writer
}

// sizes are the requests of each measurement.
type sizes struct {
	warmup, search, create, visible int
	notify                          int
}

func (c Config) sizes() sizes {
	if c.Small {
		return sizes{warmup: 10, search: 50, create: 50, visible: 20, notify: 500}
	}
	return sizes{warmup: 50, search: 1000, create: 500, visible: 100, notify: 10_000}
}

// runner is the state of one run.
type runner struct {
	cfg         Config
	sizes       sizes
	data        *Dataset
	companyByID map[uuid.UUID]Company
	rng         *rand.Rand
	pool        *pgxpool.Pool
	river       *river.Client[pgx.Tx]
	client      *client
	bases       []string // every API process
	setup       *setup
	search      *search.Client
	matches     []int64
	lastTick    time.Time
}

// Run builds the dataset, starts Passerelle through cfg.Serve and measures.
// A bar not met is in the report, not an error.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	for _, n := range cfg.Only {
		if !Known(n) {
			return nil, fmt.Errorf("bench: unknown measurement %q (want %s)", n, strings.Join(Names, ", "))
		}
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	b := &runner{cfg: cfg, sizes: cfg.sizes(), rng: rand.New(rand.NewPCG(cfg.Seed, 11))}
	rep := &Report{StartedAt: time.Now().UTC(), Machine: machine()}
	b.logf("bench: %d CPUs, %s, %d offers%s", rep.Machine.NumCPU, rep.Machine.GoVersion, cfg.Offers, map[bool]string{true: " (--small)"}[cfg.Small])

	step := time.Now()
	dbURL, err := CreateDatabase(ctx, cfg.DatabaseURL, cfg.Database)
	if err != nil {
		return nil, err
	}
	b.pool, err = pgxpool.New(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer b.pool.Close()
	_ = b.pool.QueryRow(ctx, `SHOW server_version`).Scan(&rep.Machine.PostgreSQL)
	b.logf("bench: database %s created and migrated (%s)", cfg.Database, since(step))

	step = time.Now()
	b.data = Generate(cfg.Seed, cfg.Offers, time.Now())
	b.companyByID = make(map[uuid.UUID]Company, len(b.data.Companies))
	for _, c := range b.data.Companies {
		b.companyByID[c.ID] = c
	}
	rep.Dataset = DatasetInfo{Offers: len(b.data.Offers), Companies: len(b.data.Companies), Seed: cfg.Seed, Small: cfg.Small}
	rep.Info = append(rep.Info, Info{Name: "generate_dataset", Items: len(b.data.Offers), Seconds: since(step).Seconds(),
		Note: "offers on real French towns, weighted by population"})
	b.logf("bench: generated %d offers of %d companies (%s)", len(b.data.Offers), len(b.data.Companies), since(step))

	step = time.Now()
	if err := Load(ctx, b.pool, b.data); err != nil {
		return nil, err
	}
	rep.Info = append(rep.Info, Info{Name: "load_postgres", Items: len(b.data.Offers) + len(b.data.Companies),
		Seconds: since(step).Seconds(), Note: "COPY of companies and published offers, then ANALYZE"})
	b.logf("bench: loaded into PostgreSQL with COPY (%s)", since(step))

	step = time.Now()
	st := store.New(b.pool, nil)
	sc := search.New(cfg.MeiliURL, cfg.MeiliKey, cfg.IndexPrefix)
	sc.TaskTimeout = 30 * time.Minute // one task indexes a whole batch of a large dataset
	if err := st.EnsureShardMap(ctx, shard.Initial(true)); err != nil {
		return nil, err
	}
	sc.SetShardSource(st)
	b.search = sc
	b.logf("bench: indexing %d offers into the shards under %s (the reindex path)…", len(b.data.Offers), cfg.IndexPrefix)
	n, err := cfg.BuildIndex(ctx, st, sc)
	if err != nil {
		return nil, err
	}
	cells, _ := sc.SearchCells(ctx, search.OfferQuery{})
	all, _ := st.ShardMap(ctx)
	rep.Info = append(rep.Info, Info{Name: "build_index", Items: n, Seconds: since(step).Seconds(),
		Note: fmt.Sprintf("%.0f offers/s into %d shards (+ the national index: %d without a point), settings first, batches of 1,000 per shard, one atomic swap",
			float64(n)/since(step).Seconds(), len(all), len(cells))})
	b.logf("bench: indexed %d offers into %d shards (%s)", n, len(all), since(step))

	b.river, err = river.NewClient(riverpgxv5.New(b.pool), &river.Config{}) // insert-only
	if err != nil {
		return nil, fmt.Errorf("bench: river: %w", err)
	}
	// The console measurement needs the demo's programmes: loaded before any
	// worker runs, as `make run` does (a worker matching the new trainees
	// meanwhile would race the demo's own proposals).
	if len(cfg.Only) == 0 || slices.Contains(cfg.Only, ConsolePages) {
		step = time.Now()
		if _, err := demo.Load(ctx, store.New(b.pool, b.river)); err != nil {
			return nil, fmt.Errorf("bench: demo: %w", err)
		}
		rep.Info = append(rep.Info, Info{Name: "load_demo", Seconds: since(step).Seconds(),
			Note: "the five programmes of `passerelle seed demo`, for the console pages"})
	}
	bases, stop, err := cfg.Serve(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("bench: start passerelle: %w", err)
	}
	b.bases = bases
	defer func() {
		if err := stop(); err != nil {
			b.logf("bench: passerelle stop: %v", err)
		}
	}()
	b.logf("bench: passerelle serving on %s", strings.Join(bases, ", "))

	b.client = newClient(bases[0], cfg.MeiliURL, cfg.MeiliKey)
	if r, err := b.client.meili(ctx, http.MethodGet, "/version", nil); err == nil {
		var v struct {
			PkgVersion string `json:"pkgVersion"`
		}
		_ = json.Unmarshal(r.body, &v)
		rep.Machine.Meilisearch = v.PkgVersion
	}
	_, admin, err := st.CreateKey(ctx, passerelle.System, store.KeyInput{Name: "bench admin", Role: passerelle.RoleAdmin})
	if err != nil {
		return nil, fmt.Errorf("bench: admin key: %w", err)
	}
	if b.setup, err = b.client.setup(ctx, admin, b.data); err != nil {
		return nil, fmt.Errorf("bench: setup through the API: %w", err)
	}

	// The worker's start-up jobs (the reconciler reads the whole index) must
	// not run during the first measurement.
	if err := b.settle(ctx, rep); err != nil {
		return nil, err
	}
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	for _, m := range []struct {
		name string
		run  func(context.Context) (Measurement, error)
	}{
		{MatchOneTrainee, b.measureMatch},
		{RematchAll, b.measureRematch},
		{SearchAPIvsMeili, b.measureSearch},
		{GeoSearch, b.measureGeoSearch},
		{SearchNoPoint, b.measureSearchNoPoint},
		{WriteToSearchable, b.measureVisible},
		{CreateAPIvsSQL, b.measureCreate},
		{IndexThroughput, b.measureIndexThroughput},
		{SharedRateLimit, b.measureSharedRateLimit}, // before the load, whose index jobs take minutes to drain
		{MixedLoad, b.measureMixedLoad},
		{NotifyProposals, b.measureNotify},
		{RematchDB, b.measureRematchDB},
		{ConsolePages, b.measureConsole},
	} {
		if len(cfg.Only) > 0 && !slices.Contains(cfg.Only, m.name) {
			continue
		}
		if len(cfg.Only) == 0 && slices.Contains(Extra, m.name) && !cfg.realRateLimit() {
			continue
		}
		// Index jobs left by a previous measurement would compete with this one.
		if err := b.drainIndexQueue(ctx, rep); err != nil {
			return nil, err
		}
		b.logf("bench: %s…", m.name)
		step = time.Now()
		res, err := m.run(ctx)
		if err != nil {
			return nil, err
		}
		rep.Measurements = append(rep.Measurements, res)
		b.logf("bench: %s done (%s)", m.name, since(step))
	}
	rep.FinishedAt = time.Now().UTC()
	return rep, nil
}

// drainIndexQueue waits until no index job is pending, and reports how long
// the worker took when there were some.
func (b *runner) drainIndexQueue(ctx context.Context, rep *Report) error {
	start := time.Now()
	first := -1
	for {
		var pending int
		if err := b.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM search_pending) + (SELECT count(*) FROM river_job WHERE queue = $1
			AND state IN ('available', 'running', 'retryable', 'scheduled', 'pending'))`, jobargs.QueueIndex).Scan(&pending); err != nil {
			return fmt.Errorf("bench: index queue: %w", err)
		}
		if first < 0 {
			first = pending
		}
		if pending == 0 {
			break
		}
		if time.Since(start) > 30*time.Minute {
			return errors.New("bench: index jobs still pending after 30 minutes: is the index queue worked?")
		}
		if time.Since(b.lastTick) > 5*time.Second {
			b.lastTick = time.Now()
			b.logf("bench: waiting for %d index jobs", pending)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if first > 0 {
		rep.Info = append(rep.Info, Info{Name: "drain_index_jobs", Items: first, Seconds: since(start).Seconds(),
			Note: "offer changes (and index jobs) left by the previous measurement, worked by the in-process worker"})
		b.logf("bench: %d index jobs drained (%s)", first, since(start))
	}
	return nil
}

// settle waits for the worker's jobs run at start (the index reconciler
// among them) to finish.
func (b *runner) settle(ctx context.Context, rep *Report) error {
	start := time.Now()
	for {
		var pending, reconciled int
		if err := b.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE finalized_at IS NULL),
			count(*) FILTER (WHERE kind = $1 AND finalized_at IS NOT NULL) FROM river_job`,
			jobargs.ReconcileIndex{}.Kind()).Scan(&pending, &reconciled); err != nil {
			return fmt.Errorf("bench: start-up jobs: %w", err)
		}
		// A reconciler that does not show up within 15 s is not scheduled at start.
		if pending == 0 && (reconciled > 0 || time.Since(start) > 15*time.Second) {
			break
		}
		if time.Since(start) > 5*time.Minute {
			return errors.New("bench: start-up jobs still pending after 5 minutes")
		}
		time.Sleep(50 * time.Millisecond)
	}
	rep.Info = append(rep.Info, Info{Name: "worker_startup_jobs", Seconds: since(start).Seconds(),
		Note: "waited for the jobs run at start (index reconciliation) before measuring"})
	b.logf("bench: worker start-up jobs done (%s)", since(start))
	return nil
}

func (b *runner) logf(format string, args ...any) {
	fmt.Fprintf(b.cfg.Progress, format+"\n", args...)
}

// tick reports progress every two seconds and at the end.
func (b *runner) tick(name string, done, total int) {
	if done == total || time.Since(b.lastTick) > 2*time.Second {
		b.lastTick = time.Now()
		b.logf("bench: %s %d/%d", name, done, total)
	}
}

func since(t time.Time) time.Duration { return time.Since(t).Round(time.Millisecond) }
