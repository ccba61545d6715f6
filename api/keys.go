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

// APIKey describes a key; its secret is never shown again after creation.
type APIKey struct {
	ID             uuid.UUID  `json:"id"`
	Prefix         string     `json:"prefix" doc:"Public part of the key (psl_<prefix>_…), to recognise it in logs."`
	Name           string     `json:"name"`
	Role           string     `json:"role" enum:"admin,adviser,company,integrator"`
	OrganisationID *uuid.UUID `json:"organisation_id,omitempty"`
	CompanyID      *uuid.UUID `json:"company_id,omitempty"`
	AdviserID      *uuid.UUID `json:"adviser_id,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	LastUsedAt     *time.Time `json:"last_used_at,omitempty" doc:"Last use, to the minute."`
	RevokedAt      *time.Time `json:"revoked_at,omitempty"`
}

// CreatedAPIKey is a new key with its secret.
type CreatedAPIKey struct {
	APIKey
	Key string `json:"key" doc:"The secret key, shown this once: send it as Authorization: Bearer <key>."`
}

// APIKeyInput is the body of key creation.
type APIKeyInput struct {
	Name           string     `json:"name" minLength:"1" maxLength:"200" example:"Gonesse — portail entreprises"`
	Role           string     `json:"role" enum:"admin,adviser,company,integrator"`
	OrganisationID *uuid.UUID `json:"organisation_id,omitempty" doc:"Required for adviser and integrator keys."`
	CompanyID      *uuid.UUID `json:"company_id,omitempty" doc:"Required for company keys."`
	AdviserID      *uuid.UUID `json:"adviser_id,omitempty" doc:"Optional for adviser keys: the adviser using it."`
}

// APIKeyList is a page of keys.
type APIKeyList struct {
	Items      []APIKey `json:"items"`
	NextCursor string   `json:"next_cursor,omitempty"`
}

type createdKeyOutput struct {
	Location string `header:"Location" doc:"Absolute URL of the resource created (PUBLIC_BASE_URL and its path)."`
	Body     CreatedAPIKey
}

type apiKeyOutput struct {
	Body APIKey
}

func apiKeyOf(k store.APIKey) APIKey {
	return APIKey{ID: k.ID, Prefix: k.Prefix, Name: k.Name, Role: k.Role, OrganisationID: k.OrganisationID,
		CompanyID: k.CompanyID, AdviserID: k.AdviserID, CreatedAt: k.CreatedAt, UpdatedAt: k.UpdatedAt,
		LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt}
}

func (s *Server) registerKeys() {
	const tag = "API keys"
	huma.Register(s.api, creating(huma.Operation{
		OperationID: "create-api-key", Method: http.MethodPost, Path: "/v1/api-keys",
		Summary: "Create an API key",
		Description: "Admins create any key. An adviser creates company keys for the companies its organisation registered " +
			"(it is their steward); another partner organisation answers 403. A company key creates keys for its own company.",
		Tags: []string{tag}, DefaultStatus: http.StatusCreated,
		Security: roles(passerelle.RoleAdmin, passerelle.RoleAdviser, passerelle.RoleCompany),
	}), func(ctx context.Context, in *struct{ Body APIKeyInput }) (*createdKeyOutput, error) {
		k, secret, err := s.deps.Store.CreateKey(ctx, principal(ctx), store.KeyInput{Name: in.Body.Name, Role: in.Body.Role,
			OrganisationID: in.Body.OrganisationID, CompanyID: in.Body.CompanyID, AdviserID: in.Body.AdviserID})
		if err != nil {
			return nil, err
		}
		return &createdKeyOutput{Location: s.url("/v1/api-keys/" + k.ID.String()), Body: CreatedAPIKey{APIKey: apiKeyOf(k), Key: secret}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-api-keys", Method: http.MethodGet, Path: "/v1/api-keys",
		Summary: "List API keys", Description: "Admins see every key; an adviser the keys of the companies its organisation is the steward of; a company its own.",
		Tags: []string{tag}, Security: roles(passerelle.RoleAdmin, passerelle.RoleAdviser, passerelle.RoleCompany),
	}, func(ctx context.Context, in *struct{ ListParams }) (*listOutput[APIKeyList], error) {
		items, next, link, err := listPageOf(s, "api-keys", "/v1/api-keys", in.ListParams, nil,
			func(page store.Page) ([]store.APIKey, *store.Cursor, error) {
				return s.deps.Store.ListKeys(ctx, principal(ctx), page)
			}, apiKeyOf)
		if err != nil {
			return nil, err
		}
		return &listOutput[APIKeyList]{Link: link, Body: APIKeyList{Items: items, NextCursor: next}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "revoke-api-key", Method: http.MethodPost, Path: "/v1/api-keys/{id}/revoke",
		Summary: "Revoke an API key", Description: "Effective on the very next request made with the key. " +
			"Admins revoke any key; an adviser and a company the keys they may create.",
		Tags: []string{tag}, Security: roles(passerelle.RoleAdmin, passerelle.RoleAdviser, passerelle.RoleCompany),
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id"`
	}) (*apiKeyOutput, error) {
		k, err := s.deps.Store.RevokeKey(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &apiKeyOutput{Body: apiKeyOf(k)}, nil
	})
}
