-- The company space of the console (docs/console-company.md).
--
-- Company users are the people of a partner company who sign in to the
-- console, by emailed link like advisers; their session acts with the company
-- role for their company only. They are personal data (name, email): never
-- copied to the audit log, an index or a webhook. The companies.contacts list
-- stays what it was (people to talk to); a user is someone invited to sign in.
CREATE TABLE company_users (
    id                 uuid PRIMARY KEY,
    company_id         uuid NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email              text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    -- The organisation whose adviser invited them (nil: the company or an admin).
    invited_by_org_id  uuid REFERENCES organisations (id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
-- Unique per company whatever the case; found by email at sign-in.
CREATE UNIQUE INDEX company_users_email_key ON company_users (company_id, lower(email));
CREATE INDEX company_users_email ON company_users (lower(email));

-- Sign-in links and sessions belong to an adviser or to a company user.
ALTER TABLE signin_links
    ALTER COLUMN adviser_id DROP NOT NULL,
    ADD COLUMN company_user_id uuid REFERENCES company_users (id) ON DELETE CASCADE,
    -- Where the link leads once used (a console path), '' for the home page.
    ADD COLUMN next_path text NOT NULL DEFAULT '' CHECK (length(next_path) <= 300),
    ADD CONSTRAINT signin_links_one_owner CHECK ((adviser_id IS NULL) <> (company_user_id IS NULL));
ALTER TABLE sessions
    ALTER COLUMN adviser_id DROP NOT NULL,
    ADD COLUMN company_user_id uuid REFERENCES company_users (id) ON DELETE CASCADE,
    ADD CONSTRAINT sessions_one_owner CHECK ((adviser_id IS NULL) <> (company_user_id IS NULL));
CREATE INDEX sessions_company_user ON sessions (company_user_id) WHERE revoked_at IS NULL;

-- A company's request, from a programme's public page, to become its
-- partner. Anyone may post one, so it gives nothing by itself: an adviser of
-- the programme accepts (registering the company, its partnership and its
-- first user's invitation) or refuses it. The contact is personal data.
CREATE TABLE partner_requests (
    id               uuid PRIMARY KEY,
    organisation_id  uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    siret            text NOT NULL CHECK (siret ~ '^[0-9]{14}$'),
    company_name     text NOT NULL CHECK (length(company_name) BETWEEN 1 AND 200),
    address          jsonb NOT NULL CHECK (jsonb_typeof(address) = 'object'),
    contact_name     text NOT NULL CHECK (length(contact_name) BETWEEN 1 AND 200),
    contact_email    text NOT NULL CHECK (length(contact_email) BETWEEN 3 AND 254),
    contact_phone    text NOT NULL DEFAULT '' CHECK (length(contact_phone) <= 40),
    message          text NOT NULL DEFAULT '' CHECK (length(message) <= 2000),
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'refused')),
    -- Set on acceptance: the company registered, or found by its SIRET.
    company_id       uuid REFERENCES companies (id) ON DELETE SET NULL,
    decided_by       uuid REFERENCES advisers (id) ON DELETE SET NULL,
    decided_at       timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX partner_requests_org ON partner_requests (organisation_id, status, created_at);

-- Rate limits of anonymous forms by client address, shared by every process:
-- the GCRA state of rate_limits (0008), keyed by what is limited and the
-- address (an IPv6 client by its /64). UNLOGGED for the same reasons.
CREATE UNLOGGED TABLE address_rate_limits (
    bucket   text NOT NULL,
    address  text NOT NULL,
    tat      timestamptz NOT NULL,
    PRIMARY KEY (bucket, address)
) WITH (fillfactor = 50);

-- A company confirms a placement's start date…
ALTER TABLE placements ADD COLUMN start_confirmed_at timestamptz;

-- …and answers the programme's short questions at 1, 3 and 6 months of the
-- placement: is the trainee still there, how is it going, anything to add.
CREATE TABLE placement_checkins (
    id            uuid PRIMARY KEY,
    placement_id  uuid NOT NULL REFERENCES placements (id) ON DELETE CASCADE,
    month         integer NOT NULL CHECK (month IN (1, 3, 6)),
    still_there   boolean NOT NULL,
    going         text NOT NULL CHECK (going IN ('well', 'some_difficulties', 'serious_difficulties')),
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    answered_by_role text NOT NULL,
    answered_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT placement_checkins_once UNIQUE (placement_id, month)
);
