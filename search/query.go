package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/meilisearch/meilisearch-go"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/matching"
	"github.com/passerelle-dev/passerelle/search/shard"
)

// Sort orders of an offer search.
const (
	SortRelevance   = "relevance"
	SortStartDate   = "start_date"
	SortPublishedAt = "published_at"
	SortDistance    = "distance"
)

// Sorts lists the sort orders, the default first.
var Sorts = []string{SortRelevance, SortStartDate, SortPublishedAt, SortDistance}

// Point is a place on Earth (WGS 84).
type Point struct {
	Lat, Lon float64
}

// OfferQuery is an offer search, already validated and parsed by the API:
// values are what users typed, and are only ever written into a filter as
// quoted literals.
type OfferQuery struct {
	Text string
	// Near limits results to RadiusMetres around it (fully remote offers
	// excepted) and gives each hit its distance.
	Near         *Point
	RadiusMetres int
	Kinds        []string
	ROMECodes    []string
	Skills       []string
	Remote       []string
	// Statuses narrows the statuses seen; an admin sees any status it names,
	// others only within what they may see.
	Statuses           []string
	StartAfter         *int64 // Unix seconds, inclusive
	StartBefore        *int64 // Unix seconds, inclusive
	DisabilityFriendly *bool
	OpenToMinors       *bool
	Sort               string
	Page, PerPage      int
}

// Visibility is the clause that decides which offers a caller may see; it is
// the first clause of every offer search's filter, AND-ed with the rest.
//   - admin: the statuses asked for, published only by default;
//   - company: published offers, and its own in any indexed status (drafts,
//     paused);
//   - adviser, integrator (and any other role): published offers only.
func Visibility(p passerelle.Principal, statuses []string) *Filter {
	published := (&Filter{}).Eq(AttrStatus, "published")
	switch p.Role {
	case passerelle.RoleAdmin:
		if len(statuses) > 0 {
			return (&Filter{}).In(AttrStatus, statuses...)
		}
		return published
	case passerelle.RoleCompany:
		return (&Filter{}).Or(published, (&Filter{}).Eq(AttrCompanyID, p.CompanyID.String()))
	default:
		return published
	}
}

// OfferFilter renders the whole filter of a search by p: the visibility clause
// first, then the query's own clauses. It is pure, for the fuzz test.
func OfferFilter(p passerelle.Principal, q OfferQuery) string {
	f := Visibility(p, q.Statuses)
	if p.Role != passerelle.RoleAdmin {
		// Within what they may see, others may narrow by status too.
		f.In(AttrStatus, q.Statuses...)
	}
	f.In(AttrKind, q.Kinds...).
		In(AttrROMECodes, q.ROMECodes...).
		In(AttrSkills, q.Skills...).
		In(AttrRemote, q.Remote...).
		Range(AttrStartDate, q.StartAfter, q.StartBefore)
	if q.DisabilityFriendly != nil {
		f.Bool(AttrDisabilityFriendly, *q.DisabilityFriendly)
	}
	if q.OpenToMinors != nil {
		f.Bool(AttrOpenToMinors, *q.OpenToMinors)
	}
	if q.Near != nil {
		f.Or((&Filter{}).GeoRadius(q.Near.Lat, q.Near.Lon, q.RadiusMetres), (&Filter{}).Eq(AttrRemote, "full"))
	}
	return f.String()
}

// OfferFacets are the attributes whose value counts a search returns.
var OfferFacets = []string{AttrKind, AttrROMECodes, AttrDisabilityFriendly, AttrOpenToMinors, AttrRemote}

// OfferHit is one offer found, with its distance when the query had a point.
type OfferHit struct {
	OfferDoc
	DistanceMetres *float64
}

// OfferResults is a page of hits, the total and the facet counts (value →
// count, per facet).
type OfferResults struct {
	Hits   []OfferHit
	Total  int64
	Facets map[string]map[string]int64
}

// searchRequest is the Meilisearch request for q by p, for one index. The
// sort ends with the id, so that no two offers tie (ranking rules put sort
// after every relevance rule): one order, whichever shards hold the offers.
func searchRequest(p passerelle.Principal, q OfferQuery) *meilisearch.SearchRequest {
	perPage := int64(q.PerPage)
	req := &meilisearch.SearchRequest{
		Query:       q.Text,
		Filter:      OfferFilter(p, q),
		Facets:      OfferFacets,
		Page:        int64(max(q.Page, 1)),
		HitsPerPage: &perPage,
		Locales:     []string{"fra"},
	}
	var geo string
	if q.Near != nil {
		geo = "_geoPoint(" + strconv.FormatFloat(q.Near.Lat, 'f', 6, 64) + ", " + strconv.FormatFloat(q.Near.Lon, 'f', 6, 64) + "):asc"
	}
	switch q.Sort {
	case SortStartDate:
		req.Sort = []string{"start_date:asc"}
	case SortPublishedAt:
		req.Sort = []string{"published_at:desc"}
	case SortDistance:
		req.Sort = []string{geo}
	}
	if geo != "" && len(req.Sort) > 0 && q.Sort != SortDistance {
		// Ties broken by distance, which also makes Meilisearch return it.
		req.Sort = append(req.Sort, geo)
	}
	req.Sort = append(req.Sort, "id:asc")
	return req
}

// ShardRequests are the requests of one search: one per shard its point and
// radius meet (or the national index without a point), for /multi-search.
// With several shards, each gives its first page × per_page hits with their
// ranking details, which Search merges into the page asked for.
func ShardRequests(prefix string, cells []shard.Cell, p passerelle.Principal, q OfferQuery) []*meilisearch.SearchRequest {
	out := make([]*meilisearch.SearchRequest, len(cells))
	for i, cell := range cells {
		req := searchRequest(p, q)
		req.IndexUID = prefix + cell.Index
		if len(cells) > 1 {
			n := int64(max(q.Page, 1) * q.PerPage)
			req.Page, req.HitsPerPage, req.ShowRankingScoreDetails = 1, &n, true
		}
		out[i] = req
	}
	return out
}

// Search runs an offer search on behalf of p: one /multi-search request (per
// server) over the shards the query's circle meets, merged into one page.
// The visibility clause is always part of the filter. A Meilisearch outage
// is an *UnavailableError.
func (c *Client) Search(ctx context.Context, p passerelle.Principal, q OfferQuery) (OfferResults, error) {
	res, err := c.search(ctx, p, q)
	if err != nil && isCode(err, "index_not_found") {
		// A shard named by a map this process read before a reindex: read
		// the map again, once.
		c.forget()
		res, err = c.search(ctx, p, q)
	}
	if err != nil {
		return OfferResults{}, fmt.Errorf("search: offers: %w", classify(err))
	}
	return res, nil
}

func (c *Client) search(ctx context.Context, p passerelle.Principal, q OfferQuery) (OfferResults, error) {
	m, err := c.Map(ctx)
	if err != nil {
		return OfferResults{}, err
	}
	var centre *shard.Point
	if q.Near != nil {
		centre = &shard.Point{Lat: q.Near.Lat, Lon: q.Near.Lon}
	}
	cells, err := c.exists(ctx, m.Select(centre, float64(q.RadiusMetres)))
	if err != nil {
		return OfferResults{}, err
	}
	reqs := ShardRequests(c.prefix, cells, p, q)
	byServer := map[string][]*meilisearch.SearchRequest{}
	for i, cell := range cells {
		byServer[cell.Server] = append(byServer[cell.Server], reqs[i])
	}
	var mu sync.Mutex
	var results []meilisearch.SearchResponse
	var errs []error
	var wg sync.WaitGroup
	for server, queries := range byServer {
		wg.Go(func() {
			s, err := c.server(server)
			var resp *meilisearch.MultiSearchResponse
			if err == nil {
				resp, err = s.MultiSearchWithContext(ctx, &meilisearch.MultiSearchRequest{Queries: queries})
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			results = append(results, resp.Results...)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return OfferResults{}, err
	}
	return mergeResults(results, q, len(cells) > 1)
}

// mergeResults makes one page of the shards' answers: hits in the order one
// index would give (their ranking details compared rule by rule), the page
// asked for, totals and facet counts summed.
func mergeResults(results []meilisearch.SearchResponse, q OfferQuery, merge bool) (OfferResults, error) {
	out := OfferResults{Facets: map[string]map[string]int64{}}
	var ranked []rankedHit
	for _, r := range results {
		out.Total += r.TotalHits
		if len(r.FacetDistribution) > 0 {
			var f map[string]map[string]int64
			if err := json.Unmarshal(r.FacetDistribution, &f); err != nil {
				return OfferResults{}, fmt.Errorf("decode facets: %w", err)
			}
			for attr, values := range f {
				if out.Facets[attr] == nil {
					out.Facets[attr] = map[string]int64{}
				}
				for v, n := range values {
					out.Facets[attr][v] += n
				}
			}
		}
		for _, h := range r.Hits {
			var hit OfferHit
			if err := h.DecodeInto(&hit.OfferDoc); err != nil {
				return OfferResults{}, fmt.Errorf("decode hit: %w", err)
			}
			if q.Near != nil {
				var d float64
				if raw, ok := h["_geoDistance"]; ok && json.Unmarshal(raw, &d) == nil {
					hit.DistanceMetres = &d
				} else {
					// Meilisearch gives _geoDistance only when sorting by it.
					d = 1000 * matching.DistanceKm(matching.Point(*q.Near), matching.Point{Lat: hit.Geo.Lat, Lon: hit.Geo.Lng})
					hit.DistanceMetres = &d
				}
			}
			rh := rankedHit{hit: hit}
			if merge {
				rules, err := parseRankingDetails(h["_rankingScoreDetails"])
				if err != nil {
					return OfferResults{}, fmt.Errorf("decode ranking details of %s: %w", hit.ID, err)
				}
				rh.rules = rules
			}
			ranked = append(ranked, rh)
		}
	}
	out.Total = min(out.Total, maxTotalHits)
	if merge {
		slices.SortStableFunc(ranked, func(a, b rankedHit) int { return compareRules(a.rules, b.rules) })
		from := min((max(q.Page, 1)-1)*q.PerPage, len(ranked))
		ranked = ranked[from:min(from+q.PerPage, len(ranked))]
		for attr, values := range out.Facets {
			out.Facets[attr] = firstFacetValues(values)
		}
	}
	out.Hits = make([]OfferHit, len(ranked))
	for i, r := range ranked {
		out.Hits[i] = r.hit
	}
	for _, f := range OfferFacets {
		if out.Facets[f] == nil {
			out.Facets[f] = map[string]int64{}
		}
	}
	return out, nil
}

// SearchCells returns the shards a search by q queries (those with an
// index), as Search picks them: for tools that send the same multi-search
// straight to Meilisearch (the bench).
func (c *Client) SearchCells(ctx context.Context, q OfferQuery) ([]shard.Cell, error) {
	m, err := c.Map(ctx)
	if err != nil {
		return nil, err
	}
	var centre *shard.Point
	if q.Near != nil {
		centre = &shard.Point{Lat: q.Near.Lat, Lon: q.Near.Lon}
	}
	return c.exists(ctx, m.Select(centre, float64(q.RadiusMetres)))
}
