package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-dev/passerelle/store"
)

// RetentionInterval is how often the retention table is applied. Periods are
// counted in days, so an hour late is nothing; running often keeps batches
// small.
const RetentionInterval = time.Hour

// ApplyRetentionArgs asks for the retention table to be applied once.
type ApplyRetentionArgs struct{}

// Kind names the job in River.
func (ApplyRetentionArgs) Kind() string { return "apply_retention" }

// InsertOpts makes concurrent schedules collapse into one job.
func (ApplyRetentionArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 10 * time.Minute}}
}

// ApplyRetentionWorker applies every rule of store.RetentionRules, by the
// database clock, with the periods in force.
type ApplyRetentionWorker struct {
	river.WorkerDefaults[ApplyRetentionArgs]
	Store   *store.Store
	Periods store.RetentionPeriods
	Logger  *slog.Logger
}

// Work applies the table; counts only are logged, never a row's content.
func (w *ApplyRetentionWorker) Work(ctx context.Context, job *river.Job[ApplyRetentionArgs]) error {
	res, err := w.Store.ApplyRetention(ctx, w.Periods)
	if err != nil {
		return fmt.Errorf("jobs: apply retention: %w", err)
	}
	if w.Logger != nil {
		attrs := make([]any, 0, 2*len(res))
		for _, r := range store.RetentionRules {
			if res[r.Name] > 0 {
				attrs = append(attrs, r.Name, res[r.Name])
			}
		}
		if len(attrs) > 0 {
			w.Logger.InfoContext(ctx, "retention applied", attrs...)
		}
	}
	return nil
}
