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
	"github.com/riverqueue/river/rivertype"

	"github.com/passerelle-dev/passerelle/jobs/jobargs"
	"github.com/passerelle-dev/passerelle/reference"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/search/shard"
	"github.com/passerelle-dev/passerelle/store"
)

// Search indexing: PostgreSQL is the truth, the shards follow it. Every
// write that changes what is searchable records the offer in search_pending
// and enqueues the (unique) IndexOffers job in its transaction; the job
// gathers the pending changes for a short window and sends one request per
// shard touched. The reconciler finds what it missed (a Meilisearch restored
// from an old snapshot, a reindex racing writes).

// IndexQueueWorkers bounds the index-queue jobs worked at once by one
// process (one IndexOffers job runs at a time; the reconciler beside it).
// The queue is separate, so a Meilisearch outage (jobs failing and retrying)
// never holds up other queues.
const IndexQueueWorkers = 4

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
		RequiredSkills: nonNil(o.RequiredSkills), Town: o.Town, PostalCode: o.PostalCode, INSEECode: o.INSEECode, Remote: o.Remote,
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
	logger.Log(ctx, level, "search index reconciled", "offers", r.Offers, "documents", r.Documents, "shards", r.Shards,
		"missing", r.Missing, "stale", r.Stale, "extra", r.Extra)
	return nil
}

// Reconciliation says what Reconcile found and repaired.
type Reconciliation struct {
	Offers    int // searchable offers in the database
	Documents int // documents in the geo and remote shards
	Shards    int // shards compared (the national one included)
	Missing   int // searchable offers without their document (in their shard, or in the national index)
	Stale     int // documents of another version: indexed again
	Extra     int // documents of offers not (any more) searchable, or in a shard not theirs: deleted
}

// Repairs is the number of documents repaired.
func (r Reconciliation) Repairs() int { return r.Missing + r.Stale + r.Extra }

// Reconcile compares every shard with the database and queues for the
// index job every offer whose document is missing, stale, extra, or in a
// shard that is not the one the map gives it. Repairs go through the job,
// which reads the offer's current state, rather than being written here from
// a snapshot that a concurrent write may have overtaken: a document in a
// shard where it does not belong is recorded as placed there, so that the
// job deletes it. The
// shards are read before the database, so an offer written in between is at
// worst indexed once more. Documents whose id is not an offer id are deleted
// here. A job waiting for a distant retry (a long outage) runs now.
func Reconcile(ctx context.Context, st *store.Store, sc *search.Client, rc *river.Client[pgx.Tx]) (Reconciliation, error) {
	byShard, err := sc.ShardVersions(ctx)
	if err != nil {
		return Reconciliation{}, fmt.Errorf("jobs: reconcile index: %w", err)
	}
	m, err := sc.Map(ctx)
	if err != nil {
		return Reconciliation{}, fmt.Errorf("jobs: reconcile index: %w", err)
	}
	offers, err := st.SearchableOfferPlaces(ctx)
	if err != nil {
		return Reconciliation{}, fmt.Errorf("jobs: reconcile index: %w", err)
	}
	r := Reconciliation{Offers: len(offers), Shards: len(byShard)}
	repair := map[uuid.UUID]bool{}
	var misplaced []store.ShardPlacement
	var garbage []string
	for cellID, docs := range byShard {
		if cellID != shard.NationalID {
			r.Documents += len(docs)
		}
		for sid, dv := range docs {
			id, err := uuid.Parse(sid)
			if err != nil {
				garbage = append(garbage, sid)
				r.Extra++
				continue
			}
			o, ok := offers[id]
			switch {
			case !ok:
				r.Extra++
				if cellID != shard.NationalID {
					misplaced = append(misplaced, store.ShardPlacement{OfferID: id, ShardID: cellID})
				}
			case cellID != shard.NationalID && m.Place(shard.Point{Lat: o.Lat, Lon: o.Lon}, o.INSEE, o.Remote == store.RemoteFull).ID != cellID:
				r.Extra++
				misplaced = append(misplaced, store.ShardPlacement{OfferID: id, ShardID: cellID})
			case dv != o.Version:
				r.Stale++
			default:
				continue
			}
			repair[id] = true
		}
	}
	_, national := m.National()
	for id, o := range offers {
		home := m.Place(shard.Point{Lat: o.Lat, Lon: o.Lon}, o.INSEE, o.Remote == store.RemoteFull)
		_, inHome := byShard[home.ID][id.String()]
		_, inNational := byShard[shard.NationalID][id.String()]
		if !inHome || (national && !inNational) {
			r.Missing++
			repair[id] = true
		}
	}
	if err := sc.DeleteOffers(ctx, garbage); err != nil {
		return r, fmt.Errorf("jobs: reconcile index: %w", err)
	}
	// Placements first: the job then knows to delete the misplaced copies.
	if err := st.AddPlacements(ctx, misplaced); err != nil {
		return r, fmt.Errorf("jobs: reconcile index: %w", err)
	}
	ids := make([]uuid.UUID, 0, len(repair))
	for id := range repair {
		ids = append(ids, id)
	}
	for chunk := range slices.Chunk(ids, 10_000) {
		if err := st.QueueIndex(ctx, chunk); err != nil {
			return r, fmt.Errorf("jobs: reconcile index: %w", err)
		}
	}
	// The index job waiting for a retry (its backoff grows to hours over a
	// long Meilisearch outage) runs now instead: the reconciler is what
	// brings the index back soon after an outage.
	if rc != nil {
		res, err := rc.Insert(ctx, jobargs.IndexOffers{}, nil)
		if err != nil {
			return r, fmt.Errorf("jobs: reconcile index: enqueue the index job: %w", err)
		}
		if res.UniqueSkippedAsDuplicate && res.Job != nil && res.Job.State == rivertype.JobStateRetryable {
			if _, err := rc.JobRetry(ctx, res.Job.ID); err != nil {
				return r, fmt.Errorf("jobs: reconcile index: retry job %d now: %w", res.Job.ID, err)
			}
		}
	}
	return r, nil
}
