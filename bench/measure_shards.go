package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/search/shard"
)

// measureGeoSearch: searches around a point (the adviser's usual search)
// through the API, p95 ≤ 50 ms (the bar at 1M offers).
func (b *runner) measureGeoSearch(ctx context.Context) (Measurement, error) {
	cases, err := b.searchCases(ctx, 200)
	if err != nil {
		return Measurement{}, err
	}
	var geo []searchCase
	for _, c := range cases {
		if c.near {
			geo = append(geo, c)
		}
	}
	var samples []time.Duration
	for i := range b.sizes.search {
		r, err := b.searchAPI(ctx, geo[i%len(geo)])
		if err != nil {
			return Measurement{}, fmt.Errorf("%s: %w", GeoSearch, err)
		}
		if i >= b.sizes.warmup {
			samples = append(samples, r.took)
		}
		b.tick(GeoSearch, i+1, b.sizes.search)
	}
	return single(GeoSearch, "p95 ≤ 50 ms", 50*time.Millisecond,
		Side{Name: "api: GET /v1/offers/search with near + radius_km", Stats: Summarise(samples)},
		fmt.Sprintf("%d distinct queries around real towns (10–50 km), %d offers; shards per query: median %d",
			len(geo), len(b.data.Offers), medianShards(geo))), nil
}

// measureSearchNoPoint: searches without a point, straight to Meilisearch,
// against the national index (one query) and fanned out to every shard (one
// query per shard, merged): whether the national index is worth its writes.
func (b *runner) measureSearchNoPoint(ctx context.Context) (Measurement, error) {
	adviser := passerelle.Principal{Role: passerelle.RoleAdviser, OrganisationID: b.setup.organisation}
	m, err := b.search.Map(ctx)
	if err != nil {
		return Measurement{}, err
	}
	var fanout []shard.Cell
	for _, c := range m.Cells {
		if c.Kind != shard.KindNational {
			fanout = append(fanout, c)
		}
	}
	// Every geo and remote shard with an index: a circle covering the Earth.
	all, err := b.search.SearchCells(ctx, search.OfferQuery{Near: &search.Point{}, RadiusMetres: 20_100_000})
	if err != nil {
		return Measurement{}, err
	}
	national, ok := m.National()
	if !ok {
		return Measurement{}, fmt.Errorf("%s: the shard map has no national index (reindex --national)", SearchNoPoint)
	}
	var nat, fan [][]byte
	for _, q := range b.data.Queries(200) {
		oq := search.OfferQuery{Text: q.Text, Kinds: q.Kinds, Sort: search.SortRelevance, Page: 1, PerPage: perPage}
		n, err := json.Marshal(map[string]any{"queries": search.ShardRequests(b.search.Prefix(), []shard.Cell{national}, adviser, oq)})
		if err != nil {
			return Measurement{}, err
		}
		f, err := json.Marshal(map[string]any{"queries": search.ShardRequests(b.search.Prefix(), all, adviser, oq)})
		if err != nil {
			return Measurement{}, err
		}
		nat, fan = append(nat, n), append(fan, f)
	}
	var ns, fs []time.Duration
	for i := range b.sizes.search / 4 {
		for side, body := range [][]byte{nat[i%len(nat)], fan[i%len(fan)]} {
			r, err := b.client.meili(ctx, http.MethodPost, "/multi-search", body)
			if err != nil {
				return Measurement{}, fmt.Errorf("%s: %w", SearchNoPoint, err)
			}
			if side == 0 {
				ns = append(ns, r.took)
			} else {
				fs = append(fs, r.took)
			}
		}
		b.tick(SearchNoPoint, i+1, b.sizes.search/4)
	}
	meas := pair(SearchNoPoint, "national index faster than the fan-out (ratio < 1)", 1,
		Side{Name: "national index (no _geo): one query", Stats: Summarise(ns)},
		Side{Name: fmt.Sprintf("fan-out: one query per shard (%d with an index), merged", len(all)), Stats: Summarise(fs)},
		fmt.Sprintf("searches without a point, straight to Meilisearch; %d cells in the map", len(fanout)))
	return meas, nil
}

// measureIndexThroughput: offer changes through the API at a constant rate
// (100 a second for a minute), then how long the index job takes to write
// the backlog once they stop (bar: 2 s).
func (b *runner) measureIndexThroughput(ctx context.Context) (Measurement, error) {
	rate, d := 100, time.Minute
	if b.cfg.Small {
		rate, d = 20, 5*time.Second
	}
	// Offers to change: created first, as companies do.
	type target struct {
		id   uuid.UUID
		key  string
		body []byte
	}
	var targets []target
	for i := range 50 {
		k := i % len(b.setup.companies.keys)
		o := b.offerFor(k)
		r, err := b.createAPI(ctx, b.setup.companies.keys[k], o)
		if err != nil {
			return Measurement{}, err
		}
		var created struct {
			ID uuid.UUID `json:"id"`
		}
		if err := json.Unmarshal(r.body, &created); err != nil {
			return Measurement{}, err
		}
		body, err := json.Marshal(offerBody(o))
		if err != nil {
			return Measurement{}, err
		}
		targets = append(targets, target{created.ID, b.setup.companies.keys[k], body})
	}
	if err := b.waitIndexIdle(ctx); err != nil {
		return Measurement{}, err
	}
	total := int(float64(rate) * d.Seconds())
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	var lat []time.Duration
	errs := 0
	maxBacklog := 0
	for i := range total {
		at := start.Add(time.Duration(i) * interval)
		if w := time.Until(at); w > 0 {
			time.Sleep(w)
		}
		t := targets[i%len(targets)]
		r, err := b.client.do(ctx, http.MethodPut, b.bases[0]+"/v1/offers/"+t.id.String(), t.key, t.body)
		if err != nil || r.status != http.StatusOK {
			errs++
			continue
		}
		lat = append(lat, r.took)
		if i%rate == 0 {
			n, err := b.backlog(ctx)
			if err != nil {
				return Measurement{}, err
			}
			maxBacklog = max(maxBacklog, n)
			b.tick(IndexThroughput, i+1, total)
		}
	}
	sent := time.Since(start)
	end := time.Now()
	if err := b.waitIndexIdle(ctx); err != nil {
		return Measurement{}, err
	}
	drain := time.Since(end)
	achieved := float64(total-errs) / sent.Seconds()
	m := Measurement{Name: IndexThroughput, A: Side{Name: fmt.Sprintf("%d offer changes/s through the API (PUT)", rate), Stats: Summarise(lat)},
		Bar: "100 changes/s for a minute, backlog drained ≤ 2 s",
		Note: fmt.Sprintf("%d changes in %s (%.0f/s accepted, %d errors) over %d offers; largest backlog seen %d; drained %s after the last change",
			total, sent.Round(time.Millisecond), achieved, errs, len(targets), maxBacklog, drain.Round(time.Millisecond))}
	m.Met = !b.cfg.Small && errs == 0 && achieved >= 0.95*float64(rate) && drain <= 2*time.Second
	return m, nil
}

// backlog is the number of offer changes not yet written to the shards.
func (b *runner) backlog(ctx context.Context) (int, error) {
	var n int
	err := b.pool.QueryRow(ctx, `SELECT count(*) FROM search_pending`).Scan(&n)
	return n, err
}

// waitIndexIdle waits until no offer change is pending.
func (b *runner) waitIndexIdle(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Minute)
	for {
		n, err := b.backlog(ctx)
		if err != nil || n == 0 {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: %d offer changes still pending after 10 minutes", n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}
