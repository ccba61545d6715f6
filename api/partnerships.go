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

// Partnership says that an organisation works, or asks to work, with a
// company. Who may act for a company is decided by the company: a request is
// pending until the company accepts it.
type Partnership struct {
	OrganisationID uuid.UUID  `json:"organisation_id"`
	CompanyID      uuid.UUID  `json:"company_id"`
	Status         string     `json:"status" enum:"pending,active,refused" doc:"pending: asked, not yet answered by the company (the organisation sees only public data); active: the organisation's advisers and integrators see the company and write offers on its behalf; refused: refused or ended by the company."`
	Steward        bool       `json:"steward" doc:"The organisation registered the company: besides admins and the company itself, only it edits the company and issues its API keys."`
	DecidedByRole  string     `json:"decided_by_role,omitempty" enum:"admin,adviser,company,integrator" doc:"Role of the key that made the partnership active or refused it; absent while pending."`
	DecidedAt      *time.Time `json:"decided_at,omitempty" doc:"When the partnership became active or was refused; absent while pending."`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

func partnershipOf(p store.Partnership) Partnership {
	return Partnership{OrganisationID: p.OrganisationID, CompanyID: p.CompanyID, Status: p.Status, Steward: p.Steward,
		DecidedByRole: p.DecidedByRole, DecidedAt: p.DecidedAt, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// PartnershipInput names the company by SIRET and, for admins, the organisation.
type PartnershipInput struct {
	SIRET          string     `json:"siret" pattern:"^[0-9]{14}$" patternDescription:"14 digits" example:"44306184100047" doc:"The company's SIRET."`
	OrganisationID *uuid.UUID `json:"organisation_id,omitempty" doc:"Required for admins; advisers and integrators may omit it (their own organisation is the only one they may name)."`
}

// PartnershipList is a page of partnerships.
type PartnershipList struct {
	Items      []Partnership `json:"items"`
	NextCursor string        `json:"next_cursor,omitempty" doc:"Cursor of the next page; absent on the last."`
}

type partnershipOutput struct {
	Status int
	Body   Partnership
}

type partnershipPath struct {
	OrganisationID uuid.UUID `path:"organisation_id" doc:"Organisation id."`
	CompanyID      uuid.UUID `path:"company_id" doc:"Company id."`
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
		Summary: "Ask to work with a company",
		Description: "Asks, for an organisation, to work with the company registered under a SIRET. Who may act for a company " +
			"is decided by the company: an adviser's or integrator's request is created `pending` (201) and becomes `active` " +
			"when the company accepts it (`POST /v1/partnerships/{organisation_id}/{company_id}/accept`); until then the " +
			"organisation sees only the company's published offers. An admin's partnership is `active` at once. " +
			"200, with the partnership as it is, when the organisation already asked: asking again does not reopen a refusal.",
		Tags: []string{tag}, DefaultStatus: http.StatusCreated,
		Responses: map[string]*huma.Response{
			"200": {Description: "The organisation had already asked to work with the company, or works with it.",
				Content: map[string]*huma.MediaType{"application/json": {Schema: partnership}}},
			"default": {Description: "Error", Content: map[string]*huma.MediaType{"application/problem+json": {Schema: problem}}},
		},
		Security: roles(passerelle.RoleAdmin, passerelle.RoleAdviser, passerelle.RoleIntegrator),
	}), func(ctx context.Context, in *struct{ Body PartnershipInput }) (*partnershipOutput, error) {
		p, created, err := s.deps.Store.CreatePartnership(ctx, principal(ctx), in.Body.SIRET, in.Body.OrganisationID)
		if err != nil {
			return nil, err
		}
		out := &partnershipOutput{Status: http.StatusOK, Body: partnershipOf(p)}
		if created {
			out.Status = http.StatusCreated
		}
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-partnerships", Method: http.MethodGet, Path: "/v1/partnerships",
		Summary: "List partnerships",
		Description: "A company sees the organisations that work, or ask to work, with it (`status=pending`: the requests " +
			"waiting for its answer); advisers and integrators their organisation's; admins all.",
		Tags: []string{tag}, Security: roles(allRoles...),
	}, func(ctx context.Context, in *struct {
		ListParams
		Status string `query:"status" enum:"pending,active,refused" doc:"Only partnerships in this status."`
	}) (*listOutput[PartnershipList], error) {
		var extra url.Values
		if in.Status != "" {
			extra = url.Values{"status": {in.Status}}
		}
		items, next, link, err := listPageOf(s, "partnerships", "/v1/partnerships", in.ListParams, extra,
			func(page store.Page) ([]store.Partnership, *store.Cursor, error) {
				return s.deps.Store.ListPartnerships(ctx, principal(ctx), store.PartnershipFilter{Status: in.Status}, page)
			}, partnershipOf)
		if err != nil {
			return nil, err
		}
		return &listOutput[PartnershipList]{Link: link, Body: PartnershipList{Items: items, NextCursor: next}}, nil
	})

	for _, d := range []struct{ verb, to, summary, description string }{
		{"accept", passerelle.PartnershipActive, "Accept an organisation as a partner",
			"The company (or an admin) accepts an organisation's request: its advisers and integrators then see the company " +
				"and write offers on its behalf. Accepting an active partnership changes nothing; a refused one may be accepted later."},
		{"refuse", passerelle.PartnershipRefused, "Refuse or end a partnership",
			"The company (or an admin) refuses an organisation's request, or ends an active partnership: the organisation " +
				"then sees only the company's published offers. Refusing twice changes nothing."},
	} {
		huma.Register(s.api, huma.Operation{
			OperationID: d.verb + "-partnership", Method: http.MethodPost,
			Path:    "/v1/partnerships/{organisation_id}/{company_id}/" + d.verb,
			Summary: d.summary, Description: d.description,
			Tags: []string{tag}, Security: roles(passerelle.RoleAdmin, passerelle.RoleCompany),
		}, func(ctx context.Context, in *partnershipPath) (*partnershipOutput, error) {
			p, err := s.deps.Store.DecidePartnership(ctx, principal(ctx), in.OrganisationID, in.CompanyID, d.to)
			if err != nil {
				return nil, err
			}
			return &partnershipOutput{Status: http.StatusOK, Body: partnershipOf(p)}, nil
		})
	}

	huma.Register(s.api, huma.Operation{
		OperationID: "delete-partnership", Method: http.MethodDelete, Path: "/v1/partnerships/{organisation_id}/{company_id}",
		Summary:     "Unlink a company from an organisation",
		Description: "The organisation's advisers and integrators no longer see the company. Admins, and advisers of the organisation.",
		Tags:        []string{tag}, DefaultStatus: http.StatusNoContent,
		Security: roles(passerelle.RoleAdmin, passerelle.RoleAdviser),
	}, func(ctx context.Context, in *partnershipPath) (*struct{}, error) {
		return nil, s.deps.Store.DeletePartnership(ctx, principal(ctx), in.OrganisationID, in.CompanyID)
	})
}
