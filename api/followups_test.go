package api

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
)

func TestRecordFollowup(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a, other := newTenant(t, b, "A"), newTenant(t, b, "B")
	adviser := a.keys[passerelle.RoleAdviser]
	path := "/v1/followups/" + a.followup.String()

	r := b.do(http.MethodGet, "/v1/followups?pending=true", adviser, nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, []string{a.followup.String()}, pageIDs(t, r))
	require.EqualValues(t, 1, r.json(t)["items"].([]any)[0].(map[string]any)["month"])

	p := requireProblem(t, b.do(http.MethodPut, path, adviser, map[string]any{"situation": "employed"}), http.StatusUnprocessableEntity, "invalid")
	require.Equal(t, []string{"body.contract_type"}, fieldLocations(p))
	p = requireProblem(t, b.do(http.MethodPut, path, adviser, map[string]any{"situation": "training", "contract_type": "cdi"}),
		http.StatusUnprocessableEntity, "invalid")
	require.Equal(t, []string{"body.contract_type"}, fieldLocations(p))
	requireProblem(t, b.do(http.MethodPut, path, other.keys[passerelle.RoleAdviser], map[string]any{"situation": "training"}),
		http.StatusNotFound, "not_found")

	r = b.do(http.MethodPut, path, adviser, map[string]any{"situation": "employed", "contract_type": "cdd", "note": "CDD de 6 mois"}, "If-Match", `"1"`)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, "employed", r.json(t)["situation"])
	require.Equal(t, "cdd", r.json(t)["contract_type"])
	require.NotNil(t, r.json(t)["recorded_at"])
	requireProblem(t, b.do(http.MethodPut, path, adviser, map[string]any{"situation": "training"}, "If-Match", `"1"`),
		http.StatusPreconditionFailed, "precondition_failed")
	r = b.do(http.MethodGet, "/v1/followups?pending=false&trainee_id="+r.json(t)["trainee_id"].(string), adviser, nil)
	require.Equal(t, []string{a.followup.String()}, pageIDs(t, r))
}
