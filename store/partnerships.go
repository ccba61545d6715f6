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

// Partnership says that an organisation works, or asks to work, with a
// company. Only an active one lets the organisation's advisers and
// integrators see the company's private data and act on its offers; the
// steward (the organisation that registered the company) also edits the
// company and issues its keys. The rule is passerelle.MayActForCompany.
type Partnership struct {
	ID             uuid.UUID
	OrganisationID uuid.UUID
	CompanyID      uuid.UUID
	Status         string
	Steward        bool
	DecidedByRole  string     // "" until decided
	DecidedAt      *time.Time // nil until decided
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

const partnershipColumns = `id, organisation_id, company_id, status, steward, coalesce(decided_by_role, ''), decided_at, created_at, updated_at`

func scanPartnership(row pgx.Row) (Partnership, error) {
	var p Partnership
	err := row.Scan(&p.ID, &p.OrganisationID, &p.CompanyID, &p.Status, &p.Steward, &p.DecidedByRole, &p.DecidedAt,
		&p.CreatedAt, &p.UpdatedAt)
	return p, err
}

// activePartners is the SQL set of the companies an organisation (the named
// argument param) works with: the SQL form of MayActForCompany's SeeCompany
// and WriteOffers for advisers and integrators. Every scope that lets an
// organisation reach a company's private data goes through it.
func activePartners(param string) string {
	return `(SELECT company_id FROM partnerships WHERE organisation_id = @` + param + ` AND status = 'active')`
}

// companyLinkSQL reads the partnership of organisation $1 with company $2.
const companyLinkSQL = `SELECT status, steward FROM partnerships WHERE organisation_id = $1 AND company_id = $2`

// companyLink returns the partnership of organisationID with companyID, zero
// when there is none.
func companyLink(ctx context.Context, db querier, organisationID, companyID uuid.UUID) (passerelle.CompanyLink, error) {
	var l passerelle.CompanyLink
	err := db.QueryRow(ctx, companyLinkSQL, organisationID, companyID).Scan(&l.Status, &l.Steward)
	if errors.Is(err, pgx.ErrNoRows) {
		return passerelle.CompanyLink{}, nil
	}
	return l, err
}

// mayActForCompany applies passerelle.MayActForCompany to actor, reading the
// partnership of actor's organisation when actor has one. It answers nil when
// actor may; not found when actor may not even see the company's private data
// (its existence is no business of actor's); forbidden when actor sees the
// company but may not do act.
func mayActForCompany(ctx context.Context, db querier, actor passerelle.Principal, companyID uuid.UUID, act passerelle.CompanyAct, forbidden string) error {
	var link passerelle.CompanyLink
	if actor.OrganisationID != uuid.Nil {
		var err error
		if link, err = companyLink(ctx, db, actor.OrganisationID, companyID); err != nil {
			return err
		}
	}
	return decideCompanyAct(actor, companyID, link, act, forbidden)
}

// decideCompanyAct is mayActForCompany's answer once the link is read.
func decideCompanyAct(actor passerelle.Principal, companyID uuid.UUID, link passerelle.CompanyLink, act passerelle.CompanyAct, forbidden string) error {
	switch {
	case passerelle.MayActForCompany(actor, companyID, link, act):
		return nil
	case passerelle.MayActForCompany(actor, companyID, link, passerelle.SeeCompany):
		return passerelle.Errorf(passerelle.EForbidden, "%s", forbidden)
	default:
		return notFound("Company")
	}
}

// CreatePartnership asks, for an organisation, to work with the company
// registered under siret. A SIRET is public (the SIRENE register), so finding
// a company by it discloses nothing; but who may act for a company is decided
// by the company: the partnership an adviser or integrator creates is
// pending until the company accepts it (DecidePartnership). An admin's is
// active at once. Admins name the organisation; advisers and integrators ask
// for their own (organisationID nil or theirs; another answers not found).
// It returns created false, and the existing partnership in whatever status,
// when the two were already linked: asking again does not reopen a refusal.
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
		status := passerelle.PartnershipPending
		if actor.IsAdmin() {
			status = passerelle.PartnershipActive
		}
		p, created, err = insertPartnership(ctx, tx, actor, org, company, status, false)
		if err != nil || created {
			return err
		}
		p, err = scanPartnership(tx.QueryRow(ctx, `SELECT `+partnershipColumns+` FROM partnerships
			WHERE organisation_id = $1 AND company_id = $2`, org, company))
		return err
	})
	return p, created, wrap("create partnership", err)
}

// insertPartnership links org and company in status and audits it, unless
// they are already linked: then it returns created false and writes nothing.
// A partnership created active is decided by actor, now.
func insertPartnership(ctx context.Context, tx pgx.Tx, actor passerelle.Principal, org, company uuid.UUID, status string, steward bool) (Partnership, bool, error) {
	active := status == passerelle.PartnershipActive
	var (
		key  *uuid.UUID
		role *string
	)
	if active {
		role = &actor.Role
		if actor.KeyID != uuid.Nil {
			key = &actor.KeyID
		}
	}
	p, err := scanPartnership(tx.QueryRow(ctx, `INSERT INTO partnerships (organisation_id, company_id, status, steward,
			decided_by_key_id, decided_by_role, decided_at)
		VALUES (@org, @company, @status, @steward, @key, @role, CASE WHEN @active::boolean THEN now() END)
		ON CONFLICT DO NOTHING RETURNING `+partnershipColumns,
		pgx.NamedArgs{"org": org, "company": company, "status": status, "steward": steward, "key": key, "role": role, "active": active}))
	if errors.Is(err, pgx.ErrNoRows) {
		return Partnership{}, false, nil
	}
	if err != nil {
		return Partnership{}, false, err
	}
	return p, true, audit(ctx, tx, actor, "create", "partnership", company, &org,
		map[string]any{"company_id": company, "status": status, "steward": steward})
}

// PartnershipFilter narrows a list of partnerships.
type PartnershipFilter struct {
	Status string // "" for any
}

// partnershipScope restricts partnerships to those actor may see: all for an
// admin, those addressed to it for a company (the requests it decides), its
// organisation's for an adviser or integrator.
func partnershipScope(actor passerelle.Principal, args pgx.NamedArgs) string {
	switch actor.Role {
	case passerelle.RoleAdmin:
		return `true`
	case passerelle.RoleCompany:
		args["scope_company"] = actor.CompanyID
		return `company_id = @scope_company`
	default:
		args["scope_org"] = actor.OrganisationID
		return `organisation_id = @scope_org`
	}
}

// ListPartnerships lists the partnerships actor may see. A company lists the
// requests addressed to it here (status pending) before deciding them.
func (s *Store) ListPartnerships(ctx context.Context, actor passerelle.Principal, f PartnershipFilter, page Page) ([]Partnership, *Cursor, error) {
	args := pgx.NamedArgs{}
	base := `SELECT ` + partnershipColumns + ` FROM partnerships WHERE ` + partnershipScope(actor, args)
	if f.Status != "" {
		base += ` AND status = @status`
		args["status"] = f.Status
	}
	items, next, err := listPage(ctx, s.pool, base, args, page, scanPartnership,
		func(p Partnership) Cursor { return Cursor{UpdatedAt: p.UpdatedAt, ID: p.ID} })
	return items, next, wrap("list partnerships", err)
}

// DecidePartnership sets the status of the partnership of organisationID with
// companyID to to (active or refused): the company's answer to a request, or
// its change of mind (refusing an active partnership ends it). Only the
// company itself and admins decide: other roles are forbidden, another
// company's partnership is not found. Deciding what is already decided
// changes nothing and answers the partnership as it is.
func (s *Store) DecidePartnership(ctx context.Context, actor passerelle.Principal, organisationID, companyID uuid.UUID, to string) (Partnership, error) {
	switch actor.Role {
	case passerelle.RoleAdmin, passerelle.RoleCompany:
	default:
		return Partnership{}, passerelle.Errorf(passerelle.EForbidden, "Only the company itself decides who may act for it.")
	}
	if !passerelle.MayActForCompany(actor, companyID, passerelle.CompanyLink{}, passerelle.DecidePartnerships) {
		return Partnership{}, notFound("Partnership")
	}
	var p Partnership
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := scanPartnership(tx.QueryRow(ctx, `SELECT `+partnershipColumns+` FROM partnerships
			WHERE organisation_id = $1 AND company_id = $2 FOR UPDATE`, organisationID, companyID))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("Partnership")
		}
		if err != nil {
			return err
		}
		if !passerelle.ValidPartnershipTransition(cur.Status, to) {
			return passerelle.Errorf(passerelle.EConflict, "A partnership cannot go from %s to %s.", cur.Status, to)
		}
		if cur.Status == to {
			p = cur
			return nil
		}
		var key *uuid.UUID
		if actor.KeyID != uuid.Nil {
			key = &actor.KeyID
		}
		p, err = scanPartnership(tx.QueryRow(ctx, `UPDATE partnerships SET status = $3, decided_by_key_id = $4,
				decided_by_role = $5, decided_at = now(), updated_at = now()
			WHERE organisation_id = $1 AND company_id = $2 RETURNING `+partnershipColumns,
			organisationID, companyID, to, key, actor.Role))
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "decide", "partnership", companyID, &organisationID,
			map[string]any{"company_id": companyID, "from": cur.Status, "to": to})
	})
	return p, wrap("decide partnership", err)
}

// DeletePartnership unlinks an organisation from a company: the
// organisation's advisers and integrators no longer see it. Admins, and
// advisers of the organisation, may; the company itself stays registered (and
// ends a partnership by refusing it, DecidePartnership).
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
