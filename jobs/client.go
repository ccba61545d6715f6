package jobs

import (
	"fmt"
	"log/slog"
	"time"
	_ "time/tzdata" // Europe/Paris schedules on hosts without zoneinfo

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/passerelle-dev/passerelle/jobs/jobargs"
	"github.com/passerelle-dev/passerelle/matching"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/store"
)

// Config sets how the River client runs in this process.
type Config struct {
	// Work is false for an API-only process: the client then only inserts jobs.
	Work bool
	// MaxWorkers bounds the jobs worked at once.
	MaxWorkers int
	// SoftStopTimeout is how long Stop lets running jobs finish before
	// cancelling them.
	SoftStopTimeout time.Duration
	Logger          *slog.Logger
	// Search is the Meilisearch client the index workers write to; it may be
	// nil in a client that never works jobs.
	Search *search.Client
	// Matching bounds each trainee's suggestions; zero values take the
	// defaults.
	Matching matching.Options
	// ProposalExpiry is how long a proposal waits for its company's answer
	// before it expires; ProposalReminderBefore is how long before that its
	// reminder goes. Zero means the store's defaults.
	ProposalExpiry         time.Duration
	ProposalReminderBefore time.Duration
	// Notifier sends notifications; nil works them with the email channel
	// off and no metrics.
	Notifier *Notifier
	// DigestHour is the hour (0-23, Europe/Paris) daily digests go out.
	DigestHour int
	// Retention overrides periods of store.RetentionRules.
	Retention store.RetentionPeriods
	// IndexWindow is how long the index job gathers offer changes before
	// writing them to the shards; zero means DefaultIndexWindow.
	IndexWindow time.Duration
}

// NewClient builds the River client with every worker and periodic job
// registered. It does not start it.
func NewClient(pool *pgxpool.Pool, st *store.Store, cfg Config) (*river.Client[pgx.Tx], error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &PurgeIdempotencyKeysWorker{Store: st})
	river.AddWorker(workers, &ApplyRetentionWorker{Store: st, Periods: cfg.Retention, Logger: cfg.Logger})
	river.AddWorker(workers, &ExpireOffersWorker{Store: st})
	river.AddWorker(workers, &IndexOffersWorker{Store: st, Search: cfg.Search, Window: cfg.IndexWindow})
	river.AddWorker(workers, &ReconcileIndexWorker{Store: st, Search: cfg.Search, Logger: cfg.Logger})
	opts := matchOptions(cfg.Matching)
	river.AddWorker(workers, &MatchTraineeWorker{Store: st, Options: opts})
	river.AddWorker(workers, &MatchOfferWorker{Store: st})
	river.AddWorker(workers, &RematchAllWorker{Store: st, Options: opts})
	if cfg.ProposalExpiry == 0 {
		cfg.ProposalExpiry = store.DefaultProposalExpiry
	}
	if cfg.ProposalReminderBefore == 0 {
		cfg.ProposalReminderBefore = store.DefaultProposalReminderBefore
	}
	river.AddWorker(workers, &ExpireProposalsWorker{Store: st, After: cfg.ProposalExpiry, ReminderBefore: cfg.ProposalReminderBefore})
	river.AddWorker(workers, &CreateFollowupsWorker{Store: st})
	notifier := cfg.Notifier
	if notifier == nil {
		notifier = NewNotifier(st, nil, "", nil)
	}
	river.AddWorker(workers, &FanOutWorker{Notifier: notifier})
	river.AddWorker(workers, &SendEmailWorker{Notifier: notifier})
	river.AddWorker(workers, &DeliverWebhookWorker{Notifier: notifier})
	river.AddWorker(workers, &ScheduleDigestsWorker{Store: st, Hour: cfg.DigestHour})
	river.AddWorker(workers, &SendDigestWorker{Notifier: notifier, Hour: cfg.DigestHour})

	rc := &river.Config{
		Logger:          cfg.Logger,
		Workers:         workers,
		SoftStopTimeout: cfg.SoftStopTimeout,
		// Jobs abandoned by a crash are retried promptly (see rescue.go).
		JobTimeout:           JobTimeout,
		RescueStuckJobsAfter: RescueStuckJobsAfter,
	}
	if cfg.Work {
		rc.Queues = map[string]river.QueueConfig{
			river.QueueDefault:    {MaxWorkers: cfg.MaxWorkers},
			jobargs.QueueIndex:    {MaxWorkers: IndexQueueWorkers},
			jobargs.QueueMatch:    {MaxWorkers: MatchQueueWorkers},
			jobargs.QueueNotify:   {MaxWorkers: NotifyQueueWorkers, FetchCooldown: NotifyFetchCooldown},
			jobargs.QueueEmail:    {MaxWorkers: NotifyQueueWorkers, FetchCooldown: NotifyFetchCooldown},
			jobargs.QueueWebhooks: {MaxWorkers: WebhookQueueWorkers, FetchCooldown: NotifyFetchCooldown},
		}
		rc.PeriodicJobs = periodicJobs()
	}
	client, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		return nil, fmt.Errorf("jobs: new client: %w", err)
	}
	return client, nil
}

// MatchQueueWorkers bounds the match jobs worked at once: each is short, and
// a re-match parallelises itself.
const MatchQueueWorkers = 4

// RematchHour is when, in Paris time, everyone is matched again each night.
const RematchHour = 3

var paris = mustLoadLocation("Europe/Paris")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is linked in: this cannot fail
	}
	return loc
}

// matchOptions fills the defaults in.
func matchOptions(o matching.Options) matching.Options {
	if o.TopN <= 0 {
		o.TopN = DefaultMatchTopN
	}
	if o.Threshold <= 0 {
		o.Threshold = DefaultMatchThreshold
	}
	return o
}

func periodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		// Idempotency records are one line of the retention table; the
		// worker of the former purge job stays for jobs already queued.
		river.NewPeriodicJob(river.PeriodicInterval(RetentionInterval),
			func() (river.JobArgs, *river.InsertOpts) { return ApplyRetentionArgs{}, nil },
			&river.PeriodicJobOpts{ID: "apply_retention", RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(ExpiryInterval),
			func() (river.JobArgs, *river.InsertOpts) { return ExpireOffersArgs{}, nil },
			&river.PeriodicJobOpts{ID: "expire_offers", RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(DigestScheduleInterval),
			func() (river.JobArgs, *river.InsertOpts) { return ScheduleDigestsArgs{}, nil },
			&river.PeriodicJobOpts{ID: "schedule_digests", RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(ReconcileInterval),
			func() (river.JobArgs, *river.InsertOpts) { return jobargs.ReconcileIndex{}, nil },
			&river.PeriodicJobOpts{ID: "reconcile_index", RunOnStart: true}),
		river.NewPeriodicJob(nightly{hour: RematchHour, loc: paris},
			func() (river.JobArgs, *river.InsertOpts) { return jobargs.RematchAll{}, nil },
			&river.PeriodicJobOpts{ID: "rematch_all"}),
		river.NewPeriodicJob(river.PeriodicInterval(ExpiryInterval),
			func() (river.JobArgs, *river.InsertOpts) { return ExpireProposalsArgs{}, nil },
			&river.PeriodicJobOpts{ID: "expire_proposals", RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(FollowupInterval),
			func() (river.JobArgs, *river.InsertOpts) { return CreateFollowupsArgs{}, nil },
			&river.PeriodicJobOpts{ID: "create_followups", RunOnStart: true}),
	}
}
