-- Notifications: who was told of which event, on which channel. events says
-- what happened; these tables say who hears of it. A fan-out job per event
-- (enqueued in the event's transaction) writes one delivery per (event,
-- recipient, channel) and, in the same transaction, the job that sends it. The
-- unique constraints below are what make "once per (event, recipient,
-- channel)" hold when a job is retried or a worker dies mid-way.

-- An adviser's in-app inbox. One row per (event, adviser). title and body are
-- rendered in French when the row is written; erasure may blank them.
CREATE TABLE notifications (
    id          uuid PRIMARY KEY,
    adviser_id  uuid NOT NULL REFERENCES advisers (id) ON DELETE CASCADE,
    event_id    uuid NOT NULL,
    event_type  text NOT NULL,
    title       text NOT NULL,
    body        text NOT NULL DEFAULT '',
    payload     jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz,
    CONSTRAINT notifications_once UNIQUE (event_id, adviser_id)
);
CREATE INDEX notifications_inbox ON notifications (adviser_id, updated_at, id);
CREATE INDEX notifications_unread ON notifications (adviser_id) WHERE read_at IS NULL;

-- Webhook endpoints (subscriptions). organisation_id is NULL for an admin's
-- endpoint, which receives every event. Secrets are needed in clear to sign
-- (HMAC): they are stored as is and never shown again after creation or
-- rotation. previous_secret stays valid until previous_secret_expires_at.
CREATE TABLE webhook_endpoints (
    id                         uuid PRIMARY KEY,
    organisation_id            uuid REFERENCES organisations (id),
    url                        text NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
    description                text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    -- Event types sent; empty means every type.
    event_types                text[] NOT NULL DEFAULT '{}',
    secret                     text NOT NULL,
    previous_secret            text,
    previous_secret_expires_at timestamptz,
    enabled                    boolean NOT NULL DEFAULT true,
    disabled_reason            text NOT NULL DEFAULT '',
    created_by                 uuid,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    version                    integer NOT NULL DEFAULT 1
);
CREATE INDEX webhook_endpoints_feed ON webhook_endpoints (organisation_id, updated_at, id);

-- One delivery per (event, channel, recipient): recipient is the adviser id
-- (email to an adviser), the lower-cased address (email to a company
-- contact) or the endpoint id (webhook). The inbox needs no delivery: its
-- notification row is the delivery. mode says whether the message goes now
-- or in the adviser's daily digest.
CREATE TABLE deliveries (
    id           uuid PRIMARY KEY,
    event_id     uuid NOT NULL,
    event_type   text NOT NULL,
    channel      text NOT NULL CHECK (channel IN ('email', 'webhook')),
    recipient    text NOT NULL,
    adviser_id   uuid REFERENCES advisers (id) ON DELETE CASCADE,
    endpoint_id  uuid REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    mode         text NOT NULL DEFAULT 'instant' CHECK (mode IN ('instant', 'digest')),
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text NOT NULL DEFAULT '',
    digest_id    uuid,
    sent_at      timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT deliveries_once UNIQUE (event_id, channel, recipient)
);
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, updated_at, id) WHERE endpoint_id IS NOT NULL;
CREATE INDEX deliveries_digest_pending ON deliveries (adviser_id, created_at) WHERE mode = 'digest' AND status = 'pending';

-- One digest per adviser per day (Europe/Paris): its row is claimed before the
-- message goes, so a retried job sends the same digest, not a second one.
CREATE TABLE digests (
    id          uuid PRIMARY KEY,
    adviser_id  uuid NOT NULL REFERENCES advisers (id) ON DELETE CASCADE,
    day         date NOT NULL,
    sent_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT digests_once UNIQUE (adviser_id, day)
);

-- Every HTTP attempt of a webhook delivery: the delivery log.
CREATE TABLE webhook_attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id  uuid NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempted_at timestamptz NOT NULL DEFAULT now(),
    status_code  integer,
    error        text NOT NULL DEFAULT '',
    duration_ms  integer NOT NULL DEFAULT 0
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
