package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/meilisearch/meilisearch-go"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/reference"
	"github.com/passerelle-dev/passerelle/search/shard"
)

// generated returns n offers on real towns, weighted towards Île-de-France
// and the programmes' towns, with many ties (a few start dates and titles)
// so that tie-breaking is exercised.
func generated(t *testing.T, n int, seed uint64) []OfferDoc {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	var places []reference.Place
	for _, p := range reference.AllPlaces() {
		d := shard.Department(p.INSEE)
		if d == "75" || d == "95" || d == "93" || d == "77" || d == "79" || d == "86" || d == "14" || d == "21" || d == "971" {
			places = append(places, p)
		}
	}
	titles := []string{"Vendeur en boulangerie", "Développeur web", "Vendeuse", "Technicien fibre optique", "Cuisinier", //nolint:misspell // French
		"Apprenti boulanger", "Stage développeur", "Serveur en restauration", "Mécanicien automobile", "Opticien"}
	kinds := []string{"apprenticeship", "internship", "job", "immersion"}
	companies := []string{uuid.NewString(), uuid.NewString(), uuid.NewString()}
	base := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC).Unix()
	out := make([]OfferDoc, n)
	for i := range out {
		pl := places[r.IntN(len(places))]
		d := OfferDoc{ID: uuid.NewString(), Version: 1 + r.IntN(3), Title: titles[r.IntN(len(titles))], Description: "Une offre.",
			Kind: kinds[r.IntN(len(kinds))], Status: "published", CompanyID: companies[r.IntN(len(companies))], CompanyName: "Entreprise",
			ROMECodes: []string{fmt.Sprintf("M18%02d", r.IntN(5))}, ROMELabels: []string{"Études et développement informatique"},
			Skills: []string{"HTML"}, RequiredSkills: []string{"HTML"}, Town: pl.Town, PostalCode: pl.PostalCode, INSEECode: pl.INSEE,
			Remote: "none", DisabilityFriendly: r.IntN(3) == 0, OpenToMinors: r.IntN(2) == 0, PositionsLeft: 1,
			Geo: Geo{Lat: pl.Lat, Lng: pl.Lon}}
		if r.IntN(10) > 0 { // some without dates: sorted last
			sd, pd := base+int64(r.IntN(6))*86400, base-int64(r.IntN(6))*86400
			d.StartDate, d.PublishedAt = &sd, &pd
		}
		switch r.IntN(20) {
		case 0:
			d.Remote = "full"
		case 1:
			d.Status = "draft"
		case 2: // coordinates given a little off the town
			d.Geo.Lat += 0.05
		}
		out[i] = d
	}
	return out
}

// TestShardedSearchEqualsOneIndex: on one generated dataset, the sharded
// search (départements split into small cells, with and without a national
// index) gives exactly what one index holding every offer gives: the same
// ids in the same order, the same total and the same facet counts, for every
// sort, page, text, place and caller.
func TestShardedSearchEqualsOneIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	docs := generated(t, 900, 1)
	points := map[string][]shard.Point{}
	for _, d := range docs {
		if !d.FullyRemote() {
			points[shard.Department(d.INSEECode)] = append(points[shard.Department(d.INSEECode)], d.Point())
		}
	}

	// The reference: one index with every offer.
	single := newTestClient(t)
	s := single.servers[""]
	uid := single.IndexName("single")
	require.NoError(t, single.ensureIndex(ctx, "", uid, shard.KindGeo))
	pk := "id"
	info, err := s.Index(uid).AddDocumentsWithContext(ctx, docs, &meilisearch.DocumentOptions{PrimaryKey: &pk})
	require.NoError(t, err)
	require.NoError(t, single.wait(ctx, s, info))
	one := func(p passerelle.Principal, q OfferQuery) OfferResults {
		req := searchRequest(p, q)
		req.IndexUID = uid
		resp, err := s.MultiSearchWithContext(ctx, &meilisearch.MultiSearchRequest{Queries: []*meilisearch.SearchRequest{req}})
		require.NoError(t, err)
		res, err := mergeResults(resp.Results, q, false)
		require.NoError(t, err)
		return res
	}

	company := passerelle.Principal{Role: passerelle.RoleCompany, CompanyID: uuid.MustParse(docs[0].CompanyID)}
	adviser := passerelle.Principal{Role: passerelle.RoleAdviser, OrganisationID: uuid.New()}
	near := func(pc string) *Point { lat, lon, _ := reference.Geocode(pc); return &Point{lat, lon} }
	for _, national := range []bool{true, false} {
		sharded := newTestClient(t)
		cells := shard.Layout(shard.Initial(national), points, 12)
		sharded.SetStaticMap(cells)
		n, err := sharded.ReindexOffers(ctx, seq(docs))
		require.NoError(t, err)
		require.Equal(t, len(docs), n)
		byCell, err := sharded.ShardVersions(ctx)
		require.NoError(t, err)
		require.Greater(t, len(byCell), 20, "the dataset spreads over many shards")

		queried := 0
		for _, sort := range Sorts {
			for ti, text := range []string{"", "vendeur", "developeur web"} {
				for ai, at := range []*Point{nil, near("95500"), near("75011"), near("79000"), near("97110")} {
					if sort == SortDistance && at == nil {
						continue
					}
					// Both callers, in turn (their filters differ).
					for _, p := range []passerelle.Principal{[]passerelle.Principal{adviser, company}[(ti+ai)%2]} {
						for _, page := range []int{1, 3} {
							q := OfferQuery{Text: text, Near: at, RadiusMetres: 30_000, Sort: sort, Page: page, PerPage: 7}
							want := one(p, q)
							got, err := sharded.Search(ctx, p, q)
							require.NoError(t, err)
							what := fmt.Sprintf("national %v, sort %s, q %q, near %v, %s, page %d", national, sort, text, at, p.Role, page)
							require.Equal(t, hitIDs(want), hitIDs(got), what)
							require.Equal(t, want.Total, got.Total, what)
							require.Equal(t, want.Facets, got.Facets, what)
							for i := range want.Hits {
								if want.Hits[i].DistanceMetres != nil {
									require.InDelta(t, *want.Hits[i].DistanceMetres, *got.Hits[i].DistanceMetres, 0.01, what)
								}
							}
							if want.Total > 0 {
								queried++
							}
						}
					}
				}
			}
		}
		require.Greater(t, queried, 80, "most queries find offers")
	}
}

func hitIDs(r OfferResults) []string {
	out := make([]string, len(r.Hits))
	for i, h := range r.Hits {
		out[i] = h.ID
	}
	return out
}
