package chaos

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/passerelle-dev/passerelle/jobs/jobargs"
)

// searchKilled creates and publishes offers through the API while
// Meilisearch is killed (SIGKILL) a third of the way through and started
// again at two thirds, then waits until the index equals PostgreSQL: the same
// ids at the same versions. Index jobs that failed meanwhile retry; the
// reconciliation the periodic job runs every ten minutes is queued at once.
func (r *run) searchKilled(ctx context.Context) Outcome {
	const n = 90
	var refused int
	var firstErr error
	for i := range n {
		switch i {
		case n / 3:
			if err := r.cfg.Services.KillMeilisearch(ctx); err != nil {
				return failed("kill meilisearch: %v", err)
			}
			r.logf("chaos: meilisearch killed after %d offers", i)
		case 2 * n / 3:
			if err := r.cfg.Services.Start(ctx, "meilisearch"); err != nil {
				return failed("start meilisearch: %v", err)
			}
			r.logf("chaos: meilisearch started again after %d offers", i)
		}
		if err := r.publishOffer(ctx, i); err != nil {
			refused++
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	if _, err := r.river.Insert(ctx, jobargs.ReconcileIndex{}, nil); err != nil {
		return failed("queue a reconciliation: %v", err)
	}
	var missing, stale, extra, rows int
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var err error
		missing, stale, extra, rows, err = r.compareIndex(ctx)
		if err == nil && missing+stale+extra == 0 {
			break
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	o := Outcome{Lost: missing + stale, Doubled: extra,
		Detail: fmt.Sprintf("%d offers created and published through the API (%d refused%s); PostgreSQL %d searchable offers; index: %d missing, %d at an old version, %d not in PostgreSQL",
			n, refused, errNote(firstErr), rows, missing, stale, extra)}
	o.OK = o.Lost == 0 && o.Doubled == 0 && refused == 0
	return o
}

// publishOffer creates and publishes an offer as the fixtures' company.
func (r *run) publishOffer(ctx context.Context, i int) error {
	a, err := call(ctx, http.MethodPost, r.api.URL+"/v1/offers", r.fx.companyKey, map[string]any{
		"kind": "internship", "title": fmt.Sprintf("Stage développeur web %d", i), "description": "Un stage pour apprendre.",
		"rome_codes": []string{"M1805"}, "required_skills": []string{"HTML"}, "optional_skills": []string{},
		"postal_code": "95500", "remote": "none", "positions": 1, "qualification_level": "none"})
	if err != nil {
		return err
	}
	id, err := a.created()
	if err != nil {
		return err
	}
	p, err := call(ctx, http.MethodPost, r.api.URL+"/v1/offers/"+id+"/publish", r.fx.companyKey, nil)
	if err != nil {
		return err
	}
	if p.status != http.StatusOK {
		return fmt.Errorf("publish: status %d: %.200s", p.status, p.body)
	}
	return nil
}

// compareIndex compares the index with PostgreSQL's searchable offers.
func (r *run) compareIndex(ctx context.Context) (missing, stale, extra, rows int, err error) {
	want := map[string]int{}
	for o, err := range r.store.SearchableOffers(ctx) {
		if err != nil {
			return 0, 0, 0, 0, err
		}
		want[o.ID.String()] = o.Version
	}
	got, err := r.search.OfferVersions(ctx)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	for id, v := range want {
		gv, ok := got[id]
		switch {
		case !ok:
			missing++
		case gv != v:
			stale++
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			extra++
		}
	}
	return missing, stale, extra, len(want), nil
}

func failed(format string, args ...any) Outcome {
	return Outcome{Detail: "could not run: " + fmt.Sprintf(format, args...)}
}

func errNote(err error) string {
	if err == nil {
		return ""
	}
	return fmt.Sprintf("; first: %.160s", err.Error())
}
