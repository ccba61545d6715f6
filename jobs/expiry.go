package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-dev/passerelle/store"
)

// ExpiryInterval is how often offers are expired and reminded. An offer may
// thus stay published up to this long past its expires_at; resuming it is
// refused from the very moment it passes.
const ExpiryInterval = 15 * time.Minute

// ExpireOffersArgs asks for offers past their expiry to be expired, and for
// those expiring soon to be reminded (an offer.expiring event, once each).
type ExpireOffersArgs struct{}

// Kind names the job in River.
func (ExpireOffersArgs) Kind() string { return "expire_offers" }

// InsertOpts makes concurrent schedules (several workers starting) collapse
// into one job.
func (ExpireOffersArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: ExpiryInterval / 3}}
}

// ExpireOffersWorker expires offers and reminds companies before, using the
// database clock. Both steps are idempotent: a retried job does nothing twice.
type ExpireOffersWorker struct {
	river.WorkerDefaults[ExpireOffersArgs]
	Store *store.Store
}

// Work expires, then reminds.
func (w *ExpireOffersWorker) Work(ctx context.Context, job *river.Job[ExpireOffersArgs]) error {
	if _, err := w.Store.ExpireOffers(ctx); err != nil {
		return fmt.Errorf("jobs: expire offers: %w", err)
	}
	if _, err := w.Store.RemindExpiringOffers(ctx, store.ExpiryReminderAhead); err != nil {
		return fmt.Errorf("jobs: remind expiring offers: %w", err)
	}
	return nil
}
