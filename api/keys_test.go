package api

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAPIKeysLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	org := b.organisation("E2C Normandie")
	adviser := b.adviserKey(org)

	// An admin creates an integrator key; the secret is shown once.
	r := b.do(http.MethodPost, "/v1/api-keys", b.admin, map[string]any{"name": "SI régional", "role": "integrator", "organisation_id": org.String()})
	requireStatus(t, http.StatusCreated, r)
	created := r.json(t)
	secret := created["key"].(string)
	require.Regexp(t, `^psl_[0-9a-f]{16}_`, secret)
	require.Equal(t, created["prefix"], secret[4:20])

	r = b.do(http.MethodGet, "/v1/organisations/"+org.String(), secret, nil)
	requireStatus(t, http.StatusOK, r)

	// The listing never shows secrets, and shows last use.
	r = b.do(http.MethodGet, "/v1/api-keys?limit=200", b.admin, nil)
	requireStatus(t, http.StatusOK, r)
	require.NotContains(t, string(r.body), secret[21:])
	var found map[string]any
	for _, it := range r.json(t)["items"].([]any) {
		if it.(map[string]any)["id"] == created["id"] {
			found = it.(map[string]any)
		}
	}
	require.NotNil(t, found)
	require.NotEmpty(t, found["last_used_at"])

	// Revocation is effective on the very next request.
	r = b.do(http.MethodPost, "/v1/api-keys/"+created["id"].(string)+"/revoke", b.admin, nil)
	requireStatus(t, http.StatusOK, r)
	require.NotEmpty(t, r.json(t)["revoked_at"])
	requireProblem(t, b.do(http.MethodGet, "/v1/organisations/"+org.String(), secret, nil), http.StatusUnauthorized, "unauthorized")

	// An adviser may not create admin or adviser keys.
	requireProblem(t, b.do(http.MethodPost, "/v1/api-keys", adviser, map[string]any{"name": "x", "role": "admin"}), http.StatusForbidden, "forbidden")
	requireProblem(t, b.do(http.MethodPost, "/v1/api-keys", adviser, map[string]any{"name": "x", "role": "adviser", "organisation_id": org.String()}),
		http.StatusForbidden, "forbidden")

	// Inconsistent bindings are refused naming the field.
	p := requireProblem(t, b.do(http.MethodPost, "/v1/api-keys", b.admin, map[string]any{"name": "x", "role": "company"}), http.StatusUnprocessableEntity, "invalid")
	require.Equal(t, "body.company_id", p["errors"].([]any)[0].(map[string]any)["location"])
}

func TestAdviserIssuesKeysForPartnerCompanies(t *testing.T) {
	t.Parallel()
	b := setup(t)
	org := b.organisation("Fabrique numérique de Gonesse")
	adviser := b.adviserKey(org)
	r := b.do(http.MethodPost, "/v1/companies", adviser, companyBody("Boulangerie"))
	requireStatus(t, http.StatusCreated, r)
	company := r.json(t)["id"].(string)

	r = b.do(http.MethodPost, "/v1/api-keys", adviser, map[string]any{"name": "Boulangerie", "role": "company", "company_id": company})
	requireStatus(t, http.StatusCreated, r)
	companyKey := r.json(t)["key"].(string)
	keyID := r.json(t)["id"].(string)
	requireStatus(t, http.StatusOK, b.do(http.MethodGet, "/v1/companies/"+company, companyKey, nil))

	// Another organisation's adviser sees neither the company nor its key.
	stranger := b.adviserKey(b.organisation("Mission Locale de Meaux"))
	requireProblem(t, b.do(http.MethodPost, "/v1/api-keys", stranger, map[string]any{"name": "x", "role": "company", "company_id": company}),
		http.StatusNotFound, "not_found")
	requireProblem(t, b.do(http.MethodPost, "/v1/api-keys/"+keyID+"/revoke", stranger, nil), http.StatusNotFound, "not_found")
	r = b.do(http.MethodGet, "/v1/api-keys", stranger, nil)
	requireStatus(t, http.StatusOK, r)
	require.Empty(t, r.json(t)["items"])

	// The organisation's adviser lists and revokes it.
	r = b.do(http.MethodGet, "/v1/api-keys", adviser, nil)
	requireStatus(t, http.StatusOK, r)
	require.Len(t, r.json(t)["items"], 1)
	requireStatus(t, http.StatusOK, b.do(http.MethodPost, "/v1/api-keys/"+keyID+"/revoke", adviser, nil))
	requireProblem(t, b.do(http.MethodGet, "/v1/companies/"+company, companyKey, nil), http.StatusUnauthorized, "unauthorized")
}
