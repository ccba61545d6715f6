package api

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReferenceROME(t *testing.T) {
	t.Parallel()
	b := setup(t)
	company := b.createCompany(b.admin, bakery(validSIRET()))
	codes := func(r response) []string {
		t.Helper()
		requireStatus(t, http.StatusOK, r)
		var out []string
		for _, it := range r.json(t)["items"].([]any) {
			e := it.(map[string]any)
			require.NotEmpty(t, e["label"])
			out = append(out, e["code"].(string))
		}
		return out
	}

	// Any authenticated role; by label words (case and accents ignored) or by code.
	for _, key := range []string{b.admin, b.adviserKey(b.organisation("E2C Normandie")), b.companyKey(company)} {
		r := b.do(http.MethodGet, "/v1/reference/rome?q=developpement+info", key, nil)
		require.Contains(t, codes(r), "M1805")
		require.Equal(t, "private, max-age=86400", r.Header.Get("Cache-Control"))
	}
	r := b.do(http.MethodGet, "/v1/reference/rome?q=d1102", b.admin, nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, map[string]any{"code": "D1102", "label": "Boulangerie - viennoiserie"}, r.json(t)["items"].([]any)[0])
	require.Len(t, codes(b.do(http.MethodGet, "/v1/reference/rome?q=M&limit=3", b.admin, nil)), 3)
	require.Empty(t, codes(b.do(http.MethodGet, "/v1/reference/rome?q=zzzzzz", b.admin, nil)))

	p := requireProblem(t, b.do(http.MethodGet, "/v1/reference/rome", b.admin, nil), http.StatusUnprocessableEntity, "invalid")
	require.Equal(t, []string{"query.q"}, fieldLocations(p))
	p = requireProblem(t, b.do(http.MethodGet, "/v1/reference/rome?q=M&limit=1000", b.admin, nil), http.StatusUnprocessableEntity, "invalid")
	require.Equal(t, []string{"query.limit"}, fieldLocations(p))
	requireProblem(t, b.do(http.MethodGet, "/v1/reference/rome?q=M", "", nil), http.StatusUnauthorized, "unauthorized")
}

func TestReferencePlaces(t *testing.T) {
	t.Parallel()
	b := setup(t)
	adviser := b.adviserKey(b.organisation("Fabrique numérique de Gonesse"))

	r := b.do(http.MethodGet, "/v1/reference/places?postal_code=95500", adviser, nil)
	requireStatus(t, http.StatusOK, r)
	var towns []string
	for _, it := range r.json(t)["items"].([]any) {
		p := it.(map[string]any)
		require.Equal(t, "95500", p["postal_code"])
		towns = append(towns, p["town"].(string))
		if p["town"] == "Gonesse" {
			require.Equal(t, "95277", p["insee_code"])
			require.InDelta(t, 48.99, p["latitude"], 0.02)
			require.InDelta(t, 2.45, p["longitude"], 0.02)
			require.Greater(t, p["population"], 20000.0)
		}
	}
	require.Contains(t, towns, "Gonesse")
	require.Contains(t, towns, "Le Thillay")

	// Unknown: 404; malformed or missing: 422 naming the parameter.
	p := requireProblem(t, b.do(http.MethodGet, "/v1/reference/places?postal_code=00000", adviser, nil), http.StatusNotFound, "not_found")
	require.Contains(t, p["detail"], "00000")
	for _, q := range []string{"?postal_code=9550", "?postal_code=95500a", ""} {
		p = requireProblem(t, b.do(http.MethodGet, "/v1/reference/places"+q, adviser, nil), http.StatusUnprocessableEntity, "invalid")
		require.Equal(t, []string{"query.postal_code"}, fieldLocations(p))
	}

	// What an offer's postal code resolves to is what this lists.
	company := b.createCompany(adviser, bakery(validSIRET()))
	o := b.createOffer(b.companyKey(company), offerBody(company))
	require.Contains(t, towns, o["town"])
}
