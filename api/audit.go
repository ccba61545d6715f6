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

// AuditEntry is one write recorded in the audit log.
type AuditEntry struct {
	ID             int64          `json:"id" doc:"Position in the log."`
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
	Items      []AuditEntry `json:"items"`
	NextCursor string       `json:"next_cursor,omitempty" doc:"Cursor of the next page; absent on the last."`
}

// auditList names the audit log's cursors.
const auditList = "audit"

func (s *Server) registerAudit() {
	huma.Register(s.api, huma.Operation{
		OperationID: "list-audit", Method: http.MethodGet, Path: "/v1/audit",
		Summary: "Read the audit log", Description: "Every write, oldest first: who (API key and role), what, when, and the request id.",
		Tags: []string{"Administration"}, Security: roles(passerelle.RoleAdmin),
	}, func(ctx context.Context, in *struct {
		Cursor       string    `query:"cursor" doc:"Opaque cursor from a previous page's next_cursor (or its Link header)."`
		Limit        int       `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"Items per page, at most 200."`
		ResourceType string    `query:"resource_type" maxLength:"50"`
		ResourceID   uuid.UUID `query:"resource_id"`
		Since        time.Time `query:"since" doc:"Entries at or after this time."`
	}) (*listOutput[AuditList], error) {
		var after int64
		if in.Cursor != "" {
			var err error
			if after, err = decodeSeqCursor(auditList, in.Cursor); err != nil {
				return nil, err
			}
		}
		f := store.AuditFilter{AfterID: after, ResourceType: in.ResourceType, Limit: in.Limit}
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
			out.Body.NextCursor = encodeSeqCursor(auditList, entries[len(entries)-1].ID)
			extra := newListFilters()
			extra.text("resource_type", in.ResourceType)
			extra.id("resource_id", in.ResourceID)
			if f.Since != nil {
				extra.Set("since", f.Since.Format(time.RFC3339Nano))
			}
			out.Link = s.nextLink("/v1/audit", ListParams{Limit: in.Limit}, out.Body.NextCursor, extra.Values)
		}
		return out, nil
	})
}
