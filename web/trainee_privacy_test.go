package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/web/webtest"
)

// TestTraineeExportAndErasure: from the trainee's page an adviser downloads
// the export (the API's document, built by the same store function) and
// erases the trainee after a confirmation page; then the trainee's page is
// the 404 page, and the pipeline shows the kept proposal as "Personne
// effacée", with no link and no name.
func TestTraineeExportAndErasure(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	ctx := t.Context()
	p := adviserOf(t, e, webtest.GonesseAdviser)
	// A trainee of the adviser with a proposal past the suggestion stage,
	// so that the pipeline has a card of theirs.
	var id uuid.UUID
	var name, status string
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT t.id, t.first_name || ' ' || t.last_name, p.status
		FROM trainees t JOIN advisers a ON a.id = t.referent_id JOIN proposals p ON p.trainee_id = t.id
		WHERE a.email = $1 AND p.status NOT IN ('suggested', 'shortlisted') ORDER BY t.id LIMIT 1`,
		webtest.GonesseAdviser).Scan(&id, &name, &status))
	base := "/console/trainees/" + id.String()

	// The export: an attachment, the store's document.
	c := e.SessionClient(webtest.GonesseAdviser)
	resp, body := e.Get(c, base+"/export")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	require.Equal(t, `attachment; filename="trainee-`+id.String()+`.json"`, resp.Header.Get("Content-Disposition"))
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	x, err := e.Store.ExportTrainee(ctx, p, id)
	require.NoError(t, err)
	raw, err := json.Marshal(x)
	require.NoError(t, err)
	var want map[string]any
	require.NoError(t, json.Unmarshal(raw, &want))
	require.Equal(t, "passerelle.trainee-export/1", got["format"])
	for _, section := range []string{"trainee", "guardian_consent_missing", "consents", "proposals", "placements", "followups"} {
		require.Equal(t, want[section], got[section], section)
	}
	require.NotEmpty(t, got["proposals"])

	// The page, its buttons, the confirmation page.
	e.SignIn(webtest.GonesseAdviser)
	e.Visit(base)
	require.Equal(t, name, e.H1())
	require.Contains(t, e.Text("#donnees"), "Exporter les données")
	e.ClickAndWait(`#donnees a[href="` + base + `/erasure"]`)
	require.Equal(t, "Effacer les données de "+name, e.H1())
	require.Contains(t, e.Text("main"), "ne peut pas être annulé")
	e.Axe()
	e.Screenshot("trainee-erase")
	e.ClickAndWait(`main form[action="` + base + `/erasure"] button[type="submit"]`)
	require.Equal(t, "/console/trainees?ok=efface", e.Path())
	require.Contains(t, e.Text("main"), "Données du stagiaire effacées.")
	require.NotContains(t, e.Text("main"), name)

	e.Visit(base)
	require.Equal(t, "Page introuvable", e.H1())
	resp, _ = e.Get(c, base+"/export")
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "an erased trainee has nothing to export")
	resp, _ = e.Post(c, base+"/erasure", url.Values{}, "")
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "nor to erase again")

	e.Visit("/console/proposals?statut=" + url.QueryEscape(status))
	card := e.Text("#proposal-" + cardOf(t, e, id, status).String())
	require.Contains(t, card, "Personne effacée")
	require.NotContains(t, e.Text("main"), name)
	_, page := e.Get(c, "/console/proposals?statut="+url.QueryEscape(status))
	require.NotContains(t, page, `href="`+base+`"`, "no link to the erased trainee's 404")
	e.Axe()
	e.Screenshot("pipeline-erased")
}

// cardOf is the id of the trainee's proposal in status.
func cardOf(t *testing.T, e *webtest.Env, trainee uuid.UUID, status string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT id FROM proposals WHERE trainee_id = $1 AND status = $2
		ORDER BY id LIMIT 1`, trainee, status).Scan(&id))
	return id
}

// TestGuardianConsentMissingBadge: a trainee under 15 without a guardian's
// consent shows the badge; once it is recorded, the badge goes.
func TestGuardianConsentMissingBadge(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	id := traineeOf(t, e, webtest.GonesseAdviser)
	_, err := e.Store.Pool().Exec(t.Context(), `UPDATE trainees SET birth_date = (current_date - interval '14 years')::date WHERE id = $1`, id)
	require.NoError(t, err)
	_, err = e.Store.Pool().Exec(t.Context(), `DELETE FROM consents WHERE trainee_id = $1 AND scope = 'guardian'`, id)
	require.NoError(t, err)
	base := "/console/trainees/" + id.String()
	e.SignIn(webtest.GonesseAdviser)
	e.Visit(base)
	require.Equal(t, "consentement du représentant légal manquant", e.Text("#guardian-missing"))
	e.Axe()
	e.Screenshot("trainee-minor")

	c := e.SessionClient(webtest.GonesseAdviser)
	resp, _ := e.Post(c, base+"/consents", url.Values{"scope": {"guardian"}, "note": {"Signature du père, formulaire papier"}}, "")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp, body := e.Get(c, base)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotContains(t, body, "représentant légal manquant")
}
