-- Foundation: tenants (organisations, companies), people who call the API (API
-- keys, advisers), cohorts, and the cross-cutting tables of the API conventions
-- (idempotency keys, audit log).

CREATE TABLE organisations (
    id          uuid PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('e2c', 'mission_locale', 'programme', 'cfa', 'other')),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    town        text NOT NULL CHECK (length(town) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1
);
CREATE INDEX organisations_feed ON organisations (updated_at, id);

CREATE TABLE advisers (
    id                        uuid PRIMARY KEY,
    organisation_id           uuid NOT NULL REFERENCES organisations (id),
    -- Name and email are personal data: never copied to the audit log.
    name                      text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email                     text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    -- Event type → instant, daily_digest or off; a missing event type is instant.
    notification_preferences  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(notification_preferences) = 'object'),
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    version                   integer NOT NULL DEFAULT 1
);
-- Unique per organisation whatever the case: the same person, written twice.
CREATE UNIQUE INDEX advisers_email_key ON advisers (organisation_id, lower(email));
CREATE INDEX advisers_feed ON advisers (organisation_id, updated_at, id);

CREATE TABLE companies (
    id                   uuid PRIMARY KEY,
    siret                text NOT NULL CHECK (siret ~ '^[0-9]{14}$'),
    name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    naf_code             text CHECK (naf_code ~ '^[0-9]{2}\.[0-9]{2}[A-Z]$'),
    headcount_band       text CHECK (headcount_band IN ('0', '1-9', '10-49', '50-249', '250-4999', '5000+')),
    address              jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(address) = 'object'),
    latitude             double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude            double precision CHECK (longitude BETWEEN -180 AND 180),
    disability_friendly  boolean NOT NULL DEFAULT false,
    -- Names and contact details of the company's staff: personal data, never
    -- copied to the audit log, an index or a webhook.
    contacts             jsonb NOT NULL DEFAULT '[]' CHECK (CASE jsonb_typeof(contacts) WHEN 'array' THEN jsonb_array_length(contacts) <= 10 ELSE false END),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    version              integer NOT NULL DEFAULT 1,
    CONSTRAINT companies_siret_key UNIQUE (siret),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX companies_feed ON companies (updated_at, id);

-- A company is global; partnerships say which organisations work with it. The
-- primary key serves "partners of an organisation"; the index "organisations
-- of a company".
CREATE TABLE partnerships (
    organisation_id  uuid NOT NULL REFERENCES organisations (id),
    company_id       uuid NOT NULL REFERENCES companies (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organisation_id, company_id)
);
CREATE INDEX partnerships_company ON partnerships (company_id);

-- A cohort ("promotion") of an organisation, with its own targets such as
-- {"signed_contracts": 150}.
CREATE TABLE cohorts (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL REFERENCES organisations (id),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    track            text NOT NULL DEFAULT '' CHECK (length(track) <= 200),
    start_date       date NOT NULL,
    end_date         date NOT NULL,
    capacity         integer NOT NULL CHECK (capacity > 0),
    targets          jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(targets) = 'object'),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    version          integer NOT NULL DEFAULT 1,
    CHECK (end_date >= start_date)
);
CREATE INDEX cohorts_feed ON cohorts (organisation_id, updated_at, id);

CREATE TABLE api_keys (
    id               uuid PRIMARY KEY,
    prefix           text NOT NULL UNIQUE,
    secret_hash      bytea NOT NULL,
    name             text NOT NULL,
    role             text NOT NULL CHECK (role IN ('admin', 'adviser', 'company', 'integrator')),
    organisation_id  uuid REFERENCES organisations (id),
    company_id       uuid REFERENCES companies (id),
    adviser_id       uuid REFERENCES advisers (id),
    created_by       uuid REFERENCES api_keys (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    last_used_at     timestamptz,
    revoked_at       timestamptz,
    CHECK (
        (role = 'admin' AND organisation_id IS NULL AND company_id IS NULL AND adviser_id IS NULL) OR
        (role IN ('adviser', 'integrator') AND organisation_id IS NOT NULL AND company_id IS NULL) OR
        (role = 'company' AND company_id IS NOT NULL AND organisation_id IS NULL AND adviser_id IS NULL)
    ),
    CHECK (role = 'adviser' OR adviser_id IS NULL)
);
CREATE INDEX api_keys_feed ON api_keys (updated_at, id);

-- Idempotency-Key records: the first response to a creating POST, replayed to a
-- retry with the same key and body. Scoped per API key; purged after retention.
CREATE TABLE idempotency_keys (
    api_key_id        uuid NOT NULL REFERENCES api_keys (id),
    key               text NOT NULL,
    request_hash      bytea NOT NULL,
    state             text NOT NULL CHECK (state IN ('in_progress', 'done')),
    response_status   integer,
    response_headers  jsonb,
    response_body     bytea,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (api_key_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Every write: who, what, when. Readable by admins.
CREATE TABLE audit_log (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at               timestamptz NOT NULL DEFAULT now(),
    actor_key_id     uuid,
    actor_role       text NOT NULL,
    action           text NOT NULL,
    resource_type    text NOT NULL,
    resource_id      uuid,
    organisation_id  uuid,
    request_id       text NOT NULL DEFAULT '',
    details          jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at, id);
