package api

import (
	"context"
	"net/http"
	"net/url"
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
	Location string `header:"Location" doc:"Absolute URL of the resource created (PUBLIC_BASE_URL and its path)."`
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
		Description: "Registers an establishment by its SIRET. An adviser's or integrator's company becomes an active partner of its " +
			"organisation, which is its steward. A SIRET already registered answers 409: ask to work with that company with " +
			"`POST /v1/partnerships` instead; the company accepts or refuses.",
		Tags: []string{tag}, DefaultStatus: http.StatusCreated,
		Security: roles(passerelle.RoleAdmin, passerelle.RoleAdviser, passerelle.RoleIntegrator),
	}), func(ctx context.Context, in *struct{ Body CompanyInput }) (*companyOutput, error) {
		c, err := s.deps.Store.CreateCompany(ctx, principal(ctx), in.Body.store())
		if err != nil {
			return nil, err
		}
		out := newCompanyOutput(c)
		out.Location = s.url("/v1/companies/" + c.ID.String())
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-companies", Method: http.MethodGet, Path: "/v1/companies",
		Summary:     "List companies",
		Description: "Admins see all; advisers and integrators their organisation's active partners (a pending request shows nothing); a company itself.",
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
		Summary: "Replace a company's fields",
		Description: "Admins, the company itself, and advisers and integrators of the organisation that registered it (its steward). " +
			"Another active partner answers 403. The SIRET must stay the same.",
		Tags: []string{tag}, Security: roles(allRoles...),
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
