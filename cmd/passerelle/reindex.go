package main

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/passerelle-dev/passerelle/jobs"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/store"
)

func runReindex(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "reindex", "reindex")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pool, err := openPool(ctx, env.Config.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool, nil)
	sc := search.New(env.Config.MeiliURL, env.Config.MeiliMasterKey, env.Config.MeiliIndexPrefix)
	// Insert-only: repairs are enqueued for the workers of `passerelle serve`.
	rc, err := jobs.NewClient(pool, st, jobs.Config{Logger: env.Logger, Search: sc})
	if err != nil {
		return err
	}
	st.SetRiver(rc)

	start := time.Now()
	n, err := sc.ReindexOffers(ctx, offerDocs(st.SearchableOffers(ctx)))
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	took := time.Since(start)
	// Writes made while the new index was built went to the old one: the
	// reconciler finds them and enqueues their index jobs.
	r, err := jobs.Reconcile(ctx, st, sc, rc)
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	fmt.Fprintf(env.Stdout, "reindex: %d offers indexed into %s in %s\n", n, sc.IndexName(search.IndexOffers), took.Round(time.Millisecond))
	if r.Repairs() > 0 {
		fmt.Fprintf(env.Stdout, "reindex: %d offers changed meanwhile; their index jobs are enqueued\n", r.Repairs())
	}
	return nil
}

// offerDocs maps offers to their search documents.
func offerDocs(offers iter.Seq2[store.Offer, error]) iter.Seq2[search.OfferDoc, error] {
	return func(yield func(search.OfferDoc, error) bool) {
		for o, err := range offers {
			if err != nil {
				yield(search.OfferDoc{}, err)
				return
			}
			if !yield(jobs.OfferDoc(o), nil) {
				return
			}
		}
	}
}
