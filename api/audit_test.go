package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAuditPagesLikeEveryList: the audit log pages with cursor, next_cursor
// and an absolute Link that keeps the filters, as every list does.
func TestAuditPagesLikeEveryList(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, name := range []string{"E2C Caen", "E2C Rouen", "E2C Le Havre"} {
		requireStatus(t, http.StatusCreated, b.do(http.MethodPost, "/v1/organisations", b.admin,
			map[string]any{"kind": "e2c", "name": name, "town": "Caen"}))
	}
	var ids []any
	path := "/v1/audit?resource_type=organisation&limit=2"
	for range 3 {
		r := b.do(http.MethodGet, path, b.admin, nil)
		requireStatus(t, http.StatusOK, r)
		body := r.json(t)
		for _, e := range body["items"].([]any) {
			require.Equal(t, "organisation", e.(map[string]any)["resource_type"])
			ids = append(ids, e.(map[string]any)["id"])
		}
		next, _ := body["next_cursor"].(string)
		if next == "" {
			require.Empty(t, r.Header.Get("Link"))
			break
		}
		link := r.Header.Get("Link")
		require.True(t, strings.HasPrefix(link, "<http://127.0.0.1/v1/audit?"), link)
		require.Contains(t, link, "resource_type=organisation")
		path = strings.TrimPrefix(strings.TrimSuffix(link, `>; rel="next"`), "<http://127.0.0.1")
	}
	require.Len(t, ids, 3, "every entry once, oldest first")
	require.Less(t, ids[0].(float64), ids[1].(float64))
	require.Less(t, ids[1].(float64), ids[2].(float64))
	requireProblem(t, b.do(http.MethodGet, "/v1/audit?cursor=bogus", b.admin, nil), http.StatusBadRequest, "bad_request")
}
