package api

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// Company is a partner company: one establishment, identified by its SIRET.
type Company struct {
	ID                 uuid.UUID `json:"id" doc:"Identifier."`
	SIRET              string    `json:"siret" example:"44306184100047" doc:"The establishment's SIRET, fixed at registration."`
	Name               string    `json:"name" example:"Boulangerie du Marché"`
	NAFCode            string    `json:"naf_code,omitempty" example:"10.71C" doc:"NAF rev. 2 (APE) activity code; absent when unknown."`
	HeadcountBand      string    `json:"headcount_band,omitempty" enum:"0,1-9,10-49,50-249,250-4999,5000+" doc:"Number of employees; absent when unknown."`
	Address            Address   `json:"address"`
	Latitude           *float64  `json:"latitude,omitempty" example:"48.9874"`
	Longitude          *float64  `json:"longitude,omitempty" example:"2.4453"`
	DisabilityFriendly bool      `json:"disability_friendly" doc:"Welcomes recognised disabled workers (RQTH)."`
	Contacts           []Contact `json:"contacts"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// CompanyInput is the body of registration and replacement.
type CompanyInput struct {
	SIRET              string    `json:"siret" pattern:"^[0-9]{14}$" patternDescription:"14 digits" example:"44306184100047" doc:"The establishment's SIRET: 14 digits, check digit verified (La Poste's own rule included). Cannot change once registered."`
	Name               string    `json:"name" minLength:"1" maxLength:"200" example:"Boulangerie du Marché"`
	NAFCode            string    `json:"naf_code,omitempty" pattern:"^[0-9]{2}\\.[0-9]{2}[A-Z]$" patternDescription:"NAF rev. 2, such as 62.01Z" example:"10.71C"`
	HeadcountBand      string    `json:"headcount_band,omitempty" enum:"0,1-9,10-49,50-249,250-4999,5000+" doc:"Number of employees."`
	Address            Address   `json:"address"`
	Latitude           *float64  `json:"latitude,omitempty" minimum:"-90" maximum:"90" dependentRequired:"longitude" example:"48.9874" doc:"WGS 84; give both coordinates or neither."`
	Longitude          *float64  `json:"longitude,omitempty" minimum:"-180" maximum:"180" dependentRequired:"latitude" example:"2.4453" doc:"WGS 84; give both coordinates or neither."`
	DisabilityFriendly bool      `json:"disability_friendly,omitempty" doc:"Welcomes recognised disabled workers (RQTH). Default false."`
	Contacts           []Contact `json:"contacts,omitempty" maxItems:"10" doc:"People to talk to, at most 10. Visible to the company and its partner organisations."`
}

// Address is a postal address in France.
type Address struct {
	Street     string `json:"street" minLength:"1" maxLength:"200" example:"1 rue de la Gare"`
	PostalCode string `json:"postal_code" pattern:"^[0-9]{5}$" patternDescription:"5 digits" example:"95500"`
	Town       string `json:"town" minLength:"1" maxLength:"100" example:"Gonesse"`
}

// Contact is a person to talk to at a company.
type Contact struct {
	Name  string `json:"name" minLength:"1" maxLength:"200" example:"Camille Martin"`
	Role  string `json:"role,omitempty" maxLength:"100" example:"Tutrice d'apprentissage"`
	Email string `json:"email,omitempty" format:"email" maxLength:"254" example:"camille.martin@example.fr"`
	Phone string `json:"phone,omitempty" pattern:"^\\+?[0-9][0-9 .-]{5,24}$" patternDescription:"digits, spaces, dots or dashes, optionally after +" example:"01 39 87 00 00"`
}

func (in CompanyInput) store() store.CompanyInput {
	c := store.CompanyInput{SIRET: in.SIRET, Name: in.Name, NAFCode: in.NAFCode, HeadcountBand: in.HeadcountBand,
		Address: store.Address(in.Address), DisabilityFriendly: in.DisabilityFriendly,
		Contacts: mapSlice(in.Contacts, func(c Contact) store.Contact { return store.Contact(c) })}
	// The schema requires both coordinates or neither (dependentRequired).
	if in.Latitude != nil && in.Longitude != nil {
		c.Coordinates = &store.Coordinates{Latitude: *in.Latitude, Longitude: *in.Longitude}
	}
	return c
}

func companyOf(c store.Company) Company {
	out := Company{ID: c.ID, SIRET: c.SIRET, Name: c.Name, NAFCode: c.NAFCode, HeadcountBand: c.HeadcountBand,
		Address: Address(c.Address), DisabilityFriendly: c.DisabilityFriendly,
		Contacts:  mapSlice(c.Contacts, func(c store.Contact) Contact { return Contact(c) }),
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if c.Coordinates != nil {
		out.Latitude, out.Longitude = &c.Coordinates.Latitude, &c.Coordinates.Longitude
	}
	return out
}

// CompanyList is a page of companies.
type CompanyList struct {
	Items      []Company `json:"items"`
	NextCursor string    `json:"next_cursor,omitempty" doc:"Cursor of the next page; absent on the last."`
}

type companyOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     Company
}

func newCompanyOutput(c store.Company) *companyOutput {
	return &companyOutput{ETag: etag(c.Version), Body: companyOf(c)}
}

func (s *Server) registerCompanies() {
	const tag = "Companies"
	huma.Register(s.api, creating(huma.Operation{
		OperationID: "create-company", Method: http.MethodPost, Path: "/v1/companies",
		Summary: "Register a company",
		Description: "Registers an establishment by its SIRET. An adviser's or integrator's company becomes a partner of its " +
			"organisation. A SIRET already registered answers 409: link that company with `POST /v1/partnerships` instead.",
		Tags: []string{tag}, DefaultStatus: http.StatusCreated,
		Security: roles(passerelle.RoleAdmin, passerelle.RoleAdviser, passerelle.RoleIntegrator),
	}), func(ctx context.Context, in *struct{ Body CompanyInput }) (*companyOutput, error) {
		c, err := s.deps.Store.CreateCompany(ctx, principal(ctx), in.Body.store())
		if err != nil {
			return nil, err
		}
		out := newCompanyOutput(c)
		out.Location = "/v1/companies/" + c.ID.String()
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-companies", Method: http.MethodGet, Path: "/v1/companies",
		Summary:     "List companies",
		Description: "Admins see all; advisers and integrators their organisation's partners; a company itself.",
		Tags:        []string{tag}, Security: roles(allRoles...),
	}, func(ctx context.Context, in *struct {
		ListParams
		SIRET string `query:"siret" pattern:"^[0-9]{14}$" patternDescription:"14 digits" doc:"Only the company with this SIRET (among those you see)."`
	}) (*listOutput[CompanyList], error) {
		var extra url.Values
		if in.SIRET != "" {
			extra = url.Values{"siret": {in.SIRET}}
		}
		items, next, link, err := listPageOf(s, "companies", "/v1/companies", in.ListParams, extra,
			func(page store.Page) ([]store.Company, *store.Cursor, error) {
				return s.deps.Store.ListCompanies(ctx, principal(ctx), store.CompanyFilter{SIRET: in.SIRET}, page)
			}, companyOf)
		if err != nil {
			return nil, err
		}
		return &listOutput[CompanyList]{Link: link, Body: CompanyList{Items: items, NextCursor: next}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-company", Method: http.MethodGet, Path: "/v1/companies/{id}",
		Summary: "Get a company", Tags: []string{tag}, Security: roles(allRoles...),
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Company id."`
	}) (*companyOutput, error) {
		c, err := s.deps.Store.GetCompany(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newCompanyOutput(c), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "replace-company", Method: http.MethodPut, Path: "/v1/companies/{id}",
		Summary:     "Replace a company's fields",
		Description: "Admins, advisers and integrators of a partner organisation, and the company itself. The SIRET must stay the same.",
		Tags:        []string{tag}, Security: roles(allRoles...),
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Company id."`
		IfMatch
		Body CompanyInput
	}) (*companyOutput, error) {
		version, err := in.version()
		if err != nil {
			return nil, err
		}
		c, err := s.deps.Store.UpdateCompany(ctx, principal(ctx), in.ID, version, in.Body.store())
		if err != nil {
			return nil, err
		}
		return newCompanyOutput(c), nil
	})

	s.registerPartnerships()
}

// Partnership links an organisation to a company it works with.
type Partnership struct {
	OrganisationID uuid.UUID `json:"organisation_id"`
	CompanyID      uuid.UUID `json:"company_id"`
	CreatedAt      time.Time `json:"created_at"`
}

// PartnershipInput names the company by SIRET and, for admins, the organisation.
type PartnershipInput struct {
	SIRET          string     `json:"siret" pattern:"^[0-9]{14}$" patternDescription:"14 digits" example:"44306184100047" doc:"The company's SIRET."`
	OrganisationID *uuid.UUID `json:"organisation_id,omitempty" doc:"Required for admins; advisers and integrators may omit it (their own organisation is the only one they may name)."`
}

type partnershipOutput struct {
	Status int
	Body   Partnership
}

func (s *Server) registerPartnerships() {
	const tag = "Companies"
	// The operation answers 201 or 200 with the same body. Declaring the 200
	// takes huma's generated error response away, so both are declared here.
	schemas := s.api.OpenAPI().Components.Schemas
	partnership := schemas.Schema(reflect.TypeOf(Partnership{}), true, "Partnership")
	problem := schemas.Schema(reflect.TypeOf(Problem{}), true, "Problem")
	huma.Register(s.api, creating(huma.Operation{
		OperationID: "create-partnership", Method: http.MethodPost, Path: "/v1/partnerships",
		Summary: "Link a company to an organisation",
		Description: "Links the company registered under a SIRET to an organisation, whose advisers and integrators then see it. " +
			"201 when the link is new, 200 when it existed already.",
		Tags: []string{tag}, DefaultStatus: http.StatusCreated,
		Responses: map[string]*huma.Response{
			"200": {Description: "The organisation already worked with the company.",
				Content: map[string]*huma.MediaType{"application/json": {Schema: partnership}}},
			"default": {Description: "Error", Content: map[string]*huma.MediaType{"application/problem+json": {Schema: problem}}},
		},
		Security: roles(passerelle.RoleAdmin, passerelle.RoleAdviser, passerelle.RoleIntegrator),
	}), func(ctx context.Context, in *struct{ Body PartnershipInput }) (*partnershipOutput, error) {
		p, created, err := s.deps.Store.CreatePartnership(ctx, principal(ctx), in.Body.SIRET, in.Body.OrganisationID)
		if err != nil {
			return nil, err
		}
		out := &partnershipOutput{Status: http.StatusOK, Body: Partnership(p)}
		if created {
			out.Status = http.StatusCreated
		}
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "delete-partnership", Method: http.MethodDelete, Path: "/v1/partnerships/{organisation_id}/{company_id}",
		Summary:     "Unlink a company from an organisation",
		Description: "The organisation's advisers and integrators no longer see the company. Admins, and advisers of the organisation.",
		Tags:        []string{tag}, DefaultStatus: http.StatusNoContent,
		Security: roles(passerelle.RoleAdmin, passerelle.RoleAdviser),
	}, func(ctx context.Context, in *struct {
		OrganisationID uuid.UUID `path:"organisation_id" doc:"Organisation id."`
		CompanyID      uuid.UUID `path:"company_id" doc:"Company id."`
	}) (*struct{}, error) {
		return nil, s.deps.Store.DeletePartnership(ctx, principal(ctx), in.OrganisationID, in.CompanyID)
	})
}
