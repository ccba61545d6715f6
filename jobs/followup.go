package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-dev/passerelle/store"
)

// FollowupInterval is how often due follow-ups are looked for. They are due
// on a day, so hourly is plenty.
const FollowupInterval = time.Hour

// CreateFollowupsArgs asks for the follow-ups due by today (database clock) to
// be created, each with its followup.due event to the referent.
type CreateFollowupsArgs struct{}

// Kind names the job in River.
func (CreateFollowupsArgs) Kind() string { return "create_followups" }

// InsertOpts makes concurrent schedules collapse into one job.
func (CreateFollowupsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: FollowupInterval / 3}}
}

// CreateFollowupsWorker creates due follow-ups. A follow-up exists once per
// trainee and month: a retried or concurrent run creates nothing twice.
type CreateFollowupsWorker struct {
	river.WorkerDefaults[CreateFollowupsArgs]
	Store *store.Store
}

// Work creates the due follow-ups.
func (w *CreateFollowupsWorker) Work(ctx context.Context, job *river.Job[CreateFollowupsArgs]) error {
	if _, err := w.Store.CreateDueFollowups(ctx); err != nil {
		return fmt.Errorf("jobs: create follow-ups: %w", err)
	}
	return nil
}

// ExpireProposalsArgs asks for proposals without a company answer to be
// expired, and for those about to be reminded.
type ExpireProposalsArgs struct{}

// Kind names the job in River.
func (ExpireProposalsArgs) Kind() string { return "expire_proposals" }

// InsertOpts makes concurrent schedules collapse into one job.
func (ExpireProposalsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: ExpiryInterval / 3}}
}

// ExpireProposalsWorker expires proposals left proposed for After, and
// reminds (proposal.expiring) ReminderBefore that, by the database clock.
// Both steps are idempotent.
type ExpireProposalsWorker struct {
	river.WorkerDefaults[ExpireProposalsArgs]
	Store          *store.Store
	After          time.Duration
	ReminderBefore time.Duration
}

// Work expires, then reminds.
func (w *ExpireProposalsWorker) Work(ctx context.Context, job *river.Job[ExpireProposalsArgs]) error {
	if _, err := w.Store.ExpireProposals(ctx, w.After); err != nil {
		return fmt.Errorf("jobs: expire proposals: %w", err)
	}
	if _, err := w.Store.RemindExpiringProposals(ctx, w.After, w.ReminderBefore); err != nil {
		return fmt.Errorf("jobs: remind expiring proposals: %w", err)
	}
	return nil
}
