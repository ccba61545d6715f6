package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/store"
)

// Followup is the news of a trainee 1, 3 or 6 months after they left the
// programme.
type Followup struct {
	ID             uuid.UUID  `json:"id" doc:"Identifier."`
	TraineeID      uuid.UUID  `json:"trainee_id"`
	OrganisationID uuid.UUID  `json:"organisation_id"`
	Month          int        `json:"month" enum:"1,3,6" doc:"Months after the trainee's exit date."`
	DueDate        Date       `json:"due_date" doc:"The exit date plus month months."`
	Situation      *string    `json:"situation,omitempty" enum:"employed,training,job_seeking,no_contact" doc:"Absent until recorded."`
	ContractType   *string    `json:"contract_type,omitempty" enum:"cdi,cdd,interim,apprenticeship,professionalisation,other" doc:"For employed only."`
	Note           string     `json:"note"`
	RecordedAt     *time.Time `json:"recorded_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at" doc:"When it fell due and the referent was told (followup.due)."`
	UpdatedAt      time.Time  `json:"updated_at"`
}

func followupOf(f store.Followup) Followup {
	return Followup{ID: f.ID, TraineeID: f.TraineeID, OrganisationID: f.OrganisationID, Month: f.Month,
		DueDate: dateOf(f.DueDate), Situation: f.Situation, ContractType: f.ContractType, Note: f.Note,
		RecordedAt: f.RecordedAt, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
}

// FollowupList is a page of follow-ups.
type FollowupList struct {
	Items      []Followup `json:"items"`
	NextCursor string     `json:"next_cursor,omitempty" doc:"Cursor of the next page; absent on the last."`
}

type followupOutput struct {
	ETag string `header:"ETag"`
	Body Followup
}

// FollowupInput is the situation found.
type FollowupInput struct {
	Situation    string `json:"situation" enum:"employed,training,job_seeking,no_contact"`
	ContractType string `json:"contract_type,omitempty" enum:"cdi,cdd,interim,apprenticeship,professionalisation,other" doc:"Required for employed, and only for it."`
	Note         string `json:"note,omitempty" maxLength:"1000"`
}

func (s *Server) registerFollowups() {
	const tag = "Follow-ups"
	huma.Register(s.api, huma.Operation{
		OperationID: "list-followups", Method: http.MethodGet, Path: "/v1/followups",
		Summary: "List follow-ups",
		Description: "Follow-ups are created when due — 1, 3 and 6 months after an exited trainee's exit date — by a " +
			"periodic job that also tells the referent (`followup.due`). A change feed of your organisation's; filter by " +
			"trainee, or `pending=true` for those to record.",
		Tags: []string{tag}, Security: memberRoles,
	}, func(ctx context.Context, in *struct {
		ListParams
		TraineeID uuid.UUID `query:"trainee_id" doc:"Only this trainee's."`
		Pending   string    `query:"pending" enum:"true,false" doc:"true: not recorded yet; false: recorded."`
	}) (*listOutput[FollowupList], error) {
		extra := newListFilters()
		f := store.FollowupFilter{TraineeID: extra.id("trainee_id", in.TraineeID), Pending: extra.flag("pending", in.Pending)}
		items, next, link, err := listPageOf(s, "followups", "/v1/followups", in.ListParams, extra.Values,
			func(page store.Page) ([]store.Followup, *store.Cursor, error) {
				return s.deps.Store.ListFollowups(ctx, principal(ctx), f, page)
			}, followupOf)
		if err != nil {
			return nil, err
		}
		return &listOutput[FollowupList]{Link: link, Body: FollowupList{Items: items, NextCursor: next}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-followup", Method: http.MethodGet, Path: "/v1/followups/{id}",
		Summary: "Get a follow-up", Tags: []string{tag}, Security: memberRoles,
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Follow-up id."`
	}) (*followupOutput, error) {
		f, err := s.deps.Store.GetFollowup(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &followupOutput{ETag: etag(f.Version), Body: followupOf(f)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "record-followup", Method: http.MethodPut, Path: "/v1/followups/{id}",
		Summary: "Record a follow-up's situation",
		Description: "`employed` with its contract type, `training`, `job_seeking` or `no_contact`. Recording again " +
			"corrects it.",
		Tags: []string{tag}, Security: memberRoles,
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Follow-up id."`
		IfMatch
		Body FollowupInput
	}) (*followupOutput, error) {
		version, err := in.version()
		if err != nil {
			return nil, err
		}
		f, err := s.deps.Store.RecordFollowup(ctx, principal(ctx), in.ID, version,
			store.FollowupInput{Situation: in.Body.Situation, ContractType: in.Body.ContractType, Note: in.Body.Note})
		if err != nil {
			return nil, err
		}
		return &followupOutput{ETag: etag(f.Version), Body: followupOf(f)}, nil
	})
}
