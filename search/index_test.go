package search

import (
	"context"
	"errors"
	"iter"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/meilisearch/meilisearch-go"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/internal/testsearch"
	"github.com/passerelle-dev/passerelle/reference"
	"github.com/passerelle-dev/passerelle/search/shard"
)

// newTestClient returns a client on the shared Meilisearch with the test's own
// prefix; its indexes are deleted when the test ends.
func newTestClient(t *testing.T) *Client {
	t.Helper()
	srv := testsearch.Shared(t)
	c := New(srv.URL, srv.MasterKey, srv.Prefix)
	t.Cleanup(func() { _ = c.DeleteIndexes(context.Background()) })
	return c
}

// place returns the coordinates of a real town by postal code.
func place(t *testing.T, postalCode string) Geo {
	t.Helper()
	lat, lon, ok := reference.Geocode(postalCode)
	require.True(t, ok, postalCode)
	return Geo{Lat: lat, Lng: lon}
}

// moveTo puts d in the main commune of a postal code.
func moveTo(t *testing.T, d *OfferDoc, postalCode string) {
	t.Helper()
	d.Geo, d.PostalCode, d.INSEECode = place(t, postalCode), postalCode, reference.PlacesByPostalCode(postalCode)[0].INSEE
}

func testDoc(t *testing.T, title string, mods ...func(*OfferDoc)) OfferDoc {
	t.Helper()
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC).Unix()
	d := OfferDoc{
		ID: uuid.NewString(), Version: 1, Title: title, Description: "Une offre pour apprendre un métier.",
		Kind: "apprenticeship", Status: "published", CompanyID: uuid.NewString(), CompanyName: "Entreprise",
		ROMECodes: []string{"M1805"}, ROMELabels: []string{"Études et développement informatique"},
		Skills: []string{"HTML"}, RequiredSkills: []string{"HTML"}, Town: "Gonesse", PostalCode: "95500", INSEECode: "95277",
		Remote: "none", StartDate: &start, PublishedAt: &start, PositionsLeft: 1, Geo: place(t, "95500"),
	}
	for _, m := range mods {
		m(&d)
	}
	return d
}

var admin = passerelle.Principal{Role: passerelle.RoleAdmin}

// index returns the index of the cell with the given id on the default server.
func index(c *Client, cellID string) meilisearch.IndexManager {
	return c.servers[""].Index(c.IndexName(shard.IndexName(cellID)))
}

func ids(res OfferResults) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out
}

func TestEnsureOffersIndexAppliesSettingsBeforeDocuments(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	ctx := context.Background()
	require.NoError(t, c.EnsureOffersIndex(ctx))
	require.NoError(t, c.EnsureOffersIndex(ctx), "idempotent")

	s, err := index(c, shard.RemoteID).GetSettingsWithContext(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"title", "skills", "rome_labels", "description", "company_name"}, s.SearchableAttributes)
	require.ElementsMatch(t, offerFilterable, s.FilterableAttributes)
	require.ElementsMatch(t, offerSortable, s.SortableAttributes)
	require.Equal(t, offerRankingRules, s.RankingRules)
	n, err := index(c, shard.NationalID).GetSettingsWithContext(ctx)
	require.NoError(t, err)
	require.NotContains(t, n.FilterableAttributes, "_geo", "the national index keeps no R-tree")
	require.NotContains(t, n.SortableAttributes, "_geo")
	require.Len(t, s.LocalizedAttributes, 1)
	require.Equal(t, []string{"fra"}, s.LocalizedAttributes[0].Locales)
	require.Contains(t, s.Synonyms["alternance"], "apprentissage")
	require.True(t, s.TypoTolerance.Enabled)
	pk, err := index(c, shard.RemoteID).FetchPrimaryKeyWithContext(ctx)
	require.NoError(t, err)
	require.Equal(t, "id", *pk)

	require.NoError(t, c.UpsertOffer(ctx, testDoc(t, "Développeur web")))
	// The task history of the Gonesse shard (created with its first
	// document) shows the order: the index, its settings, then documents.
	tasks, err := c.servers[""].GetTasksWithContext(ctx, &meilisearch.TasksQuery{IndexUIDS: []string{c.IndexName(shard.IndexName("95"))}, Limit: 100})
	require.NoError(t, err)
	var types []string
	for _, task := range slices.Backward(tasks.Results) {
		types = append(types, string(task.Type))
	}
	require.Equal(t, []string{"indexCreation", "settingsUpdate", "documentAdditionOrUpdate"}, types)
}

func TestUpsertDeleteAndVersions(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	ctx := context.Background()
	// No explicit Ensure: the first write applies the settings itself.
	a, b := testDoc(t, "Vendeur en boulangerie"), testDoc(t, "Cuisinier")
	require.NoError(t, c.UpsertOffer(ctx, a))
	require.NoError(t, c.UpsertOffer(ctx, b))
	b.Version = 3
	require.NoError(t, c.UpsertOffer(ctx, b))
	v, err := c.OfferVersions(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]int{a.ID: 1, b.ID: 3}, v)

	require.NoError(t, c.DeleteOffer(ctx, a.ID))
	require.NoError(t, c.DeleteOffer(ctx, a.ID), "deleting a missing document is fine")
	v, err = c.OfferVersions(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]int{b.ID: 3}, v)
	s, err := index(c, "95").GetSettingsWithContext(ctx)
	require.NoError(t, err)
	require.Equal(t, offerSearchable, s.SearchableAttributes, "settings applied before the first document")
}

func TestOfferVersionsPages(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	ctx := context.Background()
	docs := make([]OfferDoc, 2500)
	for i := range docs {
		docs[i] = testDoc(t, "Offre", func(d *OfferDoc) { d.Version = i })
	}
	n, err := c.ReindexOffers(ctx, seq(docs))
	require.NoError(t, err)
	require.Equal(t, 2500, n)
	v, err := c.OfferVersions(ctx)
	require.NoError(t, err)
	require.Len(t, v, 2500)
	require.Equal(t, 1234, v[docs[1234].ID])
}

func seq(docs []OfferDoc) iter.Seq2[OfferDoc, error] {
	return func(yield func(OfferDoc, error) bool) {
		for _, d := range docs {
			if !yield(d, nil) {
				return
			}
		}
	}
}

func TestSearchFrenchTyposAndSynonyms(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	ctx := context.Background()
	dev := testDoc(t, "Développeur web", func(d *OfferDoc) { d.Kind = "internship" })
	appr := testDoc(t, "Contrat d'apprentissage en boulangerie", func(d *OfferDoc) {
		d.ROMECodes, d.ROMELabels, d.Skills = []string{"D1102"}, []string{"Boulangerie - viennoiserie"}, []string{"Pétrissage"}
	})
	fibre := testDoc(t, "Technicien fibre optique", func(d *OfferDoc) { //nolint:misspell // French
		d.ROMECodes, d.ROMELabels, d.Skills = []string{"I1307"}, []string{"Installation de réseaux"}, []string{"Raccordement"}
	})
	for _, d := range []OfferDoc{dev, appr, fibre} {
		require.NoError(t, c.UpsertOffer(ctx, d))
	}
	for q, want := range map[string][]string{
		"developeur":   {dev.ID},  // misspelt, no accent
		"développeuse": {dev.ID},  // synonym
		"programmeur":  {dev.ID},  //nolint:misspell // French synonym
		"alternance":   {appr.ID}, // synonym of apprentissage
		"fibre":        {fibre.ID},
		"réseau":       {fibre.ID}, // réseaux in the ROME label
	} {
		res, err := c.Search(ctx, admin, OfferQuery{Text: q, PerPage: 20})
		require.NoError(t, err)
		require.Equal(t, want, ids(res), "query %q", q)
	}
}

func TestSearchVisibilityFacetsAndDistance(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	ctx := context.Background()
	acme, other := uuid.New(), uuid.New()
	gonesse := testDoc(t, "Vendeur Gonesse", func(d *OfferDoc) { d.CompanyID = acme.String(); d.DisabilityFriendly = true })
	paris := testDoc(t, "Vendeur Paris", func(d *OfferDoc) { moveTo(t, d, "75001"); d.Kind = "job"; d.OpenToMinors = true })
	meaux := testDoc(t, "Vendeur Meaux", func(d *OfferDoc) { moveTo(t, d, "77100"); d.Kind = "job" })
	caen := testDoc(t, "Vendeur Caen", func(d *OfferDoc) { moveTo(t, d, "14000") })
	draftAcme := testDoc(t, "Vendeur brouillon", func(d *OfferDoc) { d.Status = "draft"; d.CompanyID = acme.String() })
	pausedOther := testDoc(t, "Vendeur en pause", func(d *OfferDoc) { d.Status = "paused"; d.CompanyID = other.String() })
	remote := testDoc(t, "Vendeur à distance", func(d *OfferDoc) { moveTo(t, d, "13001"); d.Remote = "full" })
	for _, d := range []OfferDoc{gonesse, paris, meaux, caen, draftAcme, pausedOther, remote} {
		require.NoError(t, c.UpsertOffer(ctx, d))
	}

	adviser := passerelle.Principal{Role: passerelle.RoleAdviser, OrganisationID: uuid.New()}
	company := passerelle.Principal{Role: passerelle.RoleCompany, CompanyID: acme}
	res, err := c.Search(ctx, adviser, OfferQuery{PerPage: 50})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{gonesse.ID, paris.ID, meaux.ID, caen.ID, remote.ID}, ids(res), "advisers: published only")
	require.EqualValues(t, 5, res.Total)
	require.Equal(t, map[string]int64{"apprenticeship": 3, "job": 2}, res.Facets["kind"])
	require.Equal(t, map[string]int64{"true": 1, "false": 4}, res.Facets["disability_friendly"])
	require.Equal(t, map[string]int64{"true": 1, "false": 4}, res.Facets["open_to_minors"])
	require.Equal(t, map[string]int64{"none": 4, "full": 1}, res.Facets["remote"])
	require.Equal(t, map[string]int64{"M1805": 5}, res.Facets["rome_codes"])

	res, err = c.Search(ctx, company, OfferQuery{PerPage: 50})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{gonesse.ID, paris.ID, meaux.ID, caen.ID, remote.ID, draftAcme.ID}, ids(res),
		"a company sees its own draft, never another company's paused offer")
	res, err = c.Search(ctx, company, OfferQuery{PerPage: 50, Statuses: []string{"draft", "paused"}})
	require.NoError(t, err)
	require.Equal(t, []string{draftAcme.ID}, ids(res), "narrowing by status stays within visibility")
	res, err = c.Search(ctx, admin, OfferQuery{PerPage: 50, Statuses: []string{"paused"}})
	require.NoError(t, err)
	require.Equal(t, []string{pausedOther.ID}, ids(res))

	// Within 30 km of Gonesse, nearest first: Gonesse, Paris (~16 km), then
	// the fully remote offer from Marseille; Meaux (~30 km) and Caen are out.
	near := &Point{Lat: gonesse.Geo.Lat, Lon: gonesse.Geo.Lng}
	res, err = c.Search(ctx, adviser, OfferQuery{Near: near, RadiusMetres: 25_000, Sort: SortDistance, PerPage: 50})
	require.NoError(t, err)
	require.Equal(t, []string{gonesse.ID, paris.ID, remote.ID}, ids(res))
	require.InDelta(t, 0, *res.Hits[0].DistanceMetres, 1)
	require.InDelta(t, 16_000, *res.Hits[1].DistanceMetres, 3_000)
	require.Greater(t, *res.Hits[2].DistanceMetres, 600_000.0)
	// Sorted by relevance, the distance is still given (computed the same way).
	res, err = c.Search(ctx, adviser, OfferQuery{Text: "vendeur paris", Near: near, RadiusMetres: 25_000, PerPage: 50})
	require.NoError(t, err)
	require.Equal(t, paris.ID, res.Hits[0].ID)
	require.InDelta(t, 16_000, *res.Hits[0].DistanceMetres, 3_000)

	res, err = c.Search(ctx, adviser, OfferQuery{PerPage: 2, Page: 2, Kinds: []string{"apprenticeship", "job"}, Sort: SortStartDate})
	require.NoError(t, err)
	require.Len(t, res.Hits, 2)
	require.EqualValues(t, 5, res.Total)
}

func TestReindexSwapsAndKeepsResults(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	ctx := context.Background()
	old := testDoc(t, "Ancienne offre de cuisinier")
	require.NoError(t, c.UpsertOffer(ctx, old))

	kept, added := old, testDoc(t, "Développeur web")
	kept.Version = 2
	n, err := c.ReindexOffers(ctx, seq([]OfferDoc{kept, added}))
	require.NoError(t, err)
	require.Equal(t, 2, n)
	v, err := c.OfferVersions(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]int{kept.ID: 2, added.ID: 1}, v)
	res, err := c.Search(ctx, admin, OfferQuery{Text: "developeur", PerPage: 10})
	require.NoError(t, err)
	require.Equal(t, []string{added.ID}, ids(res), "the swapped index has the settings")
	s, err := index(c, "95").GetSettingsWithContext(ctx)
	require.NoError(t, err)
	require.Equal(t, offerSearchable, s.SearchableAttributes)

	// Only the live indexes remain: the Gonesse shard, the remote and the
	// national ones.
	all, err := c.servers[""].ListIndexesWithContext(ctx, &meilisearch.IndexesQuery{Limit: 10_000})
	require.NoError(t, err)
	var ours []string
	for _, idx := range all.Results {
		if strings.HasPrefix(idx.UID, c.prefix) {
			ours = append(ours, idx.UID)
		}
	}
	require.ElementsMatch(t, []string{c.IndexName("offers_95"), c.IndexName("offers_remote"), c.IndexName("offers_national")}, ours)

	// A failing source leaves the live index alone and no stray index.
	_, err = c.ReindexOffers(ctx, func(yield func(OfferDoc, error) bool) { yield(OfferDoc{}, errors.New("database gone")) })
	require.ErrorContains(t, err, "database gone")
	v, err = c.OfferVersions(ctx)
	require.NoError(t, err)
	require.Len(t, v, 2)
}

func TestReindexWithoutLiveIndexRenames(t *testing.T) {
	t.Parallel()
	c := newTestClient(t)
	d := testDoc(t, "Stage en optique")
	n, err := c.ReindexOffers(context.Background(), seq([]OfferDoc{d}))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	v, err := c.OfferVersions(context.Background())
	require.NoError(t, err)
	require.Equal(t, map[string]int{d.ID: 1}, v)
}

func TestUnavailable(t *testing.T) {
	t.Parallel()
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	c := New("http://"+addr, "k", "t_")
	_, err = c.Search(context.Background(), admin, OfferQuery{PerPage: 10})
	require.True(t, IsUnavailable(err), "%v", err)
	require.Equal(t, passerelle.EUnavailable, passerelle.ErrorCode(err))
	var ra interface{ RetryAfter() string }
	require.ErrorAs(t, err, &ra)
	require.Equal(t, "5", ra.RetryAfter())
	require.True(t, IsUnavailable(c.UpsertOffer(context.Background(), testDoc(t, "x"))))
	require.True(t, IsUnavailable(c.EnsureOffersIndex(context.Background())))
}
