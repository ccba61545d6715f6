package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/store"
)

// Placement is what a placed proposal became: a contract, an internship, an
// immersion.
type Placement struct {
	ID               uuid.UUID  `json:"id" doc:"Identifier."`
	ProposalID       uuid.UUID  `json:"proposal_id"`
	TraineeID        *uuid.UUID `json:"trainee_id,omitempty" doc:"Never shown to a company."`
	TraineePseudonym string     `json:"trainee_pseudonym" doc:"How the company knows the trainee (see proposals)."`
	OfferID          uuid.UUID  `json:"offer_id"`
	OfferTitle       string     `json:"offer_title"`
	OrganisationID   uuid.UUID  `json:"organisation_id"`
	CompanyID        uuid.UUID  `json:"company_id"`
	Kind             string     `json:"kind" enum:"apprenticeship,professionalisation,internship,immersion,job,discovery" doc:"The offer's kind."`
	StartDate        Date       `json:"start_date" doc:"Initially the offer's start date (the placement's creation date when the offer has none)."`
	EndDate          *Date      `json:"end_date,omitempty" doc:"Initially the offer's end date; once ended, the day it ended."`
	Tutor            Tutor      `json:"tutor"`
	Outcome          *string    `json:"outcome,omitempty" enum:"completed,interrupted" doc:"Absent while the placement is ongoing."`
	OutcomeReason    string     `json:"outcome_reason,omitempty" doc:"Why it was interrupted."`
	EndedAt          *time.Time `json:"ended_at,omitempty" doc:"When the end was recorded."`
	CreatedAt        time.Time  `json:"created_at" doc:"When the proposal was placed."`
	UpdatedAt        time.Time  `json:"updated_at"`
}

// Tutor is the company employee who supervises the trainee: a name and a
// role, no contact details (the company has them).
type Tutor struct {
	Name string `json:"name" maxLength:"200" example:"Marc Lefèvre"`
	Role string `json:"role" maxLength:"200" example:"chef boulanger"`
}

func placementOf(l store.Placement) Placement {
	out := Placement{ID: l.ID, ProposalID: l.ProposalID, TraineePseudonym: l.TraineePseudonym, OfferID: l.OfferID,
		OfferTitle: l.OfferTitle, OrganisationID: l.OrganisationID, CompanyID: l.CompanyID, Kind: l.Kind,
		StartDate: dateOf(l.StartDate), Tutor: Tutor{Name: l.TutorName, Role: l.TutorRole}, Outcome: l.Outcome,
		OutcomeReason: l.OutcomeReason, EndedAt: l.EndedAt, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
	if l.TraineeID != uuid.Nil {
		out.TraineeID = ptr(l.TraineeID)
	}
	if l.EndDate != nil {
		out.EndDate = ptr(dateOf(*l.EndDate))
	}
	return out
}

// PlacementList is a page of placements.
type PlacementList struct {
	Items      []Placement `json:"items"`
	NextCursor string      `json:"next_cursor,omitempty" doc:"Cursor of the next page; absent on the last."`
}

type placementOutput struct {
	ETag string `header:"ETag"`
	Body Placement
}

func newPlacementOutput(l store.Placement) *placementOutput {
	return &placementOutput{ETag: etag(l.Version), Body: placementOf(l)}
}

// PlacementPatch changes an ongoing placement; fields left out stay.
type PlacementPatch struct {
	StartDate *Date `json:"start_date,omitempty"`
	EndDate   *Date `json:"end_date,omitempty" doc:"The planned end; on or after start_date."`
	Tutor     *struct {
		Name *string `json:"name,omitempty" maxLength:"200"`
		Role *string `json:"role,omitempty" maxLength:"200"`
	} `json:"tutor,omitempty"`
}

// PlacementEndInput ends a placement.
type PlacementEndInput struct {
	Outcome string `json:"outcome" enum:"completed,interrupted"`
	Reason  string `json:"reason,omitempty" maxLength:"1000" doc:"Required for an interruption, and only for it."`
	EndDate *Date  `json:"end_date,omitempty" doc:"The day it ended; default today, or the start date if later."`
}

func (s *Server) registerPlacements() {
	const tag = "Placements"
	huma.Register(s.api, huma.Operation{
		OperationID: "list-placements", Method: http.MethodGet, Path: "/v1/placements",
		Summary: "List placements",
		Description: "A change feed of the placements you may read: advisers and integrators their organisation's, a " +
			"company its own, admins all. A placement is created when a proposal becomes `placed`.",
		Tags: []string{tag}, Security: roles(allRoles...),
	}, func(ctx context.Context, in *struct {
		ListParams
		TraineeID uuid.UUID `query:"trainee_id" doc:"Only this trainee's (not for companies)."`
		OfferID   uuid.UUID `query:"offer_id" doc:"Only this offer's."`
		Ongoing   string    `query:"ongoing" enum:"true,false" doc:"true: not ended yet; false: ended."`
	}) (*listOutput[PlacementList], error) {
		extra := newListFilters()
		f := store.PlacementFilter{TraineeID: extra.id("trainee_id", in.TraineeID), OfferID: extra.id("offer_id", in.OfferID),
			Ongoing: extra.flag("ongoing", in.Ongoing)}
		items, next, link, err := listPageOf(s, "placements", "/v1/placements", in.ListParams, extra.Values,
			func(page store.Page) ([]store.Placement, *store.Cursor, error) {
				return s.deps.Store.ListPlacements(ctx, principal(ctx), f, page)
			}, placementOf)
		if err != nil {
			return nil, err
		}
		return &listOutput[PlacementList]{Link: link, Body: PlacementList{Items: items, NextCursor: next}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-placement", Method: http.MethodGet, Path: "/v1/placements/{id}",
		Summary: "Get a placement", Tags: []string{tag}, Security: roles(allRoles...),
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Placement id."`
	}) (*placementOutput, error) {
		l, err := s.deps.Store.GetPlacement(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newPlacementOutput(l), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "update-placement", Method: http.MethodPatch, Path: "/v1/placements/{id}",
		Summary: "Set a placement's dates or tutor",
		Description: "While the placement is ongoing (otherwise 409). Fields left out stay. The programme and the company " +
			"may.",
		Tags: []string{tag}, Security: roles(allRoles...),
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Placement id."`
		IfMatch
		Body PlacementPatch
	}) (*placementOutput, error) {
		version, err := in.version()
		if err != nil {
			return nil, err
		}
		var u store.PlacementUpdate
		if in.Body.StartDate != nil {
			u.StartDate = ptr(in.Body.StartDate.Time())
		}
		if in.Body.EndDate != nil {
			u.EndDate = ptr(in.Body.EndDate.Time())
		}
		if in.Body.Tutor != nil {
			u.TutorName, u.TutorRole = in.Body.Tutor.Name, in.Body.Tutor.Role
		}
		l, err := s.deps.Store.UpdatePlacement(ctx, principal(ctx), in.ID, version, u)
		if err != nil {
			return nil, err
		}
		return newPlacementOutput(l), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "end-placement", Method: http.MethodPost, Path: "/v1/placements/{id}/end",
		Summary: "End a placement with its outcome",
		Description: "`completed`, or `interrupted` with its reason. Writes a `placement.ended` event. Once ended, a " +
			"placement no longer changes (409). The programme and the company may.",
		Tags: []string{tag}, Security: roles(allRoles...),
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Placement id."`
		IfMatch
		Body PlacementEndInput
	}) (*placementOutput, error) {
		version, err := in.version()
		if err != nil {
			return nil, err
		}
		e := store.PlacementEnd{Outcome: in.Body.Outcome, Reason: in.Body.Reason}
		if in.Body.EndDate != nil {
			e.EndDate = ptr(in.Body.EndDate.Time())
		}
		l, err := s.deps.Store.EndPlacement(ctx, principal(ctx), in.ID, version, e)
		if err != nil {
			return nil, err
		}
		return newPlacementOutput(l), nil
	})
}
