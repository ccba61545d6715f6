package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/jobs/jobargs"
)

// Notifications: an event fanned out to the people and systems that hear of
// it. The fan-out writes, in one transaction, an inbox row per adviser, a
// delivery per (event, channel, recipient), and the job that sends each
// instant delivery; the unique constraints notifications_once and
// deliveries_once make a second fan-out of the same event write nothing.

// Delivery channels (the inbox has no delivery rows: its notification is one).
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// Delivery modes and statuses.
const (
	ModeInstant = "instant"
	ModeDigest  = "digest"

	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
)

// FanOutOptions say how to fan out.
type FanOutOptions struct {
	// Email is false when the email channel is off (no SMTP server): no
	// email deliveries are written.
	Email bool
	// Render gives an inbox notification's title and body.
	Render func(Event) (title, body string)
}

// FanOutResult counts what one fan-out wrote (nothing on a second run).
type FanOutResult struct {
	Inbox, Emails, Digest, Webhooks int
}

// FanOut writes the notifications of event id and the jobs that send them,
// then calls complete (River's JobCompleteTx; nil for none) in the same
// transaction. Running it again writes nothing: the unique constraints see
// to it, so the fan-out job need not complete in the transaction. A missing
// event (erased since) is nothing to do.
func (s *Store) FanOut(ctx context.Context, id uuid.UUID, opts FanOutOptions, complete func(pgx.Tx) error) (FanOutResult, error) {
	var res FanOutResult
	finish := func(tx pgx.Tx) error {
		if complete == nil {
			return nil
		}
		return complete(tx)
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		res = FanOutResult{}
		// The event and its adviser's preferences in one round trip.
		var prefs NotificationPreferences
		var hasAdviser bool
		e, err := scanEvent(tx.QueryRow(ctx, `SELECT `+eventColumns+`, a.notification_preferences, a.id IS NOT NULL
			FROM events e LEFT JOIN advisers a ON a.id = e.adviser_id WHERE e.id = $1`, id), &prefs, &hasAdviser)
		if errors.Is(err, pgx.ErrNoRows) {
			return finish(tx)
		}
		if err != nil {
			return err
		}
		var jobs []river.InsertManyParams
		newDelivery := func(channel, recipient, mode string, adviser, endpoint *uuid.UUID) (bool, error) {
			var did uuid.UUID
			err := tx.QueryRow(ctx, `INSERT INTO deliveries (id, event_id, event_type, channel, recipient, adviser_id, endpoint_id, mode)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT ON CONSTRAINT deliveries_once DO NOTHING RETURNING id`,
				uuid.New(), e.ID, e.Type, channel, recipient, adviser, endpoint, mode).Scan(&did)
			if errors.Is(err, pgx.ErrNoRows) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			switch {
			case mode == ModeDigest:
			case channel == ChannelEmail:
				jobs = append(jobs, river.InsertManyParams{Args: jobargs.SendEmail{DeliveryID: did}})
			default:
				jobs = append(jobs, river.InsertManyParams{Args: jobargs.DeliverWebhook{DeliveryID: did}})
			}
			return true, nil
		}

		if e.AdviserID != nil {
			switch {
			case !hasAdviser: // the adviser left: nobody to tell
			default:
				title, body := opts.Render(e)
				tag, err := tx.Exec(ctx, `INSERT INTO notifications (id, adviser_id, event_id, event_type, title, body, payload)
					VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT ON CONSTRAINT notifications_once DO NOTHING`,
					uuid.New(), *e.AdviserID, e.ID, e.Type, title, body, e.Payload)
				if err != nil {
					return err
				}
				res.Inbox += int(tag.RowsAffected())
				mode := map[string]string{DeliveryInstant: ModeInstant, DeliveryDailyDigest: ModeDigest}[prefs.For(e.Type)]
				if opts.Email && mode != "" {
					added, err := newDelivery(ChannelEmail, e.AdviserID.String(), mode, e.AdviserID, nil)
					if err != nil {
						return err
					}
					if added && mode == ModeDigest {
						res.Digest++
					} else if added {
						res.Emails++
					}
				}
			}
		}

		if e.CompanyID != nil && opts.Email && companyHears(e) {
			// The company's users hear, by email, what asks for their answer.
			emails, err := companyUserEmails(ctx, tx, *e.CompanyID)
			if err != nil {
				return err
			}
			for _, to := range emails {
				added, err := newDelivery(ChannelEmail, to, ModeInstant, nil, nil)
				if err != nil {
					return err
				}
				if added {
					res.Emails++
				}
			}
		}

		if e.Type == EventOfferExpiring && e.CompanyID != nil && opts.Email {
			var contacts []Contact
			err := tx.QueryRow(ctx, `SELECT contacts FROM companies WHERE id = $1`, *e.CompanyID).Scan(&contacts)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			for _, c := range contacts {
				if c.Email == "" {
					continue
				}
				added, err := newDelivery(ChannelEmail, strings.ToLower(c.Email), ModeInstant, nil, nil)
				if err != nil {
					return err
				}
				if added {
					res.Emails++
				}
			}
		}

		rows, err := tx.Query(ctx, `SELECT id FROM webhook_endpoints
			WHERE enabled AND (cardinality(event_types) = 0 OR @type = ANY (event_types))
				AND (organisation_id IS NULL OR organisation_id = @org
					OR @type = 'offer.published'
					OR (@type LIKE 'offer.%' AND organisation_id IN (SELECT organisation_id FROM partnerships WHERE company_id = @company AND status = 'active')))`,
			pgx.NamedArgs{"type": e.Type, "org": e.OrganisationID, "company": e.CompanyID})
		if err != nil {
			return err
		}
		endpoints, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		if err != nil {
			return err
		}
		for _, ep := range endpoints {
			added, err := newDelivery(ChannelWebhook, ep.String(), ModeInstant, nil, &ep)
			if err != nil {
				return err
			}
			if added {
				res.Webhooks++
			}
		}
		if len(jobs) > 0 {
			if _, err := s.river.InsertManyTx(ctx, tx, jobs); err != nil {
				return err
			}
		}
		return finish(tx)
	})
	return res, wrap("fan out event "+id.String(), err)
}

const eventColumns = `e.id, e.type, e.occurred_at, e.organisation_id, e.company_id, e.adviser_id, e.subject_type, e.subject_id, e.payload, e.subject_sequence`

func scanEvent(row pgx.Row, extra ...any) (Event, error) {
	var e Event
	err := row.Scan(append([]any{&e.ID, &e.Type, &e.OccurredAt, &e.OrganisationID, &e.CompanyID, &e.AdviserID, &e.SubjectType, &e.SubjectID, &e.Payload, &e.Sequence}, extra...)...)
	if e.Payload == nil {
		e.Payload = map[string]any{}
	}
	return e, err
}

// Notification is an inbox entry.
type Notification struct {
	ID        uuid.UUID
	AdviserID uuid.UUID
	EventID   uuid.UUID
	EventType string
	Title     string
	Body      string
	Payload   map[string]any
	CreatedAt time.Time
	UpdatedAt time.Time
	ReadAt    *time.Time
}

const notificationColumns = `id, adviser_id, event_id, event_type, title, body, payload, created_at, updated_at, read_at`

func scanNotification(row pgx.Row) (Notification, error) {
	var n Notification
	err := row.Scan(&n.ID, &n.AdviserID, &n.EventID, &n.EventType, &n.Title, &n.Body, &n.Payload, &n.CreatedAt, &n.UpdatedAt, &n.ReadAt)
	return n, err
}

// inboxOf is the adviser whose inbox actor reads: only adviser keys issued
// for a named adviser have one.
func inboxOf(actor passerelle.Principal) (uuid.UUID, error) {
	if actor.Role != passerelle.RoleAdviser {
		return uuid.Nil, passerelle.Errorf(passerelle.EForbidden, "Only advisers have an inbox.")
	}
	if actor.AdviserID == uuid.Nil {
		return uuid.Nil, passerelle.Errorf(passerelle.EForbidden,
			"This adviser key is not issued for a named adviser, so it has no inbox: ask for a key with adviser_id.")
	}
	return actor.AdviserID, nil
}

// NotificationFilter narrows an inbox read.
type NotificationFilter struct {
	Unread bool // only notifications not read yet
}

// ListNotifications lists actor's inbox as a change feed: marking a
// notification read moves it to the end.
func (s *Store) ListNotifications(ctx context.Context, actor passerelle.Principal, f NotificationFilter, page Page) ([]Notification, *Cursor, error) {
	adviser, err := inboxOf(actor)
	if err != nil {
		return nil, nil, err
	}
	base := `SELECT ` + notificationColumns + ` FROM notifications WHERE adviser_id = @adviser`
	if f.Unread {
		base += ` AND read_at IS NULL`
	}
	items, next, err := listPage(ctx, s.pool, base, pgx.NamedArgs{"adviser": adviser}, page, scanNotification,
		func(n Notification) Cursor { return Cursor{UpdatedAt: n.UpdatedAt, ID: n.ID} })
	return items, next, wrap("list notifications", err)
}

// MarkNotificationRead marks one of actor's notifications read (once: the
// first read time stays).
func (s *Store) MarkNotificationRead(ctx context.Context, actor passerelle.Principal, id uuid.UUID) (Notification, error) {
	adviser, err := inboxOf(actor)
	if err != nil {
		return Notification{}, err
	}
	n, err := scanNotification(s.pool.QueryRow(ctx, `UPDATE notifications
		SET read_at = coalesce(read_at, now()), updated_at = CASE WHEN read_at IS NULL THEN now() ELSE updated_at END
		WHERE id = $1 AND adviser_id = $2 RETURNING `+notificationColumns, id, adviser))
	if errors.Is(err, pgx.ErrNoRows) {
		return n, notFound("Notification")
	}
	return n, wrap("mark notification read", err)
}

// CountUnread counts actor's unread notifications.
func (s *Store) CountUnread(ctx context.Context, actor passerelle.Principal) (int, error) {
	adviser, err := inboxOf(actor)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE adviser_id = $1 AND read_at IS NULL`, adviser).Scan(&n)
	return n, wrap("count unread notifications", err)
}

// Delivery is one message to one recipient on one channel.
type Delivery struct {
	ID         uuid.UUID
	EventID    uuid.UUID
	EventType  string
	Channel    string
	Recipient  string
	AdviserID  *uuid.UUID
	EndpointID *uuid.UUID
	Mode       string
	Status     string
	Attempts   int
	LastError  string
	SentAt     *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

const deliveryColumns = `d.id, d.event_id, d.event_type, d.channel, d.recipient, d.adviser_id, d.endpoint_id, d.mode, d.status,
	d.attempts, d.last_error, d.sent_at, d.created_at, d.updated_at`

func scanDelivery(row pgx.Row, extra ...any) (Delivery, error) {
	var d Delivery
	err := row.Scan(append([]any{&d.ID, &d.EventID, &d.EventType, &d.Channel, &d.Recipient, &d.AdviserID, &d.EndpointID,
		&d.Mode, &d.Status, &d.Attempts, &d.LastError, &d.SentAt, &d.CreatedAt, &d.UpdatedAt}, extra...)...)
	return d, err
}

// Email is an email delivery as the sender needs it.
type Email struct {
	Delivery
	Event  Event
	To     string
	ToName string // "" for a company contact
	// ForCompany says the recipient is a company's (a contact or a user, not
	// an adviser): the message links to the company's space.
	ForCompany bool
}

// EmailToSend returns email delivery id with its event and address; found is
// false when it no longer exists (its adviser was removed).
func (s *Store) EmailToSend(ctx context.Context, id uuid.UUID) (m Email, found bool, err error) {
	var adviserEmail, adviserName *string
	var ev Event
	dest := []any{&adviserEmail, &adviserName, &ev.ID, &ev.Type, &ev.OccurredAt, &ev.OrganisationID, &ev.CompanyID, &ev.AdviserID,
		&ev.SubjectType, &ev.SubjectID, &ev.Payload, &ev.Sequence}
	m.Delivery, err = scanDelivery(s.pool.QueryRow(ctx, `SELECT `+deliveryColumns+`, a.email, a.name, `+eventColumns+`
		FROM deliveries d JOIN events e ON e.id = d.event_id LEFT JOIN advisers a ON a.id = d.adviser_id
		WHERE d.id = $1 AND d.channel = 'email'`, id), dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, false, nil
	}
	if err != nil {
		return m, false, wrap("email to send", err)
	}
	m.Event = ev
	m.To = m.Recipient
	m.ForCompany = adviserEmail == nil
	if adviserEmail != nil {
		m.To, m.ToName = *adviserEmail, *adviserName
	}
	return m, true, nil
}

// MarkDeliverySent records a delivery as sent. The sending job checks the
// delivery's status first, so it need not complete in this transaction.
func (s *Store) MarkDeliverySent(ctx context.Context, id uuid.UUID) error {
	_, err := s.pool.Exec(ctx, `UPDATE deliveries SET status = 'sent', sent_at = coalesce(sent_at, now()),
		attempts = attempts + 1, last_error = '', updated_at = now() WHERE id = $1`, id)
	return wrap("mark delivery sent", err)
}

// RecordDeliveryFailure counts a failed attempt; final marks the delivery
// failed for good.
func (s *Store) RecordDeliveryFailure(ctx context.Context, id uuid.UUID, reason string, final bool) error {
	status := DeliveryPending
	if final {
		status = DeliveryFailed
	}
	_, err := s.pool.Exec(ctx, `UPDATE deliveries SET attempts = attempts + 1, last_error = left($2, 1000),
		status = CASE WHEN status = 'sent' THEN status ELSE $3 END, updated_at = now() WHERE id = $1`, id, reason, status)
	return wrap("record delivery failure", err)
}

// companyHears reports whether the users of e's company are emailed about e:
// a proposal sent to the company, its reminder before it expires, an offer
// about to expire. Nothing else: the company follows the rest in its space.
func companyHears(e Event) bool {
	switch e.Type {
	case EventProposalExpiring, EventOfferExpiring:
		return true
	case EventProposalStatusChanged:
		return e.Payload["to"] == ProposalProposed
	}
	return false
}
