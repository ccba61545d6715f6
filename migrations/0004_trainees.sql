-- Trainees, their consents, and proposals (trainee × offer): the matcher's
-- suggestions and everything an adviser and a company do with them.
--
-- Identity columns (names, birth date, contact) are personal data visible only
-- to the trainee's organisation. rqth is health data: it holds a value only
-- while an active rqth consent exists (the store clears it on withdrawal).

CREATE TABLE trainees (
    id                  uuid PRIMARY KEY,
    organisation_id     uuid NOT NULL REFERENCES organisations (id),
    cohort_id           uuid REFERENCES cohorts (id),
    referent_id         uuid NOT NULL REFERENCES advisers (id),
    -- Identity.
    first_name          text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
    last_name           text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
    birth_date          date NOT NULL,
    email               text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    phone               text NOT NULL DEFAULT '' CHECK (length(phone) <= 30),
    -- Matching profile.
    home_postal_code    text NOT NULL CHECK (home_postal_code ~ '^[0-9]{5}$'),
    home_insee_code     text NOT NULL DEFAULT '',
    home_town           text NOT NULL DEFAULT '',
    home_latitude       double precision NOT NULL CHECK (home_latitude BETWEEN -90 AND 90),
    home_longitude      double precision NOT NULL CHECK (home_longitude BETWEEN -180 AND 180),
    mobility_radius_km  integer NOT NULL DEFAULT 20 CHECK (mobility_radius_km BETWEEN 0 AND 300),
    transport_modes     text[] NOT NULL DEFAULT '{}',
    driving_licence     boolean NOT NULL DEFAULT false,
    wanted_kinds        text[] NOT NULL DEFAULT '{}',
    wanted_rome_codes   text[] NOT NULL DEFAULT '{}' CHECK (cardinality(wanted_rome_codes) <= 10),
    -- [{"name", "evidence": declared|adviser_validated|open_badge, "badge_url"}]
    skills              jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(skills) = 'array'),
    languages           text[] NOT NULL DEFAULT '{}',
    -- [{"from": date, "to": date}]
    availability        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(availability) = 'array'),
    max_weekly_hours    numeric(4, 1) CHECK (max_weekly_hours > 0 AND max_weekly_hours <= 48),
    status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'placed', 'exited', 'archived')),
    exit_date           date,
    exit_reason         text NOT NULL DEFAULT '' CHECK (length(exit_reason) <= 500),
    rqth                boolean,
    -- Keys the per-company pseudonym; never leaves the database.
    pseudonym_salt      bytea NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             integer NOT NULL DEFAULT 1
);
CREATE INDEX trainees_organisation ON trainees (organisation_id, updated_at, id);
CREATE INDEX trainees_page ON trainees (updated_at, id);
CREATE INDEX trainees_home ON trainees (home_latitude, home_longitude) WHERE status = 'active';

-- A consent is a record: who recorded it, when, for what, and its withdrawal.
-- reveal_identity is given for one offer (and so one company).
CREATE TABLE consents (
    id                uuid PRIMARY KEY,
    trainee_id        uuid NOT NULL REFERENCES trainees (id) ON DELETE CASCADE,
    scope             text NOT NULL CHECK (scope IN ('matching', 'reveal_identity', 'rqth', 'guardian')),
    offer_id          uuid REFERENCES offers (id),
    company_id        uuid REFERENCES companies (id),
    note              text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    recorded_by       uuid NOT NULL,
    recorded_role     text NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    withdrawn_at      timestamptz,
    withdrawn_by      uuid,
    CHECK ((scope = 'reveal_identity') = (offer_id IS NOT NULL AND company_id IS NOT NULL))
);
CREATE UNIQUE INDEX consents_active ON consents (trainee_id, scope, coalesce(offer_id, '00000000-0000-0000-0000-000000000000'))
    WHERE withdrawn_at IS NULL;

-- A proposal is a trainee × offer pair. organisation_id and company_id are
-- copied from the trainee and the offer so that tenancy scopes need no join.
CREATE TABLE proposals (
    id                 uuid PRIMARY KEY,
    trainee_id         uuid NOT NULL REFERENCES trainees (id) ON DELETE CASCADE,
    offer_id           uuid NOT NULL REFERENCES offers (id),
    organisation_id    uuid NOT NULL REFERENCES organisations (id),
    company_id         uuid NOT NULL REFERENCES companies (id),
    status             text NOT NULL CHECK (status IN ('suggested', 'shortlisted', 'proposed', 'interview', 'accepted', 'placed',
                           'dismissed', 'declined_by_company', 'declined_by_trainee', 'withdrawn', 'expired')),
    origin             text NOT NULL CHECK (origin IN ('matcher', 'adviser')),
    score              integer CHECK (score BETWEEN 0 AND 100),
    reasons            jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(reasons) = 'array'),
    -- Who made the last transition: a role, or system for the matcher and
    -- periodic jobs. The matcher may revive only what it withdrew itself.
    status_actor_role  text NOT NULL,
    status_changed_at  timestamptz NOT NULL DEFAULT now(),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    version            integer NOT NULL DEFAULT 1,
    UNIQUE (trainee_id, offer_id)
);
CREATE INDEX proposals_trainee ON proposals (trainee_id, status);
CREATE INDEX proposals_offer ON proposals (offer_id, status);
CREATE INDEX proposals_organisation ON proposals (organisation_id, updated_at, id);
CREATE INDEX proposals_company ON proposals (company_id, updated_at, id);

-- Every transition of a proposal, with its actor, time and reason.
CREATE TABLE proposal_transitions (
    id            uuid PRIMARY KEY,
    proposal_id   uuid NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    from_status   text,
    to_status     text NOT NULL,
    actor_role    text NOT NULL,
    actor_key_id  uuid,
    reason        text NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
    occurred_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX proposal_transitions_proposal ON proposal_transitions (proposal_id, occurred_at);

-- A match asked for through the API: the River job that runs it, under an id
-- the caller's tenant owns.
CREATE TABLE match_requests (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL REFERENCES organisations (id),
    trainee_id       uuid NOT NULL REFERENCES trainees (id) ON DELETE CASCADE,
    river_job_id     bigint NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- The adviser an event concerns (a trainee's referent), so that the
-- notifications fan-out needs no knowledge of each subject's tables.
ALTER TABLE events ADD COLUMN adviser_id uuid;
CREATE INDEX events_adviser ON events (adviser_id, occurred_at) WHERE adviser_id IS NOT NULL;
