package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/store"
)

// Cohort is a "promotion": trainees of an organisation who start and end a
// track together.
type Cohort struct {
	ID             uuid.UUID `json:"id" doc:"Identifier."`
	OrganisationID uuid.UUID `json:"organisation_id" doc:"The organisation that runs the cohort."`
	Name           string    `json:"name" example:"Promo numérique 2026-2027"`
	Track          string    `json:"track" example:"Développeur web" doc:"The track followed; empty when not given."`
	StartDate      Date      `json:"start_date" example:"2026-09-01"`
	EndDate        Date      `json:"end_date" example:"2027-02-26"`
	Capacity       int       `json:"capacity" example:"12" doc:"Number of places."`
	Targets        Targets   `json:"targets"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// CohortInput is the body of creation and replacement.
type CohortInput struct {
	Name      string  `json:"name" minLength:"1" maxLength:"200" example:"Promo numérique 2026-2027"`
	Track     string  `json:"track,omitempty" maxLength:"200" example:"Développeur web" doc:"The track followed, in free text."`
	StartDate Date    `json:"start_date" example:"2026-09-01"`
	EndDate   Date    `json:"end_date" example:"2027-02-26" doc:"On or after start_date."`
	Capacity  int     `json:"capacity" minimum:"1" maximum:"10000" example:"12" doc:"Number of places."`
	Targets   Targets `json:"targets,omitempty"`
}

// Targets are a cohort's goals by name, such as {"signed_contracts": 150}.
type Targets map[string]int

// Schema implements huma.SchemaProvider. huma does not check propertyNames:
// the store does, naming the key at fault.
func (Targets) Schema(huma.Registry) *huma.Schema {
	value := &huma.Schema{Type: huma.TypeInteger, Minimum: ptr(0.0)}
	value.PrecomputeMessages()
	return &huma.Schema{
		Type: huma.TypeObject, AdditionalProperties: value, MaxProperties: ptr(50),
		Description: "Goals by name, each a count of 0 or more; names are 1 to 50 lower-case letters or underscores.",
		Examples:    []any{map[string]any{"signed_contracts": 150}},
		Extensions:  map[string]any{"propertyNames": map[string]any{"pattern": store.TargetKey.String()}},
	}
}

func (in CohortInput) store() store.CohortInput {
	return store.CohortInput{Name: in.Name, Track: in.Track, StartDate: in.StartDate.Time(), EndDate: in.EndDate.Time(),
		Capacity: in.Capacity, Targets: in.Targets}
}

func cohortOf(c store.Cohort) Cohort {
	return Cohort{ID: c.ID, OrganisationID: c.OrganisationID, Name: c.Name, Track: c.Track,
		StartDate: dateOf(c.StartDate), EndDate: dateOf(c.EndDate), Capacity: c.Capacity, Targets: c.Targets,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// CohortList is a page of cohorts.
type CohortList struct {
	Items      []Cohort `json:"items"`
	NextCursor string   `json:"next_cursor,omitempty" doc:"Cursor of the next page; absent on the last."`
}

type cohortOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location" doc:"Absolute URL of the resource created (PUBLIC_BASE_URL and its path)."`
	Body     Cohort
}

func newCohortOutput(c store.Cohort) *cohortOutput {
	return &cohortOutput{ETag: etag(c.Version), Body: cohortOf(c)}
}

func (s *Server) registerCohorts() {
	const tag = "Cohorts"
	huma.Register(s.api, creating(huma.Operation{
		OperationID: "create-cohort", Method: http.MethodPost, Path: "/v1/organisations/{id}/cohorts",
		Summary: "Add a cohort to an organisation", Tags: []string{tag}, DefaultStatus: http.StatusCreated,
		Description: "Advisers and integrators add cohorts (\"promotions\") to their own organisation.",
		Security:    memberRoles,
	}), func(ctx context.Context, in *struct {
		ID   uuid.UUID `path:"id" doc:"Organisation id."`
		Body CohortInput
	}) (*cohortOutput, error) {
		c, err := s.deps.Store.CreateCohort(ctx, principal(ctx), in.ID, in.Body.store())
		if err != nil {
			return nil, err
		}
		out := newCohortOutput(c)
		out.Location = s.url("/v1/cohorts/" + c.ID.String())
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-cohorts", Method: http.MethodGet, Path: "/v1/organisations/{id}/cohorts",
		Summary: "List an organisation's cohorts", Tags: []string{tag}, Security: memberRoles,
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Organisation id."`
		ListParams
	}) (*listOutput[CohortList], error) {
		items, next, link, err := listPageOf(s, "cohorts", "/v1/organisations/"+in.ID.String()+"/cohorts", in.ListParams, nil,
			func(page store.Page) ([]store.Cohort, *store.Cursor, error) {
				return s.deps.Store.ListCohorts(ctx, principal(ctx), in.ID, page)
			}, cohortOf)
		if err != nil {
			return nil, err
		}
		return &listOutput[CohortList]{Link: link, Body: CohortList{Items: items, NextCursor: next}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-cohort", Method: http.MethodGet, Path: "/v1/cohorts/{id}",
		Summary: "Get a cohort", Tags: []string{tag}, Security: memberRoles,
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Cohort id."`
	}) (*cohortOutput, error) {
		c, err := s.deps.Store.GetCohort(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newCohortOutput(c), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "replace-cohort", Method: http.MethodPut, Path: "/v1/cohorts/{id}",
		Summary: "Replace a cohort's fields", Tags: []string{tag}, Security: memberRoles,
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Cohort id."`
		IfMatch
		Body CohortInput
	}) (*cohortOutput, error) {
		version, err := in.version()
		if err != nil {
			return nil, err
		}
		c, err := s.deps.Store.UpdateCohort(ctx, principal(ctx), in.ID, version, in.Body.store())
		if err != nil {
			return nil, err
		}
		return newCohortOutput(c), nil
	})
}
