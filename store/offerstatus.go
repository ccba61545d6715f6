package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/jobs/jobargs"
)

// An offer's life: draft → published ⇄ paused → filled | closed | expired.
// Callers act (publish, pause, resume, fill, close); time expires. Filled,
// closed and expired are final: a company posts a new offer instead.

// Offer actions.
const (
	ActionPublish = "publish"
	ActionPause   = "pause"
	ActionResume  = "resume"
	ActionFill    = "fill"
	ActionClose   = "close"
)

// OfferActions lists the actions in the order documentation shows them.
var OfferActions = []string{ActionPublish, ActionPause, ActionResume, ActionFill, ActionClose}

// offerTransitions says, for each action, the statuses it starts from, the
// status it leads to and what else it sets.
var offerTransitions = map[string]struct {
	from []string
	to   string
	set  string
}{
	// Publication starts the 60 days; published_at keeps the first time.
	ActionPublish: {[]string{StatusDraft}, StatusPublished,
		`published_at = coalesce(published_at, now()), expires_at = now() + make_interval(hours => @lifetime * 24), expiry_reminded_at = NULL`},
	ActionPause: {[]string{StatusPublished}, StatusPaused, ``},
	// Pausing does not stop the clock: expires_at stays.
	ActionResume: {[]string{StatusPaused}, StatusPublished, ``},
	ActionFill:   {[]string{StatusPublished, StatusPaused}, StatusFilled, `positions_filled = positions`},
	ActionClose:  {[]string{StatusDraft, StatusPublished, StatusPaused}, StatusClosed, ``},
}

// AllowedOfferActions returns the actions possible from status, in order.
func AllowedOfferActions(status string) []string {
	out := []string{}
	for _, a := range OfferActions {
		if slices.Contains(offerTransitions[a].from, status) {
			out = append(out, a)
		}
	}
	return out
}

// TransitionOffer applies action to an offer actor may change. An action the
// offer's status does not allow is a conflict naming those it does.
// ifVersion, when not nil, must match the current version.
func (s *Store) TransitionOffer(ctx context.Context, actor passerelle.Principal, id uuid.UUID, ifVersion *int, action string) (Offer, error) {
	t, ok := offerTransitions[action]
	if !ok {
		return Offer{}, passerelle.Errorf(passerelle.EInvalid, "Unknown action %q: want one of %s.", action, strings.Join(OfferActions, ", "))
	}
	var o Offer
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := lockOffer(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := checkVersion(ifVersion, cur.Version); err != nil {
			return err
		}
		if !slices.Contains(t.from, cur.Status) {
			allowed := AllowedOfferActions(cur.Status)
			if len(allowed) == 0 {
				return passerelle.Errorf(passerelle.EConflict, "The offer is %s, which is final: it cannot %s. Post a new offer instead.",
					cur.Status, action)
			}
			return passerelle.Errorf(passerelle.EConflict, "The offer is %s: it cannot %s. Allowed actions: %s.",
				cur.Status, action, strings.Join(allowed, ", "))
		}
		set := `status = @to, updated_at = now(), version = version + 1`
		if t.set != "" {
			set += `, ` + t.set
		}
		where := `id = @id`
		if action == ActionResume {
			// An offer past its expiry is expired, whether or not the
			// periodic job has seen it yet.
			where += ` AND (expires_at IS NULL OR expires_at > now())`
		}
		o, err = scanOffer(tx.QueryRow(ctx, offerReturning(`UPDATE offers SET `+set+` WHERE `+where),
			pgx.NamedArgs{"id": id, "to": t.to, "lifetime": OfferLifetimeDays}))
		if errors.Is(err, pgx.ErrNoRows) && action == ActionResume {
			return passerelle.Errorf(passerelle.EConflict, "The offer expired on %s while paused: it cannot resume. Post a new offer instead.",
				cur.ExpiresAt.UTC().Format(time.DateOnly))
		}
		if err != nil {
			return err
		}
		if err := s.queueIndex(ctx, tx, id); err != nil {
			return err
		}
		// Publishing brings new candidates; any other move takes the offer
		// out of suggestions.
		if err := s.offerMatchingChanged(ctx, tx, id); err != nil {
			return err
		}
		if action == ActionPublish {
			if err := insertEvent(ctx, tx, offerEvent(EventOfferPublished, o)); err != nil {
				return err
			}
		}
		return audit(ctx, tx, actor, action, "offer", id, actorOrganisation(actor),
			map[string]any{"company_id": o.CompanyID, "from": cur.Status, "to": o.Status})
	})
	return o, wrap(action+" offer "+id.String(), err)
}

// expiryBatch bounds the rows one transaction of a periodic job (offer and
// proposal expiry and reminders, follow-ups) takes, so that a backlog does not
// hold locks for long: each job loops over batches until one comes back short.
const expiryBatch = 500

// ExpireOffers turns the published and paused offers whose expires_at has
// passed (by the database clock) into expired ones, as the system: each is
// audited and its index job enqueued in the same transaction. It returns how
// many expired. Offers locked by a concurrent write are left for the next run.
func (s *Store) ExpireOffers(ctx context.Context) (int, error) {
	total := 0
	for {
		n := 0
		err := s.inTx(ctx, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `UPDATE offers o SET status = 'expired', updated_at = now(), version = o.version + 1
				FROM (SELECT id, status FROM offers WHERE status IN ('published', 'paused') AND expires_at < now()
					ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED) old
				WHERE o.id = old.id
				RETURNING o.id, o.company_id, old.status`, expiryBatch)
			if err != nil {
				return err
			}
			type expired struct {
				id, company uuid.UUID
				from        string
			}
			offers, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (expired, error) {
				var e expired
				err := row.Scan(&e.id, &e.company, &e.from)
				return e, err
			})
			if err != nil || len(offers) == 0 {
				return err
			}
			// Index and match jobs: an expired offer leaves search and suggestions.
			jobs := make([]river.InsertManyParams, 0, len(offers))
			ids := make([]uuid.UUID, len(offers))
			audits := make([]auditRow, len(offers))
			for i, e := range offers {
				jobs = append(jobs, river.InsertManyParams{Args: jobargs.MatchOffer{OfferID: e.id}})
				ids[i] = e.id
				audits[i] = auditRow{ResourceID: e.id, Details: map[string]any{"company_id": e.company, "from": e.from, "to": StatusExpired}}
			}
			if err := auditRows(ctx, tx, passerelle.System, "expire", "offer", audits); err != nil {
				return err
			}
			if _, err := s.river.InsertManyTx(ctx, tx, jobs); err != nil {
				return err
			}
			if err := s.queueIndex(ctx, tx, ids...); err != nil {
				return err
			}
			n = len(offers)
			return nil
		})
		total += n
		if err != nil {
			return total, wrap("expire offers", err)
		}
		if n < expiryBatch {
			return total, nil
		}
	}
}

// RemindExpiringOffers writes an offer.expiring event for each published or
// paused offer expiring within the given time (by the database clock) that
// has had no reminder yet, and marks it reminded: one reminder per offer.
// The reminder changes nothing searchable, so no index job. It returns how
// many were reminded.
func (s *Store) RemindExpiringOffers(ctx context.Context, within time.Duration) (int, error) {
	total := 0
	for {
		n := 0
		err := s.inTx(ctx, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, offerReturning(`UPDATE offers SET expiry_reminded_at = now()
				WHERE id IN (SELECT id FROM offers WHERE status IN ('published', 'paused') AND expiry_reminded_at IS NULL
					AND expires_at >= now() AND expires_at < now() + make_interval(secs => $1)
					ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`), within.Seconds(), expiryBatch)
			if err != nil {
				return err
			}
			offers, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Offer, error) { return scanOffer(row) })
			if err != nil {
				return err
			}
			events := make([]Event, len(offers))
			for i, o := range offers {
				events[i] = offerEvent(EventOfferExpiring, o)
			}
			if _, err := insertEvents(ctx, tx, events); err != nil {
				return err
			}
			n = len(offers)
			return nil
		})
		total += n
		if err != nil {
			return total, wrap("remind expiring offers", err)
		}
		if n < expiryBatch {
			return total, nil
		}
	}
}
