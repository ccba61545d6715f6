package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"

	"github.com/passerelle-dev/passerelle/api"
	"github.com/passerelle-dev/passerelle/docsui"
	"github.com/passerelle-dev/passerelle/jobs"
	"github.com/passerelle-dev/passerelle/matching"
	"github.com/passerelle-dev/passerelle/migrations"
	"github.com/passerelle-dev/passerelle/notify"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/search/shard"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web"
)

// What a serving process runs.
const (
	OnlyAll    = ""       // API and worker
	OnlyAPI    = "api"    // HTTP API; jobs are only inserted
	OnlyWorker = "worker" // River worker; HTTP serves health, metrics, spec and docs
)

// Main is a running Passerelle: the binary's serve command and the end-to-end
// tests both start one. Run starts it and returns; Close stops it in order.
type Main struct {
	Config Config
	Logger *slog.Logger
	// Only restricts the process to the API or the worker.
	Only string
	// Migrate applies migrations before starting.
	Migrate bool

	pool    *pgxpool.Pool
	river   *river.Client[pgx.Tx]
	server  *http.Server
	metrics *http.Server
	// metricsErr receives the metrics server's end (nil channel without one).
	metricsErr chan error
	listener   net.Listener
	serveErr   chan error

	closeOnce sync.Once
	closeErr  error

	// background work that Close stops: the index settings set-up.
	bgCancel context.CancelFunc
	bgDone   sync.WaitGroup
}

// Run connects to PostgreSQL and Meilisearch, starts the River worker (unless
// API-only) and the HTTP server, and returns once it listens. ctx bounds start
// up only; stop with Close.
func (m *Main) Run(ctx context.Context) (err error) {
	if m.Logger == nil {
		m.Logger = slog.Default()
	}
	defer func() {
		if err != nil {
			m.stopBackground()
			m.closePools()
		}
	}()
	if m.pool, err = openPool(ctx, m.Config.DatabaseURL); err != nil {
		return err
	}
	if m.Migrate {
		applied, err := migrations.Apply(ctx, m.pool)
		if err != nil {
			return err
		}
		m.Logger.Info("migrations applied", "river", applied.River, "app", applied.App)
	}
	st := store.New(m.pool, nil)
	keys, err := m.Config.dataKeys()
	if err != nil {
		return err
	}
	if keys == nil {
		m.Logger.Warn("PASSERELLE_DATA_KEY is unset: RQTH can be neither stored nor read")
	}
	st.SetDataKeys(keys)
	searchClient, err := shardedSearch(ctx, m.Config, st)
	if err != nil {
		return err
	}
	deliveryMetrics := jobs.NewDeliveryMetrics()
	mailer, err := m.mailer()
	if err != nil {
		return err
	}
	notifier := m.notifier(st, mailer, deliveryMetrics)
	m.river, err = jobs.NewClient(m.pool, st, jobs.Config{
		Work:            m.Only != OnlyAPI,
		MaxWorkers:      m.Config.Workers,
		SoftStopTimeout: m.Config.ShutdownTimeout,
		Logger:          m.Logger,
		Search:          searchClient,
		Matching:        matching.Options{TopN: m.Config.MatchTopN, Threshold: m.Config.MatchThreshold},

		ProposalExpiry:         time.Duration(m.Config.ProposalExpiryDays) * 24 * time.Hour,
		ProposalReminderBefore: time.Duration(m.Config.ProposalReminderDays) * 24 * time.Hour,
		Notifier:               notifier,
		DigestHour:             m.Config.DigestHour,
		Retention:              m.Config.Retention,
	})
	if err != nil {
		return err
	}
	st.SetRiver(m.river)
	m.ensureSearchIndex(searchClient)

	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		jobs.NewQueueCollector(m.pool), deliveryMetrics, jobs.NewShardCollector(st, searchClient))
	deps := api.Deps{
		Store:  st,
		Search: searchClient,
		SearchShards: func(ctx context.Context) ([]search.ShardStatus, error) {
			return jobs.ShardStatuses(ctx, st, searchClient)
		},
		Logger:        m.Logger,
		PublicBaseURL: m.Config.PublicBaseURL,
		Operational:   m.Only == OnlyWorker,
		Metrics:       registry,
		DocsHandler:   docsui.Handler("/docs", "/openapi.json", "Passerelle API"),

		RateLimitPerMinute: m.Config.RateLimitPerMin,
		RateLimitBurst:     m.Config.RateLimitBurst,

		WebhookAllowLoopback: m.Config.WebhookAllowLoopback,
	}
	if m.Config.MetricsListenAddr != "" {
		deps.Metrics = nil
		if err := m.serveMetrics(ctx, registry); err != nil {
			return err
		}
	}
	handler := m.withConsole(api.New(deps), st, mailer, searchClient)

	if m.Only != OnlyAPI {
		// River stops when its start context ends; its lifetime is Close's
		// to end (soft stop first), not the start-up deadline's or a signal's.
		if err := m.river.Start(context.WithoutCancel(ctx)); err != nil {
			return fmt.Errorf("jobs: start: %w", err)
		}
	}
	var lc net.ListenConfig
	m.listener, err = lc.Listen(ctx, "tcp", m.Config.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.ListenAddr, err)
	}
	m.server = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	m.serveErr = make(chan error, 1)
	go func() { m.serveErr <- m.server.Serve(m.listener) }()
	m.Logger.Info("passerelle serving", "addr", m.Addr(), "only", m.Only, "version", version)
	return nil
}

// mailer is the SMTP client of the notification workers and the console's
// sign-in links. Without SMTP_URL the email channel is off (nil): said once
// here, and no email delivery is written.
func (m *Main) mailer() (*notify.Mailer, error) {
	if m.Config.SMTPURL == "" {
		m.Logger.Info("email channel off: SMTP_URL is not set; notifications go to inboxes and webhooks only, " +
			"console sign-in links come from `passerelle signin-link`")
		return nil, nil
	}
	return notify.NewMailer(m.Config.SMTPURL, m.Config.MailFrom)
}

// notifier builds the notification workers' dependencies.
func (m *Main) notifier(st *store.Store, mailer *notify.Mailer, metrics *jobs.DeliveryMetrics) *jobs.Notifier {
	n := jobs.NewNotifier(st, mailer, m.Config.MailFrom, metrics)
	n.Webhooks = notify.NewSender(notify.Guard{AllowLoopback: m.Config.WebhookAllowLoopback})
	n.BaseURL = m.Config.PublicBaseURL
	return n
}

// withConsole mounts the advisers' console beside the API: /console/… is the
// console's, / sends browsers to it, everything else is the API's. A
// worker-only process serves no console.
func (m *Main) withConsole(apiHandler http.Handler, st *store.Store, mailer *notify.Mailer, sc *search.Client) http.Handler {
	if m.Only == OnlyWorker {
		return apiHandler
	}
	mux := http.NewServeMux()
	mux.Handle(web.Prefix+"/", web.New(web.Deps{
		Store:          st,
		Logger:         m.Logger,
		Mailer:         mailer,
		Search:         sc,
		PublicBaseURL:  m.Config.PublicBaseURL,
		ProposalExpiry: time.Duration(m.Config.ProposalExpiryDays) * 24 * time.Hour,
	}))
	mux.HandleFunc("GET /{$}", web.RedirectRoot)
	mux.Handle("/", apiHandler)
	return mux
}

// ensureSearchIndex creates the offers index and applies its settings, in the
// background: a Meilisearch down at start must not stop serving (search then
// answers 503, writes still succeed). It retries with a growing delay until it
// succeeds or Close is called. Index jobs apply the settings themselves before
// their first document, so no document ever precedes them.
func (m *Main) ensureSearchIndex(sc *search.Client) {
	ctx, cancel := context.WithCancel(context.Background())
	m.bgCancel = cancel
	m.bgDone.Go(func() {
		delay := time.Second
		for {
			attemptCtx, cancelAttempt := context.WithTimeout(ctx, time.Minute)
			err := sc.EnsureOffersIndex(attemptCtx)
			cancelAttempt()
			if err == nil {
				m.Logger.Info("search indexes ready", "prefix", sc.Prefix())
				return
			}
			if ctx.Err() != nil {
				return
			}
			m.Logger.Warn("search index settings not applied; retrying", "error", err, "retry_in", delay.String())
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
			delay = min(2*delay, 30*time.Second)
		}
	})
}

func (m *Main) serveMetrics(ctx context.Context, registry *prometheus.Registry) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", m.Config.MetricsListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.MetricsListenAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	m.metrics = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	m.metricsErr = make(chan error, 1)
	go func() { m.metricsErr <- m.metrics.Serve(ln) }()
	return nil
}

// Addr is the address the HTTP server listens on (useful with port 0).
func (m *Main) Addr() string {
	if m.listener == nil {
		return ""
	}
	return m.listener.Addr().String()
}

// Close shuts down in order: stop accepting and drain HTTP requests, then let
// running jobs finish (River's soft stop, hard after the timeout), then close
// the pools. Each step is bounded by ShutdownTimeout. Close may be called more
// than once; later calls return the first one's result.
func (m *Main) Close() error {
	m.closeOnce.Do(func() { m.closeErr = m.close() })
	return m.closeErr
}

func (m *Main) close() error {
	var errs []error
	timeout := m.Config.ShutdownTimeout
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		if err := m.server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		}
		cancel()
		if err := <-m.serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("http serve: %w", err))
		}
	}
	if m.metrics != nil {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		if err := m.metrics.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("metrics shutdown: %w", err))
		}
		cancel()
		if err := <-m.metricsErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("metrics serve: %w", err))
		}
	}
	if m.river != nil && m.Only != OnlyAPI {
		// River's own SoftStopTimeout cancels running jobs' contexts; this
		// bound is for Stop itself, a little longer.
		ctx, cancel := context.WithTimeout(context.Background(), timeout+5*time.Second)
		if err := m.river.Stop(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			errs = append(errs, fmt.Errorf("jobs stop: %w", err))
		} else if err != nil {
			errs = append(errs, fmt.Errorf("jobs stop: jobs still running after %s", timeout))
		}
		cancel()
	}
	m.stopBackground()
	m.closePools()
	return errors.Join(errs...)
}

func (m *Main) stopBackground() {
	if m.bgCancel != nil {
		m.bgCancel()
		m.bgDone.Wait()
	}
}

func (m *Main) closePools() {
	if m.pool != nil {
		m.pool.Close()
		m.pool = nil
	}
}

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "serve", "serve [--only api|worker] [--migrate]")
	only := fs.String("only", "", "run only the `api` or only the `worker` (default: both)")
	migrate := fs.Bool("migrate", false, "apply migrations before starting")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch *only {
	case OnlyAll, OnlyAPI, OnlyWorker:
	default:
		return usageError{fmt.Sprintf("serve: --only must be api or worker, not %q", *only)}
	}
	m := &Main{Config: env.Config, Logger: env.Logger, Only: *only, Migrate: *migrate}
	if err := m.Run(ctx); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		env.Logger.Info("shutting down", "timeout", env.Config.ShutdownTimeout.String())
	case err := <-m.serveErr:
		m.serveErr <- err // Close reads it
		env.Logger.Error("http server stopped", "error", err)
	case err := <-m.metricsErr:
		// Metrics nobody can scrape are an outage to an operator: stop
		// cleanly, and let the supervisor restart the process.
		m.metricsErr <- err // Close reads it
		env.Logger.Error("metrics server stopped", "error", err)
	}
	err := m.Close()
	if err == nil {
		env.Logger.Info("stopped cleanly")
	}
	return err
}

// shardedSearch is the search client over the shard map kept in PostgreSQL
// (written with the départements on first start).
func shardedSearch(ctx context.Context, c Config, st *store.Store) (*search.Client, error) {
	if err := st.EnsureShardMap(ctx, shard.Initial(true)); err != nil {
		return nil, err
	}
	sc := search.New(c.MeiliURL, c.MeiliMasterKey, c.MeiliIndexPrefix)
	sc.SetShardSource(st)
	return sc, nil
}
