package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Retention: one table of periods, applied by one periodic job on the
// database clock (jobs/retention.go). Each rule says what it removes, why
// the data was kept until then and on which legal basis: docs/privacy.md is
// the register of processing made from the same words.

// RetentionRule is one line of the retention table.
type RetentionRule struct {
	Name        string // RETENTION_<NAME>_DAYS overrides the period
	DefaultDays int
	What        string // what is removed when the period has run
	Purpose     string
	LegalBasis  string
	apply       func(s *Store, ctx context.Context, period time.Duration) (int64, error)
}

// Retention rule names.
const (
	RetainTraineeInactive = "trainee_inactive"
	RetainRefusal         = "refusal"
	RetainSigninLinks     = "signin_links"
	RetainSessions        = "sessions"
	RetainIdempotency     = "idempotency_keys"
	RetainDeliveryLogs    = "delivery_logs"
	RetainNotifications   = "notifications"
	RetainEvents          = "events"
	RetainAudit           = "audit_log"
)

// RetentionRules is the retention table, in the order the job applies it.
var RetentionRules = []RetentionRule{
	{RetainTraineeInactive, 730,
		"a trainee with no activity (profile, consent, proposal, placement, follow-up) for the period is erased as on request, cause retention: identity and free text gone, anonymous facts kept",
		"following the trainee's pathway to a placement and after it", "public-interest mission of the programme (GDPR 6.1.e), contract for trainees under a training agreement (6.1.b)",
		(*Store).retireInactiveTrainees},
	{RetainRefusal, 90,
		"a proposal ended by a refusal (declined by the company or the trainee, dismissed, withdrawn, expired): its score, reasons and history texts are blanked and the company's consent to see the identity ends; the status stays for the figures",
		"answering questions about a recruitment that did not happen", "legitimate interest (6.1.f), CNIL recruitment guidance",
		(*Store).retireRefusals},
	{RetainSigninLinks, 1,
		"console sign-in links, once expired for the period", "signing advisers in", "legitimate interest (6.1.f): security",
		deleteOlder(`DELETE FROM signin_links WHERE expires_at < now() - $1::interval`)},
	{RetainSessions, 30,
		"console sessions, once expired or revoked for the period", "keeping advisers signed in; investigating a misuse", "legitimate interest (6.1.f): security",
		deleteOlder(`DELETE FROM sessions WHERE coalesce(least(revoked_at, expires_at), expires_at) < now() - $1::interval`)},
	{RetainIdempotency, 2,
		"Idempotency-Key records and the responses they replay (at least 24 hours, as the API promises)",
		"replaying a retried request's first response", "contract with the API's users (6.1.b)",
		deleteOlder(`DELETE FROM idempotency_keys WHERE created_at < now() - $1::interval`)},
	{RetainDeliveryLogs, 90,
		"email and webhook deliveries no longer pending, their HTTP attempts (the delivery log) and sent digests",
		"showing integrators what was delivered; redelivery", "legitimate interest (6.1.f)",
		countOf(`WITH d AS (DELETE FROM deliveries WHERE status <> 'pending' AND updated_at < now() - $1::interval RETURNING 1),
			g AS (DELETE FROM digests WHERE sent_at < now() - $1::interval RETURNING 1)
			SELECT (SELECT count(*) FROM d) + (SELECT count(*) FROM g)`)},
	{RetainNotifications, 365,
		"advisers' inbox notifications", "telling advisers what happened to the trainees they follow", "public-interest mission (6.1.e)",
		deleteOlder(`DELETE FROM notifications WHERE created_at < now() - $1::interval`)},
	{RetainEvents, 365,
		"domain events (the webhook feed); undelivered ones are kept until delivered or failed",
		"notifying advisers and integrators", "public-interest mission (6.1.e)",
		deleteOlder(`DELETE FROM events e WHERE occurred_at < now() - $1::interval
			AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status = 'pending')`)},
	{RetainAudit, 365,
		"the audit log: every write and every read of a trainee's identity or RQTH", "accountability: who saw or changed what (GDPR 5.2, 32)",
		"legal obligation (6.1.c) and legitimate interest (6.1.f)",
		deleteOlder(`DELETE FROM audit_log WHERE at < now() - $1::interval`)},
}

// RetentionPeriods are the periods in force, by rule name; a missing rule
// takes its default.
type RetentionPeriods map[string]time.Duration

// Period is rule's period in ps, or its default.
func (ps RetentionPeriods) Period(r RetentionRule) time.Duration {
	if d, ok := ps[r.Name]; ok && d > 0 {
		return d
	}
	return time.Duration(r.DefaultDays) * 24 * time.Hour
}

// RetentionResult is how many rows each rule removed or anonymised.
type RetentionResult map[string]int64

// ApplyRetention applies every rule of the retention table by the database
// clock, in batches: rows past their period are deleted or anonymised.
func (s *Store) ApplyRetention(ctx context.Context, periods RetentionPeriods) (RetentionResult, error) {
	res := RetentionResult{}
	for _, r := range RetentionRules {
		n, err := r.apply(s, ctx, periods.Period(r))
		res[r.Name] = n
		if err != nil {
			return res, wrap("retention "+r.Name, err)
		}
	}
	return res, nil
}

func interval(d time.Duration) string { return fmt.Sprintf("%d seconds", int64(d.Seconds())) }

// deleteOlder is a rule made of one DELETE taking the period as $1.
func deleteOlder(sql string) func(*Store, context.Context, time.Duration) (int64, error) {
	return func(s *Store, ctx context.Context, period time.Duration) (int64, error) {
		tag, err := s.pool.Exec(ctx, sql, interval(period))
		return tag.RowsAffected(), err
	}
}

// countOf is a rule made of one statement taking the period as $1 and
// returning how many rows it removed.
func countOf(sql string) func(*Store, context.Context, time.Duration) (int64, error) {
	return func(s *Store, ctx context.Context, period time.Duration) (int64, error) {
		var n int64
		err := s.pool.QueryRow(ctx, sql, interval(period)).Scan(&n)
		return n, err
	}
}

// retentionBatch is how many trainees one transaction erases.
const retentionBatch = 100

// lastActivity is the SQL of trainee t's last sign of activity.
const lastActivity = `greatest(t.updated_at,
	(SELECT max(greatest(c.recorded_at, c.withdrawn_at)) FROM consents c WHERE c.trainee_id = t.id),
	(SELECT max(p.status_changed_at) FROM proposals p WHERE p.trainee_id = t.id AND p.status <> 'suggested'),
	(SELECT max(greatest(l.updated_at, l.end_date::timestamptz)) FROM placements l WHERE l.trainee_id = t.id),
	(SELECT max(greatest(f.updated_at, f.due_date::timestamptz)) FROM followups f WHERE f.trainee_id = t.id))`

// retireInactiveTrainees erases the trainees inactive for period.
func (s *Store) retireInactiveTrainees(ctx context.Context, period time.Duration) (int64, error) {
	var total int64
	for {
		var n int
		err := s.inTx(ctx, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT t.id, t.organisation_id, t.referent_id FROM trainees t
				WHERE t.erased_at IS NULL AND `+lastActivity+` < now() - $1::interval
				ORDER BY t.id LIMIT $2 FOR UPDATE SKIP LOCKED`, interval(period), retentionBatch)
			if err != nil {
				return err
			}
			type row struct{ id, org, referent uuid.UUID }
			batch, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
				var x row
				err := r.Scan(&x.id, &x.org, &x.referent)
				return x, err
			})
			if err != nil {
				return err
			}
			for _, x := range batch {
				if _, err := eraseTrainee(ctx, tx, systemActor, x.id, x.org, x.referent, ErasureRetention); err != nil {
					return err
				}
			}
			n = len(batch)
			return nil
		})
		total += int64(n)
		if err != nil || n < retentionBatch {
			return total, err
		}
	}
}

// retireRefusals anonymises the proposals refused more than period ago.
func (s *Store) retireRefusals(ctx context.Context, period time.Duration) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE proposals p SET score = NULL, reasons = '[]', updated_at = now(), version = version + 1
			WHERE p.status IN ('declined_by_company', 'declined_by_trainee', 'dismissed', 'withdrawn', 'expired')
				AND p.status_changed_at < now() - $1::interval
				AND (p.score IS NOT NULL OR p.reasons <> '[]'
					OR EXISTS (SELECT 1 FROM proposal_transitions pt WHERE pt.proposal_id = p.id AND pt.reason <> '')
					OR EXISTS (SELECT 1 FROM consents c WHERE c.trainee_id = p.trainee_id AND c.offer_id = p.offer_id
						AND c.scope = 'reveal_identity' AND c.withdrawn_at IS NULL))
			RETURNING p.id, p.trainee_id, p.offer_id`, interval(period))
		if err != nil {
			return err
		}
		type row struct{ id, trainee, offer uuid.UUID }
		done, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var x row
			err := r.Scan(&x.id, &x.trainee, &x.offer)
			return x, err
		})
		if err != nil || len(done) == 0 {
			return err
		}
		ids, trainees, offers := make([]uuid.UUID, len(done)), make([]uuid.UUID, len(done)), make([]uuid.UUID, len(done))
		for i, x := range done {
			ids[i], trainees[i], offers[i] = x.id, x.trainee, x.offer
		}
		if _, err := tx.Exec(ctx, `UPDATE proposal_transitions SET reason = '' WHERE proposal_id = ANY ($1) AND reason <> ''`, ids); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE consents c SET withdrawn_at = now() FROM unnest($1::uuid[], $2::uuid[]) AS x(trainee, offer)
			WHERE c.trainee_id = x.trainee AND c.offer_id = x.offer AND c.scope = 'reveal_identity' AND c.withdrawn_at IS NULL`,
			trainees, offers); err != nil {
			return err
		}
		n = int64(len(done))
		return nil
	})
	return n, err
}
