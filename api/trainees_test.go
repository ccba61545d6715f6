package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
)

// traineeBody is a valid trainee of an organisation whose adviser is referent.
func traineeBody(referent uuid.UUID) map[string]any {
	return map[string]any{
		"referent_id": referent,
		"identity":    map[string]any{"first_name": "Inès", "last_name": "Exemple", "birth_date": "2006-05-12", "email": "ines@example.org"},
		"profile": map[string]any{"home_postal_code": "95500", "mobility_radius_km": 20, "wanted_kinds": []any{"apprenticeship"},
			"wanted_rome_codes": []any{"M1805"}, "languages": []any{"fr"},
			"skills": []any{
				map[string]any{"name": "HTML/CSS", "evidence": "open_badge", "badge_url": "https://badges.example.org/a/1"},
				map[string]any{"name": "Git", "evidence": "declared"},
			},
			"availability": []any{map[string]any{"from": "2026-12-01", "to": "2027-06-30"}}},
	}
}

// traineeTenant is an organisation with an adviser, its key and a trainee.
type traineeTenant struct {
	org, adviser, trainee uuid.UUID
	key                   string
}

func newTraineeTenant(t *testing.T, b *bundle, name string) traineeTenant {
	t.Helper()
	tt := traineeTenant{org: b.organisation(name)}
	tt.key = b.adviserKey(tt.org)
	r := b.do(http.MethodPost, "/v1/organisations/"+tt.org.String()+"/advisers", b.admin, adviserBody(name))
	requireStatus(t, http.StatusCreated, r)
	tt.adviser = mustUUID(t, r.json(t)["id"].(string))
	r = b.do(http.MethodPost, "/v1/organisations/"+tt.org.String()+"/trainees", tt.key, traineeBody(tt.adviser))
	requireStatus(t, http.StatusCreated, r)
	tt.trainee = mustUUID(t, r.json(t)["id"].(string))
	return tt
}

func TestTraineeLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tt := newTraineeTenant(t, b, "Gonesse")

	r := b.do(http.MethodGet, "/v1/trainees/"+tt.trainee.String(), tt.key, nil)
	requireStatus(t, http.StatusOK, r)
	tr := r.json(t)
	require.Equal(t, `"1"`, r.Header.Get("ETag"))
	profile := tr["profile"].(map[string]any)
	require.Equal(t, "Gonesse", profile["home_town"], "the commune comes from the postal code")
	require.InDelta(t, 48.99, profile["home_latitude"], 0.05)
	require.Equal(t, "active", tr["status"])
	require.NotContains(t, tr, "rqth")

	// Replacement with If-Match; a stale version is refused.
	body := traineeBody(tt.adviser)
	body["status"], body["exit_date"], body["exit_reason"] = "exited", "2026-11-15", "formation qualifiante"
	r = b.do(http.MethodPut, "/v1/trainees/"+tt.trainee.String(), tt.key, body, "If-Match", `"1"`)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, "exited", r.json(t)["status"])
	r = b.do(http.MethodPut, "/v1/trainees/"+tt.trainee.String(), tt.key, body, "If-Match", `"1"`)
	requireProblem(t, r, http.StatusPreconditionFailed, passerelle.EPrecondition)

	// The list filters by status, and every identity read is audited.
	r = b.do(http.MethodGet, "/v1/organisations/"+tt.org.String()+"/trainees?status=exited", tt.key, nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, []string{tt.trainee.String()}, pageIDs(t, r))
	r = b.do(http.MethodGet, "/v1/organisations/"+tt.org.String()+"/trainees?status=active", tt.key, nil)
	require.Empty(t, pageIDs(t, r))

	// The next page's link keeps the filters.
	for range 2 {
		requireStatus(t, http.StatusCreated, b.do(http.MethodPost, "/v1/organisations/"+tt.org.String()+"/trainees", tt.key,
			traineeBody(tt.adviser)))
	}
	r = b.do(http.MethodGet, "/v1/organisations/"+tt.org.String()+"/trainees?status=active&referent_id="+tt.adviser.String()+"&limit=1",
		tt.key, nil)
	require.Len(t, pageIDs(t, r), 1)
	require.Contains(t, r.Header.Get("Link"), "status=active")
	require.Contains(t, r.Header.Get("Link"), "referent_id="+tt.adviser.String())
	var reads int
	require.NoError(t, b.pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE action = 'read_identity' AND resource_id = $1`,
		tt.trainee).Scan(&reads))
	require.Equal(t, 2, reads, "one GET and one list returned the trainee; the lists of active ones did not")
}

func TestTraineeValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tt := newTraineeTenant(t, b, "Meaux")
	other := newTraineeTenant(t, b, "Niort")
	path := "/v1/organisations/" + tt.org.String() + "/trainees"

	for name, c := range map[string]struct {
		edit  func(map[string]any)
		field string
	}{
		"unknown postal code":              {func(m map[string]any) { m["profile"].(map[string]any)["home_postal_code"] = "00000" }, "body.profile.home_postal_code"},
		"referent of another organisation": {func(m map[string]any) { m["referent_id"] = other.adviser }, "body.referent_id"},
		"bad ROME code": {func(m map[string]any) { m["profile"].(map[string]any)["wanted_rome_codes"] = []any{"Z9999"} },
			"body.profile.wanted_rome_codes[0]"},
		"open badge without URL": {func(m map[string]any) {
			m["profile"].(map[string]any)["skills"] = []any{map[string]any{"name": "Git", "evidence": "open_badge"}}
		}, "body.profile.skills[0].badge_url"},
		"window ending before it starts": {func(m map[string]any) {
			m["profile"].(map[string]any)["availability"] = []any{map[string]any{"from": "2027-01-10", "to": "2027-01-01"}}
		}, "body.profile.availability[0].to"},
		"exited without exit date": {func(m map[string]any) { m["status"] = "exited" }, "body.exit_date"},
		"RQTH without consent":     {func(m map[string]any) { m["rqth"] = true }, "body.rqth"},
		"too young":                {func(m map[string]any) { m["identity"].(map[string]any)["birth_date"] = "2020-01-01" }, "body.identity.birth_date"},
	} {
		t.Run(name, func(t *testing.T) {
			body := traineeBody(tt.adviser)
			c.edit(body)
			p := requireProblem(t, b.do(http.MethodPost, path, tt.key, body), http.StatusUnprocessableEntity, passerelle.EInvalid)
			require.Contains(t, fieldLocations(p), c.field)
		})
	}
	var n int
	require.NoError(t, b.pool.QueryRow(t.Context(), `SELECT count(*) FROM trainees WHERE organisation_id = $1`, tt.org).Scan(&n))
	require.Equal(t, 1, n, "no refused trainee was saved")
}

func TestTraineeTenancy(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := newTraineeTenant(t, b, "Longvic")
	other := newTraineeTenant(t, b, "Poitiers")
	id := other.trainee.String()
	for _, path := range []string{"/v1/trainees/" + id, "/v1/trainees/" + id + "/consents", "/v1/trainees/" + id + "/suggestions"} {
		requireProblem(t, b.do(http.MethodGet, path, a.key, nil), http.StatusNotFound, passerelle.ENotFound)
	}
	requireProblem(t, b.do(http.MethodPost, "/v1/trainees/"+id+"/match", a.key, nil), http.StatusNotFound, passerelle.ENotFound)
	requireProblem(t, b.do(http.MethodPost, "/v1/trainees/"+id+"/consents", a.key, map[string]any{"scope": "matching"}),
		http.StatusNotFound, passerelle.ENotFound)
	requireProblem(t, b.do(http.MethodPut, "/v1/trainees/"+id, a.key, traineeBody(a.adviser)), http.StatusNotFound, passerelle.ENotFound)

	// A match started by one organisation is not another's to follow.
	r := b.do(http.MethodPost, "/v1/trainees/"+other.trainee.String()+"/match", other.key, nil)
	requireStatus(t, http.StatusAccepted, r)
	location := r.Header.Get("Location")
	require.Regexp(t, `^http://127\.0\.0\.1/v1/jobs/[0-9a-f-]{36}$`, location)
	job := strings.TrimPrefix(location, "http://127.0.0.1")
	requireStatus(t, http.StatusOK, b.do(http.MethodGet, job, other.key, nil))
	requireProblem(t, b.do(http.MethodGet, job, a.key, nil), http.StatusNotFound, passerelle.ENotFound)

	// A company never reads a trainee.
	r = b.do(http.MethodPost, "/v1/companies", b.admin, companyBody("Garage"))
	requireStatus(t, http.StatusCreated, r)
	company := mustUUID(t, r.json(t)["id"].(string))
	requireProblem(t, b.do(http.MethodGet, "/v1/trainees/"+id, b.companyKey(company), nil), http.StatusForbidden, passerelle.EForbidden)
}

func TestConsents(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tt := newTraineeTenant(t, b, "Hérouville")
	base := "/v1/trainees/" + tt.trainee.String()

	r := b.do(http.MethodPost, base+"/consents", tt.key, map[string]any{"scope": "rqth", "note": "formulaire signé"})
	requireStatus(t, http.StatusCreated, r)
	rqth := r.json(t)
	require.Equal(t, true, rqth["active"])
	requireProblem(t, b.do(http.MethodPost, base+"/consents", tt.key, map[string]any{"scope": "rqth"}), http.StatusConflict, passerelle.EConflict)
	p := requireProblem(t, b.do(http.MethodPost, base+"/consents", tt.key, map[string]any{"scope": "reveal_identity"}),
		http.StatusUnprocessableEntity, passerelle.EInvalid)
	require.Equal(t, []string{"body.offer_id"}, fieldLocations(p))

	// With the consent, RQTH is stored; withdrawn, it is erased.
	body := traineeBody(tt.adviser)
	body["rqth"] = true
	r = b.do(http.MethodPut, base, tt.key, body)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, true, r.json(t)["rqth"])
	r = b.do(http.MethodPost, base+"/consents/"+rqth["id"].(string)+"/withdraw", tt.key, nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, false, r.json(t)["active"])
	r = b.do(http.MethodGet, base, tt.key, nil)
	require.NotContains(t, r.json(t), "rqth")
	var stored *bool
	require.NoError(t, b.pool.QueryRow(t.Context(), `SELECT rqth FROM trainees WHERE id = $1`, tt.trainee).Scan(&stored))
	require.Nil(t, stored, "the RQTH status is gone from the database")

	// The history keeps both records; a new consent can follow a withdrawal.
	requireStatus(t, http.StatusCreated, b.do(http.MethodPost, base+"/consents", tt.key, map[string]any{"scope": "rqth"}))
	r = b.do(http.MethodGet, base+"/consents", tt.key, nil)
	requireStatus(t, http.StatusOK, r)
	require.Len(t, r.json(t)["items"], 2)
}
