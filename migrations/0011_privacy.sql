-- Personal data done completely (docs/privacy.md): RQTH sealed by the
-- application, erasure that keeps anonymous facts, and an erasure record.

-- RQTH is sealed with AES-GCM by the application (store/datakey.go): the
-- database holds the ciphertext and the id of the key that sealed it, so that
-- `passerelle keys rotate-data` finds what an old key sealed. The clear rqth
-- column is no longer written; values written before this migration are
-- sealed by `passerelle migrate` right after it, which clears them.
ALTER TABLE trainees
    ADD COLUMN rqth_sealed  bytea,
    ADD COLUMN rqth_key_id  text,
    ADD COLUMN erased_at    timestamptz,
    ADD CONSTRAINT trainees_rqth_sealed_key CHECK ((rqth_sealed IS NULL) = (rqth_key_id IS NULL));

-- An erased trainee stays as an anonymous fact (organisation, cohort, status,
-- dates) so that the programme's figures stay right: identity and profile
-- are blanked, which the identity checks allow only once erased_at is set.
ALTER TABLE trainees
    DROP CONSTRAINT trainees_first_name_check,
    DROP CONSTRAINT trainees_last_name_check,
    DROP CONSTRAINT trainees_home_postal_code_check,
    ALTER COLUMN birth_date DROP NOT NULL,
    ADD CONSTRAINT trainees_first_name_check CHECK (length(first_name) <= 100 AND (erased_at IS NOT NULL OR length(first_name) >= 1)),
    ADD CONSTRAINT trainees_last_name_check CHECK (length(last_name) <= 100 AND (erased_at IS NOT NULL OR length(last_name) >= 1)),
    ADD CONSTRAINT trainees_home_postal_code_check CHECK (erased_at IS NOT NULL OR home_postal_code ~ '^[0-9]{5}$'),
    ADD CONSTRAINT trainees_birth_date_check CHECK (erased_at IS NOT NULL OR birth_date IS NOT NULL),
    ADD CONSTRAINT trainees_erased_blank CHECK (erased_at IS NULL OR (first_name = '' AND last_name = '' AND email = ''
        AND phone = '' AND birth_date IS NULL AND rqth IS NULL AND rqth_sealed IS NULL));
CREATE INDEX trainees_erased ON trainees (erased_at) WHERE erased_at IS NOT NULL;

-- One row per erasure, without identity: which row of which organisation was
-- erased, when, by whom (a key, a session, or the retention job) and why.
CREATE TABLE erasures (
    id                uuid PRIMARY KEY,
    trainee_id        uuid NOT NULL UNIQUE,
    organisation_id   uuid NOT NULL REFERENCES organisations (id),
    cause             text NOT NULL CHECK (cause IN ('request', 'retention')),
    actor_role        text NOT NULL,
    actor_key_id      uuid,
    actor_session_id  uuid,
    -- What was done, as counts: {"suggestions_deleted": 3, ...}.
    counts            jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(counts) = 'object'),
    erased_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX erasures_organisation ON erasures (organisation_id, erased_at);

-- Retention reads these often: the last sign of a trainee's activity and the
-- age of log rows.
CREATE INDEX events_occurred ON events (occurred_at);
CREATE INDEX webhook_attempts_at ON webhook_attempts (attempted_at);
CREATE INDEX deliveries_created ON deliveries (created_at);
CREATE INDEX notifications_created ON notifications (created_at);
