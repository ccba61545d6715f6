package web_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/webtest"
)

// TestCompanies lists the programme's partner companies as the store does,
// opens one with its contacts and its offers in every status; another
// programme's company is the 404 page, as an unknown one.
func TestCompanies(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	p := adviserOf(t, e, webtest.GonesseAdviser)
	companies, _, err := e.Store.ListCompanies(t.Context(), p, store.CompanyFilter{}, store.Page{Limit: 25})
	require.NoError(t, err)
	require.NotEmpty(t, companies)

	e.SignIn(webtest.GonesseAdviser)
	e.ClickAndWait(`nav a[href="/console/companies"]`)
	require.Equal(t, "Entreprises partenaires", e.H1())
	for _, c := range companies {
		require.Contains(t, e.Text("main"), c.Name)
	}
	e.Axe()
	e.Screenshot("companies")

	c := companies[0]
	offers, _, err := e.Store.ListOffers(t.Context(), p, store.OfferFilter{CompanyID: c.ID}, store.Page{Limit: 25})
	require.NoError(t, err)
	require.NotEmpty(t, offers)
	e.ClickAndWait(`a[href="/console/companies/` + c.ID.String() + `"]`)
	require.Equal(t, c.Name, e.H1())
	main := e.Text("main")
	require.Contains(t, main, c.SIRET)
	for _, o := range offers {
		require.Contains(t, main, o.Title)
	}
	for _, ct := range c.Contacts {
		require.Contains(t, main, ct.Name)
	}
	e.Axe()
	e.Screenshot("company")

	other := adviserOf(t, e, webtest.NormandyAdviser)
	theirs, _, err := e.Store.ListCompanies(t.Context(), other, store.CompanyFilter{}, store.Page{Limit: 1})
	require.NoError(t, err)
	require.NotEmpty(t, theirs)
	client := e.SessionClient(webtest.GonesseAdviser)
	for _, id := range []string{theirs[0].ID.String(), uuid.NewString(), "pas-un-id"} {
		resp, _ := e.Get(client, "/console/companies/"+id)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, id)
	}
	resp, body := e.Get(client, "/console/companies")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotContains(t, body, theirs[0].Name, "another programme's company is not listed")
	resp, _ = e.Get(e.Client(), "/console/companies")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "signed out goes to sign in")
}
