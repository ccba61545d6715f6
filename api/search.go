package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/reference"
	"github.com/passerelle-dev/passerelle/search"
)

// defaultRadiusKm is the search radius around a point when none is given.
const defaultRadiusKm = 30

// offerSearchInput: parameters taking several values accept a
// comma-separated list, the parameter repeated, or both; the pattern checks
// each item.
type offerSearchInput struct {
	Q                  string   `query:"q" maxLength:"200" example:"développeur web" doc:"Words to find in the title, skills, ROME labels, description and company name. Typos and French synonyms (alternance, apprentissage…) are tolerated."`
	Near               string   `query:"near" pattern:"^-?[0-9]{1,3}(\\.[0-9]+)?,-?[0-9]{1,3}(\\.[0-9]+)?$" patternDescription:"lat,lon in decimal degrees" example:"48.9869,2.4489" doc:"A point (WGS 84 latitude,longitude): only offers within radius_km of it (and fully remote ones), each with its distance. Not with postal_code."`
	PostalCode         string   `query:"postal_code" pattern:"^[0-9]{5}$" patternDescription:"5 digits" example:"95500" doc:"A French postal code, taken as the point of its main town. Not with near."`
	RadiusKm           int      `query:"radius_km" minimum:"1" maximum:"200" doc:"Search radius around the point, in km; 30 by default. Needs near or postal_code."`
	Kinds              []string `query:"kinds,explode" pattern:"^(apprenticeship|professionalisation|internship|immersion|job|discovery)(,(apprenticeship|professionalisation|internship|immersion|job|discovery))*$" patternDescription:"offer kinds, comma-separated" doc:"Only these kinds: apprenticeship, professionalisation, internship, immersion, job, discovery. A comma-separated list, the parameter repeated, or both."`
	ROMECodes          []string `query:"rome_codes,explode" pattern:"^[A-Na-n][0-9]{4}(,[A-Na-n][0-9]{4})*$" patternDescription:"ROME codes, comma-separated" doc:"Only offers with one of these ROME codes (such as M1805)."`
	Skills             []string `query:"skills,explode" maxItems:"20" maxLength:"100" doc:"Only offers asking for one of these skills (required or optional); exact skill names, comma-separated or repeated."`
	Remote             []string `query:"remote,explode" pattern:"^(none|partial|full)(,(none|partial|full))*$" patternDescription:"none, partial or full, comma-separated" doc:"Only these remote modes: none, partial, full."`
	Status             []string `query:"status,explode" pattern:"^(draft|published|paused)(,(draft|published|paused))*$" patternDescription:"draft, published or paused, comma-separated" doc:"Only these statuses. Admins may ask for any; others stay within what they may see (a company's own drafts and paused offers, published offers)."`
	StartAfter         Date     `query:"start_after" doc:"Only offers starting on or after this day."`
	StartBefore        Date     `query:"start_before" doc:"Only offers starting on or before this day."`
	DisabilityFriendly string   `query:"disability_friendly" enum:"true,false" doc:"Only offers (not) marked as welcoming recognised disabled workers."`
	OpenToMinors       string   `query:"open_to_minors" enum:"true,false" doc:"Only offers (not) open to minors."`
	Sort               string   `query:"sort" enum:"relevance,start_date,published_at,distance" default:"relevance" doc:"relevance (default), start_date (soonest first), published_at (newest first) or distance (nearest first; needs near or postal_code)."`
	Cursor             string   `query:"cursor" doc:"Opaque cursor from a previous page's next_cursor (or its Link header), which also carries the other parameters. Not with page."`
	Page               int      `query:"page" minimum:"1" maximum:"100" doc:"Jump to this page (from 1) of limit hits: search results are ranked, so they page by number; next_cursor and Link lead to the next page as in every list. Not with cursor."`
	Limit              int      `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Hits per page, at most 100."`
}

// OfferSearchHit is one offer found.
type OfferSearchHit struct {
	ID          uuid.UUID  `json:"id"`
	Title       string     `json:"title" example:"Développeur·se web en alternance"`
	Kind        string     `json:"kind" enum:"apprenticeship,professionalisation,internship,immersion,job,discovery"`
	CompanyName string     `json:"company_name" example:"Boulangerie du Marché"`
	Town        string     `json:"town" example:"Gonesse"`
	PostalCode  string     `json:"postal_code" example:"95500"`
	ROMECodes   []ROMECode `json:"rome_codes"`
	StartDate   *Date      `json:"start_date,omitempty"`
	DistanceKm  *float64   `json:"distance_km,omitempty" example:"12.4" doc:"Distance from the point searched around, in km (0.1 km precision); only when near or postal_code was given."`
	Status      string     `json:"status" enum:"draft,published,paused"`
}

// OfferFacets counts the offers matching a search (all pages), by value.
type OfferFacets struct {
	Kind               map[string]int64 `json:"kind" example:"{\"apprenticeship\":12,\"internship\":3}"`
	ROMECodes          map[string]int64 `json:"rome_codes" example:"{\"M1805\":7}"`
	DisabilityFriendly map[string]int64 `json:"disability_friendly" example:"{\"true\":4,\"false\":11}"`
	OpenToMinors       map[string]int64 `json:"open_to_minors" example:"{\"true\":2,\"false\":13}"`
	Remote             map[string]int64 `json:"remote" example:"{\"none\":14,\"partial\":1}"`
}

// OfferSearchResults is a page of search results, in the shape of every
// list (items, next_cursor, Link), with what a ranked search adds: the total,
// the facets and the page number.
type OfferSearchResults struct {
	Items      []OfferSearchHit `json:"items" doc:"The hits of this page, best first."`
	NextCursor string           `json:"next_cursor,omitempty" doc:"Cursor of the next page; absent on the last."`
	Total      int64            `json:"total" doc:"Offers matching, all pages (exact up to 10,000)."`
	Page       int              `json:"page" doc:"This page's number, from 1."`
	Limit      int              `json:"limit" doc:"Hits per page."`
	Facets     OfferFacets      `json:"facets"`
}

// maxSearchPage is the last page a search serves.
const maxSearchPage = 100

// searchList names the search's cursors.
const searchList = "search"

func (s *Server) registerSearch() {
	huma.Register(s.api, huma.Operation{
		OperationID: "search-offers", Method: http.MethodGet, Path: "/v1/offers/search",
		Summary: "Search offers",
		Description: "Full-text and faceted search over offers, optionally around a place. Advisers and integrators find " +
			"published offers; a company also its own drafts and paused offers; admins published offers, or the statuses " +
			"they ask for. Filled, closed and expired offers are never found. Results follow the database within about a " +
			"second. When the search engine is down, the answer is 503 with Retry-After (writes still succeed).",
		Tags:     []string{"Offers"},
		Security: roles(allRoles...),
		Responses: map[string]*huma.Response{
			"503": {Description: "The search engine is unavailable; retry after the Retry-After delay.",
				Headers: map[string]*huma.Param{"Retry-After": {Description: "Seconds to wait.", Schema: &huma.Schema{Type: huma.TypeInteger}}}},
		},
	}, func(ctx context.Context, in *offerSearchInput) (*listOutput[OfferSearchResults], error) {
		if in.Cursor != "" && in.Page != 0 {
			return nil, passerelle.Invalid("Give cursor or page, not both.",
				passerelle.FieldError{Location: "query.page", Message: "not with cursor", Value: in.Page})
		}
		if in.Cursor != "" {
			page, err := decodeSeqCursor(searchList, in.Cursor)
			if err != nil {
				return nil, err
			}
			in.Page = int(min(page, maxSearchPage))
		}
		q, err := in.query()
		if err != nil {
			return nil, err
		}
		if s.deps.Search == nil { // a server built without Meilisearch
			return nil, &search.UnavailableError{Cause: errors.New("no search client")}
		}
		res, err := s.deps.Search.Search(ctx, principal(ctx), q)
		if err != nil {
			return nil, err
		}
		out := &listOutput[OfferSearchResults]{Body: searchResultsOf(res, q)}
		if page := out.Body.Page; page < maxSearchPage && int64(page)*int64(out.Body.Limit) < res.Total {
			out.Body.NextCursor = encodeSeqCursor(searchList, int64(page+1))
			out.Link = s.nextLink("/v1/offers/search", ListParams{Limit: in.Limit}, out.Body.NextCursor, in.values())
		}
		return out, nil
	})
}

// query checks what the schema cannot (fields that go together) and parses
// the parameters into a search query.
func (in *offerSearchInput) query() (search.OfferQuery, error) {
	q := search.OfferQuery{
		Text: in.Q, Kinds: splitList(in.Kinds), ROMECodes: splitList(in.ROMECodes), Skills: splitList(in.Skills),
		Remote: splitList(in.Remote), Statuses: splitList(in.Status), Sort: in.Sort, Page: max(in.Page, 1), PerPage: in.Limit,
	}
	for i, c := range q.ROMECodes {
		q.ROMECodes[i] = strings.ToUpper(c)
	}
	var bad []passerelle.FieldError
	switch {
	case in.Near != "" && in.PostalCode != "":
		bad = append(bad, passerelle.FieldError{Location: "query.postal_code", Message: "give near or postal_code, not both", Value: in.PostalCode})
	case in.Near != "":
		lat, lon, ok := parsePoint(in.Near)
		if !ok {
			bad = append(bad, passerelle.FieldError{Location: "query.near", Message: "want latitude (-90 to 90),longitude (-180 to 180)", Value: in.Near})
		} else {
			q.Near = &search.Point{Lat: lat, Lon: lon}
		}
	case in.PostalCode != "":
		lat, lon, ok := reference.Geocode(in.PostalCode)
		if !ok {
			bad = append(bad, passerelle.FieldError{Location: "query.postal_code", Message: "unknown French postal code", Value: in.PostalCode})
		} else {
			q.Near = &search.Point{Lat: lat, Lon: lon}
		}
	}
	hasPoint := in.Near != "" || in.PostalCode != ""
	if in.RadiusKm != 0 && !hasPoint {
		bad = append(bad, passerelle.FieldError{Location: "query.radius_km", Message: "needs near or postal_code", Value: in.RadiusKm})
	}
	if in.Sort == search.SortDistance && !hasPoint {
		bad = append(bad, passerelle.FieldError{Location: "query.sort", Message: "distance needs near or postal_code", Value: in.Sort})
	}
	q.RadiusMetres = cmpOr(in.RadiusKm, defaultRadiusKm) * 1000
	if !in.StartAfter.Time().IsZero() {
		q.StartAfter = ptrTo(in.StartAfter.Time().Unix())
	}
	if !in.StartBefore.Time().IsZero() {
		// The whole day: start dates are midnight UTC.
		q.StartBefore = ptrTo(in.StartBefore.Time().Unix())
	}
	if q.StartAfter != nil && q.StartBefore != nil && *q.StartAfter > *q.StartBefore {
		bad = append(bad, passerelle.FieldError{Location: "query.start_before", Message: "must not be before start_after", Value: in.StartBefore})
	}
	q.DisabilityFriendly = optionalBool(in.DisabilityFriendly)
	q.OpenToMinors = optionalBool(in.OpenToMinors)
	if len(bad) > 0 {
		return q, passerelle.Invalid("Some search parameters do not fit together.", bad...)
	}
	return q, nil
}

// values are the search's parameters but the page, for the Link to the next
// page.
func (in *offerSearchInput) values() url.Values {
	v := url.Values{}
	set := func(name, value string) {
		if value != "" {
			v.Set(name, value)
		}
	}
	set("q", in.Q)
	set("near", in.Near)
	set("postal_code", in.PostalCode)
	if in.RadiusKm != 0 {
		set("radius_km", strconv.Itoa(in.RadiusKm))
	}
	for name, list := range map[string][]string{"kinds": in.Kinds, "rome_codes": in.ROMECodes, "skills": in.Skills,
		"remote": in.Remote, "status": in.Status} {
		set(name, strings.Join(splitList(list), ","))
	}
	for name, d := range map[string]Date{"start_after": in.StartAfter, "start_before": in.StartBefore} {
		if !d.Time().IsZero() {
			set(name, d.Time().Format(time.DateOnly))
		}
	}
	set("disability_friendly", in.DisabilityFriendly)
	set("open_to_minors", in.OpenToMinors)
	set("sort", in.Sort)
	return v
}

// splitList flattens repeated and comma-separated values, dropping blanks.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

func parsePoint(s string) (lat, lon float64, ok bool) {
	a, b, found := strings.Cut(s, ",")
	if !found {
		return 0, 0, false
	}
	lat, err1 := strconv.ParseFloat(a, 64)
	lon, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, 0, false
	}
	return lat, lon, true
}

func optionalBool(s string) *bool {
	if s == "" {
		return nil
	}
	v := s == "true"
	return &v
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func ptrTo[T any](v T) *T { return &v }

func searchResultsOf(res search.OfferResults, q search.OfferQuery) OfferSearchResults {
	out := OfferSearchResults{
		Items: make([]OfferSearchHit, 0, len(res.Hits)), Total: res.Total, Page: max(q.Page, 1), Limit: q.PerPage,
		Facets: OfferFacets{
			Kind: res.Facets[search.AttrKind], ROMECodes: res.Facets[search.AttrROMECodes],
			DisabilityFriendly: res.Facets[search.AttrDisabilityFriendly], OpenToMinors: res.Facets[search.AttrOpenToMinors],
			Remote: res.Facets[search.AttrRemote],
		},
	}
	for _, h := range res.Hits {
		hit := OfferSearchHit{Title: h.Title, Kind: h.Kind, CompanyName: h.CompanyName, Town: h.Town,
			PostalCode: h.PostalCode, Status: h.Status, ROMECodes: make([]ROMECode, len(h.ROMECodes))}
		hit.ID, _ = uuid.Parse(h.ID)
		for i, c := range h.ROMECodes {
			label, _ := reference.ROMELabel(c)
			hit.ROMECodes[i] = ROMECode{Code: c, Label: label}
		}
		if h.StartDate != nil {
			d := dateOf(time.Unix(*h.StartDate, 0).UTC())
			hit.StartDate = &d
		}
		if h.DistanceMetres != nil {
			km := float64(int(*h.DistanceMetres/100+0.5)) / 10
			hit.DistanceKm = &km
		}
		out.Items = append(out.Items, hit)
	}
	return out
}
