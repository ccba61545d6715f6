package search

// IndexOffers is the name (before the prefix) of the offers index.
const IndexOffers = "offers"

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
