package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/internal/datakey"
	"github.com/passerelle-dev/passerelle/internal/testdb"
	"github.com/passerelle-dev/passerelle/reference"
	"github.com/passerelle-dev/passerelle/store"
)

// bundle is a store over a database of the test's own, with an insert-only
// River client (jobs are enqueued, never worked: these tests are about what
// the store writes), and one programme with a company and a published offer.
type bundle struct {
	t       *testing.T
	ctx     context.Context
	pool    *pgxpool.Pool
	store   *store.Store
	org     uuid.UUID
	adviser uuid.UUID
	cohort  uuid.UUID
	company uuid.UUID
	offer   uuid.UUID
}

func setup(t *testing.T) *bundle {
	t.Helper()
	pool := testdb.NewPool(t)
	rc, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	require.NoError(t, err)
	b := &bundle{t: t, ctx: t.Context(), pool: pool, store: store.New(pool, rc)}
	b.store.SetDataKeys(datakey.Ephemeral("test"))
	o, err := b.store.CreateOrganisation(b.ctx, passerelle.System, store.OrganisationInput{Kind: "e2c", Name: "E2C Test", Town: "Gonesse"})
	require.NoError(t, err)
	b.org = o.ID
	a, err := b.store.CreateAdviser(b.ctx, passerelle.System, b.org, store.AdviserInput{Name: "Référent", Email: "referent@example.org"})
	require.NoError(t, err)
	b.adviser = a.ID
	c, err := b.store.CreateCohort(b.ctx, passerelle.System, b.org, store.CohortInput{Name: "Promo", Track: "Web",
		StartDate: date("2026-09-01"), EndDate: date("2027-02-28"), Capacity: 12})
	require.NoError(t, err)
	b.cohort = c.ID
	co, err := b.store.CreateCompany(b.ctx, passerelle.System, store.CompanyInput{SIRET: siret(), Name: "Boulangerie Test",
		Address: store.Address{Street: "1 rue de la Gare", PostalCode: "95500", Town: "Gonesse"}})
	require.NoError(t, err)
	b.company = co.ID
	off, err := b.store.CreateOffer(b.ctx, passerelle.System, offerInput(b.company))
	require.NoError(t, err)
	_, err = b.store.TransitionOffer(b.ctx, passerelle.System, off.ID, nil, store.ActionPublish)
	require.NoError(t, err)
	b.offer = off.ID
	return b
}

// offerInput is a valid apprenticeship offer of company in Gonesse.
func offerInput(company uuid.UUID) store.OfferInput {
	start, end, hours, minAge, maxAge := date("2026-09-01"), date("2027-08-31"), 35.0, 16, 29
	return store.OfferInput{CompanyID: company, Kind: store.KindApprenticeship, Title: "Apprenti·e boulanger·ère",
		Description: "Fabrication du pain.", ROMECodes: []string{"D1102"}, RequiredSkills: []string{"Pétrissage"},
		PostalCode: "95500", Remote: store.RemoteNone, StartDate: &start, EndDate: &end, WeeklyHours: &hours,
		Positions: 2, MinAge: &minAge, MaxAge: &maxAge, OpenToMinors: true, QualificationLevel: store.LevelCAPBEP}
}

// traineeInput is a valid trainee of b's programme, 20 and living in Gonesse.
func (b *bundle) traineeInput() store.TraineeInput {
	return store.TraineeInput{CohortID: &b.cohort, ReferentID: b.adviser,
		Identity: store.TraineeIdentity{FirstName: "Exemple", LastName: "Fictif", BirthDate: time.Now().AddDate(-20, 0, 0),
			Email: "exemple.fictif@exemple.invalid"},
		Profile: store.TraineeProfile{HomePostalCode: "95500", MobilityRadiusKm: 20, WantedKinds: []string{store.KindApprenticeship},
			Availability: []store.Window{{From: date("2026-01-01")}}}}
}

func (b *bundle) trainee() uuid.UUID {
	b.t.Helper()
	tr, err := b.store.CreateTrainee(b.ctx, passerelle.System, b.org, b.traineeInput())
	require.NoError(b.t, err)
	return tr.ID
}

// exec runs SQL on the test's database: tests move rows in time with it.
func (b *bundle) exec(sql string, args ...any) {
	b.t.Helper()
	_, err := b.pool.Exec(b.ctx, sql, args...)
	require.NoError(b.t, err)
}

// count returns the single integer sql selects.
func (b *bundle) count(sql string, args ...any) int {
	b.t.Helper()
	var n int
	require.NoError(b.t, b.pool.QueryRow(b.ctx, sql, args...).Scan(&n))
	return n
}

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

var siretSeq atomic.Int64

// siret returns a valid SIRET no other call of the test binary returns.
func siret() string {
	n := siretSeq.Add(1)
	return reference.CompleteSIRET(fmt.Sprintf("4%012d", n*7919%1_000_000_000_000))
}

// fieldsOf returns the field paths of an invalid-input error, without the
// "body." an HTTP location may start with.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	require.Equal(t, passerelle.EInvalid, passerelle.ErrorCode(err), "%v", err)
	var perr *passerelle.Error
	require.ErrorAs(t, err, &perr)
	var out []string
	for _, f := range perr.Fields {
		out = append(out, strings.TrimPrefix(f.Location, "body."))
	}
	return out
}
