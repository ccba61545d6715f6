package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/reference"
)

// adminKey creates an admin key through the CLI, as an operator would.
func (tm *testMain) adminKey(t *testing.T) string {
	t.Helper()
	env := func(k string) string { return map[string]string{"DATABASE_URL": tm.Config.DatabaseURL}[k] }
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"keys", "create", "--role", "admin", "--name", "e2e", "--quiet"}, &out, &errOut, env),
		errOut.String())
	return strings.TrimSpace(out.String())
}

// call sends body as JSON with key and returns the status and the raw body.
func (tm *testMain) call(t *testing.T, key, method, path string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader = bytes.NewReader(nil)
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		r = bytes.NewReader(b)
	}
	resp, data := tm.do(t, method, path, r, "Authorization", "Bearer "+key, "Content-Type", "application/json")
	return resp.StatusCode, data
}

// callJSON is call, decoding the body, and failing unless the status is want.
func (tm *testMain) callJSON(t *testing.T, key, method, path string, body any, want int) map[string]any {
	t.Helper()
	status, data := tm.call(t, key, method, path, body)
	require.Equal(t, want, status, "%s %s: %s", method, path, data)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	return m
}

// eventually polls check every 100 ms until it holds or within passes.
func eventually(t *testing.T, within time.Duration, what string, check func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !check(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
	}
}

// Sentinels put in a trainee's identity and health fields; none may ever
// reach a company, the search index or an event.
var sentinels = []string{"Sentinelprenom", "Sentinelnom", "sentinel.mail@example.org", "06 99 99 99 99", "2007-04-19", "rqth"}

// TestMatchingEndToEnd: a trainee's profile edited through the API is matched
// by the real worker, and the suggestion listed with its score and reasons;
// consents gate matching; a manual match is followed as a job; and nothing of
// the trainee's identity or RQTH status reaches a company, the index or an
// event.
func TestMatchingEndToEnd(t *testing.T) {
	t.Parallel()
	tm := startMain(t, setupOpts{})
	admin := tm.adminKey(t)
	post := func(key, path string, body any, want int) map[string]any {
		t.Helper()
		return tm.callJSON(t, key, http.MethodPost, path, body, want)
	}
	get := func(key, path string) map[string]any {
		t.Helper()
		return tm.callJSON(t, key, http.MethodGet, path, nil, http.StatusOK)
	}

	org := post(admin, "/v1/organisations", map[string]any{"name": "Fabrique numérique de Gonesse", "kind": "programme", "town": "Gonesse"}, http.StatusCreated)
	orgID := org["id"].(string)
	referent := post(admin, "/v1/organisations/"+orgID+"/advisers",
		map[string]any{"name": "Camille Référente", "email": "camille@example.org"}, http.StatusCreated)
	company := post(admin, "/v1/companies", map[string]any{"siret": reference.CompleteSIRET("4430618410004"), "name": "Boulangerie du Marché",
		"address": map[string]any{"street": "1 rue de la Gare", "postal_code": "95500", "town": "Gonesse"}, "disability_friendly": true}, http.StatusCreated)
	companyKey := post(admin, "/v1/api-keys", map[string]any{"name": "boulangerie", "role": "company", "company_id": company["id"]},
		http.StatusCreated)["key"].(string)
	offer := func(kind, title, rome, postalCode string) string {
		o := post(companyKey, "/v1/offers", map[string]any{"kind": kind, "title": title, "rome_codes": []any{rome},
			"postal_code": postalCode, "start_date": time.Now().AddDate(0, 0, 20).Format(time.DateOnly), "positions": 2,
			"required_skills": []any{"Hygiène alimentaire"}}, http.StatusCreated)
		post(companyKey, "/v1/offers/"+o["id"].(string)+"/publish", nil, http.StatusOK)
		return o["id"].(string)
	}
	apprenticeship := offer("apprenticeship", "Apprenti·e boulanger·ère", "D1102", "95500")
	internship := offer("internship", "Stage vendeur·se en boulangerie", "D1106", "93200") // Saint-Denis, ~10 km
	far := offer("apprenticeship", "Apprenti·e boulanger·ère à Lyon", "D1102", "69001")

	profile := map[string]any{"home_postal_code": "95500", "mobility_radius_km": 25, "wanted_kinds": []any{"apprenticeship"},
		"wanted_rome_codes": []any{"D1102"}, "transport_modes": []any{"public_transport"},
		"skills": []any{map[string]any{"name": "hygiene alimentaire", "evidence": "adviser_validated"}}}
	trainee := map[string]any{"referent_id": referent["id"], "profile": profile,
		"identity": map[string]any{"first_name": sentinels[0], "last_name": sentinels[1], "email": sentinels[2], "phone": sentinels[3],
			"birth_date": sentinels[4]}}
	tr := post(admin, "/v1/organisations/"+orgID+"/trainees", trainee, http.StatusCreated)
	trID := tr["id"].(string)
	suggestions := func() []any { return get(admin, "/v1/trainees/"+trID+"/suggestions")["items"].([]any) }
	offerIDs := func(items []any) []string {
		var ids []string
		for _, it := range items {
			ids = append(ids, it.(map[string]any)["offer"].(map[string]any)["id"].(string))
		}
		return ids
	}

	// Without a matching consent, a match runs and suggests nothing.
	job := post(admin, "/v1/trainees/"+trID+"/match", nil, http.StatusAccepted)
	jobPath := "/v1/jobs/" + job["id"].(string)
	eventually(t, 20*time.Second, "the match job completes", func() bool { return get(admin, jobPath)["state"] == "completed" })
	done := get(admin, jobPath)
	require.Equal(t, 1.0, done["progress"])
	require.Equal(t, false, done["result"].(map[string]any)["matchable"], "no consent, no matching")
	require.Empty(t, suggestions())

	// The consent alone starts the match: the apprenticeship nearby is
	// suggested, explained; the one in Lyon is out of reach.
	post(admin, "/v1/trainees/"+trID+"/consents", map[string]any{"scope": "matching", "note": "formulaire signé"}, http.StatusCreated)
	eventually(t, 20*time.Second, "the apprenticeship is suggested", func() bool { return len(suggestions()) == 1 })
	s := suggestions()[0].(map[string]any)
	require.Equal(t, apprenticeship, s["offer"].(map[string]any)["id"])
	require.Equal(t, "suggested", s["status"])
	sum := 0.0
	details := map[string]string{}
	for _, r := range s["reasons"].([]any) {
		sum += r.(map[string]any)["points"].(float64)
		details[r.(map[string]any)["code"].(string)] = r.(map[string]any)["detail"].(string)
	}
	require.Equal(t, s["score"], sum, "the reasons add up to the score")
	require.Equal(t, "exact ROME code D1102", details["rome"], "reasons: %v", s["reasons"])
	require.Contains(t, details["skills"], "1/1", "the accent-free skill matches the required one")
	require.NotContains(t, offerIDs(suggestions()), far)

	// The profile is edited: the trainee now wants an internship. The
	// apprenticeship suggestion is withdrawn and the internship suggested.
	profile["wanted_kinds"] = []any{"internship"}
	profile["wanted_rome_codes"] = []any{"D1106"}
	status, body := tm.call(t, admin, http.MethodPut, "/v1/trainees/"+trID, trainee)
	require.Equal(t, http.StatusOK, status, "%s", body)
	eventually(t, 20*time.Second, "the internship replaces the apprenticeship", func() bool {
		ids := offerIDs(suggestions())
		return len(ids) == 1 && ids[0] == internship
	})

	// RQTH, with its consent: stored, used, and never shown to anyone else.
	post(admin, "/v1/trainees/"+trID+"/consents", map[string]any{"scope": "rqth"}, http.StatusCreated)
	trainee["rqth"] = true
	status, body = tm.call(t, admin, http.MethodPut, "/v1/trainees/"+trID, trainee)
	require.Equal(t, http.StatusOK, status, "%s", body)
	require.Contains(t, string(body), `"rqth":true`)
	consents := get(admin, "/v1/trainees/"+trID+"/consents")["items"].([]any)
	rqthConsent := consents[len(consents)-1].(map[string]any)
	require.Equal(t, "rqth", rqthConsent["scope"])
	post(admin, "/v1/trainees/"+trID+"/consents/"+rqthConsent["id"].(string)+"/withdraw", nil, http.StatusOK)
	require.NotContains(t, get(admin, "/v1/trainees/"+trID), "rqth", "withdrawing the consent erases the RQTH status")
	delete(trainee, "rqth")

	// The adviser proposes the internship to the company, which sees a
	// pseudonymous candidate.
	proposal := suggestions()[0].(map[string]any)["proposal_id"].(string)
	post(admin, "/v1/proposals/"+proposal+"/transitions", map[string]any{"to": "proposed", "reason": "profil motivé"}, http.StatusOK)
	seen := get(companyKey, "/v1/proposals/"+proposal)
	require.Contains(t, fmt.Sprint(seen), "Candidat", "the company sees a pseudonym: %v", seen)

	// What a company can read: offers, search, proposals, and the trainee
	// routes (403).
	for _, path := range []string{"/v1/proposals", "/v1/proposals/" + proposal, "/v1/proposals/" + proposal + "/transitions",
		"/v1/offers", "/v1/offers/search?q=boulanger", "/v1/offers/" + internship,
		"/v1/trainees/" + trID, "/v1/trainees/" + trID + "/suggestions", "/v1/organisations/" + orgID + "/trainees"} {
		_, data := tm.call(t, companyKey, http.MethodGet, path, nil)
		requireNoSentinel(t, "company GET "+path, data)
	}

	// Events and the search index.
	conn, err := pgx.Connect(context.Background(), tm.Config.DatabaseURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), `SELECT type, payload::text FROM events`)
	require.NoError(t, err)
	var types []string
	var typ, payload string
	_, err = pgx.ForEachRow(rows, []any{&typ, &payload}, func() error {
		types = append(types, typ)
		requireNoSentinel(t, "event "+typ, []byte(payload))
		return nil
	})
	require.NoError(t, err)
	require.Contains(t, types, "proposal.created")
	require.Contains(t, types, "proposal.status_changed")

	// The national index holds every offer's document (the geographic
	// shards hold the same documents, with their point).
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, tm.Config.MeiliURL+"/indexes/"+tm.Config.MeiliIndexPrefix+"offers_national/documents?limit=1000", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tm.Config.MeiliMasterKey)
	eventually(t, 20*time.Second, "the index holds the three offers", func() bool {
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		docs, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		requireNoSentinel(t, "search index", docs)
		return strings.Count(string(docs), `"company_id"`) == 3
	})
}

// requireNoSentinel fails when data holds any sentinel value.
func requireNoSentinel(t *testing.T, where string, data []byte) {
	t.Helper()
	lower := strings.ToLower(string(data))
	for _, s := range sentinels {
		require.NotContains(t, lower, strings.ToLower(s), "%s leaks %q: %s", where, s, data)
	}
}
