package store

import (
	"context"
	"errors"
	"reflect"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/reference"
)

// HeadcountBands are the bands of a company's headcount, as the INSEE
// publishes them (the table's CHECK constraint lists the same).
var HeadcountBands = []string{"0", "1-9", "10-49", "50-249", "250-4999", "5000+"}

// Company is a partner company (one establishment, identified by its SIRET).
// Companies are global: partnerships say which organisations work with one.
type Company struct {
	ID                 uuid.UUID
	SIRET              string
	Name               string
	NAFCode            string // "" when unknown
	HeadcountBand      string // "" when unknown
	Address            Address
	Coordinates        *Coordinates
	DisabilityFriendly bool
	Contacts           []Contact
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int
}

// CompanyInput is what a caller sets. SIRET is fixed at creation: an update
// must repeat it.
type CompanyInput struct {
	SIRET              string
	Name               string
	NAFCode            string
	HeadcountBand      string
	Address            Address
	Coordinates        *Coordinates
	DisabilityFriendly bool
	Contacts           []Contact
}

// Address is a postal address in France.
type Address struct {
	Street     string `json:"street"`
	PostalCode string `json:"postal_code"`
	Town       string `json:"town"`
}

// Coordinates are a WGS 84 point. A company has both or neither.
type Coordinates struct {
	Latitude  float64
	Longitude float64
}

// Contact is a person to talk to at a company: personal data, kept out of the
// audit log.
type Contact struct {
	Name  string `json:"name"`
	Role  string `json:"role,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

const companyColumns = `id, siret, name, coalesce(naf_code, ''), coalesce(headcount_band, ''), address, latitude, longitude,
	disability_friendly, contacts, created_at, updated_at, version`

func scanCompany(row pgx.Row) (Company, error) {
	var (
		c        Company
		lat, lon *float64
	)
	err := row.Scan(&c.ID, &c.SIRET, &c.Name, &c.NAFCode, &c.HeadcountBand, &c.Address, &lat, &lon,
		&c.DisabilityFriendly, &c.Contacts, &c.CreatedAt, &c.UpdatedAt, &c.Version)
	if lat != nil && lon != nil {
		c.Coordinates = &Coordinates{Latitude: *lat, Longitude: *lon}
	}
	if c.Contacts == nil {
		c.Contacts = []Contact{}
	}
	return c, err
}

// companyScope restricts companies to what actor may see: all for an admin,
// its own for a company, its organisation's active partners for an adviser or
// integrator (a pending partner sees only public data: published offers).
func companyScope(actor passerelle.Principal, args pgx.NamedArgs) string {
	switch actor.Role {
	case passerelle.RoleAdmin:
		return `true`
	case passerelle.RoleCompany:
		args["scope_company"] = actor.CompanyID
		return `id = @scope_company`
	default:
		args["scope_org"] = actor.OrganisationID
		return `id IN ` + activePartners("scope_org")
	}
}

// actorOrganisation is the organisation an actor acts for, for the audit log:
// nil for admins and companies.
func actorOrganisation(actor passerelle.Principal) *uuid.UUID {
	if actor.OrganisationID == uuid.Nil {
		return nil
	}
	return &actor.OrganisationID
}

// checkCompanyInput applies the rules the request schema cannot say: the
// SIRET's check digit and the NAF code's form (for callers other than the API).
func checkCompanyInput(in CompanyInput) error {
	var fields []passerelle.FieldError
	if err := reference.ValidSIRET(in.SIRET); err != nil {
		fields = append(fields, passerelle.FieldError{Location: "siret", Message: err.Error(), Value: in.SIRET})
	}
	if in.NAFCode != "" {
		if err := reference.ValidNAF(in.NAFCode); err != nil {
			fields = append(fields, passerelle.FieldError{Location: "naf_code", Message: err.Error(), Value: in.NAFCode})
		}
	}
	if len(fields) > 0 {
		return passerelle.Invalid("The company cannot be saved as described.", fields...)
	}
	return nil
}

// companyArgs are the named arguments of a company's writable columns.
func companyArgs(id uuid.UUID, in CompanyInput) pgx.NamedArgs {
	args := pgx.NamedArgs{"id": id, "siret": in.SIRET, "name": in.Name, "naf_code": nullable(in.NAFCode),
		"headcount_band": nullable(in.HeadcountBand), "address": in.Address, "latitude": nil, "longitude": nil,
		"disability_friendly": in.DisabilityFriendly, "contacts": in.Contacts}
	if in.Coordinates != nil {
		args["latitude"], args["longitude"] = in.Coordinates.Latitude, in.Coordinates.Longitude
	}
	if in.Contacts == nil {
		args["contacts"] = []Contact{}
	}
	return args
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// CreateCompany registers a company. Admins, advisers and integrators may; an
// adviser's or integrator's company becomes an active partner of its
// organisation, which is its steward, in the same transaction. A SIRET already registered is a conflict: the caller
// links that company with CreatePartnership instead.
func (s *Store) CreateCompany(ctx context.Context, actor passerelle.Principal, in CompanyInput) (Company, error) {
	switch actor.Role {
	case passerelle.RoleAdmin, passerelle.RoleAdviser, passerelle.RoleIntegrator:
	default:
		return Company{}, passerelle.Errorf(passerelle.EForbidden, "This role may not register companies.")
	}
	if err := checkCompanyInput(in); err != nil {
		return Company{}, err
	}
	var c Company
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		c, err = createCompany(ctx, tx, actor, in)
		return err
	})
	return c, wrap("create company", err)
}

// createCompany registers a checked company in tx, its actor's organisation
// (if any) becoming its steward.
func createCompany(ctx context.Context, tx pgx.Tx, actor passerelle.Principal, in CompanyInput) (Company, error) {
	c, err := scanCompany(tx.QueryRow(ctx, `INSERT INTO companies (id, siret, name, naf_code, headcount_band, address,
			latitude, longitude, disability_friendly, contacts)
		VALUES (@id, @siret, @name, @naf_code, @headcount_band, @address, @latitude, @longitude, @disability_friendly, @contacts)
		RETURNING `+companyColumns, companyArgs(uuid.New(), in)))
	if uniqueViolation(err, "companies_siret_key") {
		return c, passerelle.Errorf(passerelle.EConflict,
			"A company with SIRET %s is already registered: ask to work with it with POST /v1/partnerships and the body {\"siret\": \"%s\"} (admins add organisation_id); the company accepts or refuses.",
			in.SIRET, in.SIRET)
	}
	if err != nil {
		return c, err
	}
	org := actorOrganisation(actor)
	if err := audit(ctx, tx, actor, "create", "company", c.ID, org, nil); err != nil {
		return c, err
	}
	if org == nil {
		return c, nil
	}
	// The organisation that registers a company is its steward.
	_, _, err = insertPartnership(ctx, tx, actor, *org, c.ID, passerelle.PartnershipActive, true)
	return c, err
}

// GetCompany returns a company actor may see.
func (s *Store) GetCompany(ctx context.Context, actor passerelle.Principal, id uuid.UUID) (Company, error) {
	args := pgx.NamedArgs{"id": id}
	c, err := scanCompany(s.pool.QueryRow(ctx, `SELECT `+companyColumns+` FROM companies
		WHERE id = @id AND `+companyScope(actor, args), args))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, notFound("Company")
	}
	return c, wrap("get company", err)
}

// CompanyFilter narrows a list of companies.
type CompanyFilter struct {
	SIRET string // "" for any
}

// ListCompanies lists the companies actor may see.
func (s *Store) ListCompanies(ctx context.Context, actor passerelle.Principal, f CompanyFilter, page Page) ([]Company, *Cursor, error) {
	args := pgx.NamedArgs{}
	base := `SELECT ` + companyColumns + ` FROM companies WHERE ` + companyScope(actor, args)
	if f.SIRET != "" {
		base += ` AND siret = @siret`
		args["siret"] = f.SIRET
	}
	items, next, err := listPage(ctx, s.pool, base, args, page, scanCompany,
		func(c Company) Cursor { return Cursor{UpdatedAt: c.UpdatedAt, ID: c.ID} })
	return items, next, wrap("list companies", err)
}

// UpdateCompany replaces a company's fields. Admins, the company itself, and
// advisers and integrators of its steward organisation may; another active
// partner sees the company but may not change it (forbidden). The SIRET cannot
// change: another establishment is another company. ifVersion, when not nil,
// must match the current version (If-Match).
func (s *Store) UpdateCompany(ctx context.Context, actor passerelle.Principal, id uuid.UUID, ifVersion *int, in CompanyInput) (Company, error) {
	var c Company
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		args := pgx.NamedArgs{"id": id}
		cur, err := scanCompany(tx.QueryRow(ctx, `SELECT `+companyColumns+` FROM companies
			WHERE id = @id AND `+companyScope(actor, args)+` FOR UPDATE`, args))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("Company")
		}
		if err != nil {
			return err
		}
		if err := mayActForCompany(ctx, tx, actor, id, passerelle.EditCompany,
			"Only the company itself, the organisation that registered it and admins may change a company's identity and contacts."); err != nil {
			return err
		}
		if err := checkVersion(ifVersion, cur.Version); err != nil {
			return err
		}
		if in.SIRET != cur.SIRET {
			return passerelle.Invalid("A company's SIRET cannot change: another establishment is another company, registered with POST /v1/companies.",
				passerelle.FieldError{Location: "siret", Message: "must stay " + cur.SIRET, Value: in.SIRET})
		}
		if err := checkCompanyInput(in); err != nil {
			return err
		}
		c, err = scanCompany(tx.QueryRow(ctx, `UPDATE companies SET name = @name, naf_code = @naf_code,
				headcount_band = @headcount_band, address = @address, latitude = @latitude, longitude = @longitude,
				disability_friendly = @disability_friendly, contacts = @contacts, updated_at = now(), version = version + 1
			WHERE id = @id RETURNING `+companyColumns, companyArgs(id, in)))
		if err != nil {
			return err
		}
		if c.Name != cur.Name {
			if err := s.renameInOffers(ctx, tx, id); err != nil {
				return err
			}
		}
		return audit(ctx, tx, actor, "update", "company", id, actorOrganisation(actor),
			map[string]any{"changed": changedCompanyFields(cur, c)})
	})
	return c, wrap("update company", err)
}

// renameInOffers follows a company's new name into its offers: their
// representation (company_name) changed, so their version moves — ETags and
// the search reconciler see it — and their search documents are re-indexed, in
// the same transaction.
func (s *Store) renameInOffers(ctx context.Context, tx pgx.Tx, companyID uuid.UUID) error {
	rows, err := tx.Query(ctx, `UPDATE offers SET version = version + 1, updated_at = now()
		WHERE company_id = $1 AND status IN ('draft', 'published', 'paused') RETURNING id`, companyID)
	if err != nil {
		return err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil || len(ids) == 0 {
		return err
	}
	return s.queueIndex(ctx, tx, ids...)
}

// changedCompanyFields names the fields an update changed: what the audit log
// may say without copying names or contact details.
func changedCompanyFields(before, after Company) []string {
	changed := []string{}
	for _, f := range []struct {
		name string
		a, b any
	}{
		{"name", before.Name, after.Name},
		{"naf_code", before.NAFCode, after.NAFCode},
		{"headcount_band", before.HeadcountBand, after.HeadcountBand},
		{"address", before.Address, after.Address},
		{"coordinates", before.Coordinates, after.Coordinates},
		{"disability_friendly", before.DisabilityFriendly, after.DisabilityFriendly},
		{"contacts", before.Contacts, after.Contacts},
	} {
		if !reflect.DeepEqual(f.a, f.b) {
			changed = append(changed, f.name)
		}
	}
	return changed
}
