package api

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
)

// TestCompanyTakeoverAcrossProgrammesIsRefused replays issue #9's escalation:
// an adviser of programme B who knows only the SIRET of programme A's company
// asks to partner with it, mints a company key, reads and declines A's
// proposal, reads A's placement and drafts, and renames the company. Every
// step is refused until the company accepts; after that B writes offers on
// the company's behalf and still sees nothing of A's, edits nothing of the
// company's and mints no key. When the company ends the partnership, B is
// back to nothing.
func TestCompanyTakeoverAcrossProgrammesIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := newTenant(t, b, "Programme A")
	companyKey := a.keys[passerelle.RoleCompany]
	b.publish(a)
	proposal := b.propose(a, b.newTrainee(a, traineeIn(a)))
	requireStatus(t, http.StatusOK, b.move(a.keys[passerelle.RoleAdviser], proposal, "proposed"))
	draft := b.createOffer(companyKey, offerBody(a.company))["id"].(string)
	r := b.do(http.MethodGet, "/v1/companies/"+a.company.String(), companyKey, nil)
	requireStatus(t, http.StatusOK, r)
	siret, name := r.json(t)["siret"].(string), r.json(t)["name"].(string)

	orgB := b.organisation("Programme B")
	adviserB, integratorB := b.adviserKey(orgB), b.integratorKey(orgB)
	companyPath := "/v1/companies/" + a.company.String()
	takeover := map[string]any{"siret": siret, "name": "Repris par B", "contacts": []any{map[string]any{"name": "Intrus"}},
		"address": map[string]any{"street": "1 rue de la Gare", "postal_code": "95500", "town": "Gonesse"}}
	companyKeyFor := map[string]any{"name": "prise de contrôle", "role": "company", "company_id": a.company}
	decline := map[string]any{"to": "declined_by_company", "reason": "prise de contrôle"}
	nothingOfA := func(key string) {
		t.Helper()
		if key == adviserB { // integrators never manage keys (403 by role)
			requireProblem(t, b.do(http.MethodPost, "/v1/api-keys", key, companyKeyFor), http.StatusNotFound, "not_found")
		}
		requireProblem(t, b.do(http.MethodGet, companyPath, key, nil), http.StatusNotFound, "not_found")
		requireProblem(t, b.do(http.MethodPut, companyPath, key, takeover), http.StatusNotFound, "not_found")
		requireProblem(t, b.do(http.MethodGet, "/v1/offers/"+draft, key, nil), http.StatusNotFound, "not_found")
		requireProblem(t, b.do(http.MethodPost, "/v1/offers", key, offerBody(a.company)), http.StatusNotFound, "not_found")
		r := b.do(http.MethodGet, "/v1/offers?status=draft", key, nil)
		requireStatus(t, http.StatusOK, r)
		require.NotContains(t, string(r.body), draft, "a partner that is not active sees A's draft")
	}
	nothingOfAsProposals := func(key string) {
		t.Helper()
		requireProblem(t, b.do(http.MethodGet, "/v1/proposals/"+proposal.String(), key, nil), http.StatusNotFound, "not_found")
		requireProblem(t, b.do(http.MethodPost, "/v1/proposals/"+proposal.String()+"/transitions", key, decline), http.StatusNotFound, "not_found")
		requireProblem(t, b.do(http.MethodGet, "/v1/placements/"+a.placement.String(), key, nil), http.StatusNotFound, "not_found")
		for _, list := range []string{"/v1/proposals", "/v1/placements"} {
			r := b.do(http.MethodGet, list, key, nil)
			requireStatus(t, http.StatusOK, r)
			for _, id := range []string{proposal.String(), a.placement.String()} {
				require.NotContains(t, string(r.body), id, "%s shows A's %s", list, id)
			}
		}
	}

	// The request is accepted as pending; B cannot answer it for the company.
	r = b.do(http.MethodPost, "/v1/partnerships", adviserB, map[string]any{"siret": siret})
	requireStatus(t, http.StatusCreated, r)
	require.Equal(t, passerelle.PartnershipPending, r.json(t)["status"])
	decide := "/v1/partnerships/" + orgB.String() + "/" + a.company.String()
	requireProblem(t, b.do(http.MethodPost, decide+"/accept", adviserB, nil), http.StatusForbidden, "forbidden")
	requireProblem(t, b.do(http.MethodPost, decide+"/accept", integratorB, nil), http.StatusForbidden, "forbidden")
	// Another company answers for its own partnerships only.
	otherCompany := b.createCompany(adviserB, companyBody("B"))
	requireProblem(t, b.do(http.MethodPost, decide+"/accept", b.companyKey(otherCompany), nil), http.StatusNotFound, "not_found")
	for _, key := range []string{adviserB, integratorB} {
		nothingOfA(key)
		nothingOfAsProposals(key)
	}

	// The company sees the request among those addressed to it, and accepts.
	r = b.do(http.MethodGet, "/v1/partnerships?status=pending", companyKey, nil)
	requireStatus(t, http.StatusOK, r)
	items := r.json(t)["items"].([]any)
	require.Len(t, items, 1)
	require.Equal(t, orgB.String(), items[0].(map[string]any)["organisation_id"])
	requireStatus(t, http.StatusOK, b.do(http.MethodGet, "/v1/organisations/"+orgB.String(), companyKey, nil)) // who asks
	r = b.do(http.MethodPost, decide+"/accept", companyKey, nil)
	requireStatus(t, http.StatusOK, r)
	accepted := r.json(t)
	require.Equal(t, passerelle.PartnershipActive, accepted["status"])
	require.Equal(t, passerelle.RoleCompany, accepted["decided_by_role"])
	require.NotEmpty(t, accepted["decided_at"])
	r = b.do(http.MethodPost, decide+"/accept", companyKey, nil) // idempotent: nothing changes
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, accepted, r.json(t))

	// B now sees the company and its drafts, and writes offers on its behalf...
	for _, key := range []string{adviserB, integratorB} {
		requireStatus(t, http.StatusOK, b.do(http.MethodGet, companyPath, key, nil))
		requireStatus(t, http.StatusOK, b.do(http.MethodGet, "/v1/offers/"+draft, key, nil))
		requireStatus(t, http.StatusCreated, b.do(http.MethodPost, "/v1/offers", key, offerBody(a.company)))
		// ...but edits nothing of the company's identity, mints no key...
		requireProblem(t, b.do(http.MethodPut, companyPath, key, takeover), http.StatusForbidden, "forbidden")
		// ...and still sees nothing of programme A's proposals and placements.
		nothingOfAsProposals(key)
	}
	requireProblem(t, b.do(http.MethodPost, "/v1/api-keys", adviserB, companyKeyFor), http.StatusForbidden, "forbidden")
	r = b.do(http.MethodGet, "/v1/api-keys", adviserB, nil)
	requireStatus(t, http.StatusOK, r)
	require.NotContains(t, string(r.body), a.companyKeyID.String(), "B lists the keys of a company it does not steward")

	// The company, its steward A and admins still may: the company keeps its name.
	r = b.do(http.MethodGet, companyPath, companyKey, nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, name, r.json(t)["name"])
	requireStatus(t, http.StatusCreated, b.do(http.MethodPost, "/v1/api-keys", a.keys[passerelle.RoleAdviser], companyKeyFor))
	requireStatus(t, http.StatusCreated, b.do(http.MethodPost, "/v1/api-keys", companyKey, companyKeyFor))

	// The company ends the partnership: B is back to public data only.
	r = b.do(http.MethodPost, decide+"/refuse", companyKey, nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, passerelle.PartnershipRefused, r.json(t)["status"])
	// Asking again does not reopen the refusal.
	r = b.do(http.MethodPost, "/v1/partnerships", adviserB, map[string]any{"siret": siret})
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, passerelle.PartnershipRefused, r.json(t)["status"])
	for _, key := range []string{adviserB, integratorB} {
		nothingOfA(key)
	}
	requireProblem(t, b.do(http.MethodGet, "/v1/organisations/"+orgB.String(), companyKey, nil), http.StatusNotFound, "not_found")

	// A company key minted by the company is a company key like the others;
	// it may not mint keys for another company.
	other := map[string]any{"name": "k", "role": "company", "company_id": otherCompany}
	requireProblem(t, b.do(http.MethodPost, "/v1/api-keys", companyKey, other), http.StatusNotFound, "not_found")
	adviserKeyFor := map[string]any{"name": "k", "role": "adviser", "organisation_id": a.org}
	requireProblem(t, b.do(http.MethodPost, "/v1/api-keys", companyKey, adviserKeyFor), http.StatusForbidden, "forbidden")
	r = b.do(http.MethodGet, "/v1/api-keys", companyKey, nil)
	requireStatus(t, http.StatusOK, r)
	for _, it := range r.json(t)["items"].([]any) {
		require.Equal(t, a.company.String(), it.(map[string]any)["company_id"], "a company lists its own keys only")
	}
	require.Contains(t, string(r.body), a.companyKeyID.String())
}
