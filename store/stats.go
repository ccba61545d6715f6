package store

import (
	"context"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
)

// A programme's key figures, as defined in docs/statistics.md: every figure
// is about one population, the trainees of the organisation (and cohort)
// enrolled in the period. Change a definition here and there together.

// StatsFilter says whose figures.
type StatsFilter struct {
	OrganisationID *uuid.UUID // required for admins; advisers and integrators default to theirs
	CohortID       *uuid.UUID
	From, To       *time.Time // enrolment days, both included
}

// ProgrammeStats are a programme's key figures.
type ProgrammeStats struct {
	OrganisationID    uuid.UUID
	CohortID          *uuid.UUID
	From, To          *time.Time
	TraineesEnrolled  int
	ProposalsByStatus map[string]int
	CompanyReplies    Ratio // proposals that got the company's answer, of those proposed
	PlacementsByKind  map[string]int
	TraineesPlaced    int
	SignedContracts   int
	ContractsTarget   *int
	TargetReached     *float64 // SignedContracts / ContractsTarget
	MedianDaysToFirst *float64
	Dropouts          Ratio // of the trainees enrolled
	Outcomes6M        Outcomes
}

// Ratio is a count among a total; Rate is nil when the total is 0.
type Ratio struct {
	Count, Total int
	Rate         *float64
}

func ratio(count, total int) Ratio {
	r := Ratio{Count: count, Total: total}
	if total > 0 {
		r.Rate = rate(float64(count), float64(total))
	}
	return r
}

// rate is a/b rounded to 4 decimals.
func rate(a, b float64) *float64 {
	v := math.Round(a/b*10000) / 10000
	return &v
}

// Outcomes are the situations at the 6-month follow-up, among the trainees
// whose 6-month follow-up is recorded (each Ratio's Total).
type Outcomes struct {
	Followed       int
	InWork         Ratio
	InTraining     Ratio
	JobSeeking     Ratio
	NoContact      Ratio
	FirstJobWithin Ratio // employed at the 1-, 3- or 6-month follow-up
}

// statsPopulation is the population CTE: trainees of @org (and @cohort)
// whose enrolment day — the cohort's start date, else the day the trainee
// was registered (UTC) — falls within [@from, @to].
const statsPopulation = `WITH pop AS (
	SELECT t.id, t.exit_date, c.end_date AS cohort_end, coalesce(c.start_date, (t.created_at AT TIME ZONE 'UTC')::date) AS enrolled_on
	FROM trainees t LEFT JOIN cohorts c ON c.id = t.cohort_id
	WHERE t.organisation_id = @org AND (@cohort::uuid IS NULL OR t.cohort_id = @cohort)
		AND (@from::date IS NULL OR coalesce(c.start_date, (t.created_at AT TIME ZONE 'UTC')::date) >= @from)
		AND (@to::date IS NULL OR coalesce(c.start_date, (t.created_at AT TIME ZONE 'UTC')::date) <= @to))
`

// ProgrammeStatsFor computes the key figures of a programme actor belongs
// to (any for an admin).
func (s *Store) ProgrammeStatsFor(ctx context.Context, actor passerelle.Principal, f StatsFilter) (ProgrammeStats, error) {
	if err := mayManageTrainees(actor); err != nil {
		return ProgrammeStats{}, passerelle.Errorf(passerelle.EForbidden, "The %s role may not read a programme's statistics.", actor.Role)
	}
	var org uuid.UUID
	switch {
	case f.OrganisationID != nil:
		org = *f.OrganisationID
	case actor.IsAdmin():
		return ProgrammeStats{}, passerelle.Invalid("Admins say which organisation.",
			passerelle.FieldError{Location: "query.organisation_id", Message: "required for admin keys"})
	default:
		org = actor.OrganisationID
	}
	if f.From != nil && f.To != nil && f.To.Before(*f.From) {
		return ProgrammeStats{}, passerelle.Invalid("The period ends before it starts.",
			passerelle.FieldError{Location: "query.to", Message: "must be on or after from", Value: f.To.Format(time.DateOnly)})
	}
	st := ProgrammeStats{OrganisationID: org, CohortID: f.CohortID, From: f.From, To: f.To,
		ProposalsByStatus: map[string]int{}, PlacementsByKind: map[string]int{}}
	for _, s := range ProposalStatuses {
		st.ProposalsByStatus[s] = 0
	}
	for _, k := range OfferKinds {
		st.PlacementsByKind[k] = 0
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := checkOrganisation(ctx, tx, actor, org); err != nil {
			return err
		}
		if f.CohortID != nil {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cohorts WHERE id = $1 AND organisation_id = $2)`,
				*f.CohortID, org).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return notFound("Cohort")
			}
		}
		args := pgx.NamedArgs{"org": org, "cohort": f.CohortID, "from": f.From, "to": f.To}
		return st.compute(ctx, tx, args)
	})
	return st, wrap("programme stats", err)
}

func (st *ProgrammeStats) compute(ctx context.Context, tx pgx.Tx, args pgx.NamedArgs) error {
	var enrolled, proposed, answered, placed, signed, dropouts int
	var median *float64
	if err := tx.QueryRow(ctx, statsPopulation+`,
		placed AS (SELECT pop.id, pop.enrolled_on, min(l.start_date) AS first_start
			FROM pop JOIN placements l ON l.trainee_id = pop.id GROUP BY pop.id, pop.enrolled_on)
		SELECT
			(SELECT count(*) FROM pop),
			(SELECT count(*) FROM proposals p WHERE p.trainee_id IN (SELECT id FROM pop) AND p.proposed_at IS NOT NULL),
			(SELECT count(*) FROM proposals p WHERE p.trainee_id IN (SELECT id FROM pop) AND p.proposed_at IS NOT NULL
				AND EXISTS (SELECT 1 FROM proposal_transitions pt WHERE pt.proposal_id = p.id
					AND pt.to_status IN ('interview', 'accepted', 'declined_by_company'))),
			(SELECT count(*) FROM placed),
			(SELECT count(*) FROM placements l WHERE l.trainee_id IN (SELECT id FROM pop)
				AND l.kind IN ('apprenticeship', 'professionalisation')),
			(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY first_start - enrolled_on) FROM placed),
			(SELECT count(*) FROM pop WHERE pop.exit_date < pop.cohort_end
				AND NOT EXISTS (SELECT 1 FROM placements l WHERE l.trainee_id = pop.id))`, args).
		Scan(&enrolled, &proposed, &answered, &placed, &signed, &median, &dropouts); err != nil {
		return err
	}
	st.TraineesEnrolled, st.TraineesPlaced, st.SignedContracts = enrolled, placed, signed
	st.CompanyReplies = ratio(answered, proposed)
	st.Dropouts = ratio(dropouts, enrolled)
	if median != nil {
		m := math.Round(*median*10) / 10
		st.MedianDaysToFirst = &m
	}

	if err := groupCounts(ctx, tx, statsPopulation+`SELECT status, count(*) FROM proposals
		WHERE trainee_id IN (SELECT id FROM pop) GROUP BY status`, args, st.ProposalsByStatus); err != nil {
		return err
	}
	if err := groupCounts(ctx, tx, statsPopulation+`SELECT kind, count(*) FROM placements
		WHERE trainee_id IN (SELECT id FROM pop) GROUP BY kind`, args, st.PlacementsByKind); err != nil {
		return err
	}

	// The target: the cohort's, or the sum over the organisation's cohorts
	// starting in the period; none when no cohort names one.
	var target *int
	if err := tx.QueryRow(ctx, `SELECT sum((targets->>'signed_contracts')::int)::int FROM cohorts
		WHERE organisation_id = @org AND targets ? 'signed_contracts'
			AND (@cohort::uuid IS NULL OR id = @cohort)
			AND (@cohort::uuid IS NOT NULL OR ((@from::date IS NULL OR start_date >= @from) AND (@to::date IS NULL OR start_date <= @to)))`,
		args).Scan(&target); err != nil {
		return err
	}
	st.ContractsTarget = target
	if target != nil && *target > 0 {
		st.TargetReached = rate(float64(signed), float64(*target))
	}

	var followed, work, training, seeking, noContact, firstJob int
	if err := tx.QueryRow(ctx, statsPopulation+`,
		six AS (SELECT f.trainee_id, f.situation FROM followups f
			WHERE f.trainee_id IN (SELECT id FROM pop) AND f.month = 6 AND f.situation IS NOT NULL)
		SELECT count(*), count(*) FILTER (WHERE situation = 'employed'), count(*) FILTER (WHERE situation = 'training'),
			count(*) FILTER (WHERE situation = 'job_seeking'), count(*) FILTER (WHERE situation = 'no_contact'),
			count(*) FILTER (WHERE EXISTS (SELECT 1 FROM followups e WHERE e.trainee_id = six.trainee_id AND e.situation = 'employed'))
		FROM six`, args).Scan(&followed, &work, &training, &seeking, &noContact, &firstJob); err != nil {
		return err
	}
	st.Outcomes6M = Outcomes{Followed: followed, InWork: ratio(work, followed), InTraining: ratio(training, followed),
		JobSeeking: ratio(seeking, followed), NoContact: ratio(noContact, followed), FirstJobWithin: ratio(firstJob, followed)}
	return nil
}

// groupCounts adds the (key, count) rows of sql to into.
func groupCounts(ctx context.Context, tx pgx.Tx, sql string, args pgx.NamedArgs, into map[string]int) error {
	rows, err := tx.Query(ctx, sql, args)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		into[k] = n
	}
	return rows.Err()
}
