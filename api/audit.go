package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// AuditEntry is one write recorded in the audit log.
type AuditEntry struct {
	ID             int64          `json:"id" doc:"Position in the log; pass the last one as after_id to read on."`
	At             time.Time      `json:"at"`
	ActorKeyID     *uuid.UUID     `json:"actor_key_id,omitempty" doc:"API key that made the change; absent for the command line and periodic jobs."`
	ActorRole      string         `json:"actor_role"`
	Action         string         `json:"action" example:"update"`
	ResourceType   string         `json:"resource_type" example:"organisation"`
	ResourceID     *uuid.UUID     `json:"resource_id,omitempty"`
	OrganisationID *uuid.UUID     `json:"organisation_id,omitempty"`
	RequestID      string         `json:"request_id,omitempty"`
	Details        map[string]any `json:"details"`
}

// AuditList is a page of the audit log.
type AuditList struct {
	Items []AuditEntry `json:"items"`
}

func (s *Server) registerAudit() {
	huma.Register(s.api, huma.Operation{
		OperationID: "list-audit", Method: http.MethodGet, Path: "/v1/audit",
		Summary: "Read the audit log", Description: "Every write, oldest first: who (API key and role), what, when, and the request id.",
		Tags: []string{"Administration"}, Security: roles(passerelle.RoleAdmin),
	}, func(ctx context.Context, in *struct {
		AfterID      int64     `query:"after_id" minimum:"0" doc:"Entries after this id."`
		ResourceType string    `query:"resource_type" maxLength:"50"`
		ResourceID   uuid.UUID `query:"resource_id"`
		Since        time.Time `query:"since" doc:"Entries at or after this time."`
		Limit        int       `query:"limit" minimum:"1" maximum:"200" default:"50"`
	}) (*listOutput[AuditList], error) {
		f := store.AuditFilter{AfterID: in.AfterID, ResourceType: in.ResourceType, Limit: in.Limit}
		if in.ResourceID != uuid.Nil {
			f.ResourceID = &in.ResourceID
		}
		if !in.Since.IsZero() {
			f.Since = &in.Since
		}
		entries, err := s.deps.Store.ListAudit(ctx, principal(ctx), f)
		if err != nil {
			return nil, err
		}
		out := &listOutput[AuditList]{Body: AuditList{Items: mapSlice(entries, func(e store.AuditEntry) AuditEntry {
			return AuditEntry(e)
		})}}
		if len(entries) == in.Limit {
			out.Link = "<" + s.deps.PublicBaseURL + "/v1/audit?after_id=" + strconv.FormatInt(entries[len(entries)-1].ID, 10) +
				"&limit=" + strconv.Itoa(in.Limit) + `>; rel="next"`
		}
		return out, nil
	})
}
