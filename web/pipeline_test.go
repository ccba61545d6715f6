package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/webtest"
)

// companyAccepts answers a proposal as its company would (the closing
// journey does it through the API; this is the same store function).
func companyAccepts(t *testing.T, e *webtest.Env, id uuid.UUID) {
	t.Helper()
	var company uuid.UUID
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT company_id FROM proposals WHERE id = $1`, id).Scan(&company))
	_, err := e.Store.TransitionProposal(t.Context(), passerelle.Principal{Role: passerelle.RoleCompany, CompanyID: company},
		id, nil, store.TransitionInput{To: store.ProposalAccepted})
	require.NoError(t, err)
}

// proposalOf is the proposal of the offer titled title.
func proposalOf(t *testing.T, e *webtest.Env, title string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT p.id FROM proposals p JOIN offers o ON o.id = p.offer_id
		WHERE o.title = $1 AND p.origin = 'adviser' ORDER BY p.created_at DESC LIMIT 1`, title).Scan(&id))
	return id
}

// TestPipelinePlaces: a proposal the company accepted shows in the
// "Acceptées" column with only the adviser's moves; choosing "Confirmer le
// placement" places it, and the placement exists.
func TestPipelinePlaces(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	title := proposeOne(t, e, webtest.GonesseAdviser)
	id := proposalOf(t, e, title)
	e.SignIn(webtest.GonesseAdviser)

	e.Visit("/console/proposals")
	require.Equal(t, "Propositions", e.H1())
	require.Contains(t, e.Text("#proposal-"+id.String()), title)
	require.Contains(t, e.Text("#proposal-"+id.String()), "expire dans 14 jours")
	// Sent to the company: the adviser may withdraw or record the trainee's
	// refusal, never answer for the company.
	require.Equal(t, []string{"declined_by_trainee", "withdrawn"}, moves(t, e, id))
	e.Axe()
	e.Screenshot("pipeline")

	companyAccepts(t, e, id)
	e.Visit("/console/proposals?statut=accepted")
	require.Equal(t, []string{"placed", "declined_by_trainee", "withdrawn"}, moves(t, e, id))
	e.Do(chromedp.SetValue(chromedp.CSS("#to-"+id.String()), "placed"))
	e.ClickAndWait("#proposal-" + id.String() + " button")
	require.Contains(t, e.Text(".flash"), "La proposition a changé d'étape.")
	require.Contains(t, e.Text("#proposal-"+id.String()), title)
	require.Contains(t, e.Text("#proposal-"+id.String()), "Aucune action possible")
	var placements int
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM placements WHERE proposal_id = $1`, id).Scan(&placements))
	require.Equal(t, 1, placements)
	e.Axe()
}

// moves lists the options of the move select of proposal id.
func moves(t *testing.T, e *webtest.Env, id uuid.UUID) []string {
	t.Helper()
	return webtest.Run(e, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#to-`+id.String()+
		` option")).map(o => o.value).filter(v => v !== "")`))
}

// TestPipelineSecurity: another organisation's proposal cannot be moved (the
// 404 page), a move the table does not allow is refused, and signed out is
// the sign-in page.
func TestPipelineSecurity(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	title := proposeOne(t, e, webtest.NormandyAdviser)
	theirs := proposalOf(t, e, title)
	c := e.SessionClient(webtest.GonesseAdviser)
	resp, _ := e.Post(c, "/console/proposals/"+theirs.String()+"/move", url.Values{"to": {"withdrawn"}, "version": {"2"}}, "")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)

	own := proposalOf(t, e, proposeOne(t, e, webtest.GonesseAdviser))
	resp, _ = e.Post(c, "/console/proposals/"+own.String()+"/move", url.Values{"to": {"accepted"}, "version": {"2"}}, "")
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "an adviser never answers for the company")
	resp, _ = e.Post(c, "/console/proposals/"+own.String()+"/move", url.Values{"to": {"placed"}, "version": {"2"}}, "")
	require.Equal(t, http.StatusConflict, resp.StatusCode, "placed only after the company accepted")
	resp, _ = e.Post(c, "/console/proposals/"+own.String()+"/move", url.Values{"to": {"withdrawn"}, "version": {"1"}}, "")
	require.Equal(t, http.StatusConflict, resp.StatusCode, "a stale version is refused")
	resp, body := e.Get(c, "/console/proposals?statut=nimporte")
	require.Equal(t, http.StatusNotFound, resp.StatusCode, body)

	// The other organisation's proposal is not listed either.
	resp, body = e.Get(c, "/console/proposals")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotContains(t, body, theirs.String())
	require.Contains(t, body, own.String())

	anon := e.Client()
	for _, path := range []string{"/console/proposals", "/console/followups", "/console/followups/" + uuid.NewString()} {
		resp, _ = e.Get(anon, path)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, path)
		require.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/console/signin"), resp.Header.Get("Location"))
	}
	resp, _ = e.Post(anon, "/console/proposals/"+own.String()+"/move", url.Values{"to": {"withdrawn"}}, "")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
}
