package api

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/store"
)

// Notification is an entry of an adviser's inbox.
type Notification struct {
	ID        uuid.UUID      `json:"id" doc:"Identifier."`
	EventID   uuid.UUID      `json:"event_id" doc:"The event notified (the same id as in webhooks)."`
	EventType EventType      `json:"event_type"`
	Title     string         `json:"title" example:"Nouvelle piste de placement : Apprenti boulanger (H/F)" doc:"Short text, in French."`
	Body      string         `json:"body" doc:"One-line summary, in French."`
	Payload   map[string]any `json:"payload" doc:"The event's payload: identifiers, titles and statuses."`
	Read      bool           `json:"read"`
	ReadAt    *time.Time     `json:"read_at,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

func notificationOf(n store.Notification) Notification {
	payload := n.Payload
	if payload == nil {
		payload = map[string]any{}
	}
	return Notification{ID: n.ID, EventID: n.EventID, EventType: EventType(n.EventType), Title: n.Title, Body: n.Body,
		Payload: payload, Read: n.ReadAt != nil, ReadAt: n.ReadAt, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt}
}

// NotificationList is a page of an inbox.
type NotificationList struct {
	Items      []Notification `json:"items"`
	NextCursor string         `json:"next_cursor,omitempty" doc:"Cursor of the next page; absent on the last."`
}

// UnreadCount is the number of unread notifications.
type UnreadCount struct {
	Unread int `json:"unread" example:"3"`
}

// inboxRoles: only advisers have an inbox (and only keys issued for a named
// adviser, which the store checks).
var inboxRoles = roles("adviser")

func (s *Server) registerNotifications() {
	const tag = "Notifications"
	huma.Register(s.api, huma.Operation{
		OperationID: "list-my-notifications", Method: http.MethodGet, Path: "/v1/me/notifications",
		Summary: "List my notifications", Tags: []string{tag}, Security: inboxRoles,
		Description: "The calling adviser's inbox, as a change feed (oldest change first): marking a notification read " +
			"moves it to the end. `unread=true` keeps unread ones. Only adviser keys issued for a named adviser " +
			"(`adviser_id`) have an inbox; other adviser keys answer 403.",
	}, func(ctx context.Context, in *struct {
		Unread bool `query:"unread" doc:"Only notifications not read yet."`
		ListParams
	}) (*listOutput[NotificationList], error) {
		extra := url.Values{}
		if in.Unread {
			extra.Set("unread", "true")
		}
		items, next, link, err := listPageOf(s, "notifications", "/v1/me/notifications", in.ListParams, extra,
			func(page store.Page) ([]store.Notification, *store.Cursor, error) {
				return s.deps.Store.ListNotifications(ctx, principal(ctx), store.NotificationFilter{Unread: in.Unread}, page)
			}, notificationOf)
		if err != nil {
			return nil, err
		}
		return &listOutput[NotificationList]{Link: link, Body: NotificationList{Items: items, NextCursor: next}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "count-my-unread-notifications", Method: http.MethodGet, Path: "/v1/me/notifications/unread-count",
		Summary: "Count my unread notifications", Tags: []string{tag}, Security: inboxRoles,
	}, func(ctx context.Context, _ *struct{}) (*struct{ Body UnreadCount }, error) {
		n, err := s.deps.Store.CountUnread(ctx, principal(ctx))
		if err != nil {
			return nil, err
		}
		return &struct{ Body UnreadCount }{UnreadCount{Unread: n}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "read-my-notification", Method: http.MethodPost, Path: "/v1/me/notifications/{id}/read",
		Summary: "Mark one of my notifications read", Tags: []string{tag}, Security: inboxRoles,
		Description: "Idempotent: a notification read twice keeps its first read time.",
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Notification id."`
	}) (*struct{ Body Notification }, error) {
		n, err := s.deps.Store.MarkNotificationRead(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &struct{ Body Notification }{notificationOf(n)}, nil
	})
}
