package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/search/shard"
)

// Visibility polling: how often, and how long before a sample counts as lost.
const (
	pollEvery      = 10 * time.Millisecond
	visibleTimeout = 10 * time.Second
)

// measureVisible creates and publishes an offer through the API, then polls
// Meilisearch for it (the company's published offers, newest first) until it
// appears. The latency runs from the publish response to the first poll
// answer that holds the offer, so it includes up to one poll interval.
func (b *runner) measureVisible(ctx context.Context) (Measurement, error) {
	const name = "write_to_searchable"
	var samples []time.Duration
	lost := 0
	for i := range min(b.sizes.warmup/5, 5) + b.sizes.visible {
		warm := i < min(b.sizes.warmup/5, 5)
		k := i % len(b.setup.companies.keys)
		took, ok, err := b.publishAndWait(ctx, k)
		if err != nil {
			return Measurement{}, fmt.Errorf("%s: %w", name, err)
		}
		if warm {
			continue
		}
		if !ok {
			lost++
		}
		samples = append(samples, took)
		b.tick(name, len(samples), b.sizes.visible)
	}
	m := single(name, "p95 ≤ 1 s", time.Second,
		Side{Name: "publish (API) → found in its shard and the national index (Meilisearch)", Stats: Summarise(samples)},
		fmt.Sprintf("create + publish through the API with a company key, then a search every %s; not found within %s: %d (counted as %s)",
			pollEvery, visibleTimeout, lost, visibleTimeout))
	if lost > 0 {
		m.Met = false
	}
	return m, nil
}

func (b *runner) publishAndWait(ctx context.Context, k int) (time.Duration, bool, error) {
	key := b.setup.companies.keys[k]
	o := b.offerFor(k)
	r, err := b.createAPI(ctx, key, o)
	if err != nil {
		return 0, false, err
	}
	var created struct {
		ID uuid.UUID `json:"id"`
	}
	if err := json.Unmarshal(r.body, &created); err != nil {
		return 0, false, err
	}
	if _, err := b.client.api(ctx, http.MethodPost, "/v1/offers/"+created.ID.String()+"/publish", key, nil, http.StatusOK); err != nil {
		return 0, false, err
	}
	published := time.Now()
	// Searchable means found both where searches with a point look (the
	// offer's shard) and where those without look (the national index).
	m, err := b.search.Map(ctx)
	if err != nil {
		return 0, false, err
	}
	home := m.Place(shard.Point{Lat: o.Place.Lat, Lon: o.Place.Lon}, o.Place.INSEE, o.Remote == "full")
	filter := (&search.Filter{}).Eq(search.AttrStatus, "published").Eq(search.AttrCompanyID, b.setup.companyIDs[k].String())
	var queries []map[string]any
	for _, cell := range []shard.Cell{home, {Index: shard.IndexName(shard.NationalID)}} {
		queries = append(queries, map[string]any{"indexUid": b.search.IndexName(cell.Index), "q": "", "filter": filter.String(),
			"sort": []string{"published_at:desc"}, "limit": 50, "attributesToRetrieve": []string{"id"}})
	}
	body, err := json.Marshal(map[string]any{"queries": queries})
	if err != nil {
		return 0, false, err
	}
	for {
		r, err := b.client.meili(ctx, http.MethodPost, "/multi-search", body)
		if err != nil {
			return 0, false, err
		}
		var res struct {
			Results []struct {
				Hits []struct {
					ID string `json:"id"`
				} `json:"hits"`
			} `json:"results"`
		}
		if err := json.Unmarshal(r.body, &res); err != nil {
			return 0, false, err
		}
		found := 0
		for _, rr := range res.Results {
			for _, h := range rr.Hits {
				if h.ID == created.ID.String() {
					found++
				}
			}
		}
		if found == len(queries) {
			return time.Since(published), true, nil
		}
		if time.Since(published) > visibleTimeout {
			return visibleTimeout, false, nil
		}
		select {
		case <-ctx.Done():
			return 0, false, ctx.Err()
		case <-time.After(pollEvery):
		}
	}
}
