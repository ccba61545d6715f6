package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-dev/passerelle/jobs/jobargs"
	"github.com/passerelle-dev/passerelle/notify"
	"github.com/passerelle-dev/passerelle/store"
)

// Webhook retries: exponential backoff from 30 seconds, doubling up to 12
// hours, each delay shortened by up to 20 % at random (jitter, so that
// receivers coming back are not hit by every sender at once). Over
// jobargs.WebhookMaxAttempts attempts this spans more than three days even
// with the largest jitter (see TestWebhookRetriesSpanThreeDays).
const (
	webhookFirstRetry = 30 * time.Second
	webhookMaxDelay   = 12 * time.Hour
	webhookJitter     = 0.2
)

// WebhookRetryDelay is the delay after failed attempt n (1-based), before
// jitter.
func WebhookRetryDelay(attempt int) time.Duration {
	d := webhookFirstRetry
	for i := 1; i < attempt && d < webhookMaxDelay; i++ {
		d *= 2
	}
	return min(d, webhookMaxDelay)
}

// jittered shortens d by up to webhookJitter.
func jittered(d time.Duration) time.Duration {
	return d - time.Duration(rand.Float64()*webhookJitter*float64(d))
}

// DeliverWebhookWorker posts one webhook delivery.
type DeliverWebhookWorker struct {
	river.WorkerDefaults[jobargs.DeliverWebhook]
	*Notifier
}

// NextRetry implements river.Worker: the webhook schedule, not River's.
func (w *DeliverWebhookWorker) NextRetry(job *river.Job[jobargs.DeliverWebhook]) time.Time {
	return time.Now().Add(jittered(WebhookRetryDelay(job.Attempt)))
}

// Timeout implements river.Worker: the request has its own, shorter one.
func (w *DeliverWebhookWorker) Timeout(*river.Job[jobargs.DeliverWebhook]) time.Duration {
	return notify.WebhookTimeout + 10*time.Second
}

// WebhookBody is what a webhook request carries: the event as is, with its
// subject's sequence number (1 for the first event about a proposal, a
// placement…, then one more with each), by which receivers order what
// arrives out of order or within the same second.
type WebhookBody struct {
	Type      string         `json:"type"`
	Timestamp time.Time      `json:"timestamp"`
	Sequence  int64          `json:"sequence"`
	Data      map[string]any `json:"data"`
}

// Work posts the event, signed, and records the attempt: a 2xx completes the
// delivery (and the job, in the same transaction); a 410 disables the
// endpoint; anything else (3xx included: redirects are not followed), a
// timeout or a refused address is retried.
func (w *DeliverWebhookWorker) Work(ctx context.Context, job *river.Job[jobargs.DeliverWebhook]) error {
	id := job.Args.DeliveryID
	out, found, err := w.Store.WebhookToSend(ctx, id)
	if err != nil {
		return err
	}
	if !found || out.Status == store.DeliverySent {
		return nil
	}
	if !out.Enabled {
		return river.JobCancel(fmt.Errorf("jobs: webhook %s: endpoint disabled", out.Endpoint))
	}
	body, err := json.Marshal(WebhookBody{Type: out.Event.Type, Timestamp: out.Event.OccurredAt.UTC(), Sequence: out.Event.Sequence, Data: out.Event.Payload})
	if err != nil {
		return river.JobCancel(err)
	}
	// The webhook-id is the event's: the same for every attempt and every
	// redelivery, so that receivers can drop a message they already have.
	start := time.Now()
	code, err := w.Webhooks.Post(ctx, out.URL, out.Event.ID.String(), start, body, out.Secrets)
	attempt := store.WebhookAttempt{Duration: time.Since(start)}
	if code != 0 {
		attempt.StatusCode = &code
	}
	outcome := store.AttemptSent
	switch {
	case err != nil:
		attempt.Error = err.Error()
		if errors.Is(err, notify.ErrRefusedAddress) {
			attempt.Error = "refused: " + attempt.Error
		}
		outcome = store.AttemptRetry
	case code == 410:
		attempt.Error = "410 Gone: endpoint disabled"
		outcome = store.AttemptGone
	case code < 200 || code > 299:
		attempt.Error = fmt.Sprintf("answered %d", code)
		outcome = store.AttemptRetry
	}
	if outcome == store.AttemptRetry && job.Attempt >= job.MaxAttempts {
		outcome = store.AttemptFailed
	}
	w.Metrics.observe(store.ChannelWebhook, outcome)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if err := w.Store.RecordWebhookAttempt(rctx, id, attempt, outcome, completeIn(rctx, job)); err != nil {
		return err
	}
	switch outcome {
	case store.AttemptSent:
		return nil
	case store.AttemptGone:
		return river.JobCancel(errors.New(attempt.Error))
	}
	return errors.New(attempt.Error)
}
