package bench

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/reference"
	"github.com/passerelle-dev/passerelle/search"
)

// Dataset is a synthetic region: companies on real French towns (more of
// them where more people live) and their published offers. The same seed,
// size and day give the same dataset.
type Dataset struct {
	Seed      uint64
	Day       time.Time // offers start within the 12 months after it
	Companies []Company
	Offers    []Offer

	places *placeSampler
}

// Company is a generated partner company.
type Company struct {
	ID                 uuid.UUID
	SIRET              string
	Name               string
	NAF                string
	HeadcountBand      string
	Place              reference.Place
	Sector             int // index in sectors
	DisabilityFriendly bool
}

// Offer is a generated offer, with every value the API would store.
type Offer struct {
	ID                 uuid.UUID
	CompanyID          uuid.UUID
	Kind               string
	Title              string
	Description        string
	ROMECodes          []string
	RequiredSkills     []string
	OptionalSkills     []string
	Place              reference.Place
	Remote             string
	StartDate          time.Time
	EndDate            time.Time
	WeeklyHours        float64
	Positions          int
	MinAge, MaxAge     *int
	OpenToMinors       bool
	DisabilityFriendly bool
	QualificationLevel string
	PublishedAt        time.Time
}

// OffersPerCompany is the average number of offers a company posts.
const OffersPerCompany = 8

// Generate builds a dataset of n published offers.
func Generate(seed uint64, n int, now time.Time) *Dataset {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	d := &Dataset{Seed: seed, Day: now.UTC().Truncate(24 * time.Hour), places: newPlaceSampler()}
	companies := max(n/OffersPerCompany, 10)
	d.Companies = make([]Company, companies)
	for i := range d.Companies {
		d.Companies[i] = d.newCompany(r, i)
	}
	d.Offers = make([]Offer, n)
	for i := range d.Offers {
		c := d.Companies[r.IntN(len(d.Companies))]
		o := d.NewOffer(r, c)
		// Published over the last 40 days: none expires during a run.
		o.PublishedAt = d.Day.Add(-time.Duration(r.IntN(40*24)) * time.Hour)
		d.Offers[i] = o
	}
	return d
}

// RNG returns a generator derived from the dataset's seed, for the offers and
// queries the measurements make up as they go (stream names one use).
func (d *Dataset) RNG(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(d.Seed, stream))
}

func (d *Dataset) newCompany(r *rand.Rand, i int) Company {
	s := r.IntN(len(sectors))
	sec := sectors[s]
	place := d.places.pick(r)
	name := fmt.Sprintf("%s %s %s", pick(r, sec.companies), pick(r, surnames), place.Town)
	return Company{
		ID: newUUID(r), SIRET: siret(i), Name: truncate(name, 200), NAF: pick(r, sec.naf),
		HeadcountBand: pick(r, []string{"1-9", "1-9", "10-49", "10-49", "50-249", "250-4999"}),
		Place:         place, Sector: s, DisabilityFriendly: r.Float64() < 0.2,
	}
}

// kinds and their share of offers: apprenticeships first, as in the programmes.
var kinds = []struct {
	kind   string
	weight int
	prefix string
}{
	{"apprenticeship", 35, "Apprenti·e "},
	{"internship", 20, "Stage "},
	{"immersion", 15, "Immersion PMSMP "},
	{"job", 15, ""},
	{"professionalisation", 10, "Contrat pro "},
	{"discovery", 5, "Découverte métier "},
}

// NewOffer makes up an offer of company c: a job of its sector, skills of that
// sector, at its town, starting within 12 months.
func (d *Dataset) NewOffer(r *rand.Rand, c Company) Offer {
	sec := sectors[c.Sector]
	j := sec.jobs[r.IntN(len(sec.jobs))]
	k, w := kinds[len(kinds)-1], r.IntN(100) // the weights add up to 100
	for _, kk := range kinds {
		if w < kk.weight {
			k = kk
			break
		}
		w -= kk.weight
	}
	o := Offer{
		ID: newUUID(r), CompanyID: c.ID, Kind: k.kind, ROMECodes: []string{j.rome},
		Place: c.Place, Remote: "none", Positions: 1 + r.IntN(3), WeeklyHours: 35,
		DisabilityFriendly: c.DisabilityFriendly || r.Float64() < 0.15,
		QualificationLevel: pick(r, []string{"none", "none", "none", "cap_bep", "cap_bep", "bac", "bac_2"}),
	}
	o.Title = truncate(k.prefix+j.title+" H/F", 200)
	if k.kind == "job" {
		o.Title = truncate(capitalise(j.title)+" H/F", 200)
	}
	// A second ROME code of the same sector, sometimes.
	if other := sec.jobs[r.IntN(len(sec.jobs))].rome; other != j.rome && r.Float64() < 0.3 {
		o.ROMECodes = append(o.ROMECodes, other)
	}
	skills := r.Perm(len(sec.skills))
	nReq, nOpt := 2+r.IntN(3), r.IntN(3)
	for i, si := range skills {
		switch {
		case i < nReq:
			o.RequiredSkills = append(o.RequiredSkills, sec.skills[si])
		case i < nReq+nOpt:
			o.OptionalSkills = append(o.OptionalSkills, sec.skills[si])
		}
	}
	if r.Float64() < sec.remote {
		o.Remote = "partial"
		if r.Float64() < 0.2 {
			o.Remote = "full"
		}
	}
	o.StartDate = d.Day.AddDate(0, 0, 1+r.IntN(365))
	weeks := map[string]int{"apprenticeship": 52 + 52*r.IntN(2), "professionalisation": 26 + r.IntN(27),
		"internship": 4 + r.IntN(20), "immersion": 1 + r.IntN(4), "job": 26 + r.IntN(52), "discovery": 1}[k.kind]
	o.EndDate = o.StartDate.AddDate(0, 0, weeks*7-1)
	switch k.kind {
	case "apprenticeship":
		o.MinAge, o.MaxAge = ptr(16), ptr(29)
		o.OpenToMinors = r.Float64() < 0.5
	case "immersion", "discovery":
		o.OpenToMinors = r.Float64() < 0.4
		if k.kind == "discovery" {
			o.WeeklyHours = 3
		}
	}
	o.Description = describe(r, c, o, j)
	return o
}

func describe(r *rand.Rand, c Company, o Offer, j job) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s, à %s, accueille un·e %s. ", c.Name, c.Place.Town, j.title)
	fmt.Fprintf(&b, "Vous serez accompagné·e par un tuteur ou une tutrice et formé·e aux gestes du métier. ")
	fmt.Fprintf(&b, "Compétences attendues : %s. ", strings.Join(o.RequiredSkills, ", "))
	if len(o.OptionalSkills) > 0 {
		fmt.Fprintf(&b, "Un plus : %s. ", strings.Join(o.OptionalSkills, ", "))
	}
	b.WriteString(pick(r, []string{
		"Débutant·e accepté·e, la motivation compte plus que le diplôme.",
		"Horaires en journée, accessible en transports en commun.",
		"Possibilité d'embauche à l'issue du parcours.",
		"Équipe bienveillante, habituée à accueillir des jeunes en insertion.",
	}))
	return b.String()
}

// Query is one adviser search: text (possibly misspelt or empty) and the
// filters an adviser sets.
type Query struct {
	Text               string
	Kinds              []string
	Near               *search.Point
	NearTown           string
	RadiusKm           int
	DisabilityFriendly bool
}

// Queries returns n realistic searches: most around a real town (picked by
// population, as advisers are where trainees live) within 10 to 50 km, some
// narrowed by kind or to disability-friendly offers.
func (d *Dataset) Queries(n int) []Query {
	r := d.RNG(7)
	out := make([]Query, n)
	for i := range out {
		q := Query{Text: pick(r, searchTexts)}
		if r.Float64() < 0.8 {
			p := d.places.pick(r)
			q.Near, q.NearTown = &search.Point{Lat: p.Lat, Lon: p.Lon}, p.Town
			q.RadiusKm = pick(r, []int{10, 20, 30, 50})
		}
		if r.Float64() < 0.5 {
			q.Kinds = append(q.Kinds, kinds[r.IntN(len(kinds))].kind)
			if r.Float64() < 0.4 {
				if k := kinds[r.IntN(len(kinds))].kind; k != q.Kinds[0] {
					q.Kinds = append(q.Kinds, k)
				}
			}
		}
		q.DisabilityFriendly = r.Float64() < 0.2
		out[i] = q
	}
	return out
}

// placeSampler picks real places, weighted by population (a place of unknown
// population counts as a village).
type placeSampler struct {
	places []reference.Place
	cum    []int64
}

func newPlaceSampler() *placeSampler {
	ps := &placeSampler{places: reference.AllPlaces()}
	ps.cum = make([]int64, len(ps.places))
	var total int64
	for i, p := range ps.places {
		w := int64(p.Population)
		if w <= 0 {
			w = 300
		}
		total += w
		ps.cum[i] = total
	}
	return ps
}

func (ps *placeSampler) pick(r *rand.Rand) reference.Place {
	x := r.Int64N(ps.cum[len(ps.cum)-1])
	return ps.places[sort.Search(len(ps.cum), func(i int) bool { return ps.cum[i] > x })]
}

// siret returns the i-th generated SIRET: 14 digits with a Luhn key, all
// distinct, none La Poste's.
func siret(i int) string {
	return reference.CompleteSIRET(fmt.Sprintf("8%012d", i))
}

func newUUID(r *rand.Rand) uuid.UUID {
	var u uuid.UUID
	for i := 0; i < 16; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			u[i+j] = byte(v >> (8 * j))
		}
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func ptr[T any](v T) *T { return &v }

func truncate(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func capitalise(s string) string {
	for i, c := range s {
		return strings.ToUpper(string(c)) + s[i+len(string(c)):]
	}
	return s
}

var surnames = []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
	"Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
	"Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Diallo", "Benali",
	"Nguyen", "Haddad", "Traoré", "Da Silva", "Le Gall", "Kervella", "Etcheverry"}
