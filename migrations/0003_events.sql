-- Domain events, written in the same transaction as the state change they
-- record (offer.published, offer.expiring, later proposal.*, placement.*,
-- followup.due, trainee.erased). Notifications (email, inbox, webhooks) fan
-- them out later; this table is what happened, not who was told.
--
-- The payload holds identifiers, titles and statuses only: never a name, a
-- contact detail, a birth date or health data, since it is sent as is in
-- webhooks. Events outlive their subject (trainee.erased is about a row that
-- is gone), so there are no foreign keys.

CREATE TABLE events (
    id               uuid PRIMARY KEY,
    type             text NOT NULL CHECK (type ~ '^[a-z_]+\.[a-z_]+$'),
    occurred_at      timestamptz NOT NULL DEFAULT now(),
    organisation_id  uuid,
    company_id       uuid,
    subject_type     text NOT NULL CHECK (length(subject_type) BETWEEN 1 AND 50),
    subject_id       uuid NOT NULL,
    payload          jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object')
);
CREATE INDEX events_feed ON events (occurred_at, id);
CREATE INDEX events_subject ON events (subject_type, subject_id);
