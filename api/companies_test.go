package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// bakery is a complete company body with the given SIRET.
func bakery(siret string) map[string]any {
	return map[string]any{
		"siret": siret, "name": "Boulangerie du Marché", "naf_code": "10.71C", "headcount_band": "1-9",
		"address":  map[string]any{"street": "12 place du Marché", "postal_code": "14200", "town": "Hérouville-Saint-Clair"},
		"latitude": 49.2036, "longitude": -0.3317, "disability_friendly": true,
		"contacts": []any{map[string]any{"name": "Camille Martin", "role": "Tutrice", "email": "camille.martin@example.fr", "phone": "02 31 00 00 00"}},
	}
}

// createCompany registers a company with key and returns its id.
func (b *bundle) createCompany(key string, body map[string]any) uuid.UUID {
	b.t.Helper()
	r := b.do(http.MethodPost, "/v1/companies", key, body)
	requireStatus(b.t, http.StatusCreated, r)
	return mustUUID(b.t, r.json(b.t)["id"].(string))
}

func TestCompaniesLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	org := b.organisation("E2C Normandie")
	adviser := b.adviserKey(org)
	siret := validSIRET()

	r := b.do(http.MethodPost, "/v1/companies", adviser, bakery(siret))
	requireStatus(t, http.StatusCreated, r)
	c := r.json(t)
	id := c["id"].(string)
	require.Equal(t, "http://127.0.0.1/v1/companies/"+id, r.Header.Get("Location"))
	require.Equal(t, `"1"`, r.Header.Get("ETag"))
	require.Equal(t, siret, c["siret"])
	require.Equal(t, "10.71C", c["naf_code"])
	require.Equal(t, "1-9", c["headcount_band"])
	require.Equal(t, "14200", c["address"].(map[string]any)["postal_code"])
	require.InDelta(t, 49.2036, c["latitude"], 1e-9)
	require.InDelta(t, -0.3317, c["longitude"], 1e-9)
	require.Equal(t, true, c["disability_friendly"])
	require.Equal(t, "camille.martin@example.fr", c["contacts"].([]any)[0].(map[string]any)["email"])
	require.NotEmpty(t, c["created_at"])

	r = b.do(http.MethodGet, "/v1/companies/"+id, adviser, nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, `"1"`, r.Header.Get("ETag"))
	require.Equal(t, c, r.json(t))
	r = b.do(http.MethodGet, "/v1/companies", adviser, nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, []string{id}, pageIDs(t, r))

	// Replace: optional fields left out are cleared.
	body := map[string]any{"siret": siret, "name": "Boulangerie du Marché — fournil", "address": c["address"], "disability_friendly": true}
	r = b.do(http.MethodPut, "/v1/companies/"+id, adviser, body, "If-Match", `"1"`)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, `"2"`, r.Header.Get("ETag"))
	updated := r.json(t)
	require.Equal(t, "Boulangerie du Marché — fournil", updated["name"])
	require.NotContains(t, updated, "naf_code")
	require.NotContains(t, updated, "latitude")
	require.Equal(t, []any{}, updated["contacts"])
	require.Equal(t, c["created_at"], updated["created_at"])

	p := requireProblem(t, b.do(http.MethodPut, "/v1/companies/"+id, adviser, body, "If-Match", `"1"`), http.StatusPreconditionFailed, "precondition_failed")
	require.Contains(t, p["detail"], "changed since you read it")

	// The SIRET is fixed.
	other := bakery(validSIRET())
	p = requireProblem(t, b.do(http.MethodPut, "/v1/companies/"+id, adviser, other, "If-Match", `"2"`), http.StatusUnprocessableEntity, "invalid")
	require.Equal(t, []string{"body.siret"}, fieldLocations(p))

	// The audit log has every write, and no name or contact detail.
	r = b.do(http.MethodGet, "/v1/audit?resource_id="+id, b.admin, nil)
	requireStatus(t, http.StatusOK, r)
	var got []string
	for _, it := range r.json(t)["items"].([]any) {
		e := it.(map[string]any)
		got = append(got, e["action"].(string)+" "+e["resource_type"].(string))
		require.Equal(t, org.String(), e["organisation_id"])
		require.Equal(t, "adviser", e["actor_role"])
	}
	require.Equal(t, []string{"create company", "create partnership", "update company"}, got)
	require.Contains(t, string(r.body), `"changed":["name","naf_code","headcount_band","coordinates","contacts"]`)
	for _, personal := range []string{"Camille", "camille.martin", "Boulangerie", siret} {
		require.NotContains(t, string(r.body), personal)
	}
}

func TestCompaniesTenancy(t *testing.T) {
	t.Parallel()
	b := setup(t)
	orgA, orgB := b.organisation("Fabrique du numérique"), b.organisation("Cité Apprenti.e")
	adviserA, adviserB, integratorA := b.adviserKey(orgA), b.adviserKey(orgB), b.integratorKey(orgA)

	x := b.createCompany(adviserA, bakery(validSIRET()))    // partner of A
	y := b.createCompany(b.admin, bakery(validSIRET()))     // nobody's partner
	z := b.createCompany(integratorA, bakery(validSIRET())) // an integrator's company is a partner too
	keyX := b.companyKey(x)
	path := func(id uuid.UUID) string { return "/v1/companies/" + id.String() }
	list := func(key string) []string {
		r := b.do(http.MethodGet, "/v1/companies", key, nil)
		requireStatus(t, http.StatusOK, r)
		return pageIDs(t, r)
	}
	current := func(id uuid.UUID) map[string]any {
		r := b.do(http.MethodGet, path(id), b.admin, nil)
		requireStatus(t, http.StatusOK, r)
		c := r.json(t)
		for _, k := range []string{"id", "created_at", "updated_at"} {
			delete(c, k)
		}
		return c
	}

	// Admins see and change everything.
	require.ElementsMatch(t, []string{x.String(), y.String(), z.String()}, list(b.admin))
	requireStatus(t, http.StatusOK, b.do(http.MethodPut, path(y), b.admin, current(y)))

	// Advisers and integrators: their organisation's partners only; others are 404, never 403.
	require.ElementsMatch(t, []string{x.String(), z.String()}, list(adviserA))
	require.ElementsMatch(t, []string{x.String(), z.String()}, list(integratorA))
	requireStatus(t, http.StatusOK, b.do(http.MethodGet, path(z), adviserA, nil))
	requireStatus(t, http.StatusOK, b.do(http.MethodPut, path(x), integratorA, current(x)))
	requireProblem(t, b.do(http.MethodGet, path(y), adviserA, nil), http.StatusNotFound, "not_found")
	requireProblem(t, b.do(http.MethodPut, path(y), integratorA, current(y)), http.StatusNotFound, "not_found")
	require.Empty(t, list(adviserB))
	for _, id := range []uuid.UUID{x, y, z, uuid.New()} {
		requireProblem(t, b.do(http.MethodGet, path(id), adviserB, nil), http.StatusNotFound, "not_found")
	}
	// Another tenant's company with a stale ETag and another SIRET is still just not found.
	requireProblem(t, b.do(http.MethodPut, path(x), adviserB, bakery(validSIRET()), "If-Match", `"9"`), http.StatusNotFound, "not_found")

	// A company key sees and changes only its own company.
	require.Equal(t, []string{x.String()}, list(keyX))
	requireStatus(t, http.StatusOK, b.do(http.MethodGet, path(x), keyX, nil))
	requireStatus(t, http.StatusOK, b.do(http.MethodPut, path(x), keyX, current(x)))
	requireProblem(t, b.do(http.MethodGet, path(y), keyX, nil), http.StatusNotFound, "not_found")
	requireProblem(t, b.do(http.MethodPut, path(z), keyX, current(z)), http.StatusNotFound, "not_found")
	r := b.do(http.MethodGet, "/v1/companies?siret="+current(y)["siret"].(string), keyX, nil)
	requireStatus(t, http.StatusOK, r)
	require.Empty(t, pageIDs(t, r))

	// ...and may never register companies or link them.
	requireProblem(t, b.do(http.MethodPost, "/v1/companies", keyX, bakery(validSIRET())), http.StatusForbidden, "forbidden")
	requireProblem(t, b.do(http.MethodPost, "/v1/partnerships", keyX, map[string]any{"siret": current(y)["siret"]}), http.StatusForbidden, "forbidden")
}

func TestDuplicateSIRETIsLinkedByPartnership(t *testing.T) {
	t.Parallel()
	b := setup(t)
	orgA, orgB := b.organisation("Hub du numérique"), b.organisation("Fabrique numérique de Gonesse")
	adviserA, adviserB, integratorB := b.adviserKey(orgA), b.adviserKey(orgB), b.integratorKey(orgB)
	siret := validSIRET()
	id := b.createCompany(adviserA, bakery(siret)).String()

	// Registering it again is a conflict that says what to do instead.
	p := requireProblem(t, b.do(http.MethodPost, "/v1/companies", adviserB, bakery(siret)), http.StatusConflict, "conflict")
	require.Contains(t, p["detail"], "POST /v1/partnerships")
	require.Contains(t, p["detail"], siret)
	requireProblem(t, b.do(http.MethodGet, "/v1/companies/"+id, adviserB, nil), http.StatusNotFound, "not_found")

	// Asking by SIRET: 201 pending the first time, 200 after; organisation B
	// sees the company once the company accepts.
	r := b.do(http.MethodPost, "/v1/partnerships", adviserB, map[string]any{"siret": siret})
	requireStatus(t, http.StatusCreated, r)
	link := r.json(t)
	require.Equal(t, orgB.String(), link["organisation_id"])
	require.Equal(t, id, link["company_id"])
	require.Equal(t, "pending", link["status"])
	require.Equal(t, false, link["steward"])
	require.NotEmpty(t, link["created_at"])
	r = b.do(http.MethodPost, "/v1/partnerships", integratorB, map[string]any{"siret": siret, "organisation_id": orgB})
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, link, r.json(t))
	requireProblem(t, b.do(http.MethodGet, "/v1/companies/"+id, adviserB, nil), http.StatusNotFound, "not_found")
	r = b.do(http.MethodPost, "/v1/partnerships/"+orgB.String()+"/"+id+"/accept", b.companyKey(mustUUID(t, id)), nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, "active", r.json(t)["status"])
	require.Equal(t, "company", r.json(t)["decided_by_role"])
	requireStatus(t, http.StatusOK, b.do(http.MethodGet, "/v1/companies/"+id, adviserB, nil))
	requireStatus(t, http.StatusOK, b.do(http.MethodGet, "/v1/companies/"+id, integratorB, nil))

	// Another organisation, an unknown SIRET: not found. A bad SIRET, or an admin naming no organisation: invalid.
	requireProblem(t, b.do(http.MethodPost, "/v1/partnerships", adviserB, map[string]any{"siret": siret, "organisation_id": orgA}), http.StatusNotFound, "not_found")
	requireProblem(t, b.do(http.MethodPost, "/v1/partnerships", b.admin, map[string]any{"siret": siret, "organisation_id": uuid.New()}), http.StatusNotFound, "not_found")
	p = requireProblem(t, b.do(http.MethodPost, "/v1/partnerships", adviserB, map[string]any{"siret": validSIRET()}), http.StatusNotFound, "not_found")
	require.Contains(t, p["detail"], "POST /v1/companies")
	p = requireProblem(t, b.do(http.MethodPost, "/v1/partnerships", adviserB, map[string]any{"siret": "44306184100048"}), http.StatusUnprocessableEntity, "invalid")
	require.Equal(t, []string{"body.siret"}, fieldLocations(p))
	p = requireProblem(t, b.do(http.MethodPost, "/v1/partnerships", b.admin, map[string]any{"siret": siret}), http.StatusUnprocessableEntity, "invalid")
	require.Equal(t, []string{"body.organisation_id"}, fieldLocations(p))

	// Unlinking: admins and the organisation's advisers only.
	path := "/v1/partnerships/" + orgB.String() + "/" + id
	requireProblem(t, b.do(http.MethodDelete, path, integratorB, nil), http.StatusForbidden, "forbidden")
	requireProblem(t, b.do(http.MethodDelete, path, adviserA, nil), http.StatusNotFound, "not_found")
	r = b.do(http.MethodDelete, path, adviserB, nil)
	requireStatus(t, http.StatusNoContent, r)
	require.Empty(t, r.body)
	requireProblem(t, b.do(http.MethodGet, "/v1/companies/"+id, adviserB, nil), http.StatusNotFound, "not_found")
	requireProblem(t, b.do(http.MethodPut, "/v1/companies/"+id, adviserB, bakery(siret)), http.StatusNotFound, "not_found")
	requireProblem(t, b.do(http.MethodDelete, path, adviserB, nil), http.StatusNotFound, "not_found")
	requireStatus(t, http.StatusOK, b.do(http.MethodGet, "/v1/companies/"+id, adviserA, nil))

	// Audited: A's link at registration, B's request, the company's answer and
	// B's unlink; the 200 wrote nothing.
	r = b.do(http.MethodGet, "/v1/audit?resource_type=partnership", b.admin, nil)
	requireStatus(t, http.StatusOK, r)
	var got []string
	for _, it := range r.json(t)["items"].([]any) {
		e := it.(map[string]any)
		require.Equal(t, id, e["resource_id"])
		got = append(got, e["action"].(string)+" "+e["organisation_id"].(string)+" by "+e["actor_role"].(string))
	}
	require.Equal(t, []string{"create " + orgA.String() + " by adviser", "create " + orgB.String() + " by adviser",
		"decide " + orgB.String() + " by company", "delete " + orgB.String() + " by adviser"}, got)
}

func TestCompaniesValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	with := func(changes map[string]any, drop ...string) map[string]any {
		body := bakery(validSIRET())
		for k, v := range changes {
			body[k] = v
		}
		for _, k := range drop {
			delete(body, k)
		}
		return body
	}
	eleven := make([]any, 11)
	for i := range eleven {
		eleven[i] = map[string]any{"name": "Contact"}
	}
	tests := []struct {
		name   string
		body   map[string]any
		fields []string
		detail string // in the problem, when the location alone does not say it
	}{
		{"SIRET check digit", with(map[string]any{"siret": "44306184100048"}), []string{"body.siret"}, ""},
		{"SIRET length", with(map[string]any{"siret": "4430618410004"}), []string{"body.siret"}, ""},
		{"NAF code", with(map[string]any{"naf_code": "6201Z"}), []string{"body.naf_code"}, ""},
		{"latitude without longitude", with(nil, "longitude"), []string{"body"}, "longitude"},
		{"longitude without latitude", with(nil, "latitude"), []string{"body"}, "latitude"},
		{"latitude out of range", with(map[string]any{"latitude": 91}), []string{"body.latitude"}, ""},
		{"headcount band", with(map[string]any{"headcount_band": "12"}), []string{"body.headcount_band"}, ""},
		{"postal code", with(map[string]any{"address": map[string]any{"street": "1 rue", "postal_code": "9550", "town": "Gonesse"}}), []string{"body.address.postal_code"}, ""},
		{"contact email", with(map[string]any{"contacts": []any{map[string]any{"name": "A", "email": "not-an-email"}}}), []string{"body.contacts[0].email"}, ""},
		{"too many contacts", with(map[string]any{"contacts": eleven}), []string{"body.contacts"}, ""},
		{"no name", with(nil, "name"), []string{"body"}, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := requireProblem(t, b.do(http.MethodPost, "/v1/companies", b.admin, tt.body), http.StatusUnprocessableEntity, "invalid")
			require.ElementsMatch(t, tt.fields, fieldLocations(p), "body: %v", p)
			if tt.detail != "" {
				require.Contains(t, p["errors"].([]any)[0].(map[string]any)["message"], tt.detail)
			}
		})
	}
	// La Poste's establishments follow their own rule.
	requireStatus(t, http.StatusCreated, b.do(http.MethodPost, "/v1/companies", b.admin, with(map[string]any{"siret": "35600000049837"})))
	// Nothing invalid was written.
	r := b.do(http.MethodGet, "/v1/companies", b.admin, nil)
	requireStatus(t, http.StatusOK, r)
	require.Len(t, pageIDs(t, r), 1)
}

func TestCompaniesPaginationAndFilter(t *testing.T) {
	t.Parallel()
	b := setup(t)
	adviser := b.adviserKey(b.organisation("Mission Locale de Meaux"))
	want := map[string]bool{}
	var sirets []string
	for range 5 {
		siret := validSIRET()
		sirets = append(sirets, siret)
		want[b.createCompany(adviser, bakery(siret)).String()] = true
	}
	b.createCompany(b.admin, bakery(validSIRET())) // not the adviser's: never listed

	seen := map[string]bool{}
	pages := 0
	next := "/v1/companies?limit=2"
	for next != "" {
		r := b.do(http.MethodGet, next, adviser, nil)
		requireStatus(t, http.StatusOK, r)
		pages++
		ids := pageIDs(t, r)
		require.LessOrEqual(t, len(ids), 2)
		for _, id := range ids {
			require.False(t, seen[id], "%s listed twice", id)
			seen[id] = true
		}
		cursor, _ := r.json(t)["next_cursor"].(string)
		link := r.Header.Get("Link")
		if cursor == "" {
			require.Empty(t, link)
			next = ""
			continue
		}
		// Follow the Link header, which must carry the same cursor.
		require.True(t, strings.HasSuffix(link, `>; rel="next"`), link)
		u, err := url.Parse(strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`))
		require.NoError(t, err)
		require.Equal(t, cursor, u.Query().Get("cursor"))
		require.Equal(t, "2", u.Query().Get("limit"))
		next = u.RequestURI()
	}
	require.Equal(t, want, seen)
	require.Equal(t, 3, pages)

	// A cursor from another list is refused.
	b.organisation("Another")
	orgCursor := b.do(http.MethodGet, "/v1/organisations?limit=1", b.admin, nil).json(t)["next_cursor"].(string)
	require.NotEmpty(t, orgCursor)
	requireProblem(t, b.do(http.MethodGet, "/v1/companies?cursor="+url.QueryEscape(orgCursor), adviser, nil), http.StatusBadRequest, "bad_request")

	// The siret filter, within what the caller sees.
	r := b.do(http.MethodGet, "/v1/companies?siret="+sirets[3], adviser, nil)
	requireStatus(t, http.StatusOK, r)
	ids := pageIDs(t, r)
	require.Len(t, ids, 1)
	require.Equal(t, sirets[3], r.json(t)["items"].([]any)[0].(map[string]any)["siret"])
	r = b.do(http.MethodGet, "/v1/companies?siret="+validSIRET(), adviser, nil)
	requireStatus(t, http.StatusOK, r)
	require.Empty(t, pageIDs(t, r))
	p := requireProblem(t, b.do(http.MethodGet, "/v1/companies?siret=123", adviser, nil), http.StatusUnprocessableEntity, "invalid")
	require.Equal(t, []string{"query.siret"}, fieldLocations(p))
}

func TestCreateCompanyIsIdempotent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	adviser := b.adviserKey(b.organisation("E2C Normandie"))
	body := bakery(validSIRET())
	first := b.do(http.MethodPost, "/v1/companies", adviser, body, "Idempotency-Key", "company-1")
	requireStatus(t, http.StatusCreated, first)
	again := b.do(http.MethodPost, "/v1/companies", adviser, body, "Idempotency-Key", "company-1")
	requireStatus(t, http.StatusCreated, again)
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	require.Equal(t, first.json(t)["id"], again.json(t)["id"])
	require.Equal(t, first.Header.Get("ETag"), again.Header.Get("ETag"))
}
