-- Who may act for a company is decided by the company (docs/tenancy.md).
--
-- A partnership now has a status: an organisation that asks to work with a
-- company already registered gets a pending partnership, which the company
-- (or an admin) accepts or refuses. Only an active partnership lets the
-- organisation see the company's private data (contacts, drafts) and act on
-- its offers. The steward is the organisation that registered the company: it
-- alone, besides admins and the company itself, edits the company's identity
-- and issues its API keys. decided_by_key_id and decided_by_role say who
-- accepted or refused, decided_at when.
ALTER TABLE partnerships
    ADD COLUMN id                 uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN status             text NOT NULL DEFAULT 'active' CHECK (status IN ('pending', 'active', 'refused')),
    ADD COLUMN steward            boolean NOT NULL DEFAULT false,
    ADD COLUMN decided_by_key_id  uuid,
    ADD COLUMN decided_by_role    text CHECK (decided_by_role IN ('admin', 'adviser', 'company', 'integrator')),
    ADD COLUMN decided_at         timestamptz,
    ADD COLUMN updated_at         timestamptz NOT NULL DEFAULT now();

-- Existing partnerships were made under the old rule: they stay active, as
-- decided when they were created, and the oldest of each company becomes its
-- steward.
UPDATE partnerships SET decided_at = created_at, updated_at = created_at;
UPDATE partnerships p SET steward = true
FROM (SELECT DISTINCT ON (company_id) organisation_id, company_id FROM partnerships
      ORDER BY company_id, created_at, organisation_id) first
WHERE p.organisation_id = first.organisation_id AND p.company_id = first.company_id;

-- From now on a partnership says its status: nothing is active by default.
ALTER TABLE partnerships ALTER COLUMN status DROP DEFAULT;

ALTER TABLE partnerships ADD CONSTRAINT partnerships_id_key UNIQUE (id);
-- One steward per company at most.
CREATE UNIQUE INDEX partnerships_steward ON partnerships (company_id) WHERE steward;
-- Lists of partnerships are change feeds ordered by (updated_at, id).
CREATE INDEX partnerships_feed ON partnerships (updated_at, id);
