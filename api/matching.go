package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/matching"
	"github.com/passerelle-dev/passerelle/store"
)

// Consent is a record of a trainee's consent.
type Consent struct {
	ID           uuid.UUID  `json:"id" doc:"Identifier."`
	TraineeID    uuid.UUID  `json:"trainee_id"`
	Scope        string     `json:"scope" enum:"matching,reveal_identity,rqth,guardian"`
	OfferID      *uuid.UUID `json:"offer_id,omitempty" doc:"reveal_identity only: the offer whose company may see the trainee's identity."`
	CompanyID    *uuid.UUID `json:"company_id,omitempty" doc:"reveal_identity only: the offer's company."`
	Note         string     `json:"note,omitempty"`
	RecordedBy   uuid.UUID  `json:"recorded_by" doc:"The API key that recorded it."`
	RecordedRole string     `json:"recorded_role"`
	RecordedAt   time.Time  `json:"recorded_at"`
	WithdrawnAt  *time.Time `json:"withdrawn_at,omitempty"`
	WithdrawnBy  *uuid.UUID `json:"withdrawn_by,omitempty"`
	Active       bool       `json:"active" doc:"Not withdrawn."`
}

// ConsentInput is the body that records a consent.
type ConsentInput struct {
	Scope   string     `json:"scope" enum:"matching,reveal_identity,rqth,guardian" doc:"matching: the trainee may be matched to offers; reveal_identity: one offer's company may see who the trainee is; rqth: Passerelle may store the trainee's RQTH status; guardian: a legal guardian agrees (needed under 15)."`
	OfferID *uuid.UUID `json:"offer_id,omitempty" doc:"Required with reveal_identity, and only with it."`
	Note    string     `json:"note,omitempty" maxLength:"1000" doc:"How the consent was given (signed form, in person…)."`
}

func consentOf(c store.Consent) Consent {
	return Consent{ID: c.ID, TraineeID: c.TraineeID, Scope: c.Scope, OfferID: c.OfferID, CompanyID: c.CompanyID, Note: c.Note,
		RecordedBy: c.RecordedBy, RecordedRole: c.RecordedRole, RecordedAt: c.RecordedAt, WithdrawnAt: c.WithdrawnAt,
		WithdrawnBy: c.WithdrawnBy, Active: c.WithdrawnAt == nil}
}

// ConsentList is every consent of a trainee, oldest first.
type ConsentList struct {
	Items []Consent `json:"items"`
}

// Reason is one component of a suggestion's score.
type Reason struct {
	Code   string `json:"code" enum:"rome,skills,distance,start_date,accessibility" doc:"The score component (docs/matching.md)."`
	Points int    `json:"points" example:"35"`
	Detail string `json:"detail" example:"exact ROME code M1805"`
}

// Suggestion is an offer the matcher found for a trainee.
type Suggestion struct {
	ProposalID  uuid.UUID `json:"proposal_id" doc:"The proposal (trainee × offer) to shortlist or propose."`
	Status      string    `json:"status" enum:"suggested,shortlisted"`
	Score       int       `json:"score" minimum:"0" maximum:"100"`
	Reasons     []Reason  `json:"reasons" doc:"What the score is made of; the points add up to it."`
	DistanceKm  float64   `json:"distance_km" doc:"From the trainee's home commune to the offer."`
	SuggestedAt time.Time `json:"suggested_at"`
	Offer       Offer     `json:"offer"`
}

// SuggestionList is a trainee's live suggestions, best first.
type SuggestionList struct {
	Items []Suggestion `json:"items"`
}

// Job is a background job started through the API.
type Job struct {
	ID         uuid.UUID       `json:"id" doc:"Identifier."`
	Kind       string          `json:"kind" enum:"match_trainee"`
	TraineeID  uuid.UUID       `json:"trainee_id"`
	State      string          `json:"state" enum:"queued,running,retrying,completed,failed,unknown" doc:"unknown: the job finished more than a day ago and its record is gone."`
	Progress   float64         `json:"progress" minimum:"0" maximum:"1"`
	Attempt    int             `json:"attempt"`
	CreatedAt  time.Time       `json:"created_at"`
	FinishedAt *time.Time      `json:"finished_at,omitempty"`
	Result     json.RawMessage `json:"result,omitempty" doc:"Once completed: candidate offers considered and suggestions created, updated and withdrawn."`
}

func jobOf(m store.MatchRequest) Job {
	return Job{ID: m.ID, Kind: "match_trainee", TraineeID: m.TraineeID, State: m.State, Progress: m.Progress(),
		Attempt: m.Attempt, CreatedAt: m.CreatedAt, FinishedAt: m.FinishedAt, Result: m.Output}
}

type jobOutput struct {
	Location string `header:"Location" doc:"Absolute URL of the resource created (PUBLIC_BASE_URL and its path)."`
	Body     Job
}

func (s *Server) registerMatching() {
	const tag = "Matching"
	huma.Register(s.api, creating(huma.Operation{
		OperationID: "record-consent", Method: http.MethodPost, Path: "/v1/trainees/{id}/consents",
		Summary: "Record a trainee's consent", Tags: []string{tag}, DefaultStatus: http.StatusCreated, Security: memberRoles,
		Description: "A second active consent of the same scope (and offer) is a conflict.",
	}), func(ctx context.Context, in *struct {
		ID   uuid.UUID `path:"id" doc:"Trainee id."`
		Body ConsentInput
	}) (*struct{ Body Consent }, error) {
		c, err := s.deps.Store.RecordConsent(ctx, principal(ctx), in.ID,
			store.ConsentInput{Scope: in.Body.Scope, OfferID: in.Body.OfferID, Note: in.Body.Note})
		if err != nil {
			return nil, err
		}
		return &struct{ Body Consent }{consentOf(c)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-consents", Method: http.MethodGet, Path: "/v1/trainees/{id}/consents",
		Summary: "List a trainee's consents", Tags: []string{tag}, Security: memberRoles,
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Trainee id."`
	}) (*struct{ Body ConsentList }, error) {
		cs, err := s.deps.Store.ListConsents(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &struct{ Body ConsentList }{ConsentList{Items: mapSlice(cs, consentOf)}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "withdraw-consent", Method: http.MethodPost, Path: "/v1/trainees/{id}/consents/{consent_id}/withdraw",
		Summary: "Withdraw a consent", Tags: []string{tag}, Security: memberRoles,
		Description: "Withdrawing rqth erases the RQTH status; withdrawing matching withdraws the suggestions nobody acted on. " +
			"Withdrawing twice is harmless.",
	}, func(ctx context.Context, in *struct {
		ID        uuid.UUID `path:"id" doc:"Trainee id."`
		ConsentID uuid.UUID `path:"consent_id" doc:"Consent id."`
	}) (*struct{ Body Consent }, error) {
		c, err := s.deps.Store.WithdrawConsent(ctx, principal(ctx), in.ID, in.ConsentID)
		if err != nil {
			return nil, err
		}
		return &struct{ Body Consent }{consentOf(c)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-suggestions", Method: http.MethodGet, Path: "/v1/trainees/{id}/suggestions",
		Summary: "List a trainee's suggested offers, explained", Tags: []string{tag}, Security: memberRoles,
		Description: "The offers the matcher found for the trainee (and those an adviser shortlisted), best first, each " +
			"with its score out of 100 and the reasons that make it up. They are recomputed whenever the profile, a " +
			"consent or an offer changes, and every night.",
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Trainee id."`
	}) (*struct{ Body SuggestionList }, error) {
		ss, err := s.deps.Store.ListSuggestions(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &struct{ Body SuggestionList }{SuggestionList{Items: mapSlice(ss, suggestionOf)}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "match-trainee", Method: http.MethodPost, Path: "/v1/trainees/{id}/match",
		Summary: "Match a trainee now", Tags: []string{tag}, DefaultStatus: http.StatusAccepted, Security: memberRoles,
		Description: "Starts the trainee's matching in the background; follow it at the Location given (GET /v1/jobs/{id}). " +
			"A match already pending for the trainee is the one followed.",
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Trainee id."`
	}) (*jobOutput, error) {
		m, err := s.deps.Store.RequestMatch(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &jobOutput{Location: s.url("/v1/jobs/" + m.ID.String()), Body: jobOf(m)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-job", Method: http.MethodGet, Path: "/v1/jobs/{id}",
		Summary: "Get a background job's state", Tags: []string{tag}, Security: memberRoles,
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Job id."`
	}) (*jobOutput, error) {
		m, err := s.deps.Store.GetMatchRequest(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &jobOutput{Body: jobOf(m)}, nil
	})
}

func reasonsOf(rs []matching.Reason) []Reason {
	return mapSlice(rs, func(r matching.Reason) Reason { return Reason{Code: r.Code, Points: r.Points, Detail: r.Detail} })
}

func suggestionOf(sg store.Suggestion) Suggestion {
	return Suggestion{ProposalID: sg.ProposalID, Status: sg.Status, Score: sg.Score, Reasons: reasonsOf(sg.Reasons),
		DistanceKm: float64(int(sg.DistanceKm*10+0.5)) / 10, SuggestedAt: sg.SuggestedAt, Offer: offerOf(sg.Offer)}
}
