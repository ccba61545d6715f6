-- Offers posted by companies: apprenticeship, professionalisation, internship,
-- immersion (PMSMP), job and discovery (company visit).

CREATE TABLE offers (
    id                   uuid PRIMARY KEY,
    company_id           uuid NOT NULL REFERENCES companies (id),
    kind                 text NOT NULL CHECK (kind IN ('apprenticeship', 'professionalisation', 'internship', 'immersion', 'job', 'discovery')),
    title                text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description          text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
    rome_codes           text[] NOT NULL CHECK (cardinality(rome_codes) BETWEEN 1 AND 3),
    required_skills      text[] NOT NULL DEFAULT '{}' CHECK (cardinality(required_skills) <= 30),
    optional_skills      text[] NOT NULL DEFAULT '{}' CHECK (cardinality(optional_skills) <= 30),
    street               text NOT NULL DEFAULT '',
    postal_code          text NOT NULL CHECK (postal_code ~ '^[0-9]{5}$'),
    insee_code           text NOT NULL DEFAULT '',
    town                 text NOT NULL DEFAULT '',
    latitude             double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude            double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    remote               text NOT NULL DEFAULT 'none' CHECK (remote IN ('none', 'partial', 'full')),
    start_date           date,
    end_date             date,
    duration_weeks       integer CHECK (duration_weeks BETWEEN 1 AND 208),
    weekly_hours         numeric(4, 1) CHECK (weekly_hours > 0 AND weekly_hours <= 48),
    positions            integer NOT NULL DEFAULT 1 CHECK (positions >= 1),
    positions_filled     integer NOT NULL DEFAULT 0 CHECK (positions_filled >= 0 AND positions_filled <= positions),
    min_age              integer CHECK (min_age BETWEEN 14 AND 99),
    max_age              integer CHECK (max_age BETWEEN 14 AND 99),
    open_to_minors       boolean NOT NULL DEFAULT false,
    disability_friendly  boolean NOT NULL DEFAULT false,
    -- Target level of the national qualification framework: none, cap_bep
    -- (level 3), bac (4), bac_2 (5), bac_3 (6), bac_5 (7).
    qualification_level  text NOT NULL DEFAULT 'none' CHECK (qualification_level IN ('none', 'cap_bep', 'bac', 'bac_2', 'bac_3', 'bac_5')),
    status               text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'paused', 'filled', 'closed', 'expired')),
    published_at         timestamptz,
    expires_at           timestamptz,
    -- Set when the offer.expiring event was written: the reminder goes once.
    expiry_reminded_at   timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    version              integer NOT NULL DEFAULT 1,
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date),
    CHECK (min_age IS NULL OR max_age IS NULL OR max_age >= min_age)
);
CREATE INDEX offers_feed ON offers (updated_at, id);
CREATE INDEX offers_company ON offers (company_id, updated_at, id);
CREATE INDEX offers_expiry ON offers (expires_at) WHERE status IN ('published', 'paused');

-- Offers as read: with their company's name, for responses and search documents.
CREATE VIEW offer_rows AS
    SELECT o.*, c.name AS company_name
    FROM offers o JOIN companies c ON c.id = o.company_id;
