package jobs

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/passerelle-dev/passerelle/jobs/jobargs"
	"github.com/passerelle-dev/passerelle/matching"
	"github.com/passerelle-dev/passerelle/store"
)

// Matching defaults: how many suggestions a trainee keeps, and the lowest
// score worth an adviser's attention.
const (
	DefaultMatchTopN      = 10
	DefaultMatchThreshold = 40
)

// matchRounds bounds how often one job matches a trainee whose profile keeps
// changing under it; the next edit's job picks up from there.
const matchRounds = 5

// MatchResult is what a match job records as its output.
type MatchResult struct {
	TraineeID uuid.UUID `json:"trainee_id"`
	Matchable bool      `json:"matchable"`
	Offers    int       `json:"candidate_offers"`
	store.SuggestionResult
}

// MatchTraineeWorker recomputes one trainee's suggestions: candidate offers
// from the database's box around home, the matcher's grid and rules, then the
// results applied in one transaction.
type MatchTraineeWorker struct {
	river.WorkerDefaults[jobargs.MatchTrainee]
	Store   *store.Store
	Options matching.Options
}

// Work matches the trainee, again when their profile moved meanwhile.
func (w *MatchTraineeWorker) Work(ctx context.Context, job *river.Job[jobargs.MatchTrainee]) error {
	for range matchRounds {
		res, err := matchTrainee(ctx, w.Store, job.Args.TraineeID, w.Options, nil)
		if errors.Is(err, store.ErrProfileMoved) {
			continue
		}
		if err != nil {
			return err
		}
		return river.RecordOutput(ctx, res)
	}
	return fmt.Errorf("jobs: match trainee %s: profile changed %d times during matching", job.Args.TraineeID, matchRounds)
}

// matchTrainee runs one match of trainee id. With ix nil, candidates come from
// the database around the trainee's home; otherwise from ix.
func matchTrainee(ctx context.Context, st *store.Store, id uuid.UUID, opts matching.Options, ix *matching.Index) (MatchResult, error) {
	p, found, err := st.LoadMatchProfile(ctx, id)
	if err != nil || !found {
		return MatchResult{TraineeID: id}, err
	}
	return matchProfile(ctx, st, id, p, opts, ix)
}

// matchProfile matches profile p of trainee id and applies the result, unless
// the profile moved since it was read (store.ErrProfileMoved).
func matchProfile(ctx context.Context, st *store.Store, id uuid.UUID, p store.MatchProfile, opts matching.Options, ix *matching.Index) (MatchResult, error) {
	res := MatchResult{TraineeID: id}
	var matches []matching.Match
	if p.Matchable {
		res.Matchable = true
		if ix == nil {
			offers, err := st.CandidateOffers(ctx, p.Trainee)
			if err != nil {
				return res, err
			}
			ix = matching.NewIndex(offers)
		}
		res.Offers = ix.Len()
		// The database clock, in the zone the matcher counts days in.
		matches = ix.Match(p.Trainee, p.Now.In(paris), opts)
	}
	var err error
	res.SuggestionResult, err = st.ApplySuggestions(ctx, id, p.Version, matches)
	return res, err
}

// MatchOfferWorker asks for the matching of every trainee an offer's change
// may concern: those it now suits and those it was suggested to.
type MatchOfferWorker struct {
	river.WorkerDefaults[jobargs.MatchOffer]
	Store *store.Store
}

// Work enqueues one match job per concerned trainee; bursts collapse there.
func (w *MatchOfferWorker) Work(ctx context.Context, job *river.Job[jobargs.MatchOffer]) error {
	ids, err := w.Store.TraineesSuggestedFor(ctx, job.Args.OfferID)
	if err != nil {
		return err
	}
	o, found, err := w.Store.OfferForIndex(ctx, job.Args.OfferID)
	if err != nil {
		return err
	}
	if found && o.Status == store.StatusPublished {
		near, err := w.Store.TraineesNear(ctx, o.Kind, o.Latitude, o.Longitude, o.Remote == "full")
		if err != nil {
			return err
		}
		ids = append(ids, near...)
	}
	return w.Store.EnqueueMatches(ctx, uniqueIDs(ids))
}

func uniqueIDs(ids []uuid.UUID) []uuid.UUID {
	seen := make(map[uuid.UUID]bool, len(ids))
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// RematchAllWorker recomputes every active trainee's suggestions against one
// in-memory index of every published offer, on as many goroutines as the
// process has CPUs.
type RematchAllWorker struct {
	river.WorkerDefaults[jobargs.RematchAll]
	Store   *store.Store
	Options matching.Options
}

// RematchResult is what a re-match records as its output.
type RematchResult struct {
	Trainees  int     `json:"trainees"`
	Offers    int     `json:"offers"`
	Created   int64   `json:"created"`
	Withdrawn int64   `json:"withdrawn"`
	Seconds   float64 `json:"seconds"`
}

// Timeout lets a re-match of a region run its course.
func (w *RematchAllWorker) Timeout(*river.Job[jobargs.RematchAll]) time.Duration { return time.Hour }

// Work re-matches everyone.
func (w *RematchAllWorker) Work(ctx context.Context, _ *river.Job[jobargs.RematchAll]) error {
	res, err := Rematch(ctx, w.Store, w.Options)
	if err != nil {
		return err
	}
	return river.RecordOutput(ctx, res)
}

// Rematch matches every active trainee against every published offer: the
// offers in one index and the profiles read at once, then each trainee's
// suggestions applied in a transaction of its own. A trainee whose profile
// moves meanwhile is left to their own match job.
func Rematch(ctx context.Context, st *store.Store, opts matching.Options) (RematchResult, error) {
	start := time.Now()
	offers, err := st.PublishedOffers(ctx)
	if err != nil {
		return RematchResult{}, err
	}
	ix := matching.NewIndex(offers)
	profiles, err := st.ActiveMatchProfiles(ctx)
	if err != nil {
		return RematchResult{}, err
	}
	res := RematchResult{Trainees: len(profiles), Offers: ix.Len()}
	var created, withdrawn atomic.Int64
	work := make(chan store.MatchProfile)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range 2 * runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for p := range work {
				id := p.Trainee.ID
				r, err := matchProfile(ctx, st, id, p, opts, ix)
				if err != nil && !errors.Is(err, store.ErrProfileMoved) {
					select {
					case errs <- fmt.Errorf("jobs: re-match trainee %s: %w", id, err):
					default:
					}
					continue
				}
				created.Add(int64(r.Created + r.Revived))
				withdrawn.Add(int64(r.Withdrawn))
			}
		})
	}
feed:
	for _, p := range profiles {
		select {
		case work <- p:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	res.Created, res.Withdrawn, res.Seconds = created.Load(), withdrawn.Load(), time.Since(start).Seconds()
	select {
	case err := <-errs:
		return res, err
	default:
	}
	return res, ctx.Err()
}

// nightly runs a periodic job once a day at hour, in loc.
type nightly struct {
	hour int
	loc  *time.Location
}

// Next returns the next hour:00 in loc after current.
func (n nightly) Next(current time.Time) time.Time {
	c := current.In(n.loc)
	next := time.Date(c.Year(), c.Month(), c.Day(), n.hour, 0, 0, 0, n.loc)
	if !next.After(c) {
		next = time.Date(c.Year(), c.Month(), c.Day()+1, n.hour, 0, 0, 0, n.loc)
	}
	return next
}
