package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// offerBody is a complete, valid offer of the company at Gonesse, without
// coordinates.
func offerBody(company uuid.UUID) map[string]any {
	return map[string]any{
		"company_id": company.String(), "kind": "apprenticeship", "title": "Apprenti·e boulanger·ère",
		"description": "Fabrication du pain et des viennoiseries.", "rome_codes": []any{"D1102", "D1106"},
		"required_skills": []any{"  Pétrissage ", "hygiène alimentaire"}, "optional_skills": []any{"Vente"},
		"street": "12 place du Marché", "postal_code": "95500", "remote": "none",
		"start_date": "2026-09-01", "end_date": "2027-08-31", "weekly_hours": 35, "positions": 2,
		"min_age": 16, "max_age": 29, "open_to_minors": true, "disability_friendly": true, "qualification_level": "cap_bep",
	}
}

// offerWith returns body with changes applied and keys dropped.
func offerWith(body map[string]any, changes map[string]any, drop ...string) map[string]any {
	out := map[string]any{}
	for k, v := range body {
		out[k] = v
	}
	for k, v := range changes {
		out[k] = v
	}
	for _, k := range drop {
		delete(out, k)
	}
	return out
}

// offerWorld is an organisation with an adviser and an integrator, a partner
// company X and a company Y that is not a partner, with keys.
type offerWorld struct {
	*bundle
	org                 uuid.UUID
	adviser, integrator string
	x, y                uuid.UUID
	keyX, keyY          string
	otherAdviser        string // another organisation's adviser
}

func newOfferWorld(t *testing.T) offerWorld {
	b := setup(t)
	w := offerWorld{bundle: b, org: b.organisation("Fabrique numérique de Gonesse")}
	w.adviser, w.integrator = b.adviserKey(w.org), b.integratorKey(w.org)
	w.x = b.createCompany(w.adviser, bakery(validSIRET()))
	w.y = b.createCompany(b.admin, bakery(validSIRET()))
	w.keyX, w.keyY = b.companyKey(w.x), b.companyKey(w.y)
	w.otherAdviser = b.adviserKey(b.organisation("Cité Apprenti.e"))
	return w
}

// createOffer posts body with key and returns the offer.
func (b *bundle) createOffer(key string, body map[string]any) map[string]any {
	b.t.Helper()
	r := b.do(http.MethodPost, "/v1/offers", key, body)
	requireStatus(b.t, http.StatusCreated, r)
	return r.json(b.t)
}

// act applies an action to an offer and returns the answer.
func (b *bundle) act(key, id, action string, headers ...string) response {
	b.t.Helper()
	return b.do(http.MethodPost, "/v1/offers/"+id+"/"+action, key, nil, headers...)
}

func TestCreateOfferByRole(t *testing.T) {
	t.Parallel()
	w := newOfferWorld(t)

	// A company posts its own offer; company_id may be left out.
	r := w.do(http.MethodPost, "/v1/offers", w.keyX, offerWith(offerBody(w.x), nil, "company_id"))
	requireStatus(t, http.StatusCreated, r)
	o := r.json(t)
	require.Equal(t, "http://127.0.0.1/v1/offers/"+o["id"].(string), r.Header.Get("Location"))
	require.Equal(t, `"1"`, r.Header.Get("ETag"))
	require.Equal(t, w.x.String(), o["company_id"])
	require.Equal(t, "Boulangerie du Marché", o["company_name"])
	require.Equal(t, "draft", o["status"])
	require.Equal(t, []any{"publish", "close"}, o["allowed_actions"])
	require.Equal(t, []any{"D1102", "D1106"}, o["rome_codes"])
	require.Equal(t, []any{"Boulangerie - viennoiserie", "Vente en alimentation"}, o["rome_labels"])
	require.Equal(t, []any{"Pétrissage", "hygiène alimentaire"}, o["required_skills"], "skills are trimmed")
	require.Equal(t, "2026-09-01", o["start_date"])
	require.Equal(t, "2027-08-31", o["end_date"])
	require.InDelta(t, 35.0, o["weekly_hours"], 1e-9)
	require.EqualValues(t, 2, o["positions"])
	require.EqualValues(t, 0, o["positions_filled"])
	require.Equal(t, "cap_bep", o["qualification_level"])
	require.NotContains(t, o, "published_at")
	require.NotContains(t, o, "expires_at")
	got := w.do(http.MethodGet, "/v1/offers/"+o["id"].(string), w.keyX, nil)
	requireStatus(t, http.StatusOK, got)
	require.Equal(t, o, got.json(t))

	// ...and no other company's.
	requireProblem(t, w.do(http.MethodPost, "/v1/offers", w.keyX, offerBody(w.y)), http.StatusNotFound, "not_found")

	// An adviser or integrator posts for a partner company; another is not found.
	require.Equal(t, w.x.String(), w.createOffer(w.adviser, offerBody(w.x))["company_id"])
	require.Equal(t, w.x.String(), w.createOffer(w.integrator, offerBody(w.x))["company_id"])
	requireProblem(t, w.do(http.MethodPost, "/v1/offers", w.adviser, offerBody(w.y)), http.StatusNotFound, "not_found")
	requireProblem(t, w.do(http.MethodPost, "/v1/offers", w.otherAdviser, offerBody(w.x)), http.StatusNotFound, "not_found")
	p := requireProblem(t, w.do(http.MethodPost, "/v1/offers", w.adviser, offerWith(offerBody(w.x), nil, "company_id")),
		http.StatusUnprocessableEntity, "invalid")
	require.Equal(t, []string{"body.company_id"}, fieldLocations(p))

	// An admin posts for any company; an unknown one is not found.
	require.Equal(t, w.y.String(), w.createOffer(w.admin, offerBody(w.y))["company_id"])
	requireProblem(t, w.do(http.MethodPost, "/v1/offers", w.admin, offerBody(uuid.New())), http.StatusNotFound, "not_found")

	// Defaults: one position, no remote work, no qualification.
	minimal := map[string]any{"kind": "discovery", "title": "Visite du fournil", "rome_codes": []any{"d1102"}, "postal_code": "95500"}
	o = w.createOffer(w.keyX, minimal)
	require.EqualValues(t, 1, o["positions"])
	require.Equal(t, "none", o["remote"])
	require.Equal(t, "none", o["qualification_level"])
	require.Equal(t, []any{"D1102"}, o["rome_codes"], "codes are upper-cased")
	require.Equal(t, []any{}, o["required_skills"])
	require.False(t, o["open_to_minors"].(bool))

	// Creation honours Idempotency-Key.
	first := w.do(http.MethodPost, "/v1/offers", w.keyX, minimal, "Idempotency-Key", "offer-1")
	requireStatus(t, http.StatusCreated, first)
	again := w.do(http.MethodPost, "/v1/offers", w.keyX, minimal, "Idempotency-Key", "offer-1")
	requireStatus(t, http.StatusCreated, again)
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	require.Equal(t, first.json(t)["id"], again.json(t)["id"])
}

func TestOfferLocation(t *testing.T) {
	t.Parallel()
	w := newOfferWorld(t)

	// Without coordinates, the postal code is geocoded: 95500 is Gonesse.
	o := w.createOffer(w.keyX, offerBody(w.x))
	require.Equal(t, "95500", o["postal_code"])
	require.Equal(t, "95277", o["insee_code"])
	require.Equal(t, "Gonesse", o["town"])
	require.InDelta(t, 48.99, o["latitude"], 0.02)
	require.InDelta(t, 2.45, o["longitude"], 0.02)

	// Coordinates given are kept; the commune still comes from the postal code.
	o = w.createOffer(w.keyX, offerWith(offerBody(w.x), map[string]any{"latitude": 48.9801, "longitude": 2.4602}))
	require.InDelta(t, 48.9801, o["latitude"], 1e-9)
	require.InDelta(t, 2.4602, o["longitude"], 1e-9)
	require.Equal(t, "Gonesse", o["town"])

	// insee_code picks another commune of the postal code, and its point.
	o = w.createOffer(w.keyX, offerWith(offerBody(w.x), map[string]any{"insee_code": "95612"}))
	require.Equal(t, "Le Thillay", o["town"])
	require.InDelta(t, 49.0066, o["latitude"], 0.001)

	// An unknown postal code, or a commune of another one, is a 422 on that field.
	for _, tt := range []struct {
		changes  map[string]any
		location string
	}{
		{map[string]any{"postal_code": "00000"}, "body.postal_code"},
		{map[string]any{"postal_code": "9550"}, "body.postal_code"},
		{map[string]any{"insee_code": "14327"}, "body.insee_code"},
	} {
		p := requireProblem(t, w.do(http.MethodPost, "/v1/offers", w.keyX, offerWith(offerBody(w.x), tt.changes)),
			http.StatusUnprocessableEntity, "invalid")
		require.Equal(t, []string{tt.location}, fieldLocations(p), "%v", tt.changes)
	}
	p := requireProblem(t, w.do(http.MethodPost, "/v1/offers", w.keyX, offerWith(offerBody(w.x), map[string]any{"postal_code": "00000"})),
		http.StatusUnprocessableEntity, "invalid")
	require.Contains(t, string(mustJSON(t, p["errors"])), "/v1/reference/places")
}

func TestOfferValidationNamesEveryBadField(t *testing.T) {
	t.Parallel()
	w := newOfferWorld(t)

	// Everything wrong at once: every field is named.
	all := offerWith(offerBody(w.x), map[string]any{
		"rome_codes":      []any{"Z1234", "m1805", "M1805"},
		"required_skills": []any{"  ", "Pétrissage"},
		"start_date":      "2026-09-01", "end_date": "2026-08-01",
		"min_age": 15, "max_age": 14, "open_to_minors": false,
		"postal_code": "00000",
	})
	p := requireProblem(t, w.do(http.MethodPost, "/v1/offers", w.keyX, all), http.StatusUnprocessableEntity, "invalid")
	require.ElementsMatch(t, []string{
		"body.rome_codes[0]", "body.rome_codes[2]", "body.required_skills[0]", "body.end_date",
		"body.min_age", "body.max_age", "body.max_age", "body.postal_code",
	}, fieldLocations(p), "%s", mustJSON(t, p))

	tests := []struct {
		name     string
		changes  map[string]any
		drop     []string
		fields   []string
		contains string
	}{
		{"end before start", map[string]any{"end_date": "2026-08-31"}, nil, []string{"body.end_date"}, "on or after"},
		{"end without start", nil, []string{"start_date"}, []string{"body.end_date"}, "start_date"},
		{"duration disagrees with dates", map[string]any{"duration_weeks": 10}, nil, []string{"body.duration_weeks"}, "52 or 53 weeks"},
		{"max below min", map[string]any{"min_age": 20, "max_age": 19, "open_to_minors": false}, nil, []string{"body.max_age"}, "min_age"},
		{"apprenticeship under 16", map[string]any{"min_age": 15}, nil, []string{"body.min_age"}, "16"},
		{"adults only but max under 18", map[string]any{"kind": "immersion", "min_age": 14, "max_age": 17, "open_to_minors": false}, nil, []string{"body.max_age"}, "open_to_minors"},
		{"open to minors but min 18", map[string]any{"min_age": 18, "open_to_minors": true}, nil, []string{"body.open_to_minors"}, "min_age"},
		{"no ROME code", map[string]any{"rome_codes": []any{}}, nil, []string{"body.rome_codes"}, ""},
		{"four ROME codes", map[string]any{"rome_codes": []any{"A1101", "A1102", "A1103", "A1104"}}, nil, []string{"body.rome_codes"}, ""},
		{"31 skills", map[string]any{"required_skills": strings.Split(strings.Repeat("skill,", 30)+"skill", ",")}, nil, []string{"body.required_skills"}, ""},
		{"blank title", map[string]any{"title": "   "}, nil, []string{"body.title"}, ""},
		{"unknown kind", map[string]any{"kind": "cdi"}, nil, []string{"body.kind"}, ""},
		{"unknown level", map[string]any{"qualification_level": "bac_8"}, nil, []string{"body.qualification_level"}, ""},
		{"latitude alone", map[string]any{"latitude": 48.9}, nil, []string{"body"}, "longitude"},
		{"no positions", map[string]any{"positions": 0}, nil, []string{"body.positions"}, ""},
		{"positions_filled is read-only", map[string]any{"positions_filled": 1}, nil, []string{"body.positions_filled"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := requireProblem(t, w.do(http.MethodPost, "/v1/offers", w.keyX, offerWith(offerBody(w.x), tt.changes, tt.drop...)),
				http.StatusUnprocessableEntity, "invalid")
			require.Equal(t, tt.fields, fieldLocations(p), "%s", mustJSON(t, p))
			if tt.contains != "" {
				require.Contains(t, string(mustJSON(t, p["errors"])), tt.contains)
			}
		})
	}

	// What is consistent is accepted: a duration that agrees with the dates,
	// a duration alone, an apprenticeship with no upper age (RQTH exception).
	w.createOffer(w.keyX, offerWith(offerBody(w.x), map[string]any{"duration_weeks": 52}))
	w.createOffer(w.keyX, offerWith(offerBody(w.x), map[string]any{"duration_weeks": 12}, "start_date", "end_date"))
	w.createOffer(w.keyX, offerWith(offerBody(w.x), map[string]any{"max_age": 99}))

	// Nothing invalid was written.
	r := w.do(http.MethodGet, "/v1/offers", w.admin, nil)
	requireStatus(t, http.StatusOK, r)
	require.Len(t, pageIDs(t, r), 3)
}

func TestOfferVisibility(t *testing.T) {
	t.Parallel()
	w := newOfferWorld(t)
	yDraft := w.createOffer(w.keyY, offerBody(w.y))["id"].(string)
	yPublished := w.createOffer(w.keyY, offerBody(w.y))["id"].(string)
	requireStatus(t, http.StatusOK, w.act(w.keyY, yPublished, "publish"))
	yPaused := w.createOffer(w.keyY, offerBody(w.y))["id"].(string)
	requireStatus(t, http.StatusOK, w.act(w.keyY, yPaused, "publish"))
	requireStatus(t, http.StatusOK, w.act(w.keyY, yPaused, "pause"))
	xDraft := w.createOffer(w.adviser, offerBody(w.x))["id"].(string)
	path := func(id string) string { return "/v1/offers/" + id }
	list := func(key, query string) []string {
		t.Helper()
		r := w.do(http.MethodGet, "/v1/offers"+query, key, nil)
		requireStatus(t, http.StatusOK, r)
		return pageIDs(t, r)
	}

	// A company sees its own offers in any status, and no other company's drafts.
	require.ElementsMatch(t, []string{yDraft, yPublished, yPaused}, list(w.keyY, ""))
	require.ElementsMatch(t, []string{xDraft}, list(w.keyX, ""))
	requireProblem(t, w.do(http.MethodGet, path(yDraft), w.keyX, nil), http.StatusNotFound, "not_found")
	requireProblem(t, w.do(http.MethodGet, path(yPaused), w.keyX, nil), http.StatusNotFound, "not_found")
	requireProblem(t, w.act(w.keyX, yDraft, "publish"), http.StatusNotFound, "not_found")
	requireProblem(t, w.do(http.MethodPut, path(yDraft), w.keyX, offerBody(w.y), "If-Match", `"7"`), http.StatusNotFound, "not_found")

	// Advisers and integrators: published offers of any company, every offer of their partners.
	for _, key := range []string{w.adviser, w.integrator} {
		require.ElementsMatch(t, []string{yPublished, xDraft}, list(key, ""))
		requireStatus(t, http.StatusOK, w.do(http.MethodGet, path(yPublished), key, nil))
		requireStatus(t, http.StatusOK, w.do(http.MethodGet, path(xDraft), key, nil))
		requireProblem(t, w.do(http.MethodGet, path(yDraft), key, nil), http.StatusNotFound, "not_found")
		requireProblem(t, w.do(http.MethodGet, path(yPaused), key, nil), http.StatusNotFound, "not_found")
		// Seeing a non-partner's published offer is not changing it: 403, its existence being no secret.
		requireProblem(t, w.act(key, yPublished, "pause"), http.StatusForbidden, "forbidden")
		requireProblem(t, w.do(http.MethodPut, path(yPublished), key, offerBody(w.y)), http.StatusForbidden, "forbidden")
	}
	require.ElementsMatch(t, []string{yPublished}, list(w.otherAdviser, ""))
	requireProblem(t, w.do(http.MethodGet, path(xDraft), w.otherAdviser, nil), http.StatusNotFound, "not_found")

	// Admins see everything; filters narrow within what one sees.
	require.ElementsMatch(t, []string{yDraft, yPublished, yPaused, xDraft}, list(w.admin, ""))
	require.ElementsMatch(t, []string{yDraft, yPublished, yPaused}, list(w.admin, "?company_id="+w.y.String()))
	require.ElementsMatch(t, []string{yPublished}, list(w.adviser, "?company_id="+w.y.String()))
	require.ElementsMatch(t, []string{yPaused}, list(w.keyY, "?status=paused"))
	require.Empty(t, list(w.adviser, "?status=paused"))
	p := requireProblem(t, w.do(http.MethodGet, "/v1/offers?status=archived", w.admin, nil), http.StatusUnprocessableEntity, "invalid")
	require.Equal(t, []string{"query.status"}, fieldLocations(p))
	requireProblem(t, w.do(http.MethodGet, path(uuid.NewString()), w.admin, nil), http.StatusNotFound, "not_found")
}

func TestOfferReplaceWithIfMatch(t *testing.T) {
	t.Parallel()
	w := newOfferWorld(t)
	o := w.createOffer(w.adviser, offerBody(w.x))
	id := o["id"].(string)
	path := "/v1/offers/" + id

	// Replace: optional fields left out are cleared; the company stays.
	body := offerWith(offerBody(w.x), map[string]any{"title": "Vendeur·se en boulangerie", "kind": "job"},
		"company_id", "end_date", "min_age", "max_age", "optional_skills", "weekly_hours")
	r := w.do(http.MethodPut, path, w.keyX, body, "If-Match", `"1"`)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, `"2"`, r.Header.Get("ETag"))
	updated := r.json(t)
	require.Equal(t, "Vendeur·se en boulangerie", updated["title"])
	require.Equal(t, "job", updated["kind"])
	require.Equal(t, w.x.String(), updated["company_id"])
	for _, k := range []string{"end_date", "min_age", "max_age", "weekly_hours"} {
		require.NotContains(t, updated, k)
	}
	require.Equal(t, []any{}, updated["optional_skills"])
	require.Equal(t, o["created_at"], updated["created_at"])

	// A stale ETag is 412, for replacements and transitions alike.
	p := requireProblem(t, w.do(http.MethodPut, path, w.keyX, body, "If-Match", `"1"`), http.StatusPreconditionFailed, "precondition_failed")
	require.Contains(t, p["detail"], "changed since you read it")
	requireProblem(t, w.act(w.keyX, id, "publish", "If-Match", `"1"`), http.StatusPreconditionFailed, "precondition_failed")
	r = w.act(w.keyX, id, "publish", "If-Match", `"2"`)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, `"3"`, r.Header.Get("ETag"))
	r = w.do(http.MethodGet, path, w.adviser, nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, `"3"`, r.Header.Get("ETag"))

	// The company cannot change.
	p = requireProblem(t, w.do(http.MethodPut, path, w.admin, offerBody(w.y)), http.StatusUnprocessableEntity, "invalid")
	require.Equal(t, []string{"body.company_id"}, fieldLocations(p))
	// Cross-field rules apply to replacements too, each field named.
	p = requireProblem(t, w.do(http.MethodPut, path, w.keyX, offerWith(body, map[string]any{"end_date": "2026-01-01", "min_age": 30, "max_age": 20})),
		http.StatusUnprocessableEntity, "invalid")
	require.ElementsMatch(t, []string{"body.end_date", "body.max_age", "body.open_to_minors"}, fieldLocations(p))
}

func TestOffersPagination(t *testing.T) {
	t.Parallel()
	w := newOfferWorld(t)
	want := map[string]bool{}
	for range 5 {
		id := w.createOffer(w.keyX, offerBody(w.x))["id"].(string)
		requireStatus(t, http.StatusOK, w.act(w.keyX, id, "publish"))
		want[id] = true
	}
	w.createOffer(w.keyX, offerBody(w.x)) // a draft: filtered out

	seen := map[string]bool{}
	pages := 0
	for next := "/v1/offers?status=published&limit=2"; next != ""; {
		r := w.do(http.MethodGet, next, w.adviser, nil)
		requireStatus(t, http.StatusOK, r)
		pages++
		for _, id := range pageIDs(t, r) {
			require.False(t, seen[id], "%s listed twice", id)
			seen[id] = true
		}
		link := r.Header.Get("Link")
		if link == "" {
			require.Nil(t, r.json(t)["next_cursor"])
			break
		}
		u, err := url.Parse(strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`))
		require.NoError(t, err)
		require.Equal(t, "published", u.Query().Get("status"), "the filter follows the cursor")
		require.Equal(t, r.json(t)["next_cursor"], u.Query().Get("cursor"))
		next = u.RequestURI()
	}
	require.Equal(t, want, seen)
	require.Equal(t, 3, pages)

	// A company list's cursor is not an offer list's.
	cursor := w.do(http.MethodGet, "/v1/companies?limit=1", w.admin, nil).json(t)["next_cursor"].(string)
	requireProblem(t, w.do(http.MethodGet, "/v1/offers?cursor="+url.QueryEscape(cursor), w.admin, nil), http.StatusBadRequest, "bad_request")
}
