package api

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOrganisationsLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)

	r := b.do(http.MethodPost, "/v1/organisations", b.admin, map[string]any{"kind": "e2c", "name": "E2C Normandie", "town": "Hérouville-Saint-Clair"})
	requireStatus(t, http.StatusCreated, r)
	org := r.json(t)
	id := org["id"].(string)
	require.Equal(t, "http://127.0.0.1/v1/organisations/"+id, r.Header.Get("Location"))
	require.Equal(t, `"1"`, r.Header.Get("ETag"))

	adviser := b.adviserKey(mustUUID(t, id))
	r = b.do(http.MethodGet, "/v1/organisations/"+id, adviser, nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, "Hérouville-Saint-Clair", r.json(t)["town"])

	// An adviser of another organisation does not see it: 404, not 403.
	other := b.adviserKey(b.organisation("Mission Locale de Meaux"))
	requireProblem(t, b.do(http.MethodGet, "/v1/organisations/"+id, other, nil), http.StatusNotFound, "not_found")

	// Only admins create organisations.
	requireProblem(t, b.do(http.MethodPost, "/v1/organisations", adviser, map[string]any{"kind": "e2c", "name": "x", "town": "y"}),
		http.StatusForbidden, "forbidden")

	// Update with the current ETag, then a stale one: 412.
	body := map[string]any{"kind": "e2c", "name": "E2C Normandie — Parcours digital", "town": "Hérouville-Saint-Clair"}
	r = b.do(http.MethodPut, "/v1/organisations/"+id, adviser, body, "If-Match", `"1"`)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, `"2"`, r.Header.Get("ETag"))
	p := requireProblem(t, b.do(http.MethodPut, "/v1/organisations/"+id, adviser, body, "If-Match", `"1"`), http.StatusPreconditionFailed, "precondition_failed")
	require.Contains(t, p["detail"], "changed since you read it")
	requireProblem(t, b.do(http.MethodPut, "/v1/organisations/"+id, adviser, body, "If-Match", `W/"2"`), http.StatusPreconditionFailed, "precondition_failed")

	// The audit log has both writes.
	r = b.do(http.MethodGet, "/v1/audit?resource_id="+id, b.admin, nil)
	requireStatus(t, http.StatusOK, r)
	items := r.json(t)["items"].([]any)
	require.Len(t, items, 2)
	require.Equal(t, "create", items[0].(map[string]any)["action"])
	require.Equal(t, "update", items[1].(map[string]any)["action"])
	require.Equal(t, "adviser", items[1].(map[string]any)["actor_role"])
}

func TestOrganisationsValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := requireProblem(t, b.do(http.MethodPost, "/v1/organisations", b.admin, map[string]any{"kind": "school", "name": "", "town": "Niort", "extra": true}),
		http.StatusUnprocessableEntity, "invalid")
	locations := []string{}
	for _, e := range p["errors"].([]any) {
		locations = append(locations, e.(map[string]any)["location"].(string))
	}
	require.Subset(t, locations, []string{"body.kind", "body.name", "body.extra"})

	requireProblem(t, b.do(http.MethodPost, "/v1/organisations", b.admin, `{"kind": "e2c",`), http.StatusBadRequest, "bad_request")
	// Field names are case-sensitive: NAME is an unknown field, not name.
	p = requireProblem(t, b.do(http.MethodPost, "/v1/organisations", b.admin, `{"kind": "e2c", "NAME": "x", "town": "Niort"}`),
		http.StatusUnprocessableEntity, "invalid")
	require.Contains(t, string(mustJSON(t, p["errors"])), "body.NAME")
	big := make([]byte, 1<<20+10)
	for i := range big {
		big[i] = ' '
	}
	requireProblem(t, b.do(http.MethodPost, "/v1/organisations", b.admin, big), http.StatusRequestEntityTooLarge, "too_large")
	requireProblem(t, b.do(http.MethodGet, "/v1/organisations/not-a-uuid", b.admin, nil), http.StatusUnprocessableEntity, "invalid")
}
