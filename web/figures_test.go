package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/webtest"
)

// adviserOf is the principal of the demo adviser with this email, as the
// console builds it (without a session).
func adviserOf(t *testing.T, e *webtest.Env, email string) passerelle.Principal {
	t.Helper()
	p := passerelle.Principal{Role: passerelle.RoleAdviser}
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT id, organisation_id FROM advisers WHERE email = $1`, email).
		Scan(&p.AdviserID, &p.OrganisationID))
	return p
}

// TestFigures shows the Gonesse programme's figures as the store computes
// them, draws a chart above each table, and exports the API's CSV.
func TestFigures(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	want, err := e.Store.ProgrammeStatsFor(t.Context(), adviserOf(t, e, webtest.GonesseAdviser), store.StatsFilter{})
	require.NoError(t, err)
	require.Positive(t, want.TraineesEnrolled, "the demo enrols trainees")

	e.SignIn(webtest.GonesseAdviser)
	e.ClickAndWait(`nav a[href="/console/figures"]`)
	require.Equal(t, "Chiffres du programme", e.H1())
	require.Contains(t, e.Text("#funnel-table"), fmt.Sprintf("Stagiaires inscrits\t%d", want.TraineesEnrolled))
	require.Contains(t, e.Text("#funnel-table"), fmt.Sprintf("Stagiaires placés\t%d", want.TraineesPlaced))
	require.Contains(t, e.Text("#replies-table"), fmt.Sprintf("Ont répondu\t%d", want.CompanyReplies.Count))
	require.Contains(t, e.Text("#kinds-table"), fmt.Sprintf("Apprentissage\t%d", want.PlacementsByKind[store.KindApprenticeship]))
	e.WaitFor(`[data-chart="funnel-table"] canvas`)
	require.Equal(t, 4, webtest.Run(e, chromedpCount(".chart canvas")), "one chart per table")
	e.Axe()
	e.Screenshot("figures")

	c := e.SessionClient(webtest.GonesseAdviser)
	resp, body := e.Get(c, "/console/figures.csv")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/csv; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Equal(t, string(want.CSV()), body, "the console exports the API's file")
}

// TestFiguresFilter: a cohort narrows the figures; a period that ends before
// it starts is said next to its field; another organisation's cohort is 404.
func TestFiguresFilter(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	p := adviserOf(t, e, webtest.GonesseAdviser)
	cohorts, _, err := e.Store.ListCohorts(t.Context(), p, p.OrganisationID, store.Page{Limit: 1})
	require.NoError(t, err)
	require.NotEmpty(t, cohorts)
	want, err := e.Store.ProgrammeStatsFor(t.Context(), p, store.StatsFilter{CohortID: &cohorts[0].ID})
	require.NoError(t, err)

	e.SignIn(webtest.GonesseAdviser)
	e.Visit("/console/figures?cohort_id=" + cohorts[0].ID.String())
	require.Contains(t, e.Text("#funnel-table"), fmt.Sprintf("Stagiaires inscrits\t%d", want.TraineesEnrolled))

	e.Visit("/console/figures?from=2026-06-01&to=2026-01-01")
	require.Contains(t, e.Text("main"), "Fin de la période : doit être le même jour ou après la date de début")
	e.Axe()

	c := e.SessionClient(webtest.GonesseAdviser)
	resp, _ := e.Get(c, "/console/figures?from=pas-une-date")
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	other := adviserOf(t, e, webtest.NormandyAdviser)
	theirs, _, err := e.Store.ListCohorts(t.Context(), other, other.OrganisationID, store.Page{Limit: 1})
	require.NoError(t, err)
	require.NotEmpty(t, theirs)
	for _, id := range []string{theirs[0].ID.String(), uuid.NewString()} {
		resp, body := e.Get(c, "/console/figures?cohort_id="+id)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, body)
		resp, _ = e.Get(c, "/console/figures.csv?cohort_id="+id)
		require.Equal(t, http.StatusNotFound, resp.StatusCode)
	}
	resp, _ = e.Get(e.Client(), "/console/figures")
	require.True(t, resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound, resp.Status)
	require.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/console/signin"))
}
