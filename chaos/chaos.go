// Package chaos replays faults against a real stack (PostgreSQL, Meilisearch,
// an SMTP server with maildev's web API) and real `passerelle serve` child
// processes, and counts what was lost or doubled: Meilisearch killed during a
// burst of writes, a worker killed during a notification fan-out, PostgreSQL
// stopped and started, SMTP down, a slow webhook receiver.
//
// It stops and kills services: run it only against a stack of its own
// (`make chaos` starts one under .data/), never a shared one. Every address it
// talks to is on loopback.
package chaos

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/bench"
	"github.com/passerelle-dev/passerelle/internal/childproc"
	"github.com/passerelle-dev/passerelle/internal/datakey"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/store"
)

// Services stops and starts the stack's services by name ("postgres",
// "meilisearch", "maildev").
type Services interface {
	Stop(ctx context.Context, name string) error
	Start(ctx context.Context, name string) error
	// KillMeilisearch ends Meilisearch with SIGKILL: no flush, no goodbye.
	KillMeilisearch(ctx context.Context) error
}

// Config is one run.
type Config struct {
	// DatabaseURL names the PostgreSQL server; the run's own database,
	// passerelle_chaos, is dropped and created afresh next to it.
	DatabaseURL string
	MeiliURL    string
	MeiliKey    string
	SMTPURL     string
	// MaildevURL is the web API of the SMTP server, where emails are counted.
	MaildevURL string
	// Exe is the passerelle binary the child processes run.
	Exe string
	// Env is the child processes' environment; the run adds what points
	// them at its own database and index.
	Env      []string
	Services Services
	// Logs receives the child processes' output; Progress a line per step.
	Logs     io.Writer
	Progress io.Writer
}

// Outcome is what one fault did.
type Outcome struct {
	Fault   string
	Lost    int
	Doubled int
	OK      bool
	Detail  string
}

// database is the run's own, dropped and created afresh; the run's indexes
// are named with a prefix of their own (chaos_<random>_), deleted at the end.
const database = "passerelle_chaos"

// run is the state shared by the faults.
type run struct {
	cfg     Config
	pool    *pgxpool.Pool
	store   *store.Store
	river   *river.Client[pgx.Tx]
	search  *search.Client
	api     *childproc.Process
	workers []*childproc.Process
	env     []string
	fx      fixtures
}

// Run starts one API and two worker processes over a fresh database and
// replays every fault in turn. A fault that lost or doubled something is an
// outcome, not an error; errors are for a run that could not take place.
func Run(ctx context.Context, cfg Config) ([]Outcome, error) {
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	if cfg.Logs == nil {
		cfg.Logs = io.Discard
	}
	r := &run{cfg: cfg}
	dbURL, err := bench.CreateDatabase(ctx, cfg.DatabaseURL, database)
	if err != nil {
		return nil, err
	}
	if r.pool, err = pgxpool.New(ctx, dbURL); err != nil {
		return nil, fmt.Errorf("chaos: %w", err)
	}
	defer r.pool.Close()
	if r.river, err = river.NewClient(riverpgxv5.New(r.pool), &river.Config{}); err != nil { // insert-only
		return nil, fmt.Errorf("chaos: river: %w", err)
	}
	r.store = store.New(r.pool, r.river)
	r.store.SetDataKeys(datakey.Ephemeral("chaos"))
	indexPrefix := "chaos_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "") + "_"
	r.search = search.New(cfg.MeiliURL, cfg.MeiliKey, indexPrefix)
	defer func() { _ = r.search.DeleteIndexes(context.WithoutCancel(ctx)) }()
	if err := r.search.EnsureOffersIndex(ctx); err != nil {
		return nil, fmt.Errorf("chaos: %w", err)
	}
	r.env = append(append([]string{}, cfg.Env...),
		"DATABASE_URL="+dbURL, "MEILI_URL="+cfg.MeiliURL, "MEILI_MASTER_KEY="+cfg.MeiliKey, "MEILI_INDEX_PREFIX="+indexPrefix,
		"SMTP_URL="+cfg.SMTPURL, "WEBHOOK_ALLOW_LOOPBACK=true", "LOG_LEVEL=warn", "LOG_FORMAT=text", "SHUTDOWN_TIMEOUT=5s",
		// The faults are not about rate limits.
		"RATE_LIMIT_PER_MINUTE=600000", "RATE_LIMIT_BURST=10000")
	defer r.stopAll()
	if r.api, err = r.start(ctx, "api-1", "api"); err != nil {
		return nil, err
	}
	for i := range 2 {
		w, err := r.start(ctx, fmt.Sprintf("worker-%d", i+1), "worker")
		if err != nil {
			return nil, err
		}
		r.workers = append(r.workers, w)
	}
	if r.fx, err = r.fixtures(ctx); err != nil {
		return nil, err
	}

	var out []Outcome
	for _, f := range []struct {
		name string
		run  func(context.Context) Outcome
	}{
		{"meilisearch killed mid write burst", r.searchKilled},
		{"worker killed mid email fan-out", r.workerKilled},
		{"postgresql stopped and restarted", r.databaseStopped},
		{"smtp down, then back", r.smtpDown},
		{"slow webhook receiver", r.slowWebhook},
	} {
		r.logf("chaos: %s…", f.name)
		start := time.Now()
		o := f.run(ctx)
		o.Fault = f.name
		r.logf("chaos: %s: lost %d, doubled %d (%s)", f.name, o.Lost, o.Doubled, time.Since(start).Round(time.Second))
		out = append(out, o)
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	return out, nil
}

func (r *run) start(ctx context.Context, name, only string) (*childproc.Process, error) {
	p, err := childproc.Start(ctx, name, r.cfg.Exe, r.env, prefixed{name: name, w: r.cfg.Logs}, "serve", "--only", only)
	if err != nil {
		return nil, fmt.Errorf("chaos: %w", err)
	}
	r.logf("chaos: %s started (pid %d, %s)", name, p.Pid(), p.URL)
	return p, nil
}

func (r *run) stopAll() {
	for _, p := range append([]*childproc.Process{r.api}, r.workers...) {
		if p != nil {
			if err := p.Stop(15 * time.Second); err != nil {
				r.logf("chaos: %v", err)
			}
		}
	}
}

func (r *run) logf(format string, args ...any) {
	fmt.Fprintf(r.cfg.Progress, format+"\n", args...)
}

// fixtures are the tenants the faults act as.
type fixtures struct {
	admin      string // an admin key
	org        uuid.UUID
	companyKey string
}

func (r *run) fixtures(ctx context.Context) (fixtures, error) {
	var fx fixtures
	org, err := r.store.CreateOrganisation(ctx, passerelle.System, store.OrganisationInput{Kind: "e2c", Name: "Chaos", Town: "Caen"})
	if err != nil {
		return fx, fmt.Errorf("chaos: %w", err)
	}
	fx.org = org.ID
	adviser := passerelle.Principal{Role: passerelle.RoleAdviser, OrganisationID: org.ID}
	c, err := r.store.CreateCompany(ctx, adviser, store.CompanyInput{SIRET: "44306184100047", Name: "Atelier du chaos",
		Address: store.Address{Street: "1 rue de Paris", PostalCode: "95500", Town: "Gonesse"}})
	if err != nil {
		return fx, fmt.Errorf("chaos: %w", err)
	}
	if _, fx.companyKey, err = r.store.CreateKey(ctx, passerelle.System, store.KeyInput{Name: "chaos company", Role: passerelle.RoleCompany, CompanyID: &c.ID}); err != nil {
		return fx, fmt.Errorf("chaos: %w", err)
	}
	if _, fx.admin, err = r.store.CreateKey(ctx, passerelle.System, store.KeyInput{Name: "chaos admin", Role: passerelle.RoleAdmin}); err != nil {
		return fx, fmt.Errorf("chaos: %w", err)
	}
	return fx, nil
}

// Write prints the outcomes as a table, then each one's details.
func Write(w io.Writer, outcomes []Outcome) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  FAULT\tLOST\tDOUBLED\tRESULT")
	for _, o := range outcomes {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%s\n", o.Fault, o.Lost, o.Doubled, map[bool]string{true: "ok", false: "FAILED"}[o.OK])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, o := range outcomes {
		fmt.Fprintf(w, "  %s: %s\n", o.Fault, o.Detail)
	}
	return nil
}

// prefixed writes a child's output lines with its name in front.
type prefixed struct {
	name string
	w    io.Writer
}

func (p prefixed) Write(b []byte) (int, error) {
	for line := range strings.Lines(string(b)) {
		if _, err := fmt.Fprintf(p.w, "[%s] %s", p.name, line); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}
