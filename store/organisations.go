package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
)

// Organisation is an E2C site, Mission Locale, programme or CFA: the tenant of
// advisers, cohorts and trainees.
type Organisation struct {
	ID        uuid.UUID
	Kind      string
	Name      string
	Town      string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// OrganisationInput is what a caller sets.
type OrganisationInput struct {
	Kind string
	Name string
	Town string
}

// OrganisationKinds are the kinds of organisation (the table's CHECK
// constraint lists the same).
var OrganisationKinds = []string{"e2c", "mission_locale", "programme", "cfa", "other"}

const organisationColumns = `id, kind, name, town, created_at, updated_at, version`

func scanOrganisation(row pgx.Row) (Organisation, error) {
	var o Organisation
	err := row.Scan(&o.ID, &o.Kind, &o.Name, &o.Town, &o.CreatedAt, &o.UpdatedAt, &o.Version)
	return o, err
}

// organisationScope restricts organisations to what actor may see: all for an
// admin, its own for an adviser or integrator, for a company those that work
// with it or ask to (it must know who asks before it answers; an organisation
// holds nothing private).
func organisationScope(actor passerelle.Principal, args pgx.NamedArgs) string {
	switch actor.Role {
	case passerelle.RoleAdmin:
		return `true`
	case passerelle.RoleCompany:
		args["scope_company"] = actor.CompanyID
		return `id IN (SELECT organisation_id FROM partnerships WHERE company_id = @scope_company AND status <> 'refused')`
	default:
		args["scope_org"] = actor.OrganisationID
		return `id = @scope_org`
	}
}

// CreateOrganisation creates an organisation. Admins only.
func (s *Store) CreateOrganisation(ctx context.Context, actor passerelle.Principal, in OrganisationInput) (Organisation, error) {
	if !actor.IsAdmin() {
		return Organisation{}, passerelle.Errorf(passerelle.EForbidden, "Only admins create organisations.")
	}
	var o Organisation
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		o, err = scanOrganisation(tx.QueryRow(ctx, `INSERT INTO organisations (id, kind, name, town) VALUES ($1, $2, $3, $4)
			RETURNING `+organisationColumns, uuid.New(), in.Kind, in.Name, in.Town))
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "create", "organisation", o.ID, &o.ID, nil)
	})
	return o, wrap("create organisation", err)
}

// GetOrganisation returns an organisation actor may see.
func (s *Store) GetOrganisation(ctx context.Context, actor passerelle.Principal, id uuid.UUID) (Organisation, error) {
	args := pgx.NamedArgs{"id": id}
	o, err := scanOrganisation(s.pool.QueryRow(ctx, `SELECT `+organisationColumns+` FROM organisations
		WHERE id = @id AND `+organisationScope(actor, args), args))
	if errors.Is(err, pgx.ErrNoRows) {
		return o, notFound("Organisation")
	}
	return o, wrap("get organisation", err)
}

// ListOrganisations lists the organisations actor may see.
func (s *Store) ListOrganisations(ctx context.Context, actor passerelle.Principal, page Page) ([]Organisation, *Cursor, error) {
	args := pgx.NamedArgs{}
	items, next, err := listPage(ctx, s.pool, `SELECT `+organisationColumns+` FROM organisations WHERE `+organisationScope(actor, args),
		args, page, scanOrganisation, func(o Organisation) Cursor { return Cursor{UpdatedAt: o.UpdatedAt, ID: o.ID} })
	return items, next, wrap("list organisations", err)
}

// UpdateOrganisation replaces an organisation's fields. Admins, and advisers of
// the organisation itself, may. ifVersion, when not nil, must match the
// current version (If-Match).
func (s *Store) UpdateOrganisation(ctx context.Context, actor passerelle.Principal, id uuid.UUID, ifVersion *int, in OrganisationInput) (Organisation, error) {
	if actor.Role != passerelle.RoleAdmin && actor.Role != passerelle.RoleAdviser {
		return Organisation{}, passerelle.Errorf(passerelle.EForbidden, "This role may not change organisations.")
	}
	var o Organisation
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		args := pgx.NamedArgs{"id": id}
		cur, err := scanOrganisation(tx.QueryRow(ctx, `SELECT `+organisationColumns+` FROM organisations
			WHERE id = @id AND `+organisationScope(actor, args)+` FOR UPDATE`, args))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("Organisation")
		}
		if err != nil {
			return err
		}
		if err := checkVersion(ifVersion, cur.Version); err != nil {
			return err
		}
		o, err = scanOrganisation(tx.QueryRow(ctx, `UPDATE organisations SET kind = $2, name = $3, town = $4,
			updated_at = now(), version = version + 1 WHERE id = $1 RETURNING `+organisationColumns, id, in.Kind, in.Name, in.Town))
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "update", "organisation", id, &id, nil)
	})
	return o, wrap("update organisation", err)
}

// checkVersion implements If-Match: a stale version is EPrecondition.
func checkVersion(want *int, current int) error {
	if want != nil && *want != current {
		return passerelle.Errorf(passerelle.EPrecondition,
			"The resource changed since you read it (your version %d, now %d): read it again and reapply your change.", *want, current)
	}
	return nil
}
