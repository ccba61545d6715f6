package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/passerelle-dev/passerelle/jobs/jobargs"
	"github.com/passerelle-dev/passerelle/notify"
	"github.com/passerelle-dev/passerelle/store"
)

// Daily digests go out at DigestHour, Europe/Paris time. A periodic job looks
// every DigestScheduleInterval for advisers with digest deliveries written
// before the last digest hour and enqueues one SendDigest job per adviser and
// day: a worker that was down at the hour catches up when it starts.

// DigestScheduleInterval is how often digests due are looked for.
const DigestScheduleInterval = 15 * time.Minute

// ScheduleDigestsArgs asks for the digests due to be enqueued.
type ScheduleDigestsArgs struct{}

// Kind names the job in River.
func (ScheduleDigestsArgs) Kind() string { return "schedule_digests" }

// InsertOpts makes concurrent schedules collapse into one job.
func (ScheduleDigestsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobargs.QueueNotify, UniqueOpts: river.UniqueOpts{ByPeriod: DigestScheduleInterval / 3}}
}

// LastDigestCutoff is the last digest hour at or before now, in Paris: the
// digest of that day carries what was written before it.
func LastDigestCutoff(now time.Time, hour int) time.Time {
	p := now.In(notify.Paris)
	cut := time.Date(p.Year(), p.Month(), p.Day(), hour, 0, 0, 0, notify.Paris)
	if cut.After(now) {
		cut = time.Date(p.Year(), p.Month(), p.Day()-1, hour, 0, 0, 0, notify.Paris)
	}
	return cut
}

// ScheduleDigestsWorker enqueues the digests due.
type ScheduleDigestsWorker struct {
	river.WorkerDefaults[ScheduleDigestsArgs]
	Store *store.Store
	Hour  int
}

// Work enqueues the digests due now.
func (w *ScheduleDigestsWorker) Work(ctx context.Context, job *river.Job[ScheduleDigestsArgs]) error {
	now, err := w.Store.Now(ctx)
	if err != nil {
		return err
	}
	_, err = ScheduleDigests(ctx, w.Store, river.ClientFromContext[pgx.Tx](ctx), now, w.Hour)
	return err
}

// ScheduleDigests enqueues a SendDigest job for every adviser with digest
// deliveries written before the last digest hour before now. Jobs are unique
// per adviser and day, so running it again enqueues nothing new.
func ScheduleDigests(ctx context.Context, st *store.Store, rc *river.Client[pgx.Tx], now time.Time, hour int) (int, error) {
	cutoff := LastDigestCutoff(now, hour)
	advisers, err := st.AdvisersWithPendingDigest(ctx, cutoff)
	if err != nil || len(advisers) == 0 {
		return 0, err
	}
	params := make([]river.InsertManyParams, len(advisers))
	for i, a := range advisers {
		params[i] = river.InsertManyParams{Args: jobargs.SendDigest{AdviserID: a, Day: cutoff.Format(time.DateOnly)}}
	}
	res, err := rc.InsertMany(ctx, params)
	if err != nil {
		return 0, fmt.Errorf("jobs: schedule digests: %w", err)
	}
	n := 0
	for _, r := range res {
		if !r.UniqueSkippedAsDuplicate {
			n++
		}
	}
	return n, nil
}

// SendDigestWorker sends one adviser's digest of one day.
type SendDigestWorker struct {
	river.WorkerDefaults[jobargs.SendDigest]
	*Notifier
	Hour int
}

// Work claims the digest (its row and deliveries), sends it, and records it
// sent with the job's completion. A retry finds the same digest claimed.
func (w *SendDigestWorker) Work(ctx context.Context, job *river.Job[jobargs.SendDigest]) error {
	if w.Mailer == nil {
		return river.JobSnooze(time.Hour)
	}
	day, err := time.ParseInLocation(time.DateOnly, job.Args.Day, notify.Paris)
	if err != nil {
		return river.JobCancel(err)
	}
	cutoff := time.Date(day.Year(), day.Month(), day.Day(), w.Hour, 0, 0, 0, notify.Paris)
	d, found, err := w.Store.ClaimDigest(ctx, job.Args.AdviserID, day, cutoff)
	if err != nil || !found || d.SentAt != nil {
		return err
	}
	if len(d.Events) > 0 {
		items := make([]notify.DigestItem, len(d.Events))
		for i, e := range d.Events {
			items[i] = notify.DigestItem{Event: notifyEvent(e)}
		}
		msg, err := w.Templates.Digest(notify.Data{RecipientName: d.ToName, BaseURL: w.BaseURL, Items: items, Day: day})
		if err != nil {
			return river.JobCancel(err)
		}
		if err := w.Mailer.Send(ctx, notify.Email{To: d.To, ToName: d.ToName, Message: msg, MessageID: w.messageID("digest-" + d.ID.String())}); err != nil {
			w.Metrics.observe("digest", "failed")
			return err
		}
		w.Metrics.observe("digest", "sent")
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	return w.Store.FinishDigest(rctx, d.ID, completeIn(rctx, job))
}
