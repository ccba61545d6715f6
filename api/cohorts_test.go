package api

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// promo is a complete cohort body.
func promo(name string) map[string]any {
	return map[string]any{"name": name, "track": "Développeur web", "start_date": "2026-09-01", "end_date": "2027-02-26",
		"capacity": 12, "targets": map[string]any{"signed_contracts": 8, "first_jobs": 3}}
}

func TestCohortsLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	org := b.organisation("Fabrique du numérique de Niort")
	key := b.integratorKey(org)

	r := b.do(http.MethodPost, "/v1/organisations/"+org.String()+"/cohorts", key, promo("Promo 2026"))
	requireStatus(t, http.StatusCreated, r)
	c := r.json(t)
	id := c["id"].(string)
	require.Equal(t, "http://127.0.0.1/v1/cohorts/"+id, r.Header.Get("Location"))
	require.Equal(t, `"1"`, r.Header.Get("ETag"))
	require.Equal(t, org.String(), c["organisation_id"])
	require.Equal(t, "2026-09-01", c["start_date"])
	require.Equal(t, "2027-02-26", c["end_date"])
	require.Equal(t, map[string]any{"signed_contracts": 8.0, "first_jobs": 3.0}, c["targets"])

	r = b.do(http.MethodGet, "/v1/cohorts/"+id, key, nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, `"1"`, r.Header.Get("ETag"))
	require.Equal(t, "Développeur web", r.json(t)["track"])

	// A cohort of one day, without targets or track.
	body := map[string]any{"name": "Immersion", "start_date": "2026-10-05", "end_date": "2026-10-05", "capacity": 15}
	r = b.do(http.MethodPut, "/v1/cohorts/"+id, key, body, "If-Match", `"1"`)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, `"2"`, r.Header.Get("ETag"))
	updated := r.json(t)
	require.Empty(t, updated["track"])
	require.Equal(t, map[string]any{}, updated["targets"])
	require.EqualValues(t, 15, updated["capacity"])
	requireProblem(t, b.do(http.MethodPut, "/v1/cohorts/"+id, key, promo("stale"), "If-Match", `"1"`),
		http.StatusPreconditionFailed, "precondition_failed")

	entries := auditOf(t, b, id)
	require.Len(t, entries, 2)
	require.Equal(t, "create", entries[0]["action"])
	require.Equal(t, "update", entries[1]["action"])
	require.Equal(t, "cohort", entries[1]["resource_type"])
	require.Equal(t, "integrator", entries[1]["actor_role"])
}

func TestCohortsTenancy(t *testing.T) {
	t.Parallel()
	b := setup(t)
	requireMemberTenancy(t, b, "cohorts", func() map[string]any { return promo("Promo") })
}

func TestCohortsValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	org := b.organisation("Cité Apprenti.e")
	path := "/v1/organisations/" + org.String() + "/cohorts"
	with := func(k string, v any) map[string]any {
		body := promo("Promo")
		body[k] = v
		return body
	}
	for _, tc := range []struct {
		name     string
		body     map[string]any
		location string
	}{
		{"end before start", with("end_date", "2026-08-31"), "body.end_date"},
		{"not a date", with("start_date", "2026-13-01"), "body.start_date"},
		{"a time, not a date", with("start_date", "2026-09-01T00:00:00Z"), "body.start_date"},
		{"no places", with("capacity", 0), "body.capacity"},
		{"negative target", with("targets", map[string]any{"signed_contracts": -1}), "body.targets.signed_contracts"},
		{"fractional target", with("targets", map[string]any{"signed_contracts": 1.5}), "body.targets.signed_contracts"},
		{"target name", with("targets", map[string]any{"Signed-Contracts": 150}), "body.targets.Signed-Contracts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := requireProblem(t, b.do(http.MethodPost, path, b.admin, tc.body), http.StatusUnprocessableEntity, "invalid")
			require.Equal(t, []string{tc.location}, fieldLocations(p))
		})
	}

	// The same rule holds on replacement.
	r := b.do(http.MethodPost, path, b.admin, promo("Promo"))
	requireStatus(t, http.StatusCreated, r)
	p := requireProblem(t, b.do(http.MethodPut, "/v1/cohorts/"+r.json(t)["id"].(string), b.admin, with("end_date", "2026-01-01")),
		http.StatusUnprocessableEntity, "invalid")
	require.Equal(t, []string{"body.end_date"}, fieldLocations(p))
}

func TestCohortsPaginationAndChangeFeed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	org := b.organisation("Hub du numérique de Meaux")
	key := b.adviserKey(org)
	path := "/v1/organisations/" + org.String() + "/cohorts"
	var created []string
	for _, name := range []string{"Fibre optique", "Promo numérique", "Remobilisation"} {
		r := b.do(http.MethodPost, path, key, promo(name))
		requireStatus(t, http.StatusCreated, r)
		created = append(created, r.json(t)["id"].(string))
	}
	ids, pages := followPages(t, b, key, path+"?limit=2")
	require.Equal(t, 2, pages)
	require.ElementsMatch(t, created, ids)

	// updated_since: only the cohort changed at or after the time.
	_, err := b.pool.Exec(t.Context(), `UPDATE cohorts SET updated_at = now() - interval '1 day'`)
	require.NoError(t, err)
	since := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	requireStatus(t, http.StatusOK, b.do(http.MethodPut, "/v1/cohorts/"+created[1], key, promo("Promo numérique 2")))
	r := b.do(http.MethodGet, path+"?updated_since="+url.QueryEscape(since), key, nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, []string{created[1]}, pageIDs(t, r))

	// A cursor belongs to its list: the advisers list's is refused here.
	for i := range 2 {
		r := b.do(http.MethodPost, "/v1/organisations/"+org.String()+"/advisers", key,
			map[string]any{"name": "Référent", "email": "referent" + string(rune('a'+i)) + "@example.org"})
		requireStatus(t, http.StatusCreated, r)
	}
	r = b.do(http.MethodGet, "/v1/organisations/"+org.String()+"/advisers?limit=1", key, nil)
	requireStatus(t, http.StatusOK, r)
	cursor := r.json(t)["next_cursor"].(string)
	p := requireProblem(t, b.do(http.MethodGet, path+"?cursor="+url.QueryEscape(cursor), key, nil), http.StatusBadRequest, "bad_request")
	require.Equal(t, []string{"query.cursor"}, fieldLocations(p))
}
