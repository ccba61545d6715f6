package web

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/reference"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/store"
)

// Offer kinds in people's words, in the order the search form lists them.
var offerKinds = []option{
	{"apprenticeship", "Apprentissage"}, {"professionalisation", "Contrat de professionnalisation"},
	{"internship", "Stage"}, {"immersion", "Immersion"}, {"job", "Emploi"}, {"discovery", "Découverte des métiers"},
}

// searchRadii are the radii the form offers, in km; the trainee's own
// mobility radius is the default when it is one of them.
var searchRadii = []int{5, 10, 20, 30, 50, 100}

const searchPerPage = 10

// offerSearchPage is the data of templates/offer_search.html.
type offerSearchPage struct {
	Trainee     store.Trainee
	Q           string
	Radius      int
	Radii       []int
	Kinds       []checkbox
	ROMEs       []checkbox
	Disability  bool
	Minors      bool
	Unavailable bool
	Total       int
	Hits        []offerHit
	Page        int
	Prev, Next  string
}

type checkbox struct {
	Value, Label string
	Count        int64
	Checked      bool
}

type offerHit struct {
	search.OfferHit
	KindLabel  string
	DistanceKm string
}

// offerSearch searches published offers for a trainee: words, a radius
// around the trainee's town, facets as checkboxes; each hit has its
// distance and a "Proposer" button. When Meilisearch is down the page says
// so and the rest of the console works on.
func (h *Handler) offerSearch(w http.ResponseWriter, r *http.Request) {
	t, err := h.traineeOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	qs := r.URL.Query()
	data := offerSearchPage{Trainee: t, Q: qs.Get("q"), Radii: searchRadii, Disability: qs.Get("rqth") != "",
		Minors: qs.Get("mineurs") != "", Page: 1}
	data.Radius, _ = strconv.Atoi(qs.Get("rayon"))
	if !slices.Contains(searchRadii, data.Radius) {
		data.Radius = 30
		if slices.Contains(searchRadii, t.Profile.MobilityRadiusKm) {
			data.Radius = t.Profile.MobilityRadiusKm
		}
	}
	if p, err := strconv.Atoi(qs.Get("page")); err == nil && p >= 1 && p <= 100 {
		data.Page = p
	}
	kinds := qs["type"]
	romes := qs["rome"]
	q := search.OfferQuery{Text: data.Q, Near: &search.Point{Lat: t.Profile.HomeLatitude, Lon: t.Profile.HomeLongitude},
		RadiusMetres: data.Radius * 1000, Page: data.Page, PerPage: searchPerPage, Sort: search.SortRelevance}
	for _, k := range offerKinds {
		if slices.Contains(kinds, k.Value) {
			q.Kinds = append(q.Kinds, k.Value)
		}
	}
	for _, c := range romes {
		if code, err := reference.ParseROME(c); err == nil {
			q.ROMECodes = append(q.ROMECodes, code)
		}
	}
	if data.Disability {
		q.DisabilityFriendly = ptr(true)
	}
	if data.Minors {
		q.OpenToMinors = ptr(true)
	}
	status := http.StatusOK
	var res search.OfferResults
	if h.deps.Search == nil {
		err = &search.UnavailableError{Cause: errors.New("no search client")}
	} else {
		res, err = h.deps.Search.Search(r.Context(), principal(r), q)
	}
	if search.IsUnavailable(err) {
		h.deps.Logger.Warn("console: search unavailable", "error", err)
		data.Unavailable, status = true, http.StatusServiceUnavailable
		res = search.OfferResults{Facets: map[string]map[string]int64{}}
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	data.Total = int(res.Total)
	for _, k := range offerKinds {
		data.Kinds = append(data.Kinds, checkbox{k.Value, k.Label, res.Facets[search.AttrKind][k.Value], slices.Contains(q.Kinds, k.Value)})
	}
	// The ROME codes found, and those asked for even when none is found.
	codes := map[string]int64{}
	maps.Copy(codes, res.Facets[search.AttrROMECodes])
	for _, c := range q.ROMECodes {
		codes[c] += 0
	}
	for _, c := range slices.Sorted(maps.Keys(codes)) {
		label, _ := reference.ROMELabel(c)
		data.ROMEs = append(data.ROMEs, checkbox{c, c + " " + label, codes[c], slices.Contains(q.ROMECodes, c)})
	}
	labels := map[string]string{}
	for _, k := range offerKinds {
		labels[k.Value] = k.Label
	}
	for _, hit := range res.Hits {
		oh := offerHit{OfferHit: hit, KindLabel: labels[hit.Kind]}
		if hit.DistanceMetres != nil {
			oh.DistanceKm = strconv.FormatFloat(*hit.DistanceMetres/1000, 'f', 1, 64)
		}
		data.Hits = append(data.Hits, oh)
	}
	pageLink := func(n int) string {
		v := url.Values{}
		maps.Copy(v, qs)
		v.Set("page", strconv.Itoa(n))
		return r.URL.Path + "?" + v.Encode()
	}
	if data.Page > 1 {
		data.Prev = pageLink(data.Page - 1)
	}
	if int64(data.Page*searchPerPage) < res.Total && data.Page < 100 {
		data.Next = pageLink(data.Page + 1)
	}
	h.render(w, r, status, "offer_search", page{Title: "Offres pour " + t.Identity.FirstName + " " + t.Identity.LastName,
		Nav: "proposals", Data: data})
}

// offerPropose proposes the trainee for the offer through the store's
// CreateProposal (the API's), then shows the new proposal in the pipeline.
func (h *Handler) offerPropose(w http.ResponseWriter, r *http.Request) {
	t, err := h.traineeOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	offer, err := uuid.Parse(r.PathValue("offer"))
	if err != nil {
		h.fail(w, r, passerelle.Errorf(passerelle.ENotFound, "Offer not found."))
		return
	}
	_, err = h.deps.Store.CreateProposal(r.Context(), principal(r), store.ProposalInput{TraineeID: t.ID, OfferID: offer})
	if passerelle.ErrorCode(err) == passerelle.EInvalid {
		// The offer left search (filled, withdrawn) since the page was shown.
		err = passerelle.Errorf(passerelle.EConflict, "offer no longer published")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := url.Values{"statut": {store.ProposalShortlisted}, "fait": {"propose"}}
	http.Redirect(w, r, Prefix+"/proposals?"+q.Encode(), http.StatusSeeOther)
}

// traineeOf reads the trainee of the path as the principal may see them.
func (h *Handler) traineeOf(r *http.Request) (store.Trainee, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return store.Trainee{}, passerelle.Errorf(passerelle.ENotFound, "Trainee not found.")
	}
	return h.deps.Store.GetTrainee(r.Context(), principal(r), id)
}

func ptr[T any](v T) *T { return &v }
