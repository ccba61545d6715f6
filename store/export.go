package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
)

// ExportFormat names the shape of a trainee's export; docs/privacy.md
// describes it. A change that removes or renames a field takes a new number.
const ExportFormat = "passerelle.trainee-export/1"

// TraineeExport is everything held about one trainee (GDPR articles 15 and
// 20), one machine-readable document. Each section holds whole rows, as
// stored, under their column names: a column added to one of these tables is
// exported without anyone remembering to. Secrets that are not the trainee's
// data (the pseudonym salt, the sealed RQTH, which appears opened) are left
// out.
type TraineeExport struct {
	Format     string    `json:"format" doc:"The shape of this document: passerelle.trainee-export/1 (docs/privacy.md)."`
	ExportedAt time.Time `json:"exported_at"`
	// Trainee is the trainee's row: identity, matching profile, status,
	// rqth (opened, present only with its consent).
	Trainee map[string]any `json:"trainee" doc:"The trainee's row, column by column: identity, matching profile, status, rqth (present only while its consent is recorded)."`
	// GuardianConsentMissing is true for a trainee under 15 without a
	// guardian's consent.
	GuardianConsentMissing bool `json:"guardian_consent_missing"`
	// Consents, withdrawn ones included, oldest first.
	Consents []map[string]any `json:"consents" doc:"Every consent, withdrawn ones included: scope, offer, who recorded it and when, withdrawal."`
	// Proposals with their offer's title and company, and their history.
	Proposals []map[string]any `json:"proposals" doc:"Every proposal (suggestions included) with score, reasons, the offer's title and company, and its transitions."`
	// Placements and follow-ups after exit.
	Placements []map[string]any `json:"placements"`
	Followups  []map[string]any `json:"followups"`
	// Events about the trainee and their pathway, and the notifications they
	// gave advisers, with the messages sent (channel, status, time).
	Events        []map[string]any `json:"events" doc:"Events about the trainee, their proposals, placements and follow-ups, as sent to webhooks."`
	Notifications []map[string]any `json:"notifications" doc:"Inbox notifications about them, and the emails and webhook deliveries of those events (channel, status, time)."`
	Deliveries    []map[string]any `json:"deliveries"`
	// Accesses is the audit log about the trainee: who read their identity
	// (and RQTH) or wrote about them, when and in which request.
	Accesses []map[string]any `json:"accesses" doc:"Who read the trainee's identity or wrote about them, when and why (action, request id, key or adviser)."`
}

// exportQuery builds the document's sections in one statement. $1 is the
// trainee; subjects are the ids events may be about.
const exportQuery = `WITH subjects AS (
		SELECT $1::uuid AS id
		UNION ALL SELECT id FROM proposals WHERE trainee_id = $1
		UNION ALL SELECT id FROM placements WHERE trainee_id = $1
		UNION ALL SELECT id FROM followups WHERE trainee_id = $1
	), evs AS (
		SELECT * FROM events WHERE subject_id IN (SELECT id FROM subjects) OR payload->>'trainee_id' = $1::text
	)
	SELECT
		(SELECT to_jsonb(t) - 'pseudonym_salt' - 'rqth_sealed' - 'rqth_key_id' - 'rqth' FROM trainees t WHERE t.id = $1),
		(SELECT coalesce(jsonb_agg(to_jsonb(c) ORDER BY c.recorded_at, c.id), '[]') FROM consents c WHERE c.trainee_id = $1),
		(SELECT coalesce(jsonb_agg(to_jsonb(p) || jsonb_build_object('offer_title', o.title, 'company_name', co.name,
				'transitions', (SELECT coalesce(jsonb_agg(to_jsonb(pt) ORDER BY pt.occurred_at, pt.id), '[]')
					FROM proposal_transitions pt WHERE pt.proposal_id = p.id)) ORDER BY p.created_at, p.id), '[]')
			FROM proposals p JOIN offers o ON o.id = p.offer_id JOIN companies co ON co.id = p.company_id WHERE p.trainee_id = $1),
		(SELECT coalesce(jsonb_agg(to_jsonb(l) || jsonb_build_object('checkins', (SELECT coalesce(jsonb_agg(to_jsonb(c)
				ORDER BY c.month), '[]') FROM placement_checkins c WHERE c.placement_id = l.id)) ORDER BY l.start_date, l.id), '[]')
			FROM placements l WHERE l.trainee_id = $1),
		(SELECT coalesce(jsonb_agg(to_jsonb(f) ORDER BY f.month), '[]') FROM followups f WHERE f.trainee_id = $1),
		(SELECT coalesce(jsonb_agg(to_jsonb(e) ORDER BY e.occurred_at, e.id), '[]') FROM evs e),
		(SELECT coalesce(jsonb_agg(to_jsonb(n) ORDER BY n.created_at, n.id), '[]') FROM notifications n
			WHERE n.event_id IN (SELECT id FROM evs)),
		-- The recipient of an email to a company contact is that person's
		-- address: their data, not the trainee's.
		(SELECT coalesce(jsonb_agg(to_jsonb(d) - 'recipient' ORDER BY d.created_at, d.id), '[]') FROM deliveries d
			WHERE d.event_id IN (SELECT id FROM evs)),
		(SELECT coalesce(jsonb_agg(to_jsonb(a) || jsonb_build_object('key_name', k.name,
				'adviser_name', coalesce(ka.name, sa.name)) ORDER BY a.id), '[]')
			FROM audit_log a LEFT JOIN api_keys k ON k.id = a.actor_key_id LEFT JOIN advisers ka ON ka.id = k.adviser_id
				LEFT JOIN sessions s ON s.id = a.actor_session_id LEFT JOIN advisers sa ON sa.id = s.adviser_id
			WHERE a.resource_id IN (SELECT id FROM subjects))`

// ExportTrainee returns everything held about trainee id, for an adviser of
// their organisation or an admin, and audits the export.
func (s *Store) ExportTrainee(ctx context.Context, actor passerelle.Principal, id uuid.UUID) (TraineeExport, error) {
	if err := mayManageTrainees(actor); err != nil {
		return TraineeExport{}, err
	}
	x := TraineeExport{Format: ExportFormat}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		t, err := getTrainee(ctx, tx, actor, id, false)
		if err != nil {
			return err
		}
		if err := s.openRQTH(&t); err != nil {
			return err
		}
		missing, err := guardianMissing(ctx, tx, []Trainee{t})
		if err != nil {
			return err
		}
		x.GuardianConsentMissing = missing[t.ID]
		// The export is an access too: audited before it is read, so that it
		// lists itself.
		if err := audit(ctx, tx, actor, "export", "trainee", id, &t.OrganisationID, map[string]any{"rqth": t.RQTH != nil}); err != nil {
			return err
		}
		var sections [9][]byte
		dest := make([]any, len(sections))
		for i := range sections {
			dest[i] = &sections[i]
		}
		if err := tx.QueryRow(ctx, exportQuery, id).Scan(dest...); err != nil {
			return err
		}
		targets := []any{&x.Trainee, &x.Consents, &x.Proposals, &x.Placements, &x.Followups, &x.Events,
			&x.Notifications, &x.Deliveries, &x.Accesses}
		for i, b := range sections {
			if err := json.Unmarshal(b, targets[i]); err != nil {
				return err
			}
		}
		if t.RQTH != nil {
			x.Trainee["rqth"] = *t.RQTH
		}
		return tx.QueryRow(ctx, `SELECT now()`).Scan(&x.ExportedAt)
	})
	return x, wrap("export trainee", err)
}
