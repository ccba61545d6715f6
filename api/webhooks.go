package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/notify"
	"github.com/passerelle-dev/passerelle/store"
)

// Webhook is a webhook endpoint (a subscription).
type Webhook struct {
	ID             uuid.UUID  `json:"id" doc:"Identifier."`
	OrganisationID *uuid.UUID `json:"organisation_id,omitempty" doc:"The integrator's organisation; absent for an admin's endpoint, which receives every event."`
	URL            string     `json:"url" example:"https://si.e2c-normandie.example/passerelle/webhooks"`
	Description    string     `json:"description"`
	EventTypes     EventTypes `json:"event_types" doc:"Event types sent; empty: every type."`
	Enabled        bool       `json:"enabled" doc:"Disabled endpoints receive nothing; a 410 answer disables an endpoint."`
	DisabledReason string     `json:"disabled_reason,omitempty"`
	// Secret is shown once, in the answer to creation and rotation.
	Secret                  string     `json:"secret,omitempty" doc:"The signing secret (whsec_…), shown only in the answer to creation and rotation."`
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at,omitempty" doc:"Until then the secret replaced by the last rotation also signs (a second signature)."`
	CreatedAt               time.Time  `json:"created_at"`
	UpdatedAt               time.Time  `json:"updated_at"`
}

// EventType is one of store.EventTypes.
type EventType string

// Schema implements huma.SchemaProvider: an enum of store.EventTypes.
func (EventType) Schema(huma.Registry) *huma.Schema {
	s := eventTypeSchema()
	s.PrecomputeMessages()
	return s
}

func eventTypeSchema() *huma.Schema {
	enum := make([]any, len(store.EventTypes))
	for i, e := range store.EventTypes {
		enum[i] = e
	}
	return &huma.Schema{Type: huma.TypeString, Enum: enum, Examples: []any{"proposal.created"}}
}

// EventTypes is a list of event types.
type EventTypes []string

// Schema implements huma.SchemaProvider: the event types of store.EventTypes.
func (EventTypes) Schema(huma.Registry) *huma.Schema {
	item := eventTypeSchema()
	item.Examples = nil
	item.PrecomputeMessages()
	s := &huma.Schema{Type: huma.TypeArray, Items: item, UniqueItems: true, MaxItems: ptr(len(item.Enum)),
		Examples: []any{[]any{"proposal.created", "placement.started"}}}
	s.PrecomputeMessages()
	return s
}

func webhookOf(w store.WebhookEndpoint) Webhook {
	return Webhook{ID: w.ID, OrganisationID: w.OrganisationID, URL: w.URL, Description: w.Description, EventTypes: w.EventTypes,
		Enabled: w.Enabled, DisabledReason: w.DisabledReason, PreviousSecretExpiresAt: w.PreviousSecretExpiresAt,
		CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
}

// WebhookInput registers an endpoint.
type WebhookInput struct {
	URL         string     `json:"url" minLength:"8" maxLength:"2000" doc:"http or https URL; its host must not be or resolve to a loopback, private, link-local or other internal address."`
	Description string     `json:"description,omitempty" maxLength:"500"`
	EventTypes  EventTypes `json:"event_types,omitempty" doc:"Event types to receive; empty or absent: every type."`
	Enabled     *bool      `json:"enabled,omitempty" doc:"Default true."`
}

// WebhookPatch changes some of an endpoint's fields.
type WebhookPatch struct {
	URL         *string     `json:"url,omitempty" minLength:"8" maxLength:"2000"`
	Description *string     `json:"description,omitempty" maxLength:"500"`
	EventTypes  *EventTypes `json:"event_types,omitempty"`
	Enabled     *bool       `json:"enabled,omitempty" doc:"true re-enables an endpoint disabled by a 410."`
}

// WebhookDelivery is one event sent (or being sent) to an endpoint.
type WebhookDelivery struct {
	ID             uuid.UUID        `json:"id"`
	EventID        uuid.UUID        `json:"event_id" doc:"Also the webhook-id header of every attempt."`
	EventType      EventType        `json:"event_type"`
	Status         string           `json:"status" enum:"pending,sent,failed"`
	Attempts       int              `json:"attempts"`
	LastStatusCode *int             `json:"last_status_code,omitempty" doc:"HTTP status of the last attempt; absent when none came (timeout, refused address)."`
	LastError      string           `json:"last_error,omitempty"`
	SentAt         *time.Time       `json:"sent_at,omitempty"`
	CreatedAt      time.Time        `json:"created_at"`
	UpdatedAt      time.Time        `json:"updated_at"`
	Log            []WebhookAttempt `json:"log,omitempty" doc:"Every attempt (reading one delivery only)."`
}

// WebhookAttempt is one HTTP attempt of a delivery.
type WebhookAttempt struct {
	At         time.Time `json:"at"`
	StatusCode *int      `json:"status_code,omitempty"`
	Error      string    `json:"error,omitempty"`
	DurationMs int64     `json:"duration_ms"`
}

func webhookDeliveryOf(d store.WebhookDelivery) WebhookDelivery {
	out := WebhookDelivery{ID: d.ID, EventID: d.EventID, EventType: EventType(d.EventType), Status: d.Status, Attempts: d.Attempts,
		LastStatusCode: d.LastStatusCode, LastError: d.LastError, SentAt: d.SentAt, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	for _, a := range d.Log {
		out.Log = append(out.Log, WebhookAttempt{At: a.At, StatusCode: a.StatusCode, Error: a.Error, DurationMs: a.Duration.Milliseconds()})
	}
	return out
}

// WebhookList is a page of endpoints.
type WebhookList struct {
	Items      []Webhook `json:"items"`
	NextCursor string    `json:"next_cursor,omitempty" doc:"Cursor of the next page; absent on the last."`
}

// WebhookDeliveryList is a page of an endpoint's delivery log.
type WebhookDeliveryList struct {
	Items      []WebhookDelivery `json:"items"`
	NextCursor string            `json:"next_cursor,omitempty" doc:"Cursor of the next page; absent on the last."`
}

type webhookOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location" doc:"Absolute URL of the resource created (PUBLIC_BASE_URL and its path)."`
	Body     Webhook
}

func newWebhookOutput(w store.WebhookEndpoint, secret string) *webhookOutput {
	body := webhookOf(w)
	body.Secret = secret
	return &webhookOutput{ETag: etag(w.Version), Body: body}
}

var webhookRoles = roles("admin", "integrator")

// webhookGuard checks URLs at registration, as the sender does at connect time.
func (s *Server) webhookGuard() notify.Guard {
	return notify.Guard{AllowLoopback: s.deps.WebhookAllowLoopback}
}

func (s *Server) registerWebhooks() {
	const tag = "Webhooks"
	const signing = " Requests follow Standard Webhooks: headers `webhook-id` (the event id), `webhook-timestamp` and " +
		"`webhook-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`), body `{\"type\", \"timestamp\", \"data\"}`."
	huma.Register(s.api, creating(huma.Operation{
		OperationID: "create-webhook", Method: http.MethodPost, Path: "/v1/webhooks",
		Summary: "Register a webhook endpoint", Tags: []string{tag}, DefaultStatus: http.StatusCreated, Security: webhookRoles,
		Description: "An integrator's endpoint receives its organisation's events, `offer.published` events of every " +
			"company, and other offer events of its partner companies; an admin's endpoint receives every event. " +
			"The answer holds the signing secret, shown this once." + signing,
	}), func(ctx context.Context, in *struct{ Body WebhookInput }) (*webhookOutput, error) {
		if err := s.webhookGuard().CheckURL(ctx, in.Body.URL); err != nil {
			return nil, err
		}
		types := []string(in.Body.EventTypes)
		secret := notify.NewSecret()
		w, err := s.deps.Store.CreateWebhook(ctx, principal(ctx), store.WebhookInput{URL: &in.Body.URL,
			Description: &in.Body.Description, EventTypes: &types, Enabled: in.Body.Enabled}, secret)
		if err != nil {
			return nil, err
		}
		out := newWebhookOutput(w, secret)
		out.Location = s.url("/v1/webhooks/" + w.ID.String())
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-webhooks", Method: http.MethodGet, Path: "/v1/webhooks",
		Summary: "List webhook endpoints", Tags: []string{tag}, Security: webhookRoles,
	}, func(ctx context.Context, in *struct{ ListParams }) (*listOutput[WebhookList], error) {
		items, next, link, err := listPageOf(s, "webhooks", "/v1/webhooks", in.ListParams, nil,
			func(page store.Page) ([]store.WebhookEndpoint, *store.Cursor, error) {
				return s.deps.Store.ListWebhooks(ctx, principal(ctx), page)
			}, webhookOf)
		if err != nil {
			return nil, err
		}
		return &listOutput[WebhookList]{Link: link, Body: WebhookList{Items: items, NextCursor: next}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-webhook", Method: http.MethodGet, Path: "/v1/webhooks/{id}",
		Summary: "Get a webhook endpoint", Tags: []string{tag}, Security: webhookRoles,
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Webhook id."`
	}) (*webhookOutput, error) {
		w, err := s.deps.Store.GetWebhook(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newWebhookOutput(w, ""), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "update-webhook", Method: http.MethodPatch, Path: "/v1/webhooks/{id}",
		Summary: "Change a webhook endpoint", Tags: []string{tag}, Security: webhookRoles,
		Description: "Fields absent from the body stay as they are. `{\"enabled\": true}` re-enables an endpoint disabled by a 410.",
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Webhook id."`
		IfMatch
		Body WebhookPatch
	}) (*webhookOutput, error) {
		version, err := in.version()
		if err != nil {
			return nil, err
		}
		if in.Body.URL != nil {
			if err := s.webhookGuard().CheckURL(ctx, *in.Body.URL); err != nil {
				return nil, err
			}
		}
		patch := store.WebhookInput{URL: in.Body.URL, Description: in.Body.Description, Enabled: in.Body.Enabled}
		if in.Body.EventTypes != nil {
			types := []string(*in.Body.EventTypes)
			patch.EventTypes = &types
		}
		w, err := s.deps.Store.UpdateWebhook(ctx, principal(ctx), in.ID, version, patch)
		if err != nil {
			return nil, err
		}
		return newWebhookOutput(w, ""), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "delete-webhook", Method: http.MethodDelete, Path: "/v1/webhooks/{id}",
		Summary: "Delete a webhook endpoint", Tags: []string{tag}, Security: webhookRoles, DefaultStatus: http.StatusNoContent,
		Description: "Its pending deliveries and its delivery log go with it.",
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Webhook id."`
	}) (*struct{}, error) {
		return nil, s.deps.Store.DeleteWebhook(ctx, principal(ctx), in.ID)
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "rotate-webhook-secret", Method: http.MethodPost, Path: "/v1/webhooks/{id}/rotate-secret",
		Summary: "Rotate a webhook endpoint's secret", Tags: []string{tag}, Security: webhookRoles,
		Description: "Returns the new secret, shown this once. For 24 hours requests carry two signatures, with the new " +
			"and the previous secret, so that the receiver can switch without losing a message.",
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Webhook id."`
	}) (*webhookOutput, error) {
		secret := notify.NewSecret()
		w, err := s.deps.Store.RotateWebhookSecret(ctx, principal(ctx), in.ID, secret)
		if err != nil {
			return nil, err
		}
		return newWebhookOutput(w, secret), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-webhook-deliveries", Method: http.MethodGet, Path: "/v1/webhooks/{id}/deliveries",
		Summary: "List a webhook endpoint's deliveries", Tags: []string{tag}, Security: webhookRoles,
		Description: "The delivery log: each event sent to the endpoint, its state, attempts and last answer.",
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Webhook id."`
		ListParams
	}) (*listOutput[WebhookDeliveryList], error) {
		items, next, link, err := listPageOf(s, "webhook-deliveries", "/v1/webhooks/"+in.ID.String()+"/deliveries", in.ListParams, nil,
			func(page store.Page) ([]store.WebhookDelivery, *store.Cursor, error) {
				return s.deps.Store.ListWebhookDeliveries(ctx, principal(ctx), in.ID, page)
			}, webhookDeliveryOf)
		if err != nil {
			return nil, err
		}
		return &listOutput[WebhookDeliveryList]{Link: link, Body: WebhookDeliveryList{Items: items, NextCursor: next}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-webhook-delivery", Method: http.MethodGet, Path: "/v1/webhooks/{id}/deliveries/{delivery_id}",
		Summary: "Get a webhook delivery with every attempt", Tags: []string{tag}, Security: webhookRoles,
	}, func(ctx context.Context, in *struct {
		ID         uuid.UUID `path:"id" doc:"Webhook id."`
		DeliveryID uuid.UUID `path:"delivery_id" doc:"Delivery id."`
	}) (*struct{ Body WebhookDelivery }, error) {
		d, err := s.deps.Store.GetWebhookDelivery(ctx, principal(ctx), in.ID, in.DeliveryID)
		if err != nil {
			return nil, err
		}
		return &struct{ Body WebhookDelivery }{webhookDeliveryOf(d)}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "redeliver-webhook", Method: http.MethodPost, Path: "/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver",
		Summary: "Send a webhook delivery again", Tags: []string{tag}, Security: webhookRoles, DefaultStatus: http.StatusAccepted,
		Description: "Queues the delivery again, whatever its state, with the same webhook-id. 409 when the endpoint is disabled.",
	}, func(ctx context.Context, in *struct {
		ID         uuid.UUID `path:"id" doc:"Webhook id."`
		DeliveryID uuid.UUID `path:"delivery_id" doc:"Delivery id."`
	}) (*struct{ Body WebhookDelivery }, error) {
		d, err := s.deps.Store.Redeliver(ctx, principal(ctx), in.ID, in.DeliveryID)
		if err != nil {
			return nil, err
		}
		return &struct{ Body WebhookDelivery }{webhookDeliveryOf(d)}, nil
	})
}
