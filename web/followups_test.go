package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/web/webtest"
)

// dueFollowupOf is a due follow-up of the organisation of the adviser with
// this email, with its trainee's name. The demo records every follow-up
// whose date has come (what the advisers heard): the first one is set back
// to "not heard yet", the state the page lists.
func dueFollowupOf(t *testing.T, e *webtest.Env, email string) (uuid.UUID, string) {
	t.Helper()
	var id uuid.UUID
	var name string
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT f.id, t.first_name || ' ' || t.last_name FROM followups f
		JOIN trainees t ON t.id = f.trainee_id JOIN advisers a ON a.organisation_id = f.organisation_id
		WHERE a.email = $1 AND f.due_date <= current_date ORDER BY f.due_date, f.id LIMIT 1`, email).
		Scan(&id, &name))
	_, err := e.Store.Pool().Exec(t.Context(), `UPDATE followups SET recorded_at = NULL, recorded_by = NULL, situation = NULL,
		contract_type = NULL, version = 1 WHERE id = $1`, id)
	require.NoError(t, err)
	return id, name
}

// TestFollowupRecordKeyboardOnly records a follow-up's outcome with the
// keyboard alone: Tab to the follow-up, Enter, pick the situation and the
// contract by typing, Tab to the button, Enter. The store holds the outcome.
func TestFollowupRecordKeyboardOnly(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	id, name := dueFollowupOf(t, e, webtest.GonesseAdviser)
	e.SignIn(webtest.GonesseAdviser)
	e.Visit("/console/followups")
	require.Equal(t, "Suivis", e.H1())
	require.Contains(t, e.Text("#due-title + ul.items"), name)
	e.Axe()
	e.Screenshot("followups")

	e.TabTo("A " + name)
	e.Enter()
	e.WaitFor("#situation")
	require.Contains(t, e.H1(), name)
	e.Axe()
	e.Screenshot("followup-record")
	e.TabTo("SELECT#situation")
	e.Type("En emploi")
	e.TabTo("SELECT#contract_type")
	e.Type("CDI")
	e.TabTo("BUTTON Enregistrer le suivi")
	e.Enter()
	e.WaitFor(".flash")
	require.Equal(t, "/console/followups?fait=enregistre", e.Path())
	require.Contains(t, e.Text(".flash"), "Le suivi est enregistré.")

	var situation, contract string
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT situation, contract_type FROM followups
		WHERE id = $1 AND recorded_at IS NOT NULL`, id).Scan(&situation, &contract))
	require.Equal(t, "employed", situation)
	require.Equal(t, "cdi", contract)
}

// TestFollowupErrorsAndTenancy: the store's rule (an employed trainee has a
// contract) comes back in French next to the field; another organisation's
// follow-up is the 404 page.
func TestFollowupErrorsAndTenancy(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	c := e.SessionClient(webtest.GonesseAdviser)
	own, _ := dueFollowupOf(t, e, webtest.GonesseAdviser)
	resp, body := e.Post(c, "/console/followups/"+own.String(), url.Values{"situation": {"employed"}, "version": {"1"}}, "")
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `<p class="error" id="contract_type-error">Type de contrat : un stagiaire en emploi a un contrat`)
	require.NotContains(t, body, "body.")

	theirs, _ := dueFollowupOf(t, e, webtest.NormandyAdviser)
	resp, _ = e.Get(c, "/console/followups/"+theirs.String())
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = e.Post(c, "/console/followups/"+theirs.String(), url.Values{"situation": {"training"}, "version": {"1"}}, "")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, body = e.Get(c, "/console/followups")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotContains(t, body, theirs.String())
}
