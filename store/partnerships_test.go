package store_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/internal/testdb"
	"github.com/passerelle-dev/passerelle/jobs"
	"github.com/passerelle-dev/passerelle/store"
)

// newStore returns a store over a database of the test's own.
func newStore(t *testing.T) *store.Store {
	t.Helper()
	pool := testdb.NewPool(t)
	st := store.New(pool, nil)
	rc, err := jobs.NewClient(pool, st, jobs.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	st.SetRiver(rc)
	return st
}

// newSIRET is a SIRET no other test of the package uses (setup_test.go's sequence).
func newSIRET() string { return siret() }

func newOrganisation(t *testing.T, st *store.Store, name string) uuid.UUID {
	t.Helper()
	o, err := st.CreateOrganisation(context.Background(), passerelle.System, store.OrganisationInput{Kind: "e2c", Name: name, Town: "Caen"})
	require.NoError(t, err)
	return o.ID
}

func companyInput(siret, name string) store.CompanyInput {
	return store.CompanyInput{SIRET: siret, Name: name,
		Address:  store.Address{Street: "1 rue de la Gare", PostalCode: "14000", Town: "Caen"},
		Contacts: []store.Contact{{Name: "Camille Martin", Email: "camille@example.fr"}}}
}

// TestPartnershipIsDecidedByTheCompany walks the rule of docs/tenancy.md
// through the store, as the API and the web console call it.
func TestPartnershipIsDecidedByTheCompany(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStore(t)
	orgA, orgB := newOrganisation(t, st, "A"), newOrganisation(t, st, "B")
	adviserA := passerelle.Principal{Role: passerelle.RoleAdviser, OrganisationID: orgA}
	adviserB := passerelle.Principal{Role: passerelle.RoleAdviser, OrganisationID: orgB}
	integratorB := passerelle.Principal{Role: passerelle.RoleIntegrator, OrganisationID: orgB}
	siret := newSIRET()
	c, err := st.CreateCompany(ctx, adviserA, companyInput(siret, "Boulangerie"))
	require.NoError(t, err)
	company := passerelle.Principal{Role: passerelle.RoleCompany, CompanyID: c.ID}
	otherCompany := passerelle.Principal{Role: passerelle.RoleCompany, CompanyID: uuid.New()}
	keyFor := store.KeyInput{Name: "k", Role: passerelle.RoleCompany, CompanyID: &c.ID}

	// The registering organisation is the active steward.
	ps, _, err := st.ListPartnerships(ctx, adviserA, store.PartnershipFilter{}, store.Page{})
	require.NoError(t, err)
	require.Len(t, ps, 1)
	require.Equal(t, passerelle.PartnershipActive, ps[0].Status)
	require.True(t, ps[0].Steward)
	require.Equal(t, passerelle.RoleAdviser, ps[0].DecidedByRole)
	require.NotNil(t, ps[0].DecidedAt)

	// B's request is pending, once: asking again returns it unchanged.
	p, created, err := st.CreatePartnership(ctx, adviserB, siret, nil)
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, passerelle.PartnershipPending, p.Status)
	require.False(t, p.Steward)
	require.Nil(t, p.DecidedAt)
	again, created, err := st.CreatePartnership(ctx, integratorB, siret, &orgB)
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, p, again)

	// Pending: B reaches nothing of the company's.
	notFound := func(err error) {
		t.Helper()
		require.Equal(t, passerelle.ENotFound, passerelle.ErrorCode(err), "%v", err)
	}
	forbidden := func(err error) {
		t.Helper()
		require.Equal(t, passerelle.EForbidden, passerelle.ErrorCode(err), "%v", err)
	}
	for _, b := range []passerelle.Principal{adviserB, integratorB} {
		_, err = st.GetCompany(ctx, b, c.ID)
		notFound(err)
		_, err = st.UpdateCompany(ctx, b, c.ID, nil, companyInput(siret, "Reprise"))
		notFound(err)
		cs, _, err := st.ListCompanies(ctx, b, store.CompanyFilter{SIRET: siret}, store.Page{})
		require.NoError(t, err)
		require.Empty(t, cs)
	}
	_, _, err = st.CreateKey(ctx, adviserB, keyFor)
	notFound(err)

	// Only the company (or an admin) decides; another company does not see it.
	_, err = st.DecidePartnership(ctx, adviserB, orgB, c.ID, passerelle.PartnershipActive)
	forbidden(err)
	_, err = st.DecidePartnership(ctx, adviserA, orgB, c.ID, passerelle.PartnershipActive)
	forbidden(err)
	_, err = st.DecidePartnership(ctx, otherCompany, orgB, c.ID, passerelle.PartnershipActive)
	notFound(err)
	_, err = st.DecidePartnership(ctx, company, uuid.New(), c.ID, passerelle.PartnershipActive)
	notFound(err)
	_, err = st.DecidePartnership(ctx, company, orgB, c.ID, passerelle.PartnershipPending)
	require.Equal(t, passerelle.EConflict, passerelle.ErrorCode(err), "%v", err)

	// The company lists the request, and accepts it; accepting again changes nothing.
	ps, _, err = st.ListPartnerships(ctx, company, store.PartnershipFilter{Status: passerelle.PartnershipPending}, store.Page{})
	require.NoError(t, err)
	require.Len(t, ps, 1)
	require.Equal(t, orgB, ps[0].OrganisationID)
	ps, _, err = st.ListPartnerships(ctx, otherCompany, store.PartnershipFilter{}, store.Page{})
	require.NoError(t, err)
	require.Empty(t, ps)
	accepted, err := st.DecidePartnership(ctx, company, orgB, c.ID, passerelle.PartnershipActive)
	require.NoError(t, err)
	require.Equal(t, passerelle.PartnershipActive, accepted.Status)
	require.Equal(t, passerelle.RoleCompany, accepted.DecidedByRole)
	require.NotNil(t, accepted.DecidedAt)
	twice, err := st.DecidePartnership(ctx, company, orgB, c.ID, passerelle.PartnershipActive)
	require.NoError(t, err)
	require.Equal(t, accepted, twice)

	// Active: B sees the company, but neither edits it nor issues its keys.
	_, err = st.GetCompany(ctx, adviserB, c.ID)
	require.NoError(t, err)
	_, err = st.UpdateCompany(ctx, integratorB, c.ID, nil, companyInput(siret, "Reprise"))
	forbidden(err)
	_, _, err = st.CreateKey(ctx, adviserB, keyFor)
	forbidden(err)

	// The steward, the company and admins may; the company issues keys for itself only.
	_, err = st.UpdateCompany(ctx, adviserA, c.ID, nil, companyInput(siret, "Boulangerie du Marché"))
	require.NoError(t, err)
	_, err = st.UpdateCompany(ctx, company, c.ID, nil, companyInput(siret, "Boulangerie du Marché"))
	require.NoError(t, err)
	k, _, err := st.CreateKey(ctx, adviserA, keyFor)
	require.NoError(t, err)
	_, _, err = st.CreateKey(ctx, company, keyFor)
	require.NoError(t, err)
	_, _, err = st.CreateKey(ctx, otherCompany, keyFor)
	notFound(err)
	_, _, err = st.CreateKey(ctx, company, store.KeyInput{Name: "k", Role: passerelle.RoleAdviser, OrganisationID: &orgA})
	forbidden(err)
	keys, _, err := st.ListKeys(ctx, adviserB, store.Page{})
	require.NoError(t, err)
	require.Empty(t, keys, "B is no steward: it lists no key of the company")
	keys, _, err = st.ListKeys(ctx, company, store.Page{})
	require.NoError(t, err)
	require.Len(t, keys, 2)
	_, err = st.RevokeKey(ctx, adviserB, k.ID)
	notFound(err)
	_, err = st.RevokeKey(ctx, company, k.ID)
	require.NoError(t, err)

	// The company ends it: B is back to nothing, and asking again does not reopen it.
	refused, err := st.DecidePartnership(ctx, company, orgB, c.ID, passerelle.PartnershipRefused)
	require.NoError(t, err)
	require.Equal(t, passerelle.PartnershipRefused, refused.Status)
	_, err = st.GetCompany(ctx, adviserB, c.ID)
	notFound(err)
	again, created, err = st.CreatePartnership(ctx, adviserB, siret, nil)
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, passerelle.PartnershipRefused, again.Status)
}

// TestAdminPartnershipIsActive: an admin links an organisation at once.
func TestAdminPartnershipIsActive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStore(t)
	orgA, orgB := newOrganisation(t, st, "A"), newOrganisation(t, st, "B")
	siret := newSIRET()
	c, err := st.CreateCompany(ctx, passerelle.System, companyInput(siret, "Garage"))
	require.NoError(t, err)
	ps, _, err := st.ListPartnerships(ctx, passerelle.System, store.PartnershipFilter{}, store.Page{})
	require.NoError(t, err)
	require.Empty(t, ps, "an admin's company has no partner, and no steward")

	p, created, err := st.CreatePartnership(ctx, passerelle.System, siret, &orgA)
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, passerelle.PartnershipActive, p.Status)
	require.Equal(t, passerelle.RoleAdmin, p.DecidedByRole)
	require.False(t, p.Steward)
	adviserA := passerelle.Principal{Role: passerelle.RoleAdviser, OrganisationID: orgA}
	_, err = st.GetCompany(ctx, adviserA, c.ID)
	require.NoError(t, err)
	_, err = st.UpdateCompany(ctx, adviserA, c.ID, nil, companyInput(siret, "Garage"))
	require.Equal(t, passerelle.EForbidden, passerelle.ErrorCode(err), "an active partner that is not the steward edits nothing: %v", err)

	// An admin also decides for the company.
	adviserB := passerelle.Principal{Role: passerelle.RoleAdviser, OrganisationID: orgB}
	_, _, err = st.CreatePartnership(ctx, adviserB, siret, nil)
	require.NoError(t, err)
	p, err = st.DecidePartnership(ctx, passerelle.System, orgB, c.ID, passerelle.PartnershipRefused)
	require.NoError(t, err)
	require.Equal(t, passerelle.PartnershipRefused, p.Status)
	require.Equal(t, passerelle.RoleAdmin, p.DecidedByRole)
}
