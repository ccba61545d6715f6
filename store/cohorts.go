package store

import (
	"context"
	"errors"
	"regexp"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
)

// Cohort is a "promotion": trainees of an organisation who start and end a
// track together.
type Cohort struct {
	ID             uuid.UUID
	OrganisationID uuid.UUID
	Name           string
	Track          string
	StartDate      time.Time // a day: midnight UTC
	EndDate        time.Time // a day, on or after StartDate
	Capacity       int
	Targets        map[string]int
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
}

// CohortInput is what a caller sets. Dates are days: their time and zone are
// ignored.
type CohortInput struct {
	Name      string
	Track     string
	StartDate time.Time
	EndDate   time.Time
	Capacity  int
	Targets   map[string]int
}

// TargetKey is the form of a target's name, such as signed_contracts.
var TargetKey = regexp.MustCompile(`^[a-z_]{1,50}$`)

const cohortColumns = `id, organisation_id, name, track, start_date, end_date, capacity, targets, created_at, updated_at, version`

func scanCohort(row pgx.Row) (Cohort, error) {
	var c Cohort
	err := row.Scan(&c.ID, &c.OrganisationID, &c.Name, &c.Track, &c.StartDate, &c.EndDate, &c.Capacity, &c.Targets,
		&c.CreatedAt, &c.UpdatedAt, &c.Version)
	if c.Targets == nil {
		c.Targets = map[string]int{}
	}
	return c, err
}

// day drops t's time of day, keeping its calendar date.
func day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// checkCohortInput applies the rules a request schema cannot say (the end
// after the start, the form of target names), and those it says, for
// callers other than the API.
func checkCohortInput(in CohortInput) error {
	var fields []passerelle.FieldError
	if day(in.EndDate).Before(day(in.StartDate)) {
		fields = append(fields, passerelle.FieldError{Location: "end_date", Message: "must be on or after start_date",
			Value: in.EndDate.Format(time.DateOnly)})
	}
	if in.Capacity < 1 {
		fields = append(fields, passerelle.FieldError{Location: "capacity", Message: "must be at least 1", Value: in.Capacity})
	}
	keys := make([]string, 0, len(in.Targets))
	for k := range in.Targets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch {
		case !TargetKey.MatchString(k):
			fields = append(fields, passerelle.FieldError{Location: "targets." + k,
				Message: "target names are 1 to 50 lower-case letters or underscores", Value: k})
		case in.Targets[k] < 0:
			fields = append(fields, passerelle.FieldError{Location: "targets." + k, Message: "must be 0 or more", Value: in.Targets[k]})
		}
	}
	if len(fields) > 0 {
		return passerelle.Invalid("The cohort cannot be saved as described.", fields...)
	}
	return nil
}

// cohortArgs are the named arguments of a cohort's writable columns.
func cohortArgs(in CohortInput) pgx.NamedArgs {
	targets := in.Targets
	if targets == nil {
		targets = map[string]int{}
	}
	return pgx.NamedArgs{"name": in.Name, "track": in.Track, "start_date": day(in.StartDate), "end_date": day(in.EndDate),
		"capacity": in.Capacity, "targets": targets}
}

// CreateCohort adds a cohort to organisation org.
func (s *Store) CreateCohort(ctx context.Context, actor passerelle.Principal, org uuid.UUID, in CohortInput) (Cohort, error) {
	if err := mayManageMembers(actor, "cohorts"); err != nil {
		return Cohort{}, err
	}
	if err := checkCohortInput(in); err != nil {
		return Cohort{}, err
	}
	var c Cohort
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := checkOrganisation(ctx, tx, actor, org); err != nil {
			return err
		}
		args := cohortArgs(in)
		args["id"], args["org"] = uuid.New(), org
		var err error
		c, err = scanCohort(tx.QueryRow(ctx, `INSERT INTO cohorts (id, organisation_id, name, track, start_date, end_date, capacity, targets)
			VALUES (@id, @org, @name, @track, @start_date, @end_date, @capacity, @targets) RETURNING `+cohortColumns, args))
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "create", "cohort", c.ID, &c.OrganisationID, nil)
	})
	return c, wrap("create cohort", err)
}

// GetCohort returns a cohort actor may see.
func (s *Store) GetCohort(ctx context.Context, actor passerelle.Principal, id uuid.UUID) (Cohort, error) {
	if err := mayManageMembers(actor, "cohorts"); err != nil {
		return Cohort{}, err
	}
	args := pgx.NamedArgs{"id": id}
	c, err := scanCohort(s.pool.QueryRow(ctx, `SELECT `+cohortColumns+` FROM cohorts
		WHERE id = @id AND `+memberScope(actor, args), args))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, notFound("Cohort")
	}
	return c, wrap("get cohort", err)
}

// ListCohorts lists the cohorts of organisation org.
func (s *Store) ListCohorts(ctx context.Context, actor passerelle.Principal, org uuid.UUID, page Page) ([]Cohort, *Cursor, error) {
	if err := mayManageMembers(actor, "cohorts"); err != nil {
		return nil, nil, err
	}
	if err := checkOrganisation(ctx, s.pool, actor, org); err != nil {
		return nil, nil, wrap("list cohorts", err)
	}
	items, next, err := listPage(ctx, s.pool, `SELECT `+cohortColumns+` FROM cohorts WHERE organisation_id = @org`,
		pgx.NamedArgs{"org": org}, page, scanCohort, func(c Cohort) Cursor { return Cursor{UpdatedAt: c.UpdatedAt, ID: c.ID} })
	return items, next, wrap("list cohorts", err)
}

// UpdateCohort replaces a cohort's fields. ifVersion, when not nil, must match
// the current version (If-Match).
func (s *Store) UpdateCohort(ctx context.Context, actor passerelle.Principal, id uuid.UUID, ifVersion *int, in CohortInput) (Cohort, error) {
	if err := mayManageMembers(actor, "cohorts"); err != nil {
		return Cohort{}, err
	}
	if err := checkCohortInput(in); err != nil {
		return Cohort{}, err
	}
	var c Cohort
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		args := pgx.NamedArgs{"id": id}
		cur, err := scanCohort(tx.QueryRow(ctx, `SELECT `+cohortColumns+` FROM cohorts
			WHERE id = @id AND `+memberScope(actor, args)+` FOR UPDATE`, args))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("Cohort")
		}
		if err != nil {
			return err
		}
		if err := checkVersion(ifVersion, cur.Version); err != nil {
			return err
		}
		args = cohortArgs(in)
		args["id"] = id
		c, err = scanCohort(tx.QueryRow(ctx, `UPDATE cohorts SET name = @name, track = @track, start_date = @start_date,
				end_date = @end_date, capacity = @capacity, targets = @targets, updated_at = now(), version = version + 1
			WHERE id = @id RETURNING `+cohortColumns, args))
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "update", "cohort", id, &c.OrganisationID, nil)
	})
	return c, wrap("update cohort", err)
}
