package api

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/internal/testsearch"
	"github.com/passerelle-dev/passerelle/jobs"
	"github.com/passerelle-dev/passerelle/search"
)

// newSearchClient is a client on the shared Meilisearch with the test's own
// index prefix, its offers index ready; the indexes go when the test ends.
func newSearchClient(t *testing.T) *search.Client {
	t.Helper()
	srv := testsearch.Shared(t)
	c := search.New(srv.URL, srv.MasterKey, srv.Prefix)
	require.NoError(t, c.EnsureOffersIndex(context.Background()))
	t.Cleanup(func() { _ = c.DeleteIndexes(context.Background()) })
	return c
}

// index runs the index job's batches until no change is pending, as the
// worker does after writes (API tests do not run River workers); ids are
// the offers the caller expects to have been pending.
func (b *bundle) index(ids ...string) {
	b.t.Helper()
	var pending int
	for _, id := range ids {
		var n int
		require.NoError(b.t, b.pool.QueryRow(context.Background(), `SELECT count(*) FROM search_pending WHERE offer_id = $1`, id).Scan(&n))
		pending += n
	}
	require.Equal(b.t, len(ids), pending, "every offer named has a pending change")
	w := &jobs.IndexOffersWorker{Store: b.store, Search: b.search}
	for {
		n, err := w.IndexBatch(context.Background())
		require.NoError(b.t, err)
		if n == 0 {
			return
		}
	}
}

// searchIDs searches with key and returns the ids found, in order.
func (b *bundle) searchIDs(key string, query url.Values) []string {
	b.t.Helper()
	body := b.searchOK(key, query)
	var out []string
	for _, h := range body["items"].([]any) {
		out = append(out, h.(map[string]any)["id"].(string))
	}
	return out
}

func (b *bundle) searchOK(key string, query url.Values) map[string]any {
	b.t.Helper()
	r := b.do(http.MethodGet, "/v1/offers/search?"+query.Encode(), key, nil)
	requireStatus(b.t, http.StatusOK, r)
	return r.json(b.t)
}

type searchWorld struct {
	*bundle
	adviser, integrator string
	x, y                uuid.UUID
	keyX, keyY          string
}

func newSearchWorld(t *testing.T) searchWorld {
	b := setup(t, setupOpts{search: true})
	org := b.organisation("Fabrique numérique de Gonesse")
	w := searchWorld{bundle: b, adviser: b.adviserKey(org), integrator: b.integratorKey(org)}
	w.x = b.createCompany(w.adviser, bakery(validSIRET()))
	w.y = b.createCompany(b.admin, bakery(validSIRET()))
	w.keyX, w.keyY = b.companyKey(w.x), b.companyKey(w.y)
	return w
}

func TestSearchOffersFollowsTheLifecycle(t *testing.T) {
	t.Parallel()
	w := newSearchWorld(t)
	q := url.Values{"q": {"boulanger"}}
	none := []string(nil)

	draft := w.createOffer(w.keyX, offerBody(w.x))["id"].(string)
	w.index(draft)
	require.Equal(t, none, w.searchIDs(w.adviser, q), "a draft is not for advisers")
	require.Equal(t, none, w.searchIDs(w.keyY, q), "nor for another company")
	require.Equal(t, none, w.searchIDs(w.admin, q), "admins: published by default")
	require.Equal(t, []string{draft}, w.searchIDs(w.keyX, q), "its company sees its own draft")
	require.Equal(t, []string{draft}, w.searchIDs(w.admin, url.Values{"q": {"boulanger"}, "status": {"draft"}}))

	requireStatus(t, http.StatusOK, w.act(w.keyX, draft, "publish"))
	w.index(draft)
	for _, key := range []string{w.adviser, w.integrator, w.keyX, w.keyY, w.admin} {
		require.Equal(t, []string{draft}, w.searchIDs(key, q), "published: everyone finds it")
	}

	requireStatus(t, http.StatusOK, w.act(w.keyX, draft, "pause"))
	w.index(draft)
	require.Equal(t, none, w.searchIDs(w.adviser, q), "paused: gone from advisers' search")
	require.Equal(t, none, w.searchIDs(w.keyY, q))
	body := w.searchOK(w.keyX, q)
	require.Len(t, body["items"], 1, "still in its company's own search")
	require.Equal(t, "paused", body["items"].([]any)[0].(map[string]any)["status"])
	require.Equal(t, none, w.searchIDs(w.keyY, url.Values{"q": {"boulanger"}, "status": {"paused"}}),
		"asking for paused offers shows another company nothing")

	requireStatus(t, http.StatusOK, w.act(w.keyX, draft, "resume"))
	requireStatus(t, http.StatusOK, w.act(w.keyX, draft, "fill"))
	w.index(draft)
	require.Equal(t, none, w.searchIDs(w.keyX, q), "filled: gone, even for its company")
	require.Equal(t, none, w.searchIDs(w.admin, url.Values{"q": {"boulanger"}, "status": {"draft,published,paused"}}))

	closed := w.createOffer(w.keyX, offerBody(w.x))["id"].(string)
	requireStatus(t, http.StatusOK, w.act(w.keyX, closed, "publish"))
	w.index(closed)
	require.Equal(t, []string{closed}, w.searchIDs(w.adviser, q))
	requireStatus(t, http.StatusOK, w.act(w.keyX, closed, "close"))
	w.index(closed)
	require.Equal(t, none, w.searchIDs(w.adviser, q), "closed: gone")

	// A company never sees another company's drafts, whatever it asks.
	other := w.createOffer(w.keyY, offerBody(w.y))["id"].(string)
	w.index(other)
	for _, query := range []url.Values{{}, {"status": {"draft"}}, {"q": {other}}, {"status": {"draft,paused,published"}, "kinds": {"apprenticeship"}}} {
		require.NotContains(t, w.searchIDs(w.keyX, query), other)
	}
	require.Equal(t, []string{other}, w.searchIDs(w.keyY, url.Values{"status": {"draft"}}))
}

func TestSearchOffersRelevanceFacetsAndDistance(t *testing.T) {
	t.Parallel()
	w := newSearchWorld(t)
	post := func(changes map[string]any) string {
		id := w.createOffer(w.keyX, offerWith(offerBody(w.x), changes))["id"].(string)
		requireStatus(t, http.StatusOK, w.act(w.keyX, id, "publish"))
		w.index(id)
		return id
	}
	dev := post(map[string]any{"title": "Développeur web", "kind": "internship", "rome_codes": []any{"M1805"},
		"required_skills": []any{"HTML", "CSS"}, "optional_skills": []any{}, "description": "Sites et applications.",
		"postal_code": "75001", "open_to_minors": false, "disability_friendly": false, "min_age": nil, "max_age": nil})
	appr := post(map[string]any{"title": "Contrat d'apprentissage en boulangerie", "postal_code": "95500"})
	meaux := post(map[string]any{"title": "Vendeuse en boulangerie", "kind": "job", "rome_codes": []any{"D1106"},
		"postal_code": "77100", "disability_friendly": false})
	caen := post(map[string]any{"title": "Commis de cuisine", "kind": "immersion", "rome_codes": []any{"G1602"},
		"postal_code": "14000", "remote": "partial"})

	// French typos and synonyms.
	require.Equal(t, []string{dev}, w.searchIDs(w.adviser, url.Values{"q": {"developeur"}}))
	require.Equal(t, []string{appr}, w.searchIDs(w.adviser, url.Values{"q": {"alternance"}}))
	require.Equal(t, []string{caen}, w.searchIDs(w.adviser, url.Values{"q": {"cuisinier"}}))

	// Facets count every match; the hit carries labels for its ROME codes.
	body := w.searchOK(w.adviser, url.Values{"limit": {"1"}})
	require.EqualValues(t, 4, body["total"])
	require.EqualValues(t, 1, body["page"])
	require.EqualValues(t, 1, body["limit"])
	require.Len(t, body["items"], 1)
	facets := body["facets"].(map[string]any)
	require.Equal(t, map[string]any{"internship": 1.0, "apprenticeship": 1.0, "job": 1.0, "immersion": 1.0}, facets["kind"])
	require.Equal(t, map[string]any{"true": 2.0, "false": 2.0}, facets["disability_friendly"])
	require.Equal(t, map[string]any{"none": 3.0, "partial": 1.0}, facets["remote"])
	require.Equal(t, map[string]any{"M1805": 1.0, "D1102": 1.0, "D1106": 2.0, "G1602": 1.0}, facets["rome_codes"])
	// Pages in the shape of every list: next_cursor, and an absolute Link to
	// the next page that keeps the filters; the last page has neither.
	var paged []string
	query := url.Values{"limit": {"1"}, "kinds": {"internship,job,apprenticeship"}, "sort": {"start_date"}}
	for page := 1; ; page++ {
		r := w.do(http.MethodGet, "/v1/offers/search?"+query.Encode(), w.adviser, nil)
		requireStatus(t, http.StatusOK, r)
		body := r.json(t)
		require.EqualValues(t, page, body["page"])
		require.EqualValues(t, 3, body["total"])
		for _, h := range body["items"].([]any) {
			paged = append(paged, h.(map[string]any)["id"].(string))
		}
		next, _ := body["next_cursor"].(string)
		if page == 3 {
			require.Empty(t, next, "the last page")
			require.Empty(t, r.Header.Get("Link"))
			break
		}
		require.NotEmpty(t, next)
		link := r.Header.Get("Link")
		require.True(t, strings.HasPrefix(link, "<http://127.0.0.1/v1/offers/search?"), link)
		require.Contains(t, link, "kinds=internship%2Cjob%2Capprenticeship")
		require.Contains(t, link, "cursor="+next)
		query.Set("cursor", next)
	}
	require.ElementsMatch(t, []string{dev, appr, meaux}, paged)
	requireProblem(t, w.do(http.MethodGet, "/v1/offers/search?page=2&cursor="+query.Get("cursor"), w.adviser, nil),
		http.StatusUnprocessableEntity, "invalid")
	requireProblem(t, w.do(http.MethodGet, "/v1/offers/search?cursor=bogus", w.adviser, nil), http.StatusBadRequest, "bad_request")

	hit := w.searchOK(w.adviser, url.Values{"q": {"developpeur web"}})["items"].([]any)[0].(map[string]any)
	require.Equal(t, []any{map[string]any{"code": "M1805", "label": "Études et développement informatique"}}, hit["rome_codes"])
	require.Equal(t, "2026-09-01", hit["start_date"])
	require.NotContains(t, hit, "distance_km", "no point, no distance")

	// Around Gonesse by postal code, nearest first: Gonesse, Paris 1er
	// (~16 km), Meaux (~30 km); Caen is out of the 50 km.
	body = w.searchOK(w.adviser, url.Values{"postal_code": {"95500"}, "radius_km": {"50"}, "sort": {"distance"}})
	var got []string
	var km []float64
	for _, h := range body["items"].([]any) {
		got = append(got, h.(map[string]any)["id"].(string))
		km = append(km, h.(map[string]any)["distance_km"].(float64))
	}
	require.Equal(t, []string{appr, dev, meaux}, got)
	require.InDelta(t, 0, km[0], 0.5)
	require.InDelta(t, 16, km[1], 3)
	require.InDelta(t, 30, km[2], 5)
	// The default radius is 30 km; near takes a point.
	require.Equal(t, []string{appr, dev}, w.searchIDs(w.adviser, url.Values{"near": {"48.98693,2.44892"}, "sort": {"distance"},
		"radius_km": {"25"}}))
	require.ElementsMatch(t, []string{appr, dev}, w.searchIDs(w.adviser, url.Values{"near": {"48.98693,2.44892"}, "radius_km": {"25"}}))

	// Filters: comma lists and repeated parameters alike.
	require.ElementsMatch(t, []string{dev, meaux}, w.searchIDs(w.adviser, url.Values{"kinds": {"internship,job"}}))
	require.ElementsMatch(t, []string{dev, meaux, caen}, w.searchIDs(w.adviser, url.Values{"kinds": {"internship,job", "immersion"}}))
	require.ElementsMatch(t, []string{appr, meaux}, w.searchIDs(w.adviser, url.Values{"rome_codes": {"d1106"}}))
	require.ElementsMatch(t, []string{dev}, w.searchIDs(w.adviser, url.Values{"skills": {"css"}}))
	require.ElementsMatch(t, []string{caen}, w.searchIDs(w.adviser, url.Values{"remote": {"partial"}}))
	require.ElementsMatch(t, []string{appr, caen}, w.searchIDs(w.adviser, url.Values{"disability_friendly": {"true"}}))
	require.ElementsMatch(t, []string{dev}, w.searchIDs(w.adviser, url.Values{"open_to_minors": {"false"}}))
	require.Empty(t, w.searchIDs(w.adviser, url.Values{"start_after": {"2026-09-02"}}))
	require.Len(t, w.searchIDs(w.adviser, url.Values{"start_after": {"2026-09-01"}, "start_before": {"2026-09-01"}}), 4)

	// A quote in a value stays a value.
	require.Empty(t, w.searchIDs(w.keyY, url.Values{"skills": {`x" OR status = "draft`}}))

	for _, bad := range []url.Values{
		{"sort": {"distance"}},
		{"radius_km": {"10"}},
		{"near": {"48.9,2.4"}, "postal_code": {"95500"}},
		{"postal_code": {"99999"}},
		{"near": {"91,2"}},
		{"kinds": {"apprenticeship,bogus"}},
		{"rome_codes": {"Z9999"}},
		{"limit": {"101"}},
		{"radius_km": {"201"}, "postal_code": {"95500"}},
		{"start_after": {"2026-10-01"}, "start_before": {"2026-09-01"}},
		{"page": {"0"}},
	} {
		r := w.do(http.MethodGet, "/v1/offers/search?"+bad.Encode(), w.adviser, nil)
		requireProblem(t, r, http.StatusUnprocessableEntity, "invalid")
	}
}

func TestSearchOffersUnavailable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	srv := New(Deps{Store: b.store, Search: search.New(dead, "key", "t_"), Logger: slog.New(slog.DiscardHandler)})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, ts.URL+"/v1/offers/search?q=boulanger", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+b.admin)
	resp, err := newSpecClient(t, ts.Client()).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Equal(t, "5", resp.Header.Get("Retry-After"))
	require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
}
