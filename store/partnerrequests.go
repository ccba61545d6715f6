package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/reference"
)

// A company asks to become a programme's partner from the programme's public
// page. Anyone may post such a request, so it gives nothing by itself and
// says nothing back: the answer is the same whether the SIRET is registered
// or not. An adviser of the programme accepts or refuses it. Accepting a
// request for an unknown SIRET registers the company (the programme becomes
// its steward), and invites the requester to sign in for it. Accepting one
// for a SIRET already registered only asks the company, as CreatePartnership
// does: an anonymous form must never give anyone a say over a company that
// exists (its own users decide, in their space or with their key).

// Partner request statuses.
const (
	RequestPending  = "pending"
	RequestAccepted = "accepted"
	RequestRefused  = "refused"
)

// RoleAnonymous is the actor role, in the audit log, of a visitor who is not
// signed in (a public form).
const RoleAnonymous = "anonymous"

// PartnerRequestInput is what the public form posts.
type PartnerRequestInput struct {
	SIRET        string
	CompanyName  string
	Address      Address
	ContactName  string
	ContactEmail string
	ContactPhone string
	Message      string
}

// PartnerRequest is a request as the programme's advisers see it.
type PartnerRequest struct {
	ID             uuid.UUID
	OrganisationID uuid.UUID
	PartnerRequestInput
	Status    string
	CompanyID *uuid.UUID // set on acceptance
	// Registered says whether a company with this SIRET is registered (for
	// the adviser only: the requester is never told).
	Registered bool
	DecidedAt  *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// checkPartnerRequest applies the rules of a request's fields, and fills the
// town from the postal code when it is blank.
func checkPartnerRequest(in PartnerRequestInput) (PartnerRequestInput, error) {
	for _, s := range []*string{&in.SIRET, &in.CompanyName, &in.Address.Street, &in.Address.PostalCode, &in.Address.Town,
		&in.ContactName, &in.ContactEmail, &in.ContactPhone, &in.Message} {
		*s = strings.TrimSpace(*s)
	}
	in.SIRET = strings.ReplaceAll(in.SIRET, " ", "")
	var fields []passerelle.FieldError
	bad := func(loc, msg string, v any) {
		fields = append(fields, passerelle.FieldError{Location: loc, Message: msg, Value: v})
	}
	if err := reference.ValidSIRET(in.SIRET); err != nil {
		bad("siret", err.Error(), in.SIRET)
	}
	if in.CompanyName == "" || len(in.CompanyName) > 200 {
		bad("company_name", "a name is required", in.CompanyName)
	}
	if pc, err := reference.ParsePostalCode(in.Address.PostalCode); err != nil {
		bad("address.postal_code", passerelle.ErrorMessage(err), in.Address.PostalCode)
	} else if places := reference.PlacesByPostalCode(pc); len(places) == 0 {
		bad("address.postal_code", "no French commune has this postal code (see GET /v1/reference/places)", pc)
	} else {
		in.Address.PostalCode = pc
		if in.Address.Town == "" {
			in.Address.Town = places[0].Town
			if p, ok := DefaultCommune(pc); ok {
				in.Address.Town = p.Town
			}
		}
	}
	if in.ContactName == "" || len(in.ContactName) > 200 {
		bad("contact_name", "a name is required", in.ContactName)
	}
	if msg := checkEmail(in.ContactEmail); msg != "" {
		bad("contact_email", msg, in.ContactEmail)
	}
	if len(in.ContactPhone) > 40 {
		bad("contact_phone", "at most 40 characters", in.ContactPhone)
	}
	if len(in.Message) > 2000 {
		bad("message", "at most 2000 characters", len(in.Message))
	}
	if len(fields) > 0 {
		return in, passerelle.Invalid("The request cannot be sent as described.", fields...)
	}
	return in, nil
}

// CreatePartnerRequest records a company's request to become the partner of
// organisation organisationID. It answers the same whatever the SIRET: the
// caller says "sent" and nothing else. An unknown organisation is not found.
func (s *Store) CreatePartnerRequest(ctx context.Context, organisationID uuid.UUID, in PartnerRequestInput) error {
	in, err := checkPartnerRequest(in)
	if err != nil {
		return err
	}
	return wrap("create partner request", s.inTx(ctx, func(tx pgx.Tx) error {
		id := uuid.New()
		tag, err := tx.Exec(ctx, `INSERT INTO partner_requests (id, organisation_id, siret, company_name, address,
				contact_name, contact_email, contact_phone, message)
			SELECT $1, o.id, $3, $4, $5, $6, $7, $8, $9 FROM organisations o WHERE o.id = $2`,
			id, organisationID, in.SIRET, in.CompanyName, in.Address, in.ContactName, in.ContactEmail, in.ContactPhone, in.Message)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return notFound("Organisation")
		}
		return audit(ctx, tx, passerelle.Principal{Role: RoleAnonymous}, "create", "partner_request", id, &organisationID, nil)
	}))
}

const partnerRequestColumns = `r.id, r.organisation_id, r.siret, r.company_name, r.address, r.contact_name, r.contact_email,
	r.contact_phone, r.message, r.status, r.company_id, EXISTS (SELECT 1 FROM companies c WHERE c.siret = r.siret),
	r.decided_at, r.created_at, r.updated_at`

func scanPartnerRequest(row pgx.Row) (PartnerRequest, error) {
	var r PartnerRequest
	err := row.Scan(&r.ID, &r.OrganisationID, &r.SIRET, &r.CompanyName, &r.Address, &r.ContactName, &r.ContactEmail,
		&r.ContactPhone, &r.Message, &r.Status, &r.CompanyID, &r.Registered, &r.DecidedAt, &r.CreatedAt, &r.UpdatedAt)
	return r, err
}

// mayDecidePartnerRequests: the programme's advisers (people) answer
// requests, in the console; an integrator is a machine, a company is the
// requester, and an admin belongs to no programme.
func mayDecidePartnerRequests(actor passerelle.Principal) error {
	if actor.Role == passerelle.RoleAdviser {
		return nil
	}
	return passerelle.Errorf(passerelle.EForbidden, "Only a programme's advisers answer requests to become its partner.")
}

// ListPartnerRequests lists the requests addressed to actor's organisation in
// status ("" for any), as a change feed.
func (s *Store) ListPartnerRequests(ctx context.Context, actor passerelle.Principal, status string, page Page) ([]PartnerRequest, *Cursor, error) {
	if err := mayDecidePartnerRequests(actor); err != nil {
		return nil, nil, err
	}
	if status != "" && !slices.Contains([]string{RequestPending, RequestAccepted, RequestRefused}, status) {
		return nil, nil, passerelle.Invalid("Unknown request status.", passerelle.FieldError{Location: "query.status",
			Message: "must be one of pending, accepted, refused", Value: status})
	}
	args := pgx.NamedArgs{"org": actor.OrganisationID, "status": status}
	base := `SELECT * FROM (SELECT ` + partnerRequestColumns + ` FROM partner_requests r
		WHERE r.organisation_id = @org AND (@status = '' OR r.status = @status)) x WHERE true`
	items, next, err := listPage(ctx, s.pool, base, args, page, scanPartnerRequest,
		func(r PartnerRequest) Cursor { return Cursor{UpdatedAt: r.CreatedAt, ID: r.ID} })
	return items, next, wrap("list partner requests", err)
}

// PartnerRequestDecision is what deciding a request did.
type PartnerRequestDecision struct {
	Request PartnerRequest
	// Invitation is the sign-in link of the requester, to send by email: set
	// only when the acceptance registered the company.
	Invitation *SigninLink
	// Partnership is the partnership the acceptance made: active and steward
	// for a new company, pending (the company decides) for a registered one.
	Partnership *Partnership
}

// DecidePartnerRequest accepts or refuses a pending request to actor's
// organisation. Another organisation's request is not found; a request
// already decided is a conflict.
func (s *Store) DecidePartnerRequest(ctx context.Context, actor passerelle.Principal, id uuid.UUID, accept bool) (PartnerRequestDecision, error) {
	var d PartnerRequestDecision
	if err := mayDecidePartnerRequests(actor); err != nil {
		return d, err
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		r, err := scanPartnerRequest(tx.QueryRow(ctx, `SELECT `+partnerRequestColumns+` FROM partner_requests r
			WHERE r.id = $1 AND r.organisation_id = $2 FOR UPDATE`, id, actor.OrganisationID))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("Partner request")
		}
		if err != nil {
			return err
		}
		if r.Status != RequestPending {
			return passerelle.Errorf(passerelle.EConflict, "The request was already %s.", r.Status)
		}
		status := RequestRefused
		if accept {
			status = RequestAccepted
			if err := s.acceptPartnerRequest(ctx, tx, actor, &r, &d); err != nil {
				return err
			}
		}
		r, err = scanPartnerRequest(tx.QueryRow(ctx, `UPDATE partner_requests r SET status = $2, company_id = $3,
				decided_by = $4, decided_at = now(), updated_at = now()
			WHERE r.id = $1 RETURNING `+partnerRequestColumns, id, status, r.CompanyID, nilUUID(actor.AdviserID)))
		if err != nil {
			return err
		}
		d.Request = r
		return audit(ctx, tx, actor, "decide", "partner_request", id, &r.OrganisationID,
			map[string]any{"to": status, "company_id": r.CompanyID})
	})
	return d, wrap("decide partner request", err)
}

// acceptPartnerRequest registers the requester's company and invites them,
// or, when the SIRET is registered, asks the company (pending partnership).
func (s *Store) acceptPartnerRequest(ctx context.Context, tx pgx.Tx, staff passerelle.Principal, r *PartnerRequest, d *PartnerRequestDecision) error {
	var existing uuid.UUID
	err := tx.QueryRow(ctx, `SELECT id FROM companies WHERE siret = $1`, r.SIRET).Scan(&existing)
	switch {
	case err == nil:
		r.CompanyID = &existing
		p, created, err := insertPartnership(ctx, tx, staff, r.OrganisationID, existing, passerelle.PartnershipPending, false)
		if err != nil {
			return err
		}
		if !created {
			p, err = scanPartnership(tx.QueryRow(ctx, `SELECT `+partnershipColumns+` FROM partnerships
				WHERE organisation_id = $1 AND company_id = $2`, r.OrganisationID, existing))
			if err != nil {
				return err
			}
		}
		d.Partnership = &p
		return nil
	case !errors.Is(err, pgx.ErrNoRows):
		return err
	}
	in := CompanyInput{SIRET: r.SIRET, Name: r.CompanyName, Address: r.Address,
		Contacts: []Contact{{Name: r.ContactName, Email: r.ContactEmail, Phone: r.ContactPhone}}}
	if err := checkCompanyInput(in); err != nil {
		return err
	}
	c, err := createCompany(ctx, tx, staff, in)
	if err != nil {
		return err
	}
	r.CompanyID = &c.ID
	p, err := scanPartnership(tx.QueryRow(ctx, `SELECT `+partnershipColumns+` FROM partnerships
		WHERE organisation_id = $1 AND company_id = $2`, r.OrganisationID, c.ID))
	if err != nil {
		return err
	}
	d.Partnership = &p
	var user uuid.UUID
	if err := tx.QueryRow(ctx, `INSERT INTO company_users (id, company_id, name, email, invited_by_org_id)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, uuid.New(), c.ID, r.ContactName, r.ContactEmail, r.OrganisationID).Scan(&user); err != nil {
		return err
	}
	link := SigninLink{CompanyUserID: user, Name: r.ContactName, Email: r.ContactEmail}
	if err := insertSigninLink(ctx, tx, &link, ""); err != nil {
		return err
	}
	d.Invitation = &link
	return audit(ctx, tx, staff, "invite", "company_user", user, &r.OrganisationID,
		map[string]any{"company_id": c.ID, "new": true})
}

// Programme is what anyone may read of an organisation on its public page:
// its name, town, the tracks of its cohorts, and the towns of its partners'
// published offers (public data already).
type Programme struct {
	ID     uuid.UUID
	Kind   string
	Name   string
	Town   string
	Tracks []string
	Towns  []string
}

// PublicProgramme reads an organisation's public page. An unknown one is not
// found.
func (s *Store) PublicProgramme(ctx context.Context, id uuid.UUID) (Programme, error) {
	p := Programme{ID: id}
	err := s.pool.QueryRow(ctx, `SELECT o.kind, o.name, o.town,
			coalesce((SELECT array_agg(DISTINCT c.track ORDER BY c.track) FROM cohorts c WHERE c.organisation_id = o.id AND c.track <> ''), '{}'),
			coalesce((SELECT array_agg(DISTINCT f.town ORDER BY f.town) FROM offers f JOIN partnerships ps ON ps.company_id = f.company_id
				WHERE ps.organisation_id = o.id AND ps.status = 'active' AND f.status = 'published'), '{}')
		FROM organisations o WHERE o.id = $1`, id).Scan(&p.Kind, &p.Name, &p.Town, &p.Tracks, &p.Towns)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, notFound("Programme")
	}
	return p, wrap("public programme", err)
}
