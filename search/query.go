package search

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/meilisearch/meilisearch-go"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/matching"
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

// searchRequest is the Meilisearch request for q by p.
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
	return req
}

// Search runs an offer search on behalf of p. The visibility clause is always
// part of the filter. A Meilisearch outage is an *UnavailableError.
func (c *Client) Search(ctx context.Context, p passerelle.Principal, q OfferQuery) (OfferResults, error) {
	resp, err := c.offers().SearchWithContext(ctx, q.Text, searchRequest(p, q))
	if err != nil {
		return OfferResults{}, fmt.Errorf("search: offers: %w", classify(err))
	}
	out := OfferResults{Total: resp.TotalHits, Hits: make([]OfferHit, 0, len(resp.Hits))}
	for _, h := range resp.Hits {
		var hit OfferHit
		if err := h.DecodeInto(&hit.OfferDoc); err != nil {
			return OfferResults{}, fmt.Errorf("search: offers: decode hit: %w", err)
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
		out.Hits = append(out.Hits, hit)
	}
	if len(resp.FacetDistribution) > 0 {
		if err := json.Unmarshal(resp.FacetDistribution, &out.Facets); err != nil {
			return OfferResults{}, fmt.Errorf("search: offers: decode facets: %w", err)
		}
	}
	if out.Facets == nil {
		out.Facets = map[string]map[string]int64{}
	}
	for _, f := range OfferFacets {
		if out.Facets[f] == nil {
			out.Facets[f] = map[string]int64{}
		}
	}
	return out, nil
}
