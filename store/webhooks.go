package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/jobs/jobargs"
)

// Webhook endpoints belong to an integrator's organisation, or to no
// organisation when an admin registers them (they then receive every event).

// WebhookEndpoint is a subscription, without its secrets.
type WebhookEndpoint struct {
	ID             uuid.UUID
	OrganisationID *uuid.UUID
	URL            string
	Description    string
	EventTypes     []string // empty: every type
	Enabled        bool
	DisabledReason string
	// PreviousSecretExpiresAt is when the secret replaced by the last
	// rotation stops signing, if it still does.
	PreviousSecretExpiresAt *time.Time
	CreatedAt               time.Time
	UpdatedAt               time.Time
	Version                 int
}

// WebhookInput is what a caller sets; nil fields of an update stay.
type WebhookInput struct {
	URL         *string
	Description *string
	EventTypes  *[]string
	Enabled     *bool
}

// PreviousSecretValidity is how long a rotated-out secret keeps signing, so
// that receivers can switch without losing a message.
const PreviousSecretValidity = 24 * time.Hour

const webhookColumns = `id, organisation_id, url, description, event_types, enabled, disabled_reason,
	CASE WHEN previous_secret_expires_at > now() THEN previous_secret_expires_at END, created_at, updated_at, version`

func scanWebhook(row pgx.Row) (WebhookEndpoint, error) {
	var w WebhookEndpoint
	err := row.Scan(&w.ID, &w.OrganisationID, &w.URL, &w.Description, &w.EventTypes, &w.Enabled, &w.DisabledReason,
		&w.PreviousSecretExpiresAt, &w.CreatedAt, &w.UpdatedAt, &w.Version)
	if w.EventTypes == nil {
		w.EventTypes = []string{}
	}
	return w, err
}

// webhookScope restricts endpoints to actor's: all for an admin, its
// organisation's for an integrator. Other roles never manage webhooks.
func webhookScope(actor passerelle.Principal, args pgx.NamedArgs) (string, error) {
	switch actor.Role {
	case passerelle.RoleAdmin:
		return `true`, nil
	case passerelle.RoleIntegrator:
		args["scope_org"] = actor.OrganisationID
		return `organisation_id = @scope_org`, nil
	}
	return "", passerelle.Errorf(passerelle.EForbidden, "Only integrators and admins manage webhooks.")
}

func checkEventTypes(types []string) error {
	var fields []passerelle.FieldError
	for i, t := range types {
		if !slices.Contains(EventTypes, t) {
			fields = append(fields, passerelle.FieldError{Location: "event_types[" + itoa(i) + "]", Message: "unknown event type", Value: t})
		}
	}
	if len(fields) > 0 {
		return passerelle.Invalid("The webhook names unknown event types.", fields...)
	}
	return nil
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// CreateWebhook registers an endpoint with secret (the caller checked the
// URL: see notify.Guard). An integrator's endpoint belongs to its
// organisation; an admin's to none.
func (s *Store) CreateWebhook(ctx context.Context, actor passerelle.Principal, in WebhookInput, secret string) (WebhookEndpoint, error) {
	if _, err := webhookScope(actor, pgx.NamedArgs{}); err != nil {
		return WebhookEndpoint{}, err
	}
	types := []string{}
	if in.EventTypes != nil && *in.EventTypes != nil {
		types = *in.EventTypes
	}
	if err := checkEventTypes(types); err != nil {
		return WebhookEndpoint{}, err
	}
	var w WebhookEndpoint
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		w, err = scanWebhook(tx.QueryRow(ctx, `INSERT INTO webhook_endpoints (id, organisation_id, url, description, event_types, secret, enabled, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+webhookColumns,
			uuid.New(), actorOrganisation(actor), deref(in.URL), deref(in.Description), types, secret, in.Enabled == nil || *in.Enabled, nilIfZero(actor.KeyID)))
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "create", "webhook", w.ID, w.OrganisationID, map[string]any{"event_types": types})
	})
	return w, wrap("create webhook", err)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func nilIfZero(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// GetWebhook returns an endpoint of actor's.
func (s *Store) GetWebhook(ctx context.Context, actor passerelle.Principal, id uuid.UUID) (WebhookEndpoint, error) {
	return getWebhook(ctx, s.pool, actor, id, "")
}

func getWebhook(ctx context.Context, db querier, actor passerelle.Principal, id uuid.UUID, lock string) (WebhookEndpoint, error) {
	args := pgx.NamedArgs{"id": id}
	scope, err := webhookScope(actor, args)
	if err != nil {
		return WebhookEndpoint{}, err
	}
	w, err := scanWebhook(db.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhook_endpoints WHERE id = @id AND `+scope+lock, args))
	if errors.Is(err, pgx.ErrNoRows) {
		return w, notFound("Webhook")
	}
	return w, wrap("get webhook", err)
}

// ListWebhooks lists actor's endpoints.
func (s *Store) ListWebhooks(ctx context.Context, actor passerelle.Principal, page Page) ([]WebhookEndpoint, *Cursor, error) {
	args := pgx.NamedArgs{}
	scope, err := webhookScope(actor, args)
	if err != nil {
		return nil, nil, err
	}
	items, next, err := listPage(ctx, s.pool, `SELECT `+webhookColumns+` FROM webhook_endpoints WHERE `+scope, args, page, scanWebhook,
		func(w WebhookEndpoint) Cursor { return Cursor{UpdatedAt: w.UpdatedAt, ID: w.ID} })
	return items, next, wrap("list webhooks", err)
}

// UpdateWebhook changes the fields set in in (the caller checked a new URL).
// Enabling an endpoint clears the reason it was disabled.
func (s *Store) UpdateWebhook(ctx context.Context, actor passerelle.Principal, id uuid.UUID, ifVersion *int, in WebhookInput) (WebhookEndpoint, error) {
	if in.EventTypes != nil {
		if err := checkEventTypes(*in.EventTypes); err != nil {
			return WebhookEndpoint{}, err
		}
	}
	var w WebhookEndpoint
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := getWebhook(ctx, tx, actor, id, " FOR UPDATE")
		if err != nil {
			return err
		}
		if err := checkVersion(ifVersion, cur.Version); err != nil {
			return err
		}
		next := cur
		if in.URL != nil {
			next.URL = *in.URL
		}
		if in.Description != nil {
			next.Description = *in.Description
		}
		if in.EventTypes != nil && *in.EventTypes != nil {
			next.EventTypes = *in.EventTypes
		}
		if in.Enabled != nil {
			next.Enabled = *in.Enabled
			switch {
			case next.Enabled:
				next.DisabledReason = ""
			case !cur.Enabled:
				next.DisabledReason = cur.DisabledReason
			default:
				next.DisabledReason = "disabled by the owner"
			}
		}
		w, err = scanWebhook(tx.QueryRow(ctx, `UPDATE webhook_endpoints SET url = $2, description = $3, event_types = $4,
			enabled = $5, disabled_reason = $6, updated_at = now(), version = version + 1 WHERE id = $1 RETURNING `+webhookColumns,
			id, next.URL, next.Description, next.EventTypes, next.Enabled, next.DisabledReason))
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "update", "webhook", id, w.OrganisationID, nil)
	})
	return w, wrap("update webhook", err)
}

// DeleteWebhook removes an endpoint and its delivery log.
func (s *Store) DeleteWebhook(ctx context.Context, actor passerelle.Principal, id uuid.UUID) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		w, err := getWebhook(ctx, tx, actor, id, " FOR UPDATE")
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM webhook_endpoints WHERE id = $1`, id); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "delete", "webhook", id, w.OrganisationID, nil)
	})
	return wrap("delete webhook", err)
}

// RotateWebhookSecret replaces an endpoint's secret with secret; the old one
// keeps signing (a second signature) for PreviousSecretValidity.
func (s *Store) RotateWebhookSecret(ctx context.Context, actor passerelle.Principal, id uuid.UUID, secret string) (WebhookEndpoint, error) {
	var w WebhookEndpoint
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := getWebhook(ctx, tx, actor, id, " FOR UPDATE"); err != nil {
			return err
		}
		var err error
		w, err = scanWebhook(tx.QueryRow(ctx, `UPDATE webhook_endpoints SET previous_secret = secret, secret = $2,
			previous_secret_expires_at = now() + $3::interval, updated_at = now(), version = version + 1
			WHERE id = $1 RETURNING `+webhookColumns, id, secret, PreviousSecretValidity))
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "rotate_secret", "webhook", id, w.OrganisationID, nil)
	})
	return w, wrap("rotate webhook secret", err)
}

// WebhookDelivery is a delivery to an endpoint with its last HTTP status.
type WebhookDelivery struct {
	Delivery
	LastStatusCode *int
	Log            []WebhookAttempt // filled by GetWebhookDelivery only
}

// WebhookAttempt is one HTTP attempt.
type WebhookAttempt struct {
	At         time.Time
	StatusCode *int
	Error      string
	Duration   time.Duration
}

const lastStatus = `(SELECT status_code FROM webhook_attempts a WHERE a.delivery_id = d.id ORDER BY a.id DESC LIMIT 1)`

// ListWebhookDeliveries lists an endpoint's deliveries (the delivery log).
func (s *Store) ListWebhookDeliveries(ctx context.Context, actor passerelle.Principal, endpoint uuid.UUID, page Page) ([]WebhookDelivery, *Cursor, error) {
	if _, err := s.GetWebhook(ctx, actor, endpoint); err != nil {
		return nil, nil, err
	}
	// listPage orders by updated_at and id: the table is aliased in a
	// subquery so that those names are not ambiguous.
	items, next, err := listPage(ctx, s.pool, `SELECT * FROM (SELECT `+deliveryColumns+`, `+lastStatus+` AS last_status
		FROM deliveries d WHERE d.endpoint_id = @endpoint) d WHERE true`, pgx.NamedArgs{"endpoint": endpoint}, page,
		func(row pgx.Row) (WebhookDelivery, error) {
			var w WebhookDelivery
			var err error
			w.Delivery, err = scanDelivery(row, &w.LastStatusCode)
			return w, err
		}, func(w WebhookDelivery) Cursor { return Cursor{UpdatedAt: w.UpdatedAt, ID: w.ID} })
	return items, next, wrap("list webhook deliveries", err)
}

// GetWebhookDelivery returns one delivery of an endpoint with its attempts.
func (s *Store) GetWebhookDelivery(ctx context.Context, actor passerelle.Principal, endpoint, id uuid.UUID) (WebhookDelivery, error) {
	if _, err := s.GetWebhook(ctx, actor, endpoint); err != nil {
		return WebhookDelivery{}, err
	}
	return getWebhookDelivery(ctx, s.pool, endpoint, id)
}

func getWebhookDelivery(ctx context.Context, db querier, endpoint, id uuid.UUID) (WebhookDelivery, error) {
	var w WebhookDelivery
	var err error
	w.Delivery, err = scanDelivery(db.QueryRow(ctx, `SELECT `+deliveryColumns+`, `+lastStatus+`
		FROM deliveries d WHERE d.id = $1 AND d.endpoint_id = $2`, id, endpoint), &w.LastStatusCode)
	if errors.Is(err, pgx.ErrNoRows) {
		return w, notFound("Delivery")
	}
	if err != nil {
		return w, wrap("get webhook delivery", err)
	}
	rows, err := db.Query(ctx, `SELECT attempted_at, status_code, error, duration_ms FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id`, id)
	if err != nil {
		return w, wrap("get webhook delivery", err)
	}
	w.Log, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (WebhookAttempt, error) {
		var a WebhookAttempt
		var ms int
		err := row.Scan(&a.At, &a.StatusCode, &a.Error, &ms)
		a.Duration = time.Duration(ms) * time.Millisecond
		return a, err
	})
	return w, wrap("get webhook delivery", err)
}

// Redeliver sends a delivery again (a new job), whatever its state; the
// message keeps its webhook-id, so receivers can tell it is the same one. An
// endpoint that is disabled is a conflict: enable it first.
func (s *Store) Redeliver(ctx context.Context, actor passerelle.Principal, endpoint, id uuid.UUID) (WebhookDelivery, error) {
	var w WebhookDelivery
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		ep, err := getWebhook(ctx, tx, actor, endpoint, " FOR SHARE")
		if err != nil {
			return err
		}
		if _, err := getWebhookDelivery(ctx, tx, endpoint, id); err != nil {
			return err
		}
		if !ep.Enabled {
			return passerelle.Errorf(passerelle.EConflict, "The webhook is disabled (%s): enable it with PATCH {\"enabled\": true} first.", ep.DisabledReason)
		}
		if _, err := tx.Exec(ctx, `UPDATE deliveries SET status = 'pending', updated_at = now() WHERE id = $1`, id); err != nil {
			return err
		}
		if _, err := s.river.InsertTx(ctx, tx, jobargs.DeliverWebhook{DeliveryID: id}, nil); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "redeliver", "webhook", endpoint, ep.OrganisationID, map[string]any{"delivery_id": id}); err != nil {
			return err
		}
		w, err = getWebhookDelivery(ctx, tx, endpoint, id)
		return err
	})
	return w, wrap("redeliver", err)
}

// OutgoingWebhook is a webhook delivery as the sender needs it.
type OutgoingWebhook struct {
	Delivery
	Event    Event
	URL      string
	Enabled  bool
	Secrets  []string // the current one, then a rotated-out one still valid
	Endpoint uuid.UUID
}

// WebhookToSend returns webhook delivery id with its event and endpoint;
// found is false when either is gone.
func (s *Store) WebhookToSend(ctx context.Context, id uuid.UUID) (w OutgoingWebhook, found bool, err error) {
	var secret string
	var previous *string
	w.Delivery, err = scanDelivery(s.pool.QueryRow(ctx, `SELECT `+deliveryColumns+`, e.id, e.url, e.enabled, e.secret,
			CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END
		FROM deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1`, id),
		&w.Endpoint, &w.URL, &w.Enabled, &secret, &previous)
	if errors.Is(err, pgx.ErrNoRows) {
		return w, false, nil
	}
	if err != nil {
		return w, false, wrap("webhook to send", err)
	}
	w.Secrets = []string{secret}
	if previous != nil {
		w.Secrets = append(w.Secrets, *previous)
	}
	w.Event, err = scanEvent(s.pool.QueryRow(ctx, `SELECT `+eventColumns+` FROM events e WHERE e.id = $1`, w.EventID))
	if errors.Is(err, pgx.ErrNoRows) {
		return w, false, nil
	}
	return w, err == nil, wrap("webhook to send", err)
}

// Outcomes of a webhook attempt.
const (
	AttemptSent   = "sent"   // 2xx
	AttemptRetry  = "retry"  // failed; another attempt will come
	AttemptFailed = "failed" // failed; the last attempt
	AttemptGone   = "gone"   // 410: the endpoint is disabled
)

// RecordWebhookAttempt logs an attempt and its consequence: sent (with
// complete, River's JobCompleteTx, in the same transaction), a failure, or a
// 410 that disables the endpoint.
func (s *Store) RecordWebhookAttempt(ctx context.Context, id uuid.UUID, a WebhookAttempt, outcome string, complete func(pgx.Tx) error) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO webhook_attempts (delivery_id, status_code, error, duration_ms) VALUES ($1, $2, left($3, 1000), $4)`,
			id, a.StatusCode, a.Error, a.Duration.Milliseconds()); err != nil {
			return err
		}
		status := map[string]string{AttemptSent: DeliverySent, AttemptRetry: DeliveryPending, AttemptFailed: DeliveryFailed, AttemptGone: DeliveryFailed}[outcome]
		if _, err := tx.Exec(ctx, `UPDATE deliveries SET attempts = attempts + 1, status = $2, last_error = left($3, 1000),
			sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END, updated_at = now() WHERE id = $1`, id, status, a.Error); err != nil {
			return err
		}
		if outcome == AttemptGone {
			if _, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET enabled = false,
				disabled_reason = 'the endpoint answered 410 Gone', updated_at = now(), version = version + 1
				WHERE id = (SELECT endpoint_id FROM deliveries WHERE id = $1) AND enabled`, id); err != nil {
				return err
			}
		}
		if outcome == AttemptSent && complete != nil {
			return complete(tx)
		}
		return nil
	})
	return wrap("record webhook attempt", err)
}
