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

// Adviser is a referent: a member of one organisation who follows trainees.
type Adviser struct {
	ID                      uuid.UUID               `json:"id" doc:"Identifier."`
	OrganisationID          uuid.UUID               `json:"organisation_id" doc:"The organisation the adviser belongs to."`
	Name                    string                  `json:"name" example:"Camille Martin"`
	Email                   string                  `json:"email" format:"email" example:"camille.martin@e2c-normandie.fr"`
	NotificationPreferences NotificationPreferences `json:"notification_preferences" doc:"How the adviser is told of each event type: every event type, with the delivery that applies."`
	CreatedAt               time.Time               `json:"created_at"`
	UpdatedAt               time.Time               `json:"updated_at"`
}

// AdviserInput is the body of creation and replacement.
type AdviserInput struct {
	Name                    string                  `json:"name" minLength:"1" maxLength:"200" example:"Camille Martin"`
	Email                   string                  `json:"email" format:"email" maxLength:"254" example:"camille.martin@e2c-normandie.fr" doc:"Unique in the organisation, compared without case."`
	NotificationPreferences NotificationPreferences `json:"notification_preferences,omitempty" doc:"How the adviser is told of each event type: instant, daily_digest or off. An event type left out is instant (the default), so {} or no field at all means every event instantly; a replacement resets the event types it leaves out."`
}

// NotificationPreferences maps an event type to its delivery.
type NotificationPreferences map[string]string

// Schema implements huma.SchemaProvider: one optional property per event type
// (store.EventTypes, the one list), each a delivery, and no other key.
func (NotificationPreferences) Schema(huma.Registry) *huma.Schema {
	s := &huma.Schema{Type: huma.TypeObject, Properties: map[string]*huma.Schema{}, AdditionalProperties: false,
		MaxProperties: ptr(len(store.EventTypes))}
	for _, event := range store.EventTypes {
		enum := make([]any, len(store.Deliveries))
		for i, d := range store.Deliveries {
			enum[i] = d
		}
		s.Properties[event] = &huma.Schema{Type: huma.TypeString, Enum: enum, Default: store.DeliveryInstant}
	}
	return s
}

func (in AdviserInput) store() store.AdviserInput {
	return store.AdviserInput{Name: in.Name, Email: in.Email, NotificationPreferences: store.NotificationPreferences(in.NotificationPreferences)}
}

func adviserOf(a store.Adviser) Adviser {
	prefs := make(NotificationPreferences, len(store.EventTypes))
	for _, event := range store.EventTypes {
		prefs[event] = a.NotificationPreferences.For(event)
	}
	return Adviser{ID: a.ID, OrganisationID: a.OrganisationID, Name: a.Name, Email: a.Email, NotificationPreferences: prefs,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// AdviserList is a page of advisers.
type AdviserList struct {
	Items      []Adviser `json:"items"`
	NextCursor string    `json:"next_cursor,omitempty" doc:"Cursor of the next page; absent on the last."`
}

type adviserOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location" doc:"Absolute URL of the resource created (PUBLIC_BASE_URL and its path)."`
	Body     Adviser
}

func newAdviserOutput(a store.Adviser) *adviserOutput {
	return &adviserOutput{ETag: etag(a.Version), Body: adviserOf(a)}
}

// memberRoles may manage an organisation's advisers and cohorts: admins any
// organisation's, advisers and integrators their own.
var memberRoles = roles(passerelle.RoleAdmin, passerelle.RoleAdviser, passerelle.RoleIntegrator)

func (s *Server) registerAdvisers() {
	const tag = "Advisers"
	huma.Register(s.api, creating(huma.Operation{
		OperationID: "create-adviser", Method: http.MethodPost, Path: "/v1/organisations/{id}/advisers",
		Summary: "Add an adviser to an organisation", Tags: []string{tag}, DefaultStatus: http.StatusCreated,
		Description: "Advisers and integrators add advisers to their own organisation. An email already used in the organisation answers 409.",
		Security:    memberRoles,
	}), func(ctx context.Context, in *struct {
		ID   uuid.UUID `path:"id" doc:"Organisation id."`
		Body AdviserInput
	}) (*adviserOutput, error) {
		a, err := s.deps.Store.CreateAdviser(ctx, principal(ctx), in.ID, in.Body.store())
		if err != nil {
			return nil, err
		}
		out := newAdviserOutput(a)
		out.Location = s.url("/v1/advisers/" + a.ID.String())
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-advisers", Method: http.MethodGet, Path: "/v1/organisations/{id}/advisers",
		Summary: "List an organisation's advisers", Tags: []string{tag}, Security: memberRoles,
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Organisation id."`
		ListParams
	}) (*listOutput[AdviserList], error) {
		items, next, link, err := listPageOf(s, "advisers", "/v1/organisations/"+in.ID.String()+"/advisers", in.ListParams, nil,
			func(page store.Page) ([]store.Adviser, *store.Cursor, error) {
				return s.deps.Store.ListAdvisers(ctx, principal(ctx), in.ID, page)
			}, adviserOf)
		if err != nil {
			return nil, err
		}
		return &listOutput[AdviserList]{Link: link, Body: AdviserList{Items: items, NextCursor: next}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-adviser", Method: http.MethodGet, Path: "/v1/advisers/{id}",
		Summary: "Get an adviser", Tags: []string{tag}, Security: memberRoles,
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Adviser id."`
	}) (*adviserOutput, error) {
		a, err := s.deps.Store.GetAdviser(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newAdviserOutput(a), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "replace-adviser", Method: http.MethodPut, Path: "/v1/advisers/{id}",
		Summary: "Replace an adviser's fields", Tags: []string{tag}, Security: memberRoles,
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Adviser id."`
		IfMatch
		Body AdviserInput
	}) (*adviserOutput, error) {
		version, err := in.version()
		if err != nil {
			return nil, err
		}
		a, err := s.deps.Store.UpdateAdviser(ctx, principal(ctx), in.ID, version, in.Body.store())
		if err != nil {
			return nil, err
		}
		return newAdviserOutput(a), nil
	})
}
