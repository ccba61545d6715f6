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

	"github.com/meilisearch/meilisearch-go"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/search"
)

// searchCase is one query written both ways: the API's query string and the
// Meilisearch request the search package makes of it.
type searchCase struct {
	apiPath   string
	meiliBody []byte
}

// perPage is what both sides ask for (also the API's default).
const perPage = 20

func (b *runner) searchCases(n int) ([]searchCase, error) {
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
		body, err := json.Marshal(meiliSearchRequest(adviser, oq))
		if err != nil {
			return nil, err
		}
		out = append(out, searchCase{apiPath: "/v1/offers/search?" + v.Encode(), meiliBody: body})
	}
	return out, nil
}

// meiliSearchRequest is the request search.Client.Search sends for a
// relevance-sorted query: the search package's own filter (visibility clause
// included) and facets, the same page and locale. The warm-up checks that
// both sides find the same number of offers for every query.
func meiliSearchRequest(p passerelle.Principal, q search.OfferQuery) *meilisearch.SearchRequest {
	hits := int64(q.PerPage)
	return &meilisearch.SearchRequest{
		Query:       q.Text,
		Filter:      search.OfferFilter(p, q),
		Facets:      search.OfferFacets,
		Page:        int64(max(q.Page, 1)),
		HitsPerPage: &hits,
		Locales:     []string{"fra"},
	}
}

func (b *runner) searchAPI(ctx context.Context, sc searchCase) (response, error) {
	return b.client.api(ctx, http.MethodGet, sc.apiPath, b.setup.advisers.take(), nil, http.StatusOK)
}

func (b *runner) searchMeili(ctx context.Context, sc searchCase) (response, error) {
	return b.client.meili(ctx, http.MethodPost, "/indexes/"+url.PathEscape(b.index)+"/search", sc.meiliBody)
}

// measureSearch sends each query through GET /v1/offers/search and straight
// to Meilisearch, alternating which goes first.
func (b *runner) measureSearch(ctx context.Context) (Measurement, error) {
	const name = "search_api_vs_meili"
	cases, err := b.searchCases(200)
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
			TotalHits int64 `json:"totalHits"`
		}
		if err := json.Unmarshal(a.body, &at); err != nil {
			return Measurement{}, fmt.Errorf("%s: API answer: %w", name, err)
		}
		if err := json.Unmarshal(m.body, &mt); err != nil {
			return Measurement{}, fmt.Errorf("%s: Meilisearch answer: %w", name, err)
		}
		if at.Total != mt.TotalHits {
			return Measurement{}, fmt.Errorf("%s: %s finds %d offers, the same query sent to Meilisearch %d: the two sides do not run the same query",
				name, cases[i].apiPath, at.Total, mt.TotalHits)
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
		Side{Name: "meilisearch: POST /indexes/…/search", Stats: Summarise(meiliSamples)},
		fmt.Sprintf("%d distinct queries (adviser key; q, near+radius_km, kinds, disability_friendly; %d per page, facets); hits per query in the warm-up: median %d",
			len(cases), perPage, median(b.matches))), nil
}

func median(v []int64) int64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
