package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/passerelle-dev/passerelle/jobs/jobargs"
	"github.com/passerelle-dev/passerelle/reference"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/store"
)

// Search indexing: PostgreSQL is the truth, the offers index follows it.
// IndexOffer jobs (enqueued with each write) bring one document in line; the
// reconciler finds what they missed (a job discarded after its last attempt,
// a Meilisearch restored from an old snapshot, a reindex racing writes).

// IndexQueueWorkers bounds the index jobs worked at once by one process. The
// queue is separate, so a Meilisearch outage (jobs failing and retrying)
// never holds up other queues.
const IndexQueueWorkers = 8

// ReconcileInterval is how often the index is compared with the database.
const ReconcileInterval = 10 * time.Minute

// OfferDoc maps an offer to its search document.
func OfferDoc(o store.Offer) search.OfferDoc {
	labels := make([]string, 0, len(o.ROMECodes))
	for _, code := range o.ROMECodes {
		if l, _ := reference.ROMELabel(code); l != "" {
			labels = append(labels, l)
		}
	}
	d := search.OfferDoc{
		ID: o.ID.String(), Version: o.Version, Title: o.Title, Description: o.Description, Kind: o.Kind,
		Status: o.Status, CompanyID: o.CompanyID.String(), CompanyName: o.CompanyName,
		ROMECodes: nonNil(o.ROMECodes), ROMELabels: labels,
		Skills:         append(slices.Clone(nonNil(o.RequiredSkills)), o.OptionalSkills...),
		RequiredSkills: nonNil(o.RequiredSkills), Town: o.Town, PostalCode: o.PostalCode, Remote: o.Remote,
		DisabilityFriendly: o.DisabilityFriendly, OpenToMinors: o.OpenToMinors,
		PositionsLeft: max(o.Positions-o.PositionsFilled, 0),
		Geo:           search.Geo{Lat: o.Latitude, Lng: o.Longitude},
	}
	if o.StartDate != nil {
		d.StartDate = ptr(o.StartDate.Unix())
	}
	if o.PublishedAt != nil {
		d.PublishedAt = ptr(o.PublishedAt.Unix())
	}
	return d
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func ptr[T any](v T) *T { return &v }

// IndexOfferWorker brings one offer's document in line with the database.
type IndexOfferWorker struct {
	river.WorkerDefaults[jobargs.IndexOffer]
	Store  *store.Store
	Search *search.Client
}

// Work indexes the offer, and runs again at once when the offer changed
// while it did. A write made while this job runs enqueues nothing (the job is
// unique until completed), so the job completes itself in the transaction
// that checks the offer's version under a row lock (store.FinishIndexing).
//
// It re-indexes in the same run rather than snoozing: a snoozed job waits for
// River's next scheduling pass, which would put a second or so between a
// publish and its visibility. An offer that keeps changing yields its worker
// after a few rounds.
func (w *IndexOfferWorker) Work(ctx context.Context, job *river.Job[jobargs.IndexOffer]) error {
	complete := func(tx pgx.Tx) error {
		_, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	}
	for range maxIndexRounds {
		moved, err := w.index(ctx, job.Args.OfferID, complete)
		if err != nil || !moved {
			return err
		}
	}
	return river.JobSnooze(0)
}

// maxIndexRounds bounds how often one job re-indexes an offer that keeps
// changing under it before yielding its worker to other offers.
const maxIndexRounds = 5

// Index upserts the offer's document while it is searchable and deletes it
// otherwise (also when the offer no longer exists). moved reports that the
// offer changed meanwhile, so the index may hold an older state.
func (w *IndexOfferWorker) Index(ctx context.Context, id uuid.UUID) (moved bool, err error) {
	return w.index(ctx, id, nil)
}

func (w *IndexOfferWorker) index(ctx context.Context, id uuid.UUID, complete func(pgx.Tx) error) (moved bool, err error) {
	o, found, err := w.Store.OfferForIndex(ctx, id)
	if err != nil {
		return false, fmt.Errorf("jobs: index offer %s: %w", id, err)
	}
	if found && o.Searchable() {
		err = w.Search.UpsertOffer(ctx, OfferDoc(o))
	} else {
		err = w.Search.DeleteOffer(ctx, id.String())
	}
	if err != nil {
		return false, fmt.Errorf("jobs: index offer %s: %w", id, err)
	}
	moved, err = w.Store.FinishIndexing(ctx, id, o.Version, found, complete)
	if err != nil {
		return false, fmt.Errorf("jobs: index offer %s: %w", id, err)
	}
	return moved, nil
}

// ReconcileIndexWorker compares the offers index with the database and
// repairs what differs.
type ReconcileIndexWorker struct {
	river.WorkerDefaults[jobargs.ReconcileIndex]
	Store  *store.Store
	Search *search.Client
	Logger *slog.Logger
}

// Work reconciles, enqueuing repairs with the client that runs the job.
func (w *ReconcileIndexWorker) Work(ctx context.Context, job *river.Job[jobargs.ReconcileIndex]) error {
	r, err := Reconcile(ctx, w.Store, w.Search, river.ClientFromContext[pgx.Tx](ctx))
	if err != nil {
		return err
	}
	logger := w.Logger
	if logger == nil {
		logger = slog.Default()
	}
	level := slog.LevelInfo
	if r.Repairs() == 0 {
		level = slog.LevelDebug
	}
	logger.Log(ctx, level, "search index reconciled", "offers", r.Offers, "documents", r.Documents,
		"missing", r.Missing, "stale", r.Stale, "extra", r.Extra)
	return nil
}

// Reconciliation says what Reconcile found and repaired.
type Reconciliation struct {
	Offers    int // searchable offers in the database
	Documents int // documents in the index
	Missing   int // searchable offers without a document: indexed
	Stale     int // documents of another version: indexed again
	Extra     int // documents of offers not (any more) searchable: deleted
}

// Repairs is the number of documents repaired.
func (r Reconciliation) Repairs() int { return r.Missing + r.Stale + r.Extra }

// Reconcile compares the index with the database and enqueues an IndexOffer
// job for every document that is missing, stale or extra. Repairs go through
// the job, which reads the offer's current state, rather than being written
// here from a snapshot that a concurrent write may have overtaken. The index is
// read before the database, so an offer written in between is at worst
// indexed once more. Documents whose id is not an offer id are deleted here.
func Reconcile(ctx context.Context, st *store.Store, sc *search.Client, rc *river.Client[pgx.Tx]) (Reconciliation, error) {
	docs, err := sc.OfferVersions(ctx)
	if err != nil {
		return Reconciliation{}, fmt.Errorf("jobs: reconcile index: %w", err)
	}
	offers, err := st.SearchableOfferVersions(ctx)
	if err != nil {
		return Reconciliation{}, fmt.Errorf("jobs: reconcile index: %w", err)
	}
	r := Reconciliation{Offers: len(offers), Documents: len(docs)}
	var repair []river.InsertManyParams
	for id, v := range offers {
		dv, ok := docs[id.String()]
		switch {
		case !ok:
			r.Missing++
		case dv != v:
			r.Stale++
		default:
			continue
		}
		repair = append(repair, river.InsertManyParams{Args: jobargs.IndexOffer{OfferID: id}})
	}
	var garbage []string
	for sid := range docs {
		id, err := uuid.Parse(sid)
		if err != nil {
			garbage = append(garbage, sid)
			r.Extra++
			continue
		}
		if _, ok := offers[id]; !ok {
			r.Extra++
			repair = append(repair, river.InsertManyParams{Args: jobargs.IndexOffer{OfferID: id}})
		}
	}
	if err := sc.DeleteOffers(ctx, garbage); err != nil {
		return r, fmt.Errorf("jobs: reconcile index: %w", err)
	}
	for chunk := range slices.Chunk(repair, 1000) {
		res, err := rc.InsertMany(ctx, chunk)
		if err != nil {
			return r, fmt.Errorf("jobs: reconcile index: enqueue repairs: %w", err)
		}
		// An offer's job already waiting for a retry (its backoff grows to
		// hours over a long Meilisearch outage) runs now instead: the
		// reconciler is what brings the index back soon after an outage.
		for _, ins := range res {
			if ins.UniqueSkippedAsDuplicate && ins.Job != nil && ins.Job.State == rivertype.JobStateRetryable {
				if _, err := rc.JobRetry(ctx, ins.Job.ID); err != nil {
					return r, fmt.Errorf("jobs: reconcile index: retry job %d now: %w", ins.Job.ID, err)
				}
			}
		}
	}
	return r, nil
}
