package web_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/webtest"
)

// TestCohorts lists the programme's cohorts as the store does, opens one with
// its trainees; another organisation's cohort is the 404 page.
func TestCohorts(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	p := adviserOf(t, e, webtest.GonesseAdviser)
	cohorts, _, err := e.Store.ListCohorts(t.Context(), p, p.OrganisationID, store.Page{Limit: 25})
	require.NoError(t, err)
	require.NotEmpty(t, cohorts)

	e.SignIn(webtest.GonesseAdviser)
	e.ClickAndWait(`nav a[href="/console/cohorts"]`)
	require.Equal(t, "Promotions", e.H1())
	for _, c := range cohorts {
		require.Contains(t, e.Text("main"), c.Name)
	}
	e.Axe()
	e.Screenshot("cohorts")

	e.ClickAndWait(`a[href="/console/cohorts/` + cohorts[0].ID.String() + `"]`)
	require.Equal(t, "Promotion "+cohorts[0].Name, e.H1())
	trainees, _, err := e.Store.ListTrainees(t.Context(), p, p.OrganisationID, store.TraineeFilter{CohortID: &cohorts[0].ID}, store.Page{Limit: 25})
	require.NoError(t, err)
	require.Equal(t, len(trainees), webtest.Run(e, chromedpCount(`#trainees-title ~ ul.items li`)))
	e.Axe()
	e.Screenshot("cohort")

	other := adviserOf(t, e, webtest.NormandyAdviser)
	theirs, _, err := e.Store.ListCohorts(t.Context(), other, other.OrganisationID, store.Page{Limit: 1})
	require.NoError(t, err)
	require.NotEmpty(t, theirs)
	c := e.SessionClient(webtest.GonesseAdviser)
	for _, id := range []string{theirs[0].ID.String(), uuid.NewString(), "pas-un-id"} {
		resp, _ := e.Get(c, "/console/cohorts/"+id)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, id)
	}
	resp, _ := e.Get(e.Client(), "/console/cohorts")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "signed out goes to sign in")
}
