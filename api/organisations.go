package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// Organisation is an E2C site, Mission Locale, programme or CFA.
type Organisation struct {
	ID        uuid.UUID `json:"id" doc:"Identifier."`
	Kind      string    `json:"kind" enum:"e2c,mission_locale,programme,cfa,other" doc:"What kind of organisation it is."`
	Name      string    `json:"name" example:"E2C Normandie — site de Hérouville-Saint-Clair"`
	Town      string    `json:"town" example:"Hérouville-Saint-Clair"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// OrganisationInput is the body of creation and replacement.
type OrganisationInput struct {
	Kind string `json:"kind" enum:"e2c,mission_locale,programme,cfa,other" doc:"e2c (École de la deuxième chance), mission_locale, programme, cfa or other."`
	Name string `json:"name" minLength:"1" maxLength:"200" example:"Fabrique numérique de Gonesse"`
	Town string `json:"town" minLength:"1" maxLength:"200" example:"Gonesse"`
}

func (in OrganisationInput) store() store.OrganisationInput {
	return store.OrganisationInput{Kind: in.Kind, Name: in.Name, Town: in.Town}
}

func organisationOf(o store.Organisation) Organisation {
	return Organisation{ID: o.ID, Kind: o.Kind, Name: o.Name, Town: o.Town, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

// OrganisationList is a page of organisations.
type OrganisationList struct {
	Items      []Organisation `json:"items"`
	NextCursor string         `json:"next_cursor,omitempty" doc:"Cursor of the next page; absent on the last."`
}

type organisationOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location" doc:"Absolute URL of the resource created (PUBLIC_BASE_URL and its path)."`
	Body     Organisation
}

func newOrganisationOutput(o store.Organisation) *organisationOutput {
	return &organisationOutput{ETag: etag(o.Version), Body: organisationOf(o)}
}

// organisationIDParam is the path of one organisation. (Embedded in a larger
// input, a parameter struct must be exported for huma to fill it: with more
// than the id, write the field inline.)
type organisationIDParam struct {
	ID uuid.UUID `path:"id" doc:"Organisation id."`
}

func (s *Server) registerOrganisations() {
	const tag = "Organisations"
	huma.Register(s.api, creating(huma.Operation{
		OperationID: "create-organisation", Method: http.MethodPost, Path: "/v1/organisations",
		Summary: "Create an organisation", Tags: []string{tag}, DefaultStatus: http.StatusCreated,
		Security: roles(passerelle.RoleAdmin),
	}), func(ctx context.Context, in *struct{ Body OrganisationInput }) (*organisationOutput, error) {
		o, err := s.deps.Store.CreateOrganisation(ctx, principal(ctx), in.Body.store())
		if err != nil {
			return nil, err
		}
		out := newOrganisationOutput(o)
		out.Location = s.url("/v1/organisations/" + o.ID.String())
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-organisations", Method: http.MethodGet, Path: "/v1/organisations",
		Summary: "List organisations", Description: "Admins see all; advisers and integrators their own; companies those that work with them or ask to (pending), so that they know who asks.",
		Tags: []string{tag}, Security: roles(allRoles...),
	}, func(ctx context.Context, in *struct{ ListParams }) (*listOutput[OrganisationList], error) {
		items, next, link, err := listPageOf(s, "organisations", "/v1/organisations", in.ListParams, nil,
			func(page store.Page) ([]store.Organisation, *store.Cursor, error) {
				return s.deps.Store.ListOrganisations(ctx, principal(ctx), page)
			}, organisationOf)
		if err != nil {
			return nil, err
		}
		return &listOutput[OrganisationList]{Link: link, Body: OrganisationList{Items: items, NextCursor: next}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-organisation", Method: http.MethodGet, Path: "/v1/organisations/{id}",
		Summary: "Get an organisation", Tags: []string{tag}, Security: roles(allRoles...),
	}, func(ctx context.Context, in *organisationIDParam) (*organisationOutput, error) {
		o, err := s.deps.Store.GetOrganisation(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newOrganisationOutput(o), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "replace-organisation", Method: http.MethodPut, Path: "/v1/organisations/{id}",
		Summary: "Replace an organisation's fields", Tags: []string{tag},
		Security: roles(passerelle.RoleAdmin, passerelle.RoleAdviser),
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Organisation id."`
		IfMatch
		Body OrganisationInput
	}) (*organisationOutput, error) {
		version, err := in.version()
		if err != nil {
			return nil, err
		}
		o, err := s.deps.Store.UpdateOrganisation(ctx, principal(ctx), in.ID, version, in.Body.store())
		if err != nil {
			return nil, err
		}
		return newOrganisationOutput(o), nil
	})
}
