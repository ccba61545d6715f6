package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/matching"
)

// Consent scopes.
const (
	// ConsentMatching lets Passerelle match the trainee to offers.
	ConsentMatching = "matching"
	// ConsentRevealIdentity lets one offer's company see who the trainee is.
	ConsentRevealIdentity = "reveal_identity"
	// ConsentRQTH lets Passerelle store the trainee's RQTH status.
	ConsentRQTH = "rqth"
	// ConsentGuardian is a legal guardian's consent, needed under 15.
	ConsentGuardian = "guardian"
)

// ConsentScopes lists the scopes in documentation order.
var ConsentScopes = []string{ConsentMatching, ConsentRevealIdentity, ConsentRQTH, ConsentGuardian}

// GuardianAge is the age under which matching also needs a guardian's consent.
const GuardianAge = 15

// Consent is a record of a trainee's consent: who recorded it, when, for
// what, and its withdrawal.
type Consent struct {
	ID           uuid.UUID
	TraineeID    uuid.UUID
	Scope        string
	OfferID      *uuid.UUID // reveal_identity only
	CompanyID    *uuid.UUID // reveal_identity only: the offer's company
	Note         string
	RecordedBy   uuid.UUID // the API key
	RecordedRole string
	RecordedAt   time.Time
	WithdrawnAt  *time.Time
	WithdrawnBy  *uuid.UUID
}

// ConsentInput is what a caller records.
type ConsentInput struct {
	Scope   string
	OfferID *uuid.UUID
	Note    string
}

const consentColumns = `id, trainee_id, scope, offer_id, company_id, note, recorded_by, recorded_role, recorded_at, withdrawn_at, withdrawn_by`

func scanConsent(row pgx.Row) (Consent, error) {
	var c Consent
	err := row.Scan(&c.ID, &c.TraineeID, &c.Scope, &c.OfferID, &c.CompanyID, &c.Note, &c.RecordedBy, &c.RecordedRole,
		&c.RecordedAt, &c.WithdrawnAt, &c.WithdrawnBy)
	return c, err
}

// hasConsent tells whether trainee id has an active consent of scope.
func hasConsent(ctx context.Context, db querier, id uuid.UUID, scope string) (bool, error) {
	var ok bool
	err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM consents WHERE trainee_id = $1 AND scope = $2 AND withdrawn_at IS NULL)`,
		id, scope).Scan(&ok)
	return ok, err
}

// RecordConsent records a consent of trainee id. A second active consent of
// the same scope (and offer) is a conflict.
func (s *Store) RecordConsent(ctx context.Context, actor passerelle.Principal, id uuid.UUID, in ConsentInput) (Consent, error) {
	if err := mayManageTrainees(actor); err != nil {
		return Consent{}, err
	}
	if !slices.Contains(ConsentScopes, in.Scope) {
		return Consent{}, passerelle.Invalid("Unknown consent scope.", passerelle.FieldError{Location: "scope",
			Message: "must be one of " + strings.Join(ConsentScopes, ", "), Value: in.Scope})
	}
	if (in.Scope == ConsentRevealIdentity) != (in.OfferID != nil) {
		return Consent{}, passerelle.Invalid("A consent to reveal identity is given for one offer, and only it names an offer.",
			passerelle.FieldError{Location: "offer_id", Message: "required for reveal_identity, and only for it", Value: in.OfferID})
	}
	var c Consent
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		t, err := getTrainee(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		var company *uuid.UUID
		if in.OfferID != nil {
			// Any published offer may be the subject; a company's draft is not
			// visible to an organisation.
			err := tx.QueryRow(ctx, `SELECT company_id FROM offers WHERE id = $1 AND status <> 'draft'`, *in.OfferID).Scan(&company)
			if errors.Is(err, pgx.ErrNoRows) {
				return passerelle.Invalid("No offer has this id.", passerelle.FieldError{Location: "offer_id",
					Message: "no published offer has this id", Value: in.OfferID})
			} else if err != nil {
				return err
			}
		}
		c, err = scanConsent(tx.QueryRow(ctx, `INSERT INTO consents (id, trainee_id, scope, offer_id, company_id, note, recorded_by, recorded_role)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+consentColumns,
			uuid.New(), id, in.Scope, in.OfferID, company, in.Note, actor.KeyID, actor.Role))
		if uniqueViolation(err, "consents_active") {
			return passerelle.Errorf(passerelle.EConflict, "The trainee already has an active %s consent%s: withdraw it first.",
				in.Scope, map[bool]string{true: " for this offer", false: ""}[in.OfferID != nil])
		} else if err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "record_consent", "trainee", id, &t.OrganisationID, map[string]any{"scope": in.Scope}); err != nil {
			return err
		}
		return s.enqueueMatch(ctx, tx, id)
	})
	return c, wrap("record consent", err)
}

// ListConsents lists the consents of trainee id, withdrawn ones included,
// oldest first.
func (s *Store) ListConsents(ctx context.Context, actor passerelle.Principal, id uuid.UUID) ([]Consent, error) {
	if err := mayManageTrainees(actor); err != nil {
		return nil, err
	}
	if _, err := getTrainee(ctx, s.pool, actor, id, false); err != nil {
		return nil, wrap("list consents", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+consentColumns+` FROM consents WHERE trainee_id = $1 ORDER BY recorded_at, id`, id)
	if err != nil {
		return nil, wrap("list consents", err)
	}
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Consent, error) { return scanConsent(r) })
	return cs, wrap("list consents", err)
}

// WithdrawConsent withdraws consent cid of trainee id. Withdrawing rqth erases
// the RQTH status; withdrawing matching (or guardian) withdraws the
// suggestions nobody acted on, through the next match.
func (s *Store) WithdrawConsent(ctx context.Context, actor passerelle.Principal, id, cid uuid.UUID) (Consent, error) {
	if err := mayManageTrainees(actor); err != nil {
		return Consent{}, err
	}
	var c Consent
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		t, err := getTrainee(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		c, err = scanConsent(tx.QueryRow(ctx, `UPDATE consents SET withdrawn_at = coalesce(withdrawn_at, now()),
			withdrawn_by = coalesce(withdrawn_by, $3) WHERE id = $1 AND trainee_id = $2 RETURNING `+consentColumns, cid, id, actor.KeyID))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("Consent")
		} else if err != nil {
			return err
		}
		if c.Scope == ConsentRQTH {
			if err := forgetRQTH(ctx, tx, id); err != nil {
				return err
			}
		}
		if err := audit(ctx, tx, actor, "withdraw_consent", "trainee", id, &t.OrganisationID, map[string]any{"scope": c.Scope}); err != nil {
			return err
		}
		return s.enqueueMatch(ctx, tx, id)
	})
	return c, wrap("withdraw consent", err)
}

// forgetRQTH erases trainee id's RQTH and what was computed from it: the
// accessibility part of every proposal's explanation is given back in full,
// as for anyone without RQTH, and the score follows, so that nothing left
// lets anyone infer the status once its consent is gone. Suggestions are
// recomputed by the match the caller enqueues.
func forgetRQTH(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	if _, err := tx.Exec(ctx, `UPDATE trainees SET rqth = NULL, rqth_sealed = NULL, rqth_key_id = NULL,
			updated_at = now(), version = version + 1
		WHERE id = $1 AND (rqth_sealed IS NOT NULL OR rqth IS NOT NULL)`, id); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE proposals p SET
			reasons = (SELECT jsonb_agg(CASE WHEN r->>'Code' = $2 THEN jsonb_set(r, '{Points}', to_jsonb($3::int)) ELSE r END ORDER BY n)
				FROM jsonb_array_elements(p.reasons) WITH ORDINALITY AS e(r, n)),
			score = p.score + $3 - (SELECT (r->>'Points')::int FROM jsonb_array_elements(p.reasons) r WHERE r->>'Code' = $2),
			updated_at = now(), version = p.version + 1
		WHERE p.trainee_id = $1 AND EXISTS (SELECT 1 FROM jsonb_array_elements(p.reasons) r
			WHERE r->>'Code' = $2 AND (r->>'Points')::int <> $3)`,
		id, matching.ReasonAccessibility, matching.WeightAccessibility)
	return err
}

// guardianMissing tells, for each trainee, whether they are under
// GuardianAge (by the database's Paris day) without an active guardian's
// consent: what the console and the API show as missing.
func guardianMissing(ctx context.Context, db querier, ts []Trainee) (map[uuid.UUID]bool, error) {
	ids := make([]uuid.UUID, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	rows, err := db.Query(ctx, `SELECT t.id FROM trainees t
		WHERE t.id = ANY ($1) AND t.birth_date > (`+parisToday+` - make_interval(years => $2))::date
			AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.trainee_id = t.id AND c.scope = 'guardian' AND c.withdrawn_at IS NULL)`,
		ids, GuardianAge)
	if err != nil {
		return nil, err
	}
	missing, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	out := make(map[uuid.UUID]bool, len(missing))
	for _, id := range missing {
		out[id] = true
	}
	return out, err
}

// finishTrainees completes trainees read in tx for their callers: RQTH
// opened, the missing guardian's consent noted.
func (s *Store) finishTrainees(ctx context.Context, db querier, ts []Trainee) error {
	for i := range ts {
		if err := s.openRQTH(&ts[i]); err != nil {
			return err
		}
	}
	missing, err := guardianMissing(ctx, db, ts)
	if err != nil {
		return err
	}
	for i := range ts {
		ts[i].GuardianConsentMissing = missing[ts[i].ID]
	}
	return nil
}
