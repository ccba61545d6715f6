package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/internal/testsmtp"
	"github.com/passerelle-dev/passerelle/reference"
)

// webhookReceiver is an integrator's endpoint started by the test: it keeps
// every body it is sent.
type webhookReceiver struct {
	mu     sync.Mutex
	bodies []string
}

func (wr *webhookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	wr.mu.Lock()
	wr.bodies = append(wr.bodies, string(b))
	wr.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (wr *webhookReceiver) all() []string {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	return append([]string(nil), wr.bodies...)
}

// indexDocuments reads every document of every index of the test's prefix
// (the national index and the geographic shards), from Meilisearch itself.
func (tm *testMain) indexDocuments(t *testing.T) map[string]string {
	t.Helper()
	get := func(path string) []byte {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, tm.Config.MeiliURL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tm.Config.MeiliMasterKey)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, b)
		return b
	}
	var list struct {
		Results []struct {
			UID string `json:"uid"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal(get("/indexes?limit=1000"), &list))
	docs := map[string]string{}
	for _, ix := range list.Results {
		if strings.HasPrefix(ix.UID, tm.Config.MeiliIndexPrefix) {
			docs[ix.UID] = string(get("/indexes/" + ix.UID + "/documents?limit=10000"))
		}
	}
	return docs
}

// TestRQTHSentinelJourney: a trainee who has an RQTH, but gave no RQTH
// consent, goes through a whole journey (suggestions, a proposal to a
// company, the company's answers, the placement) and nothing lets anyone
// infer it.
//
// What is checked, and why:
//   - The adviser tries to record the RQTH without the consent: refused (422),
//     the one response allowed to name it, since the adviser sent it.
//   - Every other API response of the journey, whoever reads it, holds no
//     "rqth" (no field, no reason code, no message), except those about the
//     third trainee below, whose RQTH is recorded with its consent.
//   - No difference visible: a twin trainee with the same profile and no
//     RQTH at all gets exactly the same suggestions, scores and reasons
//     (code, points and detail) for the same offers — the accessibility
//     component included, at a company that welcomes RQTH workers
//     (disability_friendly). A third trainee whose RQTH is recorded with
//     its consent scores differently, which shows the comparison can fail.
//   - What a company sees (its API responses), every email sent (SMTP of
//     internal/testsmtp), every webhook body (a receiver started here,
//     registered by an admin so that it gets every event), every document
//     of every Meilisearch index of the test (national and shards) and every
//     log line (Main's slog output) holds none of the trainee's identity
//     sentinels, no "rqth", "handicap" or "accessib" (the matching
//     component) and no score or reasons (which is where an accessibility
//     difference would show). The company's and offer's own
//     disability_friendly flag is public and says nothing of the trainee:
//     it is not looked for.
//
// It ends with the trainee's erasure, and checks what comes after it.
func TestRQTHSentinelJourney(t *testing.T) {
	t.Parallel()
	mail := testsmtp.Start(t)
	hooks := &webhookReceiver{}
	receiver := httptest.NewServer(hooks)
	t.Cleanup(receiver.Close)
	tm := startMain(t, setupOpts{config: func(c *Config) {
		c.SMTPURL = mail.URL
		c.WebhookAllowLoopback = true
	}})
	admin := tm.adminKey(t)
	var responses []string // every response of the journey but the refusal
	call := func(key, method, path string, body any, want int) map[string]any {
		t.Helper()
		status, data := tm.call(t, key, method, path, body)
		require.Equal(t, want, status, "%s %s: %s", method, path, data)
		responses = append(responses, method+" "+path+": "+string(data))
		var m map[string]any
		if len(data) > 0 {
			require.NoError(t, json.Unmarshal(data, &m))
		}
		return m
	}
	post := func(key, path string, body any, want int) map[string]any {
		t.Helper()
		return call(key, http.MethodPost, path, body, want)
	}
	get := func(key, path string) map[string]any {
		t.Helper()
		return call(key, http.MethodGet, path, nil, http.StatusOK)
	}

	post(admin, "/v1/webhooks", map[string]any{"url": receiver.URL + "/hook", "description": "intégrateur de test"}, http.StatusCreated)
	org := post(admin, "/v1/organisations", map[string]any{"name": "Fabrique numérique de Gonesse", "kind": "programme", "town": "Gonesse"}, http.StatusCreated)
	orgID := org["id"].(string)
	referent := post(admin, "/v1/organisations/"+orgID+"/advisers",
		map[string]any{"name": "Camille Référente", "email": "camille@example.org"}, http.StatusCreated)
	company := post(admin, "/v1/companies", map[string]any{"siret": reference.CompleteSIRET("4430618410004"), "name": "Boulangerie du Marché",
		"address": map[string]any{"street": "1 rue de la Gare", "postal_code": "95500", "town": "Gonesse"}, "disability_friendly": true,
		"contacts": []any{map[string]any{"name": "Dominique Tutrice", "email": "tutrice@example.org"}}}, http.StatusCreated)
	companyKey := post(admin, "/v1/api-keys", map[string]any{"name": "boulangerie", "role": "company", "company_id": company["id"]},
		http.StatusCreated)["key"].(string)
	o := post(companyKey, "/v1/offers", map[string]any{"kind": "apprenticeship", "title": "Apprenti·e boulanger·ère", "rome_codes": []any{"D1102"},
		"postal_code": "95500", "start_date": time.Now().AddDate(0, 0, 20).Format(time.DateOnly), "positions": 3,
		"required_skills": []any{"Hygiène alimentaire"}}, http.StatusCreated)
	offerID := o["id"].(string)
	post(companyKey, "/v1/offers/"+offerID+"/publish", nil, http.StatusOK)

	profile := map[string]any{"home_postal_code": "95500", "mobility_radius_km": 25, "wanted_kinds": []any{"apprenticeship"},
		"wanted_rome_codes": []any{"D1102"}, "transport_modes": []any{"public_transport"},
		"skills": []any{map[string]any{"name": "hygiene alimentaire", "evidence": "adviser_validated"}}}
	// newTrainee registers a trainee and gives the matching consent (which
	// starts matching); with rqth, the RQTH and its consent are recorded first.
	newTrainee := func(first, last, email, phone string, rqth bool) (map[string]any, string) {
		tr := map[string]any{"referent_id": referent["id"], "profile": profile,
			"identity": map[string]any{"first_name": first, "last_name": last, "email": email, "phone": phone, "birth_date": "2003-04-19"}}
		id := post(admin, "/v1/organisations/"+orgID+"/trainees", tr, http.StatusCreated)["id"].(string)
		if rqth {
			post(admin, "/v1/trainees/"+id+"/consents", map[string]any{"scope": "rqth"}, http.StatusCreated)
			tr["rqth"] = true
			status, body := tm.call(t, admin, http.MethodPut, "/v1/trainees/"+id, tr)
			require.Equal(t, http.StatusOK, status, "%s", body)
		}
		post(admin, "/v1/trainees/"+id+"/consents", map[string]any{"scope": "matching", "note": "formulaire signé " + freeText}, http.StatusCreated)
		return tr, id
	}
	sentinel, sentinelID := newTrainee(sentinels[0], sentinels[1], sentinels[2], sentinels[3], false)
	_, twinID := newTrainee("Jumelle", "Témoin", "jumelle@example.org", "06 11 11 11 11", false)
	_, consentedID := newTrainee("Avec", "Consentement", "avec@example.org", "06 22 22 22 22", true)

	// The RQTH without its consent: refused, nothing stored.
	sentinel["rqth"] = true
	status, body := tm.call(t, admin, http.MethodPut, "/v1/trainees/"+sentinelID, sentinel)
	require.Equal(t, http.StatusUnprocessableEntity, status, "%s", body)
	delete(sentinel, "rqth")

	suggestion := func(id string) map[string]any {
		t.Helper()
		var s map[string]any
		defer func() {
			if t.Failed() {
				_, data := tm.call(t, admin, http.MethodGet, "/v1/trainees/"+id+"/suggestions", nil)
				t.Logf("suggestions of %s at the failure: %s", id, data)
			}
		}()
		eventually(t, 60*time.Second, "a suggestion for "+id, func() bool {
			_, data := tm.call(t, admin, http.MethodGet, "/v1/trainees/"+id+"/suggestions", nil)
			var m struct {
				Items []map[string]any `json:"items"`
			}
			require.NoError(t, json.Unmarshal(data, &m))
			if len(m.Items) == 1 && m.Items[0]["offer"].(map[string]any)["id"] == offerID {
				s = m.Items[0]
				return true
			}
			return false
		})
		responses = append(responses, "suggestions of "+id+": "+fmt.Sprint(s))
		return s
	}
	mine, twin, other := suggestion(sentinelID), suggestion(twinID), suggestion(consentedID)
	require.Equal(t, twin["score"], mine["score"], "no score difference with a trainee without RQTH")
	require.Equal(t, twin["reasons"], mine["reasons"], "no reason difference with a trainee without RQTH")
	require.NotEqual(t, mine["score"], other["score"], "the RQTH given with consent is used: the comparison above can fail")

	// The journey: proposed, the company answers (interview, accepted), the
	// programme places.
	proposal := mine["proposal_id"].(string)
	post(admin, "/v1/proposals/"+proposal+"/transitions", map[string]any{"to": "proposed", "reason": "profil motivé " + freeText}, http.StatusOK)
	seen := get(companyKey, "/v1/proposals/"+proposal)
	require.Contains(t, fmt.Sprint(seen), "Candidat", "the company sees a pseudonym: %v", seen)
	post(companyKey, "/v1/proposals/"+proposal+"/transitions", map[string]any{"to": "interview", "reason": "entretien mardi"}, http.StatusOK)
	post(companyKey, "/v1/proposals/"+proposal+"/transitions", map[string]any{"to": "accepted"}, http.StatusOK)
	post(admin, "/v1/proposals/"+proposal+"/transitions", map[string]any{"to": "placed", "reason": "signé " + freeText}, http.StatusOK)
	var companyViews []string
	for _, path := range []string{"/v1/proposals", "/v1/proposals/" + proposal, "/v1/proposals/" + proposal + "/transitions",
		"/v1/placements", "/v1/offers/" + offerID} {
		_, data := tm.call(t, companyKey, http.MethodGet, path, nil)
		companyViews = append(companyViews, path+": "+string(data))
	}
	get(admin, "/v1/trainees/"+sentinelID)
	get(admin, "/v1/proposals/"+proposal)
	get(admin, "/v1/placements?trainee_id="+sentinelID)

	// Every response but those about the third trainee (whose RQTH is
	// legitimately shown to the adviser): no RQTH word.
	for _, r := range responses {
		if strings.Contains(r, consentedID) {
			continue
		}
		requireNoneOf(t, "response "+r[:min(len(r), 80)], r, "rqth")
	}
	// What reaches a company, an inbox, an integrator, the index, the logs.
	leaks := append(append([]string{}, sentinels[:4]...), "rqth", "handicap", "accessib", `"score"`, `"reasons"`)
	for _, v := range companyViews {
		requireNoneOf(t, "company view "+v[:min(len(v), 60)], v, leaks...)
	}
	eventually(t, 30*time.Second, "emails and webhooks of the journey", func() bool {
		return len(mail.Messages()) > 0 && strings.Contains(strings.Join(hooks.all(), "\n"), `"to":"placed"`)
	})
	// The proposal.created event carries the suggestion's score to the
	// trainee's adviser (email) and the programme's integrators (webhook),
	// who may read it through the API too; it is the twin's score, checked
	// above, so it tells nothing: there "score" is not a leak.
	notified := append(append([]string{}, sentinels[:4]...), "rqth", "handicap", "accessib", `"reasons"`)
	for _, m := range mail.Messages() {
		text, html := m.Bodies()
		requireNoneOf(t, "email", fmt.Sprint(m.To)+text+html, notified...)
	}
	for _, b := range hooks.all() {
		requireNoneOf(t, "webhook body", b, notified...)
		if strings.Contains(b, `"proposal_id":"`+proposal+`"`) && strings.Contains(b, `"score"`) {
			require.Contains(t, b, fmt.Sprintf(`"score":%v`, twin["score"]), "the webhook's score is the twin's")
		}
	}
	docs := tm.indexDocuments(t)
	require.NotEmpty(t, docs)
	for uid, d := range docs {
		requireNoneOf(t, "index "+uid, d, leaks...)
	}
	requireNoneOf(t, "logs", tm.Logs.String(), append(leaks[:4:4], "rqth", "handicap")...)

	// Erasure (issue 16): afterwards the name, email, phone and the free-text
	// sentinel are in no index document, no email sent later, no webhook
	// body delivered later, no log line, no API answer about the pathway.
	mailsBefore, hooksBefore, logsBefore := len(mail.Messages()), len(hooks.all()), len(tm.Logs.String())
	post(admin, "/v1/trainees/"+sentinelID+"/erasure", nil, http.StatusOK)
	status, _ = tm.call(t, admin, http.MethodGet, "/v1/trainees/"+sentinelID, nil)
	require.Equal(t, http.StatusNotFound, status)
	// Later activity: the company publishes a second offer (an email-less
	// event for every integrator), and the placement ends.
	o2 := post(companyKey, "/v1/offers", map[string]any{"kind": "internship", "title": "Stage vendeur·se", "rome_codes": []any{"D1106"},
		"postal_code": "95500", "start_date": time.Now().AddDate(0, 0, 30).Format(time.DateOnly), "positions": 1}, http.StatusCreated)
	post(companyKey, "/v1/offers/"+o2["id"].(string)+"/publish", nil, http.StatusOK)
	erasedWords := append(append([]string{}, sentinels[:4]...), freeText)
	eventually(t, 30*time.Second, "the trainee.erased and offer.published webhooks", func() bool {
		later := strings.Join(hooks.all()[hooksBefore:], "\n")
		return strings.Contains(later, `"trainee.erased"`) && strings.Contains(later, o2["id"].(string))
	})
	for _, b := range hooks.all()[hooksBefore:] {
		requireNoneOf(t, "webhook body after erasure", b, erasedWords...)
	}
	for _, m := range mail.Messages()[mailsBefore:] {
		text, html := m.Bodies()
		requireNoneOf(t, "email after erasure", text+html, erasedWords...)
	}
	for uid, d := range tm.indexDocuments(t) {
		requireNoneOf(t, "index "+uid+" after erasure", d, erasedWords...)
	}
	for _, path := range []string{"/v1/proposals/" + proposal, "/v1/proposals/" + proposal + "/transitions", "/v1/placements", "/v1/events"} {
		_, data := tm.call(t, admin, http.MethodGet, path, nil)
		requireNoneOf(t, "admin GET "+path+" after erasure", string(data), erasedWords...)
	}
	requireNoneOf(t, "logs after erasure", tm.Logs.String()[logsBefore:], erasedWords...)
}

// freeText is the sentinel written in the trainee's free-text fields (consent
// notes, proposal history reasons).
const freeText = "Sentinellelibre"

// requireNoneOf fails when text holds one of the words, compared in lower
// case.
func requireNoneOf(t *testing.T, where, text string, words ...string) {
	t.Helper()
	lower := strings.ToLower(text)
	for _, w := range words {
		require.NotContains(t, lower, strings.ToLower(w), "%s reveals %q: %s", where, w, text)
	}
}
