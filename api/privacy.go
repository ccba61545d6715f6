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

// Erasure is the record an erasure leaves: no identity.
type Erasure struct {
	ID             uuid.UUID        `json:"id"`
	TraineeID      uuid.UUID        `json:"trainee_id" doc:"The erased trainee's id: the anonymous row that keeps their pathway for the programme's figures."`
	OrganisationID uuid.UUID        `json:"organisation_id"`
	Cause          string           `json:"cause" enum:"request,retention"`
	ErasedAt       time.Time        `json:"erased_at"`
	Counts         map[string]int64 `json:"counts" doc:"What was done, as row counts: suggestions_deleted, proposals_anonymised, events_scrubbed, …"`
}

type exportOutput struct {
	ContentDisposition string `header:"Content-Disposition"`
	Body               store.TraineeExport
}

var erasureRoles = roles(passerelle.RoleAdmin, passerelle.RoleAdviser)

func (s *Server) registerPrivacy() {
	const tag = "Trainees"
	huma.Register(s.api, huma.Operation{
		OperationID: "export-trainee", Method: http.MethodGet, Path: "/v1/trainees/{id}/export",
		Summary: "Export everything held about a trainee", Tags: []string{tag}, Security: memberRoles,
		Description: "GDPR articles 15 and 20: one JSON document with the trainee's row, consents and their history, " +
			"proposals (suggestions included) with their transitions, placements, follow-ups, the events and notifications " +
			"about them, and the audit log of who read their identity or wrote about them. Its shape is " +
			"`passerelle.trainee-export/1`, described in docs/privacy.md. The export itself is audited.",
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Trainee id."`
	}) (*exportOutput, error) {
		x, err := s.deps.Store.ExportTrainee(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &exportOutput{ContentDisposition: `attachment; filename="trainee-` + in.ID.String() + `.json"`, Body: x}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "erase-trainee", Method: http.MethodPost, Path: "/v1/trainees/{id}/erasure",
		Summary: "Erase a trainee", Tags: []string{tag}, Security: erasureRoles,
		Description: "GDPR article 17, by an adviser of the trainee's organisation or an admin. Identity, profile and " +
			"free text are removed at once; suggestions are deleted; proposals, placements and follow-ups stay as " +
			"anonymous facts so that the programme's statistics stay right; events, notifications and delivery logs " +
			"that named the trainee are scrubbed; a thin `trainee.erased` event tells integrators. The trainee then " +
			"answers 404. What cannot be recalled (emails sent, webhooks delivered) is listed in docs/privacy.md.",
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Trainee id."`
	}) (*struct{ Body Erasure }, error) {
		e, err := s.deps.Store.EraseTrainee(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &struct{ Body Erasure }{Body: Erasure{ID: e.ID, TraineeID: e.TraineeID, OrganisationID: e.OrganisationID,
			Cause: e.Cause, ErasedAt: e.ErasedAt, Counts: e.Counts}}, nil
	})
}
