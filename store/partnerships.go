package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/reference"
)

// Partnership says that an organisation works with a company: its advisers
// and integrators see the company and may act on its behalf.
type Partnership struct {
	OrganisationID uuid.UUID
	CompanyID      uuid.UUID
	CreatedAt      time.Time
}

// isPartner reports whether the organisation works with the company.
func isPartner(ctx context.Context, db querier, organisationID, companyID uuid.UUID) (bool, error) {
	var ok bool
	err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM partnerships WHERE organisation_id = $1 AND company_id = $2)`,
		organisationID, companyID).Scan(&ok)
	return ok, err
}

// CreatePartnership links an organisation to the company registered under
// siret. A SIRET is public (the SIRENE register), so finding a company by it
// discloses nothing. Admins name the organisation; advisers and integrators
// link their own (organisationID nil or theirs; another answers not found).
// It returns created false, and the existing partnership, when the two were
// already linked.
func (s *Store) CreatePartnership(ctx context.Context, actor passerelle.Principal, siret string, organisationID *uuid.UUID) (p Partnership, created bool, err error) {
	var org uuid.UUID
	switch actor.Role {
	case passerelle.RoleAdmin:
		if organisationID == nil {
			return p, false, passerelle.Invalid("Admins say which organisation to link.",
				passerelle.FieldError{Location: "organisation_id", Message: "required for admin keys"})
		}
		org = *organisationID
	case passerelle.RoleAdviser, passerelle.RoleIntegrator:
		if organisationID != nil && *organisationID != actor.OrganisationID {
			return p, false, notFound("Organisation")
		}
		org = actor.OrganisationID
	default:
		return p, false, passerelle.Errorf(passerelle.EForbidden, "This role may not link companies to organisations.")
	}
	if err := reference.ValidSIRET(siret); err != nil {
		return p, false, passerelle.Invalid("The SIRET is not valid.",
			passerelle.FieldError{Location: "siret", Message: err.Error(), Value: siret})
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM organisations WHERE id = $1)`, org).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return notFound("Organisation")
		}
		var company uuid.UUID
		err := tx.QueryRow(ctx, `SELECT id FROM companies WHERE siret = $1`, siret).Scan(&company)
		if errors.Is(err, pgx.ErrNoRows) {
			return passerelle.Errorf(passerelle.ENotFound,
				"No company with SIRET %s is registered: register it with POST /v1/companies, which also links it to your organisation.", siret)
		}
		if err != nil {
			return err
		}
		p, err = insertPartnership(ctx, tx, actor, org, company)
		if err != nil {
			return err
		}
		created = !p.CreatedAt.IsZero()
		if !created {
			p, err = scanPartnership(tx.QueryRow(ctx, `SELECT organisation_id, company_id, created_at FROM partnerships
				WHERE organisation_id = $1 AND company_id = $2`, org, company))
		}
		return err
	})
	return p, created, wrap("create partnership", err)
}

// insertPartnership links org and company and audits it, unless they are
// already linked: then it returns a zero Partnership and writes nothing.
func insertPartnership(ctx context.Context, tx pgx.Tx, actor passerelle.Principal, org, company uuid.UUID) (Partnership, error) {
	p, err := scanPartnership(tx.QueryRow(ctx, `INSERT INTO partnerships (organisation_id, company_id) VALUES ($1, $2)
		ON CONFLICT DO NOTHING RETURNING organisation_id, company_id, created_at`, org, company))
	if errors.Is(err, pgx.ErrNoRows) {
		return Partnership{}, nil
	}
	if err != nil {
		return Partnership{}, err
	}
	return p, audit(ctx, tx, actor, "create", "partnership", company, &org, map[string]any{"company_id": company})
}

func scanPartnership(row pgx.Row) (Partnership, error) {
	var p Partnership
	err := row.Scan(&p.OrganisationID, &p.CompanyID, &p.CreatedAt)
	return p, err
}

// DeletePartnership unlinks an organisation from a company: the
// organisation's advisers and integrators no longer see it. Admins, and
// advisers of the organisation, may; the company itself stays registered.
func (s *Store) DeletePartnership(ctx context.Context, actor passerelle.Principal, organisationID, companyID uuid.UUID) error {
	switch {
	case actor.IsAdmin():
	case actor.Role == passerelle.RoleAdviser:
		if organisationID != actor.OrganisationID {
			return notFound("Partnership")
		}
	default:
		return passerelle.Errorf(passerelle.EForbidden, "This role may not unlink companies from organisations.")
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM partnerships WHERE organisation_id = $1 AND company_id = $2`, organisationID, companyID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return notFound("Partnership")
		}
		return audit(ctx, tx, actor, "delete", "partnership", companyID, &organisationID, map[string]any{"company_id": companyID})
	})
	return wrap("delete partnership", err)
}
