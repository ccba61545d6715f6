package demo

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/internal/datakey"
	"github.com/passerelle-dev/passerelle/internal/testdb"
	"github.com/passerelle-dev/passerelle/jobs"
	"github.com/passerelle-dev/passerelle/store"
)

// tables are counted before and after a second load.
var tables = []string{"organisations", "advisers", "cohorts", "companies", "partnerships", "offers", "trainees", "consents",
	"proposals", "proposal_transitions", "placements", "followups", "events", "audit_log"}

func counts(t *testing.T, st *store.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range tables {
		var n int
		require.NoError(t, st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n))
		out[table] = n
	}
	return out
}

// TestLoadTwiceChangesNothing loads the demo into a database of its own,
// twice: the second load finds everything and writes nothing.
func TestLoadTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.NewPool(t)
	st := store.New(pool, nil)
	st.SetDataKeys(datakey.Ephemeral("test"))
	rc, err := jobs.NewClient(pool, st, jobs.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	st.SetRiver(rc)

	first, err := Load(ctx, st)
	require.NoError(t, err)
	after := counts(t, st)
	require.Len(t, first.Programmes, 5)
	trainees := 0
	for _, p := range first.Programmes {
		trainees += p.CreatedTrainees
	}
	require.Equal(t, after["trainees"], trainees)
	for table, n := range after {
		require.Positive(t, n, table)
	}

	// Every partnership is active, and each company has one steward, the
	// programme that registered it. (A programme linking a company another
	// registered goes through the company's acceptance; the second load below
	// takes that path for every company, and changes nothing.)
	var pending, companies, stewards int
	require.NoError(t, st.Pool().QueryRow(ctx, `SELECT count(*) FILTER (WHERE status <> 'active'),
		count(DISTINCT company_id), count(*) FILTER (WHERE steward) FROM partnerships`).Scan(&pending, &companies, &stewards))
	require.Zero(t, pending)
	require.Equal(t, companies, stewards)

	second, err := Load(ctx, st)
	require.NoError(t, err)
	require.Equal(t, after, counts(t, st), "a second load writes nothing")
	for i, p := range second.Programmes {
		require.Zero(t, p.CreatedTrainees)
		p.CreatedTrainees = first.Programmes[i].CreatedTrainees
		require.Equal(t, first.Programmes[i], p)
	}

	// Every programme has figures to show.
	for _, p := range second.Programmes {
		org := p.ID
		s, err := st.ProgrammeStatsFor(ctx, passerelle.System, store.StatsFilter{OrganisationID: &org})
		require.NoError(t, err)
		require.Positive(t, s.TraineesEnrolled, p.Name)
		require.Positive(t, s.TraineesPlaced, p.Name)
		require.Positive(t, s.CompanyReplies.Count, p.Name)
		require.Positive(t, s.SignedContracts+s.PlacementsByKind[store.KindInternship], p.Name)
	}
	gonesse := second.Programmes[4]
	require.Equal(t, "Fabrique numérique de Gonesse", gonesse.Name)
	org := gonesse.ID
	s, err := st.ProgrammeStatsFor(ctx, passerelle.System, store.StatsFilter{OrganisationID: &org})
	require.NoError(t, err)
	require.Equal(t, 4, s.Outcomes6M.Followed) // Sami, Nina (in work), Eva (training), Kylian (job seeking)
	require.Equal(t, 2, s.Outcomes6M.InWork.Count)
	require.Equal(t, 1, s.Outcomes6M.InTraining.Count)
	require.Equal(t, 1, s.Dropouts.Count)
	require.Equal(t, 8, *s.ContractsTarget)
}
