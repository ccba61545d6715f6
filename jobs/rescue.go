package jobs

import (
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-dev/passerelle/jobs/jobargs"
)

// A worker killed mid-job (SIGKILL, a lost host) leaves its job `running`
// with nobody working it. River's rescuer, run by the leader every 30
// seconds, puts such a job back to be retried once it has been running for
// RescueStuckJobsAfter AND for its kind's Timeout: the timeout bounds the
// attempt of a live worker (River cancels its context then), so a job past
// both is certainly abandoned. Each kind below has a timeout fitted to its
// work; every worker does its work once however often it runs (see
// docs/limits.md, "Jobs left running by a crash").

// JobTimeout bounds a job whose worker names no timeout of its own. Every
// worker below names one; this is River's client-wide default.
const JobTimeout = time.Minute

// RescueStuckJobsAfter is the least time a job stays `running` before the
// rescuer looks at it: above JobTimeout (River requires it), so that a short
// job abandoned by a crash is retried within about two minutes and a half.
const RescueStuckJobsAfter = 2 * time.Minute

// Timeout implements river.Worker: one DELETE.
func (w *PurgeIdempotencyKeysWorker) Timeout(*river.Job[PurgeIdempotencyKeysArgs]) time.Duration {
	return time.Minute
}

// Timeout implements river.Worker: bounded batches of status changes.
func (w *ExpireOffersWorker) Timeout(*river.Job[ExpireOffersArgs]) time.Duration { return time.Minute }

// Timeout implements river.Worker: bounded batches of status changes.
func (w *ExpireProposalsWorker) Timeout(*river.Job[ExpireProposalsArgs]) time.Duration {
	return time.Minute
}

// Timeout implements river.Worker: an INSERT ... SELECT of the due months.
func (w *CreateFollowupsWorker) Timeout(*river.Job[CreateFollowupsArgs]) time.Duration {
	return time.Minute
}

// Timeout implements river.Worker: batches of changes written to the
// shards until none is pending, handing over to a new job after
// IndexHandOverAfter.
func (w *IndexOffersWorker) Timeout(*river.Job[jobargs.IndexOffers]) time.Duration {
	return IndexHandOverAfter + time.Minute
}

// Timeout implements river.Worker: every offer id and version compared with
// the index, then the difference written; shorter than ReconcileInterval.
func (w *ReconcileIndexWorker) Timeout(*river.Job[jobargs.ReconcileIndex]) time.Duration {
	return 5 * time.Minute
}

// Timeout implements river.Worker: one trainee against the offers (20 ms
// measured at 100k offers).
func (w *MatchTraineeWorker) Timeout(*river.Job[jobargs.MatchTrainee]) time.Duration {
	return time.Minute
}

// Timeout implements river.Worker: one offer against every active trainee.
func (w *MatchOfferWorker) Timeout(*river.Job[jobargs.MatchOffer]) time.Duration {
	return 5 * time.Minute
}

// Timeout implements river.Worker: an event's recipients and their
// notification rows.
func (w *FanOutWorker) Timeout(*river.Job[jobargs.FanOutEvent]) time.Duration { return time.Minute }

// Timeout implements river.Worker: one message to the SMTP server.
func (w *SendEmailWorker) Timeout(*river.Job[jobargs.SendEmail]) time.Duration { return time.Minute }

// Timeout implements river.Worker: which advisers' digests are due.
func (w *ScheduleDigestsWorker) Timeout(*river.Job[ScheduleDigestsArgs]) time.Duration {
	return time.Minute
}

// Timeout implements river.Worker: one adviser's digest, one message.
func (w *SendDigestWorker) Timeout(*river.Job[jobargs.SendDigest]) time.Duration { return time.Minute }

// Timeout implements river.Worker: bounded batches per rule, but a first run
// on an old database may erase many trainees.
func (w *ApplyRetentionWorker) Timeout(*river.Job[ApplyRetentionArgs]) time.Duration {
	return 10 * time.Minute
}
