package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/search"
)

// searchCase is one query written both ways: the API's query string and the
// Meilisearch request the search package makes of it.
type searchCase struct {
	apiPath   string
	meiliBody []byte // the /multi-search request the API sends (one query per shard)
	near      bool
	shards    int
}

// perPage is what both sides ask for (also the API's default).
const perPage = 20

func (b *runner) searchCases(ctx context.Context, n int) ([]searchCase, error) {
	adviser := passerelle.Principal{Role: passerelle.RoleAdviser, OrganisationID: b.setup.organisation}
	out := make([]searchCase, 0, n)
	for _, q := range b.data.Queries(n) {
		v := url.Values{}
		oq := search.OfferQuery{Text: q.Text, Kinds: q.Kinds, Sort: search.SortRelevance, Page: 1, PerPage: perPage}
		if q.Text != "" {
			v.Set("q", q.Text)
		}
		if q.Near != nil {
			v.Set("near", strconv.FormatFloat(q.Near.Lat, 'f', -1, 64)+","+strconv.FormatFloat(q.Near.Lon, 'f', -1, 64))
			v.Set("radius_km", strconv.Itoa(q.RadiusKm))
			oq.Near, oq.RadiusMetres = q.Near, q.RadiusKm*1000
		}
		if len(q.Kinds) > 0 {
			v.Set("kinds", strings.Join(q.Kinds, ","))
		}
		if q.DisabilityFriendly {
			v.Set("disability_friendly", "true")
			oq.DisabilityFriendly = ptr(true)
		}
		v.Set("limit", strconv.Itoa(perPage))
		cells, err := b.search.SearchCells(ctx, oq)
		if err != nil {
			return nil, err
		}
		body, err := json.Marshal(map[string]any{"queries": search.ShardRequests(b.search.Prefix(), cells, adviser, oq)})
		if err != nil {
			return nil, err
		}
		out = append(out, searchCase{apiPath: "/v1/offers/search?" + v.Encode(), meiliBody: body, near: q.Near != nil, shards: len(cells)})
	}
	return out, nil
}

func (b *runner) searchAPI(ctx context.Context, sc searchCase) (response, error) {
	return b.client.api(ctx, http.MethodGet, sc.apiPath, b.setup.advisers.take(), nil, http.StatusOK)
}

func (b *runner) searchMeili(ctx context.Context, sc searchCase) (response, error) {
	return b.client.meili(ctx, http.MethodPost, "/multi-search", sc.meiliBody)
}

// measureSearch sends each query through GET /v1/offers/search and straight
// to Meilisearch, alternating which goes first.
func (b *runner) measureSearch(ctx context.Context) (Measurement, error) {
	const name = "search_api_vs_meili"
	cases, err := b.searchCases(ctx, 200)
	if err != nil {
		return Measurement{}, err
	}
	// Warm-up, checking on every distinct query that both sides agree.
	for i := range min(len(cases), max(b.sizes.warmup, 20)) {
		a, err := b.searchAPI(ctx, cases[i])
		if err != nil {
			return Measurement{}, err
		}
		m, err := b.searchMeili(ctx, cases[i])
		if err != nil {
			return Measurement{}, err
		}
		var at struct {
			Total int64 `json:"total"`
		}
		var mt struct {
			Results []struct {
				TotalHits int64 `json:"totalHits"`
			} `json:"results"`
		}
		if err := json.Unmarshal(a.body, &at); err != nil {
			return Measurement{}, fmt.Errorf("%s: API answer: %w", name, err)
		}
		if err := json.Unmarshal(m.body, &mt); err != nil {
			return Measurement{}, fmt.Errorf("%s: Meilisearch answer: %w", name, err)
		}
		var total int64
		for _, r := range mt.Results {
			total += r.TotalHits
		}
		if at.Total != min(total, 10_000) {
			return Measurement{}, fmt.Errorf("%s: %s finds %d offers, the same multi-search sent to Meilisearch %d: the two sides do not run the same query",
				name, cases[i].apiPath, at.Total, total)
		}
		b.matches = append(b.matches, at.Total)
	}
	apiSamples := make([]time.Duration, 0, b.sizes.search)
	meiliSamples := make([]time.Duration, 0, b.sizes.search)
	for i := range b.sizes.search {
		sc := cases[i%len(cases)]
		sides := []func() error{
			func() error { r, err := b.searchAPI(ctx, sc); apiSamples = append(apiSamples, r.took); return err },
			func() error {
				r, err := b.searchMeili(ctx, sc)
				meiliSamples = append(meiliSamples, r.took)
				return err
			},
		}
		if i%2 == 1 {
			sides[0], sides[1] = sides[1], sides[0]
		}
		for _, side := range sides {
			if err := side(); err != nil {
				return Measurement{}, fmt.Errorf("%s: %w", name, err)
			}
		}
		b.tick(name, i+1, b.sizes.search)
	}
	return pair(name, "p50 ratio ≤ 1.25", 1.25,
		Side{Name: "api: GET /v1/offers/search", Stats: Summarise(apiSamples)},
		Side{Name: "meilisearch: POST /multi-search (the same shard queries)", Stats: Summarise(meiliSamples)},
		fmt.Sprintf("%d distinct queries (adviser key; q, near+radius_km, kinds, disability_friendly; %d per page, facets); shards per query: median %d; hits per query in the warm-up: median %d",
			len(cases), perPage, medianShards(cases), median(b.matches))), nil
}

func median(v []int64) int64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func medianShards(cases []searchCase) int64 {
	v := make([]int64, len(cases))
	for i, c := range cases {
		v[i] = int64(c.shards)
	}
	return median(v)
}
