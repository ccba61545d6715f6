// Package jobargs holds the arguments of the River jobs that store/ enqueues in
// the same transaction as the write that causes them, and that jobs/ works. It
// is a leaf: store/ and jobs/ both import it, it imports neither.
package jobargs

import (
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// IndexOffers brings the search shards in line with the offer changes
// pending in the search_pending table (written with each change, in its
// transaction): it gathers them for a short window and sends one request per
// shard touched. One runs at a time; it reads each offer's current state, so
// running it twice is harmless.
type IndexOffers struct{}

// Kind names the job in River.
func (IndexOffers) Kind() string { return "index_offers" }

// InsertOpts makes every write while a job is pending or running collapse
// into that job (which loops until the pending table is empty).
func (IndexOffers) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueIndex,
		MaxAttempts: 25, // backoff grows to days: Meilisearch may be down for long
		UniqueOpts:  river.UniqueOpts{ByState: pendingStates},
	}
}

// QueueIndex is the queue of search indexing jobs, so that a Meilisearch
// outage cannot hold up other work.
const QueueIndex = "index"

// pendingStates makes a job unique until it completes. River requires the
// running state in the set, so a write made while the job runs enqueues
// nothing: the worker therefore checks, before completing, that nothing is
// left to do (under a lock writers wait for), and runs again when there is.
var pendingStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateScheduled, rivertype.JobStateRetryable}

// ReconcileIndex compares the offers index with the database and repairs drift.
type ReconcileIndex struct{}

// Kind names the job in River.
func (ReconcileIndex) Kind() string { return "reconcile_index" }

// InsertOpts keeps to one reconciliation at a time.
func (ReconcileIndex) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueIndex, UniqueOpts: river.UniqueOpts{ByPeriod: time.Minute}}
}

// QueueMatch is the queue of matching jobs, so that a nightly re-match cannot
// hold up notifications or indexing.
const QueueMatch = "match"

// MatchTrainee recomputes one trainee's suggestions. A burst of edits to one
// trainee collapses into one pending job. A change made while that job runs
// cannot be sure the job saw it, so it enqueues a follow-up naming the running
// job (After); follow-ups of one running job collapse too.
type MatchTrainee struct {
	TraineeID uuid.UUID `json:"trainee_id"`
	After     int64     `json:"after,omitempty"`
}

// Kind names the job in River.
func (MatchTrainee) Kind() string { return "match_trainee" }

// InsertOpts makes edits to one trainee collapse into one pending job.
func (MatchTrainee) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMatch, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: pendingStates}}
}

// MatchOffer matches a newly published offer against the trainees who could
// take it, by asking for each of their matches.
type MatchOffer struct {
	OfferID uuid.UUID `json:"offer_id"`
}

// Kind names the job in River.
func (MatchOffer) Kind() string { return "match_offer" }

// InsertOpts collapses repeated publications of one offer.
func (MatchOffer) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMatch, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: pendingStates}}
}

// RematchAll recomputes every active trainee's suggestions against every
// published offer (nightly).
type RematchAll struct{}

// Kind names the job in River.
func (RematchAll) Kind() string { return "rematch_all" }

// InsertOpts keeps to one re-match at a time.
func (RematchAll) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMatch, UniqueOpts: river.UniqueOpts{ByState: pendingStates}}
}

// Notification queues: fan-out and digests, email, and webhooks each have
// their own, so that an SMTP outage or slow webhook receivers hold up neither
// each other nor the rest of the work (and each queue fetches on its own).
const (
	QueueNotify   = "notify"
	QueueEmail    = "email"
	QueueWebhooks = "webhooks"
)

// FanOutEvent asks for one event to be fanned out to its recipients: inbox
// rows, and a delivery (with its sending job) per email or webhook recipient.
// store enqueues it in the event's own transaction.
type FanOutEvent struct {
	EventID uuid.UUID `json:"event_id"`
}

// Kind names the job in River.
func (FanOutEvent) Kind() string { return "fan_out_event" }

// InsertOpts keeps one pending fan-out per event.
func (FanOutEvent) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueNotify, MaxAttempts: 25,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: pendingStates}}
}

// SendEmail sends one email delivery (instant mode). The delivery row, not the
// job, says whether it went: a retried job whose delivery is sent does nothing.
type SendEmail struct {
	DeliveryID uuid.UUID `json:"delivery_id"`
}

// Kind names the job in River.
func (SendEmail) Kind() string { return "send_email" }

// InsertOpts retries SMTP failures with River's backoff (about three weeks
// over 25 attempts).
func (SendEmail) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueEmail, MaxAttempts: 25}
}

// DeliverWebhook posts one webhook delivery to its endpoint.
type DeliverWebhook struct {
	DeliveryID uuid.UUID `json:"delivery_id"`
}

// Kind names the job in River.
func (DeliverWebhook) Kind() string { return "deliver_webhook" }

// WebhookMaxAttempts spreads a delivery's attempts over more than three days
// with the worker's backoff (see jobs.WebhookRetryDelay).
const WebhookMaxAttempts = 19

// InsertOpts puts webhooks on their own queue.
func (DeliverWebhook) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueWebhooks, MaxAttempts: WebhookMaxAttempts}
}

// SendDigest sends an adviser's daily digest for one day (Europe/Paris).
type SendDigest struct {
	AdviserID uuid.UUID `json:"adviser_id"`
	Day       string    `json:"day"` // YYYY-MM-DD
}

// Kind names the job in River.
func (SendDigest) Kind() string { return "send_digest" }

// InsertOpts keeps one digest job per adviser and day.
func (SendDigest) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueNotify, MaxAttempts: 25,
		UniqueOpts: river.UniqueOpts{ByArgs: true}}
}
