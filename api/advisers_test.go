package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/store"
)

func TestAdvisersLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	org := b.organisation("E2C Normandie")
	key := b.adviserKey(org)

	body := map[string]any{"name": "Camille Martin", "email": "camille.martin@e2c-normandie.fr",
		"notification_preferences": map[string]any{"proposal.created": "daily_digest", "offer.expiring": "off"}}
	r := b.do(http.MethodPost, "/v1/organisations/"+org.String()+"/advisers", key, body, "Idempotency-Key", "adviser-1")
	requireStatus(t, http.StatusCreated, r)
	a := r.json(t)
	id := a["id"].(string)
	require.Equal(t, "http://127.0.0.1/v1/advisers/"+id, r.Header.Get("Location"))
	require.Equal(t, `"1"`, r.Header.Get("ETag"))
	require.Equal(t, org.String(), a["organisation_id"])
	require.NotEmpty(t, a["created_at"])
	require.NotEmpty(t, a["updated_at"])
	// Every event type is listed with the delivery that applies; the ones
	// left out are instant.
	prefs := a["notification_preferences"].(map[string]any)
	require.Len(t, prefs, len(store.EventTypes))
	require.Equal(t, "daily_digest", prefs["proposal.created"])
	require.Equal(t, "off", prefs["offer.expiring"])
	require.Equal(t, "instant", prefs["trainee.erased"])

	// A retry with the same Idempotency-Key replays the first answer.
	r = b.do(http.MethodPost, "/v1/organisations/"+org.String()+"/advisers", key, body, "Idempotency-Key", "adviser-1")
	requireStatus(t, http.StatusCreated, r)
	require.Equal(t, "true", r.Header.Get("Idempotent-Replayed"))
	require.Equal(t, id, r.json(t)["id"])

	r = b.do(http.MethodGet, "/v1/advisers/"+id, key, nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, `"1"`, r.Header.Get("ETag"))
	require.Equal(t, "Camille Martin", r.json(t)["name"])

	// Replace with the current ETag; preferences left out return to instant.
	body = map[string]any{"name": "Camille Martin-Leroy", "email": "camille.martin@e2c-normandie.fr"}
	r = b.do(http.MethodPut, "/v1/advisers/"+id, key, body, "If-Match", `"1"`)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, `"2"`, r.Header.Get("ETag"))
	updated := r.json(t)
	require.Equal(t, "Camille Martin-Leroy", updated["name"])
	require.Equal(t, "instant", updated["notification_preferences"].(map[string]any)["proposal.created"])
	// A stale ETag: 412, and nothing changes.
	requireProblem(t, b.do(http.MethodPut, "/v1/advisers/"+id, key, map[string]any{"name": "X", "email": "x@example.org"}, "If-Match", `"1"`),
		http.StatusPreconditionFailed, "precondition_failed")
	r = b.do(http.MethodGet, "/v1/advisers/"+id, key, nil)
	require.Equal(t, `"2"`, r.Header.Get("ETag"))
	require.Equal(t, "Camille Martin-Leroy", r.json(t)["name"])

	// Both writes are audited, with ids and field names but no personal data.
	entries := auditOf(t, b, id)
	require.Len(t, entries, 2)
	require.Equal(t, "create", entries[0]["action"])
	require.Equal(t, "update", entries[1]["action"])
	require.Equal(t, "adviser", entries[1]["resource_type"])
	require.Equal(t, org.String(), entries[1]["organisation_id"])
	require.ElementsMatch(t, []any{"name", "notification_preferences"}, entries[1]["details"].(map[string]any)["changed"])
	raw := string(b.do(http.MethodGet, "/v1/audit?resource_type=adviser", b.admin, nil).body)
	require.NotContains(t, raw, "e2c-normandie.fr")
	require.NotContains(t, raw, "Camille")
}

func TestAdvisersTenancy(t *testing.T) {
	t.Parallel()
	b := setup(t)
	requireMemberTenancy(t, b, "advisers", func() map[string]any {
		return map[string]any{"name": "Dominique Petit", "email": uuid.NewString()[:8] + "@mission-locale.fr"}
	})
}

// requireMemberTenancy checks who may reach an organisation's members
// (advisers or cohorts): another organisation's answer 404 to its advisers and
// integrators, whether by the member's id or the organisation's; companies
// are refused outright (403); the organisation's own integrator may create.
func requireMemberTenancy(t *testing.T, b *bundle, resource string, body func() map[string]any) {
	t.Helper()
	mine, theirs := b.organisation("Fabrique numérique de Gonesse"), b.organisation("Cité Apprenti.e")
	r := b.do(http.MethodPost, "/v1/organisations/"+theirs.String()+"/"+resource, b.admin, body())
	requireStatus(t, http.StatusCreated, r)
	theirID := r.json(t)["id"].(string)

	integrator := b.integratorKey(mine)
	r = b.do(http.MethodPost, "/v1/organisations/"+mine.String()+"/"+resource, integrator, body())
	requireStatus(t, http.StatusCreated, r)
	myID := r.json(t)["id"].(string)

	for role, key := range map[string]string{"adviser": b.adviserKey(mine), "integrator": integrator} {
		t.Run(role, func(t *testing.T) {
			requireStatus(t, http.StatusOK, b.do(http.MethodGet, "/v1/"+resource+"/"+myID, key, nil))
			requireProblem(t, b.do(http.MethodGet, "/v1/"+resource+"/"+theirID, key, nil), http.StatusNotFound, "not_found")
			requireProblem(t, b.do(http.MethodPut, "/v1/"+resource+"/"+theirID, key, body()), http.StatusNotFound, "not_found")
			requireProblem(t, b.do(http.MethodGet, "/v1/organisations/"+theirs.String()+"/"+resource, key, nil), http.StatusNotFound, "not_found")
			requireProblem(t, b.do(http.MethodPost, "/v1/organisations/"+theirs.String()+"/"+resource, key, body()), http.StatusNotFound, "not_found")
			r := b.do(http.MethodGet, "/v1/organisations/"+mine.String()+"/"+resource, key, nil)
			requireStatus(t, http.StatusOK, r)
			require.Equal(t, []string{myID}, pageIDs(t, r))
		})
	}

	// An admin reaches any organisation's; an organisation that does not
	// exist is not found.
	requireStatus(t, http.StatusOK, b.do(http.MethodGet, "/v1/"+resource+"/"+myID, b.admin, nil))
	requireProblem(t, b.do(http.MethodPost, "/v1/organisations/"+uuid.NewString()+"/"+resource, b.admin, body()), http.StatusNotFound, "not_found")
	requireProblem(t, b.do(http.MethodGet, "/v1/organisations/"+uuid.NewString()+"/"+resource, b.admin, nil), http.StatusNotFound, "not_found")

	company := b.companyKey(b.partnerCompany(mine))
	for _, req := range []struct{ method, path string }{
		{http.MethodPost, "/v1/organisations/" + mine.String() + "/" + resource},
		{http.MethodGet, "/v1/organisations/" + mine.String() + "/" + resource},
		{http.MethodGet, "/v1/" + resource + "/" + myID},
		{http.MethodPut, "/v1/" + resource + "/" + myID},
	} {
		var reqBody any
		if req.method != http.MethodGet {
			reqBody = body()
		}
		requireProblem(t, b.do(req.method, req.path, company, reqBody), http.StatusForbidden, "forbidden")
	}
}

func TestAdvisersEmailIsUniquePerOrganisation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	org, other := b.organisation("E2C Normandie"), b.organisation("Mission Locale de Meaux")
	key := b.adviserKey(org)
	path := "/v1/organisations/" + org.String() + "/advisers"

	requireStatus(t, http.StatusCreated, b.do(http.MethodPost, path, key, map[string]any{"name": "Sam", "email": "Sam.Durand@Example.org"}))
	p := requireProblem(t, b.do(http.MethodPost, path, key, map[string]any{"name": "Sam D.", "email": "sam.durand@example.ORG"}),
		http.StatusConflict, "conflict")
	require.Equal(t, []string{"body.email"}, fieldLocations(p))
	require.NotContains(t, p["detail"], "sam.durand", "the problem names the field, not the address")

	// Another organisation may have an adviser with the same address.
	requireStatus(t, http.StatusCreated, b.do(http.MethodPost, "/v1/organisations/"+other.String()+"/advisers", b.admin,
		map[string]any{"name": "Sam", "email": "sam.durand@example.org"}))

	// Taking a colleague's address on replacement is the same conflict.
	r := b.do(http.MethodPost, path, key, map[string]any{"name": "Alex", "email": "alex@example.org"})
	requireStatus(t, http.StatusCreated, r)
	requireProblem(t, b.do(http.MethodPut, "/v1/advisers/"+r.json(t)["id"].(string), key, map[string]any{"name": "Alex", "email": "SAM.durand@example.org"}),
		http.StatusConflict, "conflict")
}

func TestAdvisersValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	org := b.organisation("E2C Normandie")
	path := "/v1/organisations/" + org.String() + "/advisers"
	for _, tc := range []struct {
		name     string
		body     map[string]any
		location string
	}{
		{"unknown event type", map[string]any{"name": "A", "email": "a@example.org",
			"notification_preferences": map[string]any{"offer.deleted": "instant"}}, "body.notification_preferences.offer.deleted"},
		{"unknown delivery", map[string]any{"name": "A", "email": "a@example.org",
			"notification_preferences": map[string]any{"offer.published": "weekly"}}, "body.notification_preferences.offer.published"},
		{"preferences not an object", map[string]any{"name": "A", "email": "a@example.org", "notification_preferences": []any{}}, "body.notification_preferences"},
		{"bad email", map[string]any{"name": "A", "email": "not an email"}, "body.email"},
		{"empty name", map[string]any{"name": "", "email": "a@example.org"}, "body.name"},
		{"missing email", map[string]any{"name": "A"}, "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := requireProblem(t, b.do(http.MethodPost, path, b.admin, tc.body), http.StatusUnprocessableEntity, "invalid")
			require.Contains(t, fieldLocations(p), tc.location)
		})
	}
	// Event types differing only in case are not event types either.
	p := requireProblem(t, b.do(http.MethodPost, path, b.admin, map[string]any{"name": "A", "email": "a@example.org",
		"notification_preferences": map[string]any{"Offer.Published": "off"}}), http.StatusUnprocessableEntity, "invalid")
	require.Equal(t, []string{"body.notification_preferences.Offer.Published"}, fieldLocations(p))
}

func TestAdvisersPagination(t *testing.T) {
	t.Parallel()
	b := setup(t)
	org := b.organisation("E2C Normandie")
	var created []string
	for i := range 3 {
		r := b.do(http.MethodPost, "/v1/organisations/"+org.String()+"/advisers", b.admin,
			map[string]any{"name": "Référent", "email": "referent" + string(rune('a'+i)) + "@example.org"})
		requireStatus(t, http.StatusCreated, r)
		created = append(created, r.json(t)["id"].(string))
	}
	ids, pages := followPages(t, b, b.admin, "/v1/organisations/"+org.String()+"/advisers?limit=2")
	require.Equal(t, 2, pages)
	require.ElementsMatch(t, created, ids)
}

func TestAdvisersUpdatedSince(t *testing.T) {
	t.Parallel()
	b := setup(t)
	org := b.organisation("E2C Normandie")
	path := "/v1/organisations/" + org.String() + "/advisers"
	requireStatus(t, http.StatusCreated, b.do(http.MethodPost, path, b.admin, map[string]any{"name": "Old", "email": "old@example.org"}))
	_, err := b.pool.Exec(t.Context(), `UPDATE advisers SET updated_at = now() - interval '1 day'`)
	require.NoError(t, err)
	r := b.do(http.MethodPost, path, b.admin, map[string]any{"name": "New", "email": "new@example.org"})
	requireStatus(t, http.StatusCreated, r)
	since := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)

	r = b.do(http.MethodGet, path+"?updated_since="+url.QueryEscape(since), b.admin, nil)
	requireStatus(t, http.StatusOK, r)
	items := r.json(t)["items"].([]any)
	require.Len(t, items, 1)
	require.Equal(t, "New", items[0].(map[string]any)["name"])
	r = b.do(http.MethodGet, path, b.admin, nil)
	require.Len(t, pageIDs(t, r), 2)
}

// followPages reads a list from first to last page through its Link headers,
// checking that each Link carries the page's next_cursor and that the last
// page has neither. It returns the ids seen and the number of pages.
func followPages(t *testing.T, b *bundle, key, first string) (ids []string, pages int) {
	t.Helper()
	for next := first; next != ""; {
		r := b.do(http.MethodGet, next, key, nil)
		requireStatus(t, http.StatusOK, r)
		pages++
		ids = append(ids, pageIDs(t, r)...)
		cursor, _ := r.json(t)["next_cursor"].(string)
		link := r.Header.Get("Link")
		if cursor == "" {
			require.Empty(t, link, "no Link on the last page")
			next = ""
			continue
		}
		require.True(t, strings.HasSuffix(link, `>; rel="next"`), link)
		u, err := url.Parse(strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`))
		require.NoError(t, err)
		require.Equal(t, cursor, u.Query().Get("cursor"))
		next = u.RequestURI()
	}
	return ids, pages
}

// auditOf returns the audit entries of one resource, oldest first.
func auditOf(t *testing.T, b *bundle, id string) []map[string]any {
	t.Helper()
	r := b.do(http.MethodGet, "/v1/audit?resource_id="+id, b.admin, nil)
	requireStatus(t, http.StatusOK, r)
	var out []map[string]any
	for _, it := range r.json(t)["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

// partnerCompany makes a company partnering with org, straight in the
// database: these tests need a company key, not the companies API.
func (b *bundle) partnerCompany(org uuid.UUID) uuid.UUID {
	b.t.Helper()
	id := uuid.New()
	siret := strings.ReplaceAll(id.String(), "-", "")
	digits := make([]byte, 14)
	for i := range digits {
		digits[i] = '0' + siret[i]%10
	}
	_, err := b.pool.Exec(b.t.Context(), `INSERT INTO companies (id, siret, name) VALUES ($1, $2, 'Boulangerie du Marché')`, id, string(digits))
	require.NoError(b.t, err)
	_, err = b.pool.Exec(b.t.Context(), `INSERT INTO partnerships (organisation_id, company_id, status, steward) VALUES ($1, $2, 'active', true)`, org, id)
	require.NoError(b.t, err)
	return id
}
