package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
)

// AuditEntry is one write: who, what, when.
type AuditEntry struct {
	ID             int64
	At             time.Time
	ActorKeyID     *uuid.UUID
	ActorRole      string
	Action         string
	ResourceType   string
	ResourceID     *uuid.UUID
	OrganisationID *uuid.UUID
	RequestID      string
	Details        map[string]any
}

// audit records a write in the same transaction as the write itself. details
// must never hold personal data beyond identifiers.
func audit(ctx context.Context, tx pgx.Tx, actor passerelle.Principal, action, resourceType string,
	resourceID uuid.UUID, organisationID *uuid.UUID, details map[string]any) error {
	var keyID *uuid.UUID
	if actor.KeyID != uuid.Nil {
		keyID = &actor.KeyID
	}
	var sessionID *uuid.UUID
	if actor.SessionID != uuid.Nil {
		sessionID = &actor.SessionID
	}
	if details == nil {
		details = map[string]any{}
	}
	_, err := tx.Exec(ctx, `INSERT INTO audit_log (actor_key_id, actor_session_id, actor_role, action, resource_type, resource_id,
		organisation_id, request_id, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		keyID, sessionID, actor.Role, action, resourceType, resourceID, organisationID, passerelle.RequestID(ctx), details)
	return err
}

// auditRow is one row of a set written by auditRows.
type auditRow struct {
	ResourceID     uuid.UUID
	OrganisationID *uuid.UUID
	Details        map[string]any // never personal data beyond identifiers
}

// auditRows records, in one statement, that actor did action on each of
// rows' resources: what audit writes, for a page or a batch at once.
func auditRows(ctx context.Context, tx pgx.Tx, actor passerelle.Principal, action, resourceType string, rows []auditRow) error {
	if len(rows) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(rows))
	orgs := make([]*uuid.UUID, len(rows))
	details := make([]string, len(rows))
	for i, r := range rows {
		d := r.Details
		if d == nil {
			d = map[string]any{}
		}
		b, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("audit %s details: %w", action, err)
		}
		ids[i], orgs[i], details[i] = r.ResourceID, r.OrganisationID, string(b)
	}
	var keyID *uuid.UUID
	if actor.KeyID != uuid.Nil {
		keyID = &actor.KeyID
	}
	// WITH ORDINALITY keeps the rows' order in the log's ids.
	_, err := tx.Exec(ctx, `INSERT INTO audit_log (actor_key_id, actor_role, action, resource_type, resource_id,
			organisation_id, request_id, details)
		SELECT $1, $2, $3, $4, r.id, r.org, $5, r.details::jsonb
		FROM unnest($6::uuid[], $7::uuid[], $8::text[]) WITH ORDINALITY AS r(id, org, details, n)
		ORDER BY r.n`, keyID, actor.Role, action, resourceType, passerelle.RequestID(ctx), ids, orgs, details)
	return err
}

// queueAudit queues in b the audit entry audit would write, with its details
// computed in SQL by detailsFrom: the details' expression and a FROM clause
// that ends where from goes as $8, e.g. "jsonb_build_object(…) FROM offers
// WHERE id = ". It is for a row written earlier in the same batch, whose
// values are not known before the batch runs.
func queueAudit(ctx context.Context, b *pgx.Batch, actor passerelle.Principal, action, resourceType string,
	resourceID uuid.UUID, organisationID *uuid.UUID, detailsFrom string, from any) {
	var keyID *uuid.UUID
	if actor.KeyID != uuid.Nil {
		keyID = &actor.KeyID
	}
	b.Queue(`INSERT INTO audit_log (actor_key_id, actor_role, action, resource_type, resource_id, organisation_id, request_id, details)
		SELECT $1, $2, $3, $4, $5, $6, $7, `+detailsFrom+`$8`,
		keyID, actor.Role, action, resourceType, resourceID, organisationID, passerelle.RequestID(ctx), from)
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	ResourceType string
	ResourceID   *uuid.UUID
	AfterID      int64
	Since        *time.Time
	Limit        int
}

// ListAudit returns audit entries in order, admins only.
func (s *Store) ListAudit(ctx context.Context, actor passerelle.Principal, f AuditFilter) ([]AuditEntry, error) {
	if !actor.IsAdmin() {
		return nil, passerelle.Errorf(passerelle.EForbidden, "Only admins read the audit log.")
	}
	limit := f.Limit
	if limit <= 0 || limit > MaxLimit {
		limit = DefaultLimit
	}
	rows, err := s.pool.Query(ctx, `SELECT id, at, actor_key_id, actor_role, action, resource_type, resource_id, organisation_id, request_id, details
		FROM audit_log
		WHERE id > $1 AND ($2 = '' OR resource_type = $2) AND ($3::uuid IS NULL OR resource_id = $3) AND ($4::timestamptz IS NULL OR at >= $4)
		ORDER BY id LIMIT $5`, f.AfterID, f.ResourceType, f.ResourceID, f.Since, limit)
	if err != nil {
		return nil, wrap("list audit", err)
	}
	entries, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		err := row.Scan(&e.ID, &e.At, &e.ActorKeyID, &e.ActorRole, &e.Action, &e.ResourceType, &e.ResourceID, &e.OrganisationID, &e.RequestID, &e.Details)
		return e, err
	})
	return entries, wrap("list audit", err)
}
