package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-dev/passerelle/store"
)

// IdempotencyRetention is how long an Idempotency-Key is remembered. The design
// asks for at least 24 hours; a little more covers clients retrying across a day.
const IdempotencyRetention = 25 * time.Hour

// PurgeIdempotencyKeysArgs asks for expired idempotency records to be deleted.
type PurgeIdempotencyKeysArgs struct{}

// Kind names the job in River.
func (PurgeIdempotencyKeysArgs) Kind() string { return "purge_idempotency_keys" }

// InsertOpts makes concurrent schedules collapse into one job.
func (PurgeIdempotencyKeysArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 10 * time.Minute}}
}

// PurgeIdempotencyKeysWorker deletes idempotency records older than the retention.
type PurgeIdempotencyKeysWorker struct {
	river.WorkerDefaults[PurgeIdempotencyKeysArgs]
	Store *store.Store
}

// Work deletes the expired records, using the database clock.
func (w *PurgeIdempotencyKeysWorker) Work(ctx context.Context, job *river.Job[PurgeIdempotencyKeysArgs]) error {
	if _, err := w.Store.PurgeIdempotencyKeys(ctx, IdempotencyRetention); err != nil {
		return fmt.Errorf("jobs: purge idempotency keys: %w", err)
	}
	return nil
}
