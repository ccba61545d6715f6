package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/passerelle-dev/passerelle/jobs/jobargs"
)

// Event types written so far. The notifications fan-out reads them; webhooks
// send their payloads as is.
const (
	EventOfferPublished = "offer.published"
	EventOfferExpiring  = "offer.expiring"
)

// Event is something that happened, recorded in the same transaction as the
// state change. Its payload holds identifiers, titles and statuses: never
// personal data.
type Event struct {
	ID             uuid.UUID
	Type           string
	OccurredAt     time.Time // the database clock at the writing transaction's start
	OrganisationID *uuid.UUID
	CompanyID      *uuid.UUID
	// AdviserID is the adviser the event concerns (a trainee's referent),
	// when there is one: the recipient of inbox and email notifications.
	AdviserID   *uuid.UUID
	SubjectType string
	SubjectID   uuid.UUID
	// Sequence numbers the events about one subject: 1, 2, 3… in the order
	// they were recorded.
	Sequence int64
	Payload  map[string]any
}

// insertEvent records e in tx and enqueues, in the same transaction, the job
// that fans it out to its recipients (inbox, email, webhooks): an event is
// either recorded and bound to be notified, or neither. ID and OccurredAt are
// set here.
func insertEvent(ctx context.Context, tx pgx.Tx, e Event) error {
	_, err := insertEvents(ctx, tx, []Event{e})
	return err
}

// insertEvents records events in tx with their fan-out jobs, and returns
// their ids: one INSERT for the events and one for the jobs, whatever their
// number.
func insertEvents(ctx context.Context, tx pgx.Tx, events []Event) ([]uuid.UUID, error) {
	var b pgx.Batch
	ids, jobs, err := queueEvents(&b, events)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return nil, err
	}
	if _, err := eventJobs.InsertManyTx(ctx, tx, jobs); err != nil {
		return nil, err
	}
	return ids, nil
}

// queueEvents queues the insert of events on b and returns their ids and the
// fan-out jobs the caller enqueues once b is sent.
func queueEvents(b *pgx.Batch, events []Event) ([]uuid.UUID, []river.InsertManyParams, error) {
	if len(events) == 0 {
		return nil, nil, nil
	}
	n := len(events)
	ids := make([]uuid.UUID, n)
	types, subjectTypes := make([]string, n), make([]string, n)
	orgs, companies, advisers := make([]*uuid.UUID, n), make([]*uuid.UUID, n), make([]*uuid.UUID, n)
	subjects := make([]uuid.UUID, n)
	payloads := make([]string, n)
	jobs := make([]river.InsertManyParams, n)
	for i, e := range events {
		if e.Payload == nil {
			e.Payload = map[string]any{}
		}
		payload, err := json.Marshal(e.Payload)
		if err != nil {
			return nil, nil, fmt.Errorf("event %s payload: %w", e.Type, err)
		}
		ids[i] = uuid.New()
		types[i], orgs[i], companies[i], advisers[i] = e.Type, e.OrganisationID, e.CompanyID, e.AdviserID
		subjectTypes[i], subjects[i], payloads[i] = e.SubjectType, e.SubjectID, string(payload)
		jobs[i] = river.InsertManyParams{Args: jobargs.FanOutEvent{EventID: ids[i]}}
	}
	// The subjects' sequence numbers: their locks first, in a fixed order
	// (no deadlock between two writers), then each event numbered after its
	// subject's last, in the order given.
	b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended(s, 7420)) FROM (
		SELECT DISTINCT t || ':' || id AS s FROM unnest($1::text[], $2::uuid[]) AS x (t, id) ORDER BY 1) l`,
		subjectTypes, subjects)
	b.Queue(`INSERT INTO events (id, type, organisation_id, company_id, adviser_id, subject_type, subject_id, payload, subject_sequence)
		SELECT e.id, e.type, e.org, e.company, e.adviser, e.subject_type, e.subject, e.payload::jsonb,
			coalesce((SELECT max(x.subject_sequence) FROM events x WHERE x.subject_type = e.subject_type AND x.subject_id = e.subject), 0)
				+ row_number() OVER (PARTITION BY e.subject_type, e.subject ORDER BY e.n)
		FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::uuid[], $8::text[])
			WITH ORDINALITY AS e(id, type, org, company, adviser, subject_type, subject, payload, n)`,
		ids, types, orgs, companies, advisers, subjectTypes, subjects, payloads)
	return ids, jobs, nil
}

// eventJobs enqueues fan-out jobs. It is a River client without a pool, which
// can only insert inside a caller's transaction: insertEvent is called from
// many writes that hold a transaction but not the Store, and needs nothing
// more of River than that.
var eventJobs = func() *river.Client[pgx.Tx] {
	c, err := river.NewClient(riverpgxv5.New(nil), &river.Config{})
	if err != nil {
		panic("store: insert-only river client: " + err.Error())
	}
	return c
}()

// RecordEvents records events written by system work (and the bench), each
// with its fan-out job, in one transaction, and returns their ids.
func (s *Store) RecordEvents(ctx context.Context, events []Event) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		ids, err = insertEvents(ctx, tx, events)
		return err
	})
	return ids, wrap("record events", err)
}

// EventFilter narrows a read of the events table.
type EventFilter struct {
	Type      string     // "" for any
	SubjectID *uuid.UUID // nil for any
	After     *Cursor    // events after this (occurred_at, id)
	Limit     int
}

// ListEvents returns events in (occurred_at, id) order. It applies no
// tenancy: it is for the notifications fan-out and other system work, never
// for a caller's request.
func (s *Store) ListEvents(ctx context.Context, f EventFilter) ([]Event, error) {
	limit := f.Limit
	if limit <= 0 || limit > MaxLimit {
		limit = DefaultLimit
	}
	args := pgx.NamedArgs{"type": f.Type, "subject": f.SubjectID, "limit": limit, "after_t": nil, "after_id": nil}
	if f.After != nil {
		args["after_t"], args["after_id"] = f.After.UpdatedAt, f.After.ID
	}
	rows, err := s.pool.Query(ctx, `SELECT `+eventColumns+`
		FROM events e
		WHERE (@type = '' OR type = @type) AND (@subject::uuid IS NULL OR subject_id = @subject)
			AND (@after_t::timestamptz IS NULL OR (occurred_at, id) > (@after_t, @after_id::uuid))
		ORDER BY occurred_at, id LIMIT @limit`, args)
	if err != nil {
		return nil, wrap("list events", err)
	}
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Event, error) { return scanEvent(row) })
	return events, wrap("list events", err)
}

// offerEvent is an event about an offer: what a company or adviser needs to
// recognise it, and nothing personal.
func offerEvent(typ string, o Offer) Event {
	payload := map[string]any{
		"offer_id": o.ID, "company_id": o.CompanyID, "title": o.Title, "kind": o.Kind, "status": o.Status,
		"rome_codes": o.ROMECodes, "postal_code": o.PostalCode, "town": o.Town,
	}
	if o.PublishedAt != nil {
		payload["published_at"] = o.PublishedAt.UTC()
	}
	if o.ExpiresAt != nil {
		payload["expires_at"] = o.ExpiresAt.UTC()
	}
	return Event{Type: typ, CompanyID: &o.CompanyID, SubjectType: "offer", SubjectID: o.ID, Payload: payload}
}
