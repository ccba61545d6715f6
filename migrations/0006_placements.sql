-- From a proposal to a placement and its follow-up after the trainee leaves
-- the programme.

-- proposed_at is set the first time a proposal reaches proposed: from then on
-- its company sees it (a company never sees what an adviser considered and set
-- aside). expiry_reminded_at is set when the proposal.expiring reminder was
-- written: once per proposal while it waits for the company's answer.
ALTER TABLE proposals ADD COLUMN proposed_at timestamptz;
ALTER TABLE proposals ADD COLUMN expiry_reminded_at timestamptz;
CREATE INDEX proposals_waiting ON proposals (status_changed_at) WHERE status = 'proposed';
CREATE INDEX proposals_company_proposed ON proposals (company_id, updated_at, id) WHERE proposed_at IS NOT NULL;

-- A placement is what a placed proposal became: a signed contract, an
-- internship agreement, an immersion. organisation_id, company_id and
-- trainee_id are copied from the proposal so that tenancy needs no join. The
-- tutor is a company employee: name and role only, no contact details.
CREATE TABLE placements (
    id               uuid PRIMARY KEY,
    proposal_id      uuid NOT NULL UNIQUE REFERENCES proposals (id) ON DELETE CASCADE,
    trainee_id       uuid NOT NULL REFERENCES trainees (id) ON DELETE CASCADE,
    offer_id         uuid NOT NULL REFERENCES offers (id),
    organisation_id  uuid NOT NULL REFERENCES organisations (id),
    company_id       uuid NOT NULL REFERENCES companies (id),
    kind             text NOT NULL CHECK (kind IN ('apprenticeship', 'professionalisation', 'internship', 'immersion', 'job', 'discovery')),
    start_date       date NOT NULL,
    end_date         date,
    tutor_name       text NOT NULL DEFAULT '' CHECK (length(tutor_name) <= 200),
    tutor_role       text NOT NULL DEFAULT '' CHECK (length(tutor_role) <= 200),
    outcome          text CHECK (outcome IN ('completed', 'interrupted')),
    outcome_reason   text NOT NULL DEFAULT '' CHECK (length(outcome_reason) <= 1000),
    ended_at         timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    version          integer NOT NULL DEFAULT 1,
    CHECK (end_date IS NULL OR end_date >= start_date),
    CHECK ((outcome IS NULL) = (ended_at IS NULL)),
    CHECK (outcome = 'interrupted' OR outcome_reason = '')
);
CREATE INDEX placements_organisation ON placements (organisation_id, updated_at, id);
CREATE INDEX placements_company ON placements (company_id, updated_at, id);
CREATE INDEX placements_trainee ON placements (trainee_id, start_date);

-- Follow-ups 1, 3 and 6 months after a trainee's exit: created when due by a
-- periodic job (one per trainee and month), then recorded by an adviser.
CREATE TABLE followups (
    id               uuid PRIMARY KEY,
    trainee_id       uuid NOT NULL REFERENCES trainees (id) ON DELETE CASCADE,
    organisation_id  uuid NOT NULL REFERENCES organisations (id),
    month            integer NOT NULL CHECK (month IN (1, 3, 6)),
    due_date         date NOT NULL,
    situation        text CHECK (situation IN ('employed', 'training', 'job_seeking', 'no_contact')),
    contract_type    text CHECK (contract_type IN ('cdi', 'cdd', 'interim', 'apprenticeship', 'professionalisation', 'other')),
    note             text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    recorded_at      timestamptz,
    recorded_by      uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    version          integer NOT NULL DEFAULT 1,
    UNIQUE (trainee_id, month),
    CHECK ((situation = 'employed') = (contract_type IS NOT NULL)),
    CHECK ((situation IS NULL) = (recorded_at IS NULL))
);
CREATE INDEX followups_organisation ON followups (organisation_id, updated_at, id);
CREATE INDEX followups_exited ON trainees (exit_date) WHERE status = 'exited';
