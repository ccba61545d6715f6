package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/webtest"
)

// activeTraineeOf is an active trainee followed by the adviser with this
// email, and the offers they are already a proposal for.
func activeTraineeOf(t *testing.T, e *webtest.Env, email string) (uuid.UUID, []string) {
	t.Helper()
	var id uuid.UUID
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT t.id FROM trainees t JOIN advisers a ON a.id = t.referent_id
		WHERE a.email = $1 AND t.status = 'active' ORDER BY t.id LIMIT 1`, email).Scan(&id))
	rows, err := e.Store.Pool().Query(t.Context(), `SELECT offer_id::text FROM proposals WHERE trainee_id = $1`, id)
	require.NoError(t, err)
	var taken []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		taken = append(taken, s)
	}
	require.NoError(t, rows.Err())
	return id, taken
}

// hitIDs are the offer ids of the search results shown.
func hitIDs(t *testing.T, e *webtest.Env) []string {
	t.Helper()
	return webtest.Run(e, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("li[id^=offer-]")).map(li => li.id.slice(6))`))
}

// TestClosingJourney is the closing journey in a real browser, with
// the API and Meilisearch mounted: the adviser signs in, searches offers for
// a demo trainee, proposes one and sends it to the company; the company
// accepts it THROUGH THE API with its key; the adviser sees it accepted in
// the pipeline, moves it to placed, and the placement exists. axe on every
// page.
func TestClosingJourney(t *testing.T) {
	t.Parallel()
	e := webtest.New(t, webtest.WithAPI(), webtest.WithSearch())
	trainee, taken := activeTraineeOf(t, e, webtest.GonesseAdviser)
	e.SignIn(webtest.GonesseAdviser)

	e.Visit("/console/trainees/" + trainee.String())
	e.ClickAndWait(`a[href$="/offers"]`)
	require.True(t, strings.HasPrefix(e.H1(), "Offres pour "), e.H1())
	require.Contains(t, e.Text("#results-title + p"), "offre")
	// Every hit is a published offer within the radius, with its distance.
	for _, km := range webtest.Run(e, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("li[id^=offer-] .meta")).map(m => m.textContent)`)) {
		require.Regexp(t, `à [0-9]+\.[0-9] km|à distance`, km)
	}
	e.Axe()
	e.Screenshot("offer-search")

	// A facet narrows the results: tick the first kind that has offers.
	kind := webtest.Run(e, chromedp.Evaluate[string](`(Array.from(document.querySelectorAll("input[name=type]")).find(i => /\(\d+\)/.test(i.nextElementSibling.textContent)) || {}).value || ""`))
	require.NotEmpty(t, kind, "the demo's offers have kinds")
	e.Do(chromedp.Click(chromedp.CSS("#type-" + kind)))
	e.ClickAndWait(".search-form button")
	require.Contains(t, e.Path(), "type="+kind)
	var offer string
	for _, id := range hitIDs(t, e) {
		if !slices.Contains(taken, id) {
			offer = id
			break
		}
	}
	require.NotEmpty(t, offer, "an offer the trainee is not yet proposed for")
	var kindOf string
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT kind FROM offers WHERE id = $1 AND status = 'published'`, offer).Scan(&kindOf))
	require.Equal(t, kind, kindOf)

	e.ClickAndWait("#offer-" + offer + " button")
	require.Equal(t, "Propositions", e.H1())
	require.Contains(t, e.Text(".flash"), "La proposition est créée")
	var id uuid.UUID
	var company uuid.UUID
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT id, company_id FROM proposals WHERE trainee_id = $1 AND offer_id = $2
		AND status = 'shortlisted' AND origin = 'adviser'`, trainee, offer).Scan(&id, &company))
	e.Do(chromedp.SetValue(chromedp.CSS("#to-"+id.String()), "proposed"))
	e.ClickAndWait("#proposal-" + id.String() + " button")
	require.Contains(t, e.Text(".flash"), "La proposition a changé d'étape.")
	require.Contains(t, e.Text("#proposal-"+id.String()), "expire dans 14 jours")

	// The company answers through the API, with its own key.
	key := e.APIKey(store.KeyInput{Role: passerelle.RoleCompany, CompanyID: &company})
	status, body := e.API(http.MethodPost, "/v1/proposals/"+id.String()+"/transitions", key, map[string]any{"to": "accepted"})
	require.Equal(t, http.StatusOK, status, body)
	require.Equal(t, "accepted", body["status"])

	e.Visit("/console/proposals?statut=accepted")
	require.Contains(t, e.Text("#proposal-"+id.String()), "chez")
	e.Axe()
	e.Do(chromedp.SetValue(chromedp.CSS("#to-"+id.String()), "placed"))
	e.ClickAndWait("#proposal-" + id.String() + " button")
	require.Contains(t, e.Path(), "statut=placed")
	require.Contains(t, e.Text("#proposal-"+id.String()), "Aucune action possible")
	var placements int
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM placements WHERE proposal_id = $1`, id).Scan(&placements))
	require.Equal(t, 1, placements, "placing created the placement")
	// The company sees the placement through the API too.
	status, body = e.API(http.MethodGet, "/v1/proposals/"+id.String(), key, nil)
	require.Equal(t, http.StatusOK, status, body)
	require.Equal(t, "placed", body["status"])
	e.Axe()
	e.Screenshot("pipeline-placed")
}

// TestSearchDown: with the test's own Meilisearch stopped, the search page
// says "la recherche est indisponible" (503) and the rest of the console
// works.
func TestSearchDown(t *testing.T) {
	t.Parallel()
	e := webtest.New(t, webtest.WithPrivateSearch())
	trainee, _ := activeTraineeOf(t, e, webtest.GonesseAdviser)
	c := e.SessionClient(webtest.GonesseAdviser)
	resp, body := e.Get(c, "/console/trainees/"+trainee.String()+"/offers")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "offres trouvées")

	e.Meili.Stop()
	resp, body = e.Get(c, "/console/trainees/"+trainee.String()+"/offers?q=web")
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Contains(t, body, "La recherche est indisponible")
	require.Contains(t, body, `<input id="q" name="q" value="web"`, "the form stays, with what was typed")
	for _, path := range []string{"/console/", "/console/proposals", "/console/followups", "/console/trainees/" + trainee.String()} {
		resp, _ = e.Get(c, path)
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
	}

	e.SignIn(webtest.GonesseAdviser)
	e.Visit("/console/trainees/" + trainee.String() + "/offers")
	require.Contains(t, e.Text("#results-title + p"), "La recherche est indisponible")
	e.Axe()
	e.Screenshot("offer-search-down")
}

// TestOfferSearchSecurity: another organisation's trainee has no search
// page and cannot be proposed (404); signed out is the sign-in page.
func TestOfferSearchSecurity(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	c := e.SessionClient(webtest.GonesseAdviser)
	theirs, _ := activeTraineeOf(t, e, webtest.NormandyAdviser)
	var offer uuid.UUID
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT id FROM offers WHERE status = 'published' LIMIT 1`).Scan(&offer))
	resp, _ := e.Get(c, "/console/trainees/"+theirs.String()+"/offers")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = e.Post(c, "/console/trainees/"+theirs.String()+"/offers/"+offer.String()+"/propose", nil, "")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	var n int
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM proposals WHERE trainee_id = $1 AND offer_id = $2`, theirs, offer).Scan(&n))
	require.Zero(t, n)
	anon := e.Client()
	resp, _ = e.Get(anon, "/console/trainees/"+theirs.String()+"/offers")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp, _ = e.Post(anon, "/console/trainees/"+theirs.String()+"/offers/"+offer.String()+"/propose", nil, "")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
}
