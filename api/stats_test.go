package api

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// TestProgrammeStatsOnACraftedDataset builds a programme whose figures are
// worked out by hand below (see docs/statistics.md for the definitions), and
// reads them through the API in JSON and CSV.
func TestProgrammeStatsOnACraftedDataset(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	sys := passerelle.System
	partner := newTenant(t, b, "Partner") // its company posts the offers; its own trainees are another organisation's
	org := b.organisation("Fabrique numérique de Gonesse")
	adviserKey := b.adviserKey(org)
	referent, err := b.store.CreateAdviser(ctx, sys, org, store.AdviserInput{Name: "Réf", Email: "ref@example.org"})
	require.NoError(t, err)
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	cohort := func(name, start, end string, target int) uuid.UUID {
		c, err := b.store.CreateCohort(ctx, sys, org, store.CohortInput{Name: name, StartDate: day(start), EndDate: day(end),
			Capacity: 12, Targets: map[string]int{"signed_contracts": target}})
		require.NoError(t, err)
		return c.ID
	}
	c1 := cohort("Promo 2024", "2024-01-05", "2024-06-30", 4)
	c2 := cohort("Promo 2023", "2023-09-01", "2024-01-31", 10)
	offer := func(kind string) uuid.UUID {
		body := offerWith(offerBody(partner.company), map[string]any{"kind": kind, "positions": 5, "title": "Offre " + kind})
		r := b.do(http.MethodPost, "/v1/offers", partner.keys[passerelle.RoleCompany], body)
		requireStatus(t, http.StatusCreated, r)
		id := mustUUID(t, r.json(t)["id"].(string))
		requireStatus(t, http.StatusOK, b.do(http.MethodPost, "/v1/offers/"+id.String()+"/publish", partner.keys[passerelle.RoleCompany], nil))
		return id
	}
	apprenticeship, internship, professionalisation := offer("apprenticeship"), offer("internship"), offer("professionalisation")
	trainee := func(cohort uuid.UUID) uuid.UUID {
		tr, err := b.store.CreateTrainee(ctx, sys, org, store.TraineeInput{CohortID: &cohort, ReferentID: referent.ID,
			Identity: store.TraineeIdentity{FirstName: "Test", LastName: "Fictif", BirthDate: day("2004-05-06")},
			Profile:  store.TraineeProfile{HomePostalCode: "95500"}})
		require.NoError(t, err)
		return tr.ID
	}
	// walk creates the proposal of trainee for offer and moves it through tos.
	walk := func(trainee, offer uuid.UUID, tos ...string) {
		p, err := b.store.CreateProposal(ctx, sys, store.ProposalInput{TraineeID: trainee, OfferID: offer})
		require.NoError(t, err)
		for _, to := range tos {
			_, err := b.store.TransitionProposal(ctx, sys, p.ID, nil, store.TransitionInput{To: to})
			require.NoError(t, err)
		}
	}
	placedAfter := func(trainee uuid.UUID, days int) {
		ls, _, err := b.store.ListPlacements(ctx, sys, store.PlacementFilter{TraineeID: &trainee}, store.Page{})
		require.NoError(t, err)
		require.Len(t, ls, 1)
		_, err = b.store.UpdatePlacement(ctx, sys, ls[0].ID, nil, store.PlacementUpdate{StartDate: ptr(day("2024-01-05").AddDate(0, 0, days))})
		require.NoError(t, err)
	}
	exited := func(trainee uuid.UUID, on string) {
		_, err := b.pool.Exec(ctx, `UPDATE trainees SET status = 'exited', exit_date = $2 WHERE id = $1`, trainee, on)
		require.NoError(t, err)
	}

	// Cohort 1 (starts 2024-01-05, ends 2024-06-30, target 4 contracts).
	t1, t2, t3, t4, t5, t6 := trainee(c1), trainee(c1), trainee(c1), trainee(c1), trainee(c1), trainee(c1)
	walk(t1, apprenticeship, "proposed", "interview", "accepted", "placed")
	placedAfter(t1, 60)
	walk(t2, internship, "proposed", "accepted", "placed")
	placedAfter(t2, 30)
	walk(t3, professionalisation, "proposed", "interview", "accepted", "placed")
	placedAfter(t3, 100)
	walk(t4, apprenticeship, "proposed", "declined_by_company")
	exited(t4, "2024-03-01") // before the cohort's end, never placed: a drop-out
	walk(t5, internship)     // shortlisted only
	exited(t5, "2024-06-30") // on the cohort's last day: not a drop-out
	walk(t6, professionalisation, "proposed")
	exited(t6, "2024-02-01") // a drop-out
	// Cohort 2 (starts 2023-09-01, target 10): outside the 2024 period.
	t7 := trainee(c2)
	walk(t7, apprenticeship, "proposed", "accepted", "placed")

	// Follow-ups of the three who left, all due long ago.
	_, err = b.store.CreateDueFollowups(ctx)
	require.NoError(t, err)
	record := func(trainee uuid.UUID, month int, situation, contract string) {
		fs, _, err := b.store.ListFollowups(ctx, sys, store.FollowupFilter{TraineeID: &trainee}, store.Page{})
		require.NoError(t, err)
		require.Len(t, fs, 3)
		for _, f := range fs {
			if f.Month == month {
				_, err := b.store.RecordFollowup(ctx, sys, f.ID, nil, store.FollowupInput{Situation: situation, ContractType: contract})
				require.NoError(t, err)
			}
		}
	}
	record(t4, 1, "job_seeking", "")
	record(t4, 3, "employed", "interim")
	record(t4, 6, "training", "")
	record(t5, 1, "training", "")
	record(t5, 3, "training", "")
	record(t5, 6, "employed", "cdi")
	record(t6, 6, "no_contact", "")

	r := b.do(http.MethodGet, "/v1/stats/programme?from=2024-01-01&to=2024-12-31", adviserKey, nil)
	requireStatus(t, http.StatusOK, r)
	got := r.json(t)
	// By hand: the population is t1…t6 (cohort 1 starts in 2024; cohort 2 in 2023).
	require.EqualValues(t, 6, got["trainees_enrolled"])
	require.Equal(t, map[string]any{"suggested": 0.0, "shortlisted": 1.0, "proposed": 1.0, "interview": 0.0, "accepted": 0.0,
		"placed": 3.0, "dismissed": 0.0, "declined_by_company": 1.0, "declined_by_trainee": 0.0, "withdrawn": 0.0, "expired": 0.0},
		got["proposals_by_status"])
	// Proposed to a company: t1, t2, t3, t4, t6 (5); answered: t1, t2, t3 (accepted), t4 (declined): 4.
	require.Equal(t, map[string]any{"count": 4.0, "total": 5.0, "rate": 0.8}, got["company_replies"])
	require.Equal(t, map[string]any{"apprenticeship": 1.0, "professionalisation": 1.0, "internship": 1.0, "immersion": 0.0,
		"job": 0.0, "discovery": 0.0}, got["placements_by_kind"])
	require.EqualValues(t, 3, got["trainees_placed"])
	// Work-study: t1 (apprenticeship), t3 (professionalisation) against cohort 1's 4.
	require.EqualValues(t, 2, got["signed_contracts"])
	require.EqualValues(t, 4, got["signed_contracts_target"])
	require.EqualValues(t, 0.5, got["signed_contracts_target_rate"])
	// Days to the first placement: 30, 60, 100.
	require.EqualValues(t, 60, got["median_days_to_first_placement"])
	// t4 and t6 left before 2024-06-30 without a placement.
	require.Equal(t, map[string]any{"count": 2.0, "total": 6.0, "rate": 0.3333}, got["dropouts"])
	// 6-month follow-ups: t4 training, t5 employed, t6 no contact; a job within 6 months: t4 (month 3), t5 (month 6).
	third := map[string]any{"count": 1.0, "total": 3.0, "rate": 0.3333}
	require.Equal(t, map[string]any{"followed": 3.0, "in_work": third, "in_training": third,
		"job_seeking": map[string]any{"count": 0.0, "total": 3.0, "rate": 0.0}, "no_contact": third,
		"first_job_within_6_months": map[string]any{"count": 2.0, "total": 3.0, "rate": 0.6667}}, got["outcomes_6_months"])

	// Cohort 2 alone, whatever the period: t7, one contract of its 10.
	r = b.do(http.MethodGet, "/v1/stats/programme?cohort_id="+c2.String(), adviserKey, nil)
	got = r.json(t)
	require.EqualValues(t, 1, got["trainees_enrolled"])
	require.EqualValues(t, 1, got["signed_contracts"])
	require.EqualValues(t, 10, got["signed_contracts_target"])
	require.EqualValues(t, 0.1, got["signed_contracts_target_rate"])
	require.NotNil(t, got["median_days_to_first_placement"])
	require.Equal(t, map[string]any{"count": 0.0, "total": 1.0, "rate": 0.0}, got["dropouts"])

	// Everything: 7 trainees, both targets.
	got = b.do(http.MethodGet, "/v1/stats/programme", adviserKey, nil).json(t)
	require.EqualValues(t, 7, got["trainees_enrolled"])
	require.EqualValues(t, 14, got["signed_contracts_target"])
	require.EqualValues(t, 3, got["signed_contracts"])

	// CSV: the same figures, one metric a line.
	r = b.do(http.MethodGet, "/v1/stats/programme?from=2024-01-01&to=2024-12-31", adviserKey, nil, "Accept", "text/csv")
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, "text/csv; charset=utf-8", r.Header.Get("Content-Type"))
	lines, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
	require.NoError(t, err)
	rows := map[string]string{}
	for _, l := range lines {
		rows[l[0]] = l[1]
	}
	require.Equal(t, "value", rows["metric"])
	require.Equal(t, "6", rows["trainees_enrolled"])
	require.Equal(t, "3", rows["proposals_by_status.placed"])
	require.Equal(t, "0.8", rows["company_replies.rate"])
	require.Equal(t, "60", rows["median_days_to_first_placement"])
	require.Equal(t, "0.6667", rows["outcomes_6_months.first_job_within_6_months.rate"])
	require.Equal(t, "2024-01-01", rows["from"])
	require.Empty(t, rows["cohort_id"])

	// Tenancy and errors, as problems even when CSV is asked for.
	requireProblem(t, b.do(http.MethodGet, "/v1/stats/programme?organisation_id="+org.String(), partner.keys[passerelle.RoleAdviser], nil, "Accept", "text/csv"),
		http.StatusNotFound, "not_found")
	requireProblem(t, b.do(http.MethodGet, "/v1/stats/programme?cohort_id="+partner.cohort.String(), adviserKey, nil), http.StatusNotFound, "not_found")
	requireProblem(t, b.do(http.MethodGet, "/v1/stats/programme", b.admin, nil), http.StatusUnprocessableEntity, "invalid")
	requireProblem(t, b.do(http.MethodGet, "/v1/stats/programme?from=2024-02-01&to=2024-01-01", adviserKey, nil), http.StatusUnprocessableEntity, "invalid")
	requireStatus(t, http.StatusOK, b.do(http.MethodGet, "/v1/stats/programme?organisation_id="+org.String(), b.admin, nil))
}
