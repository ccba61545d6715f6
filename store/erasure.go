package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
)

// Erasure (GDPR article 17) removes a trainee's identity and free text at
// once and keeps their pathway only as anonymous facts, so that the
// programme's figures stay right. docs/privacy.md lists, table by table, what
// is deleted, blanked or kept, and what cannot be recalled; the register in
// privacy.go says the same for the completeness test.

// EventTraineeErased is the thin event of an erasure: the trainee's id only.
const EventTraineeErased = "trainee.erased"

// Erasure causes.
const (
	ErasureRequest   = "request"   // the trainee asked (article 17)
	ErasureRetention = "retention" // the retention period ran out
)

// ErasureCauses lists the causes in documentation order.
var ErasureCauses = []string{ErasureRequest, ErasureRetention}

// Erasure is the record an erasure leaves: no identity, only which row of
// which organisation, when, by whom and what was done.
type Erasure struct {
	ID             uuid.UUID
	TraineeID      uuid.UUID
	OrganisationID uuid.UUID
	Cause          string
	ActorRole      string
	Counts         map[string]int64
	ErasedAt       time.Time
}

// EraseTrainee erases trainee id at their request: an adviser of their
// organisation or an admin.
func (s *Store) EraseTrainee(ctx context.Context, actor passerelle.Principal, id uuid.UUID) (Erasure, error) {
	if err := mayManageTrainees(actor); err != nil {
		return Erasure{}, err
	}
	if actor.Role == passerelle.RoleIntegrator {
		return Erasure{}, passerelle.Errorf(passerelle.EForbidden, "Only an adviser of the trainee's organisation or an admin erases a trainee.")
	}
	var e Erasure
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		t, err := getTrainee(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		e, err = eraseTrainee(ctx, tx, actor, t.ID, t.OrganisationID, t.ReferentID, ErasureRequest)
		return err
	})
	return e, wrap("erase trainee", err)
}

// eraseTrainee erases trainee id (locked by the caller) in tx.
func eraseTrainee(ctx context.Context, tx pgx.Tx, actor passerelle.Principal, id, org, referent uuid.UUID, cause string) (Erasure, error) {
	counts := map[string]int64{}
	exec := func(name, sql string, args ...any) error {
		tag, err := tx.Exec(ctx, sql, args...)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		counts[name] += tag.RowsAffected()
		return nil
	}
	// Every id an event, a notification or a stored response may name.
	var subjects []uuid.UUID
	if err := tx.QueryRow(ctx, `SELECT ARRAY(SELECT $1::uuid
		UNION ALL SELECT id FROM proposals WHERE trainee_id = $1
		UNION ALL SELECT id FROM placements WHERE trainee_id = $1
		UNION ALL SELECT id FROM followups WHERE trainee_id = $1)`, id).Scan(&subjects); err != nil {
		return Erasure{}, err
	}
	subjectTexts := make([]string, len(subjects))
	for i, u := range subjects {
		subjectTexts[i] = u.String()
	}
	salt := make([]byte, 32)
	_, _ = rand.Read(salt)
	steps := []struct {
		name, sql string
		args      []any
	}{
		// Suggestions are the matcher's output about a profile: gone.
		{"suggestions_deleted", `DELETE FROM proposals WHERE trainee_id = $1 AND status = 'suggested'`, []any{id}},
		// Proposals, placements and follow-ups stay as anonymous facts.
		{"proposals_anonymised", `UPDATE proposals SET score = NULL, reasons = '[]', updated_at = now(), version = version + 1
			WHERE trainee_id = $1`, []any{id}},
		{"transitions_scrubbed", `UPDATE proposal_transitions SET reason = ''
			WHERE proposal_id IN (SELECT id FROM proposals WHERE trainee_id = $1) AND reason <> ''`, []any{id}},
		{"placements_anonymised", `UPDATE placements SET tutor_name = '', tutor_role = '',
				outcome_reason = '', updated_at = now(), version = version + 1
			WHERE trainee_id = $1`, []any{id}},
		{"checkins_anonymised", `UPDATE placement_checkins SET note = ''
			WHERE placement_id IN (SELECT id FROM placements WHERE trainee_id = $1) AND note <> ''`, []any{id}},
		{"followups_anonymised", `UPDATE followups SET note = '', updated_at = now(), version = version + 1
			WHERE trainee_id = $1`, []any{id}},
		{"consents_deleted", `DELETE FROM consents WHERE trainee_id = $1`, []any{id}},
		{"match_requests_deleted", `DELETE FROM match_requests WHERE trainee_id = $1`, []any{id}},
		// Events, notifications and delivery logs keep what happened, not
		// whom it was about.
		{"events_scrubbed", `UPDATE events SET payload = payload - 'trainee_id'
			WHERE subject_id = ANY ($1) OR payload->>'trainee_id' = $2`, []any{subjects, id.String()}},
		{"notifications_scrubbed", `UPDATE notifications SET payload = payload - 'trainee_id', body = '', updated_at = now()
			WHERE event_id IN (SELECT id FROM events WHERE subject_id = ANY ($1)) OR payload->>'trainee_id' = $2`,
			[]any{subjects, id.String()}},
		{"deliveries_scrubbed", `UPDATE deliveries SET last_error = '', updated_at = now()
			WHERE event_id IN (SELECT id FROM events WHERE subject_id = ANY ($1)) AND last_error <> ''`, []any{subjects}},
		{"webhook_attempts_scrubbed", `UPDATE webhook_attempts SET error = ''
			WHERE delivery_id IN (SELECT d.id FROM deliveries d JOIN events e ON e.id = d.event_id WHERE e.subject_id = ANY ($1))
				AND error <> ''`, []any{subjects}},
		// A replayable response that shows the trainee (or their pathway).
		{"idempotency_records_deleted", `DELETE FROM idempotency_keys k WHERE k.response_body IS NOT NULL
			AND EXISTS (SELECT 1 FROM unnest($1::text[]) s WHERE position(convert_to(s, 'UTF8') IN k.response_body) > 0)`,
			[]any{subjectTexts}},
		// The row itself: identity and profile blanked; organisation,
		// cohort, status and dates kept for the figures.
		{"trainee_blanked", `UPDATE trainees SET first_name = '', last_name = '', birth_date = NULL, email = '', phone = '',
				home_postal_code = '', home_insee_code = '', home_town = '', home_latitude = 0, home_longitude = 0,
				mobility_radius_km = 0, transport_modes = '{}', driving_licence = false, wanted_kinds = '{}',
				wanted_rome_codes = '{}', skills = '[]', languages = '{}', availability = '[]', max_weekly_hours = NULL,
				exit_reason = '', rqth = NULL, rqth_sealed = NULL, rqth_key_id = NULL, pseudonym_salt = $2,
				erased_at = now(), updated_at = now(), version = version + 1
			WHERE id = $1`, []any{id, salt}},
	}
	for _, st := range steps {
		if err := exec(st.name, st.sql, st.args...); err != nil {
			return Erasure{}, err
		}
	}
	e := Erasure{ID: uuid.New(), TraineeID: id, OrganisationID: org, Cause: cause, ActorRole: actor.Role, Counts: counts}
	var keyID, sessionID *uuid.UUID
	if actor.KeyID != uuid.Nil {
		keyID = &actor.KeyID
	}
	if actor.SessionID != uuid.Nil {
		sessionID = &actor.SessionID
	}
	if err := tx.QueryRow(ctx, `INSERT INTO erasures (id, trainee_id, organisation_id, cause, actor_role, actor_key_id, actor_session_id, counts)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING erased_at`,
		e.ID, id, org, cause, actor.Role, keyID, sessionID, counts).Scan(&e.ErasedAt); err != nil {
		return Erasure{}, err
	}
	if err := audit(ctx, tx, actor, "erase", "trainee", id, &org, map[string]any{"cause": cause}); err != nil {
		return Erasure{}, err
	}
	return e, insertEvent(ctx, tx, Event{Type: EventTraineeErased, OrganisationID: &org, AdviserID: &referent,
		SubjectType: "trainee", SubjectID: id, Payload: map[string]any{"trainee_id": id, "cause": cause}})
}
