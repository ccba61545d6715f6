package search

import "github.com/passerelle-dev/passerelle/search/shard"

// OfferDoc is an offer as the search index holds it: what search, filters,
// facets and sorting need, and nothing personal. Dates are Unix seconds so that
// they filter and sort as numbers.
type OfferDoc struct {
	ID                 string   `json:"id"`
	Version            int      `json:"version"` // the database row's version, for the reconciler
	Title              string   `json:"title"`
	Description        string   `json:"description"`
	Kind               string   `json:"kind"`
	Status             string   `json:"status"`
	CompanyID          string   `json:"company_id"`
	CompanyName        string   `json:"company_name"`
	ROMECodes          []string `json:"rome_codes"`
	ROMELabels         []string `json:"rome_labels"`
	Skills             []string `json:"skills"` // required then optional
	RequiredSkills     []string `json:"required_skills"`
	Town               string   `json:"town"`
	PostalCode         string   `json:"postal_code"`
	INSEECode          string   `json:"insee_code"` // the commune, whose département picks the shard
	Remote             string   `json:"remote"`
	StartDate          *int64   `json:"start_date,omitempty"`
	PublishedAt        *int64   `json:"published_at,omitempty"`
	DisabilityFriendly bool     `json:"disability_friendly"`
	OpenToMinors       bool     `json:"open_to_minors"`
	PositionsLeft      int      `json:"positions_left"`
	Geo                Geo      `json:"_geo"`
}

// Geo is Meilisearch's geographic point.
type Geo struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Point is the document's place.
func (d OfferDoc) Point() shard.Point { return shard.Point{Lat: d.Geo.Lat, Lon: d.Geo.Lng} }

// FullyRemote reports whether the offer is found whatever the distance.
func (d OfferDoc) FullyRemote() bool { return d.Remote == "full" }

// nationalDoc is a document as the national index holds it: without `_geo`,
// so that Meilisearch keeps no R-tree for it.
type nationalDoc struct {
	OfferDoc
	Geo *Geo `json:"_geo,omitempty"`
}
