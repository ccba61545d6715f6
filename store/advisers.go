package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
)

// EventTypes are the events Passerelle emits (webhooks, email, inbox), in the
// order documentation shows them. An adviser's notification preferences are
// keyed by them.
var EventTypes = []string{
	"offer.published", "offer.expiring", "proposal.created", "proposal.status_changed",
	"placement.started", "placement.ended", "followup.due", "trainee.erased",
}

// How an adviser is told of an event.
const (
	DeliveryInstant     = "instant"      // as soon as it happens (the default)
	DeliveryDailyDigest = "daily_digest" // grouped in one message a day
	DeliveryOff         = "off"          // not at all
)

// Deliveries lists every delivery, default first.
var Deliveries = []string{DeliveryInstant, DeliveryDailyDigest, DeliveryOff}

// NotificationPreferences maps an event type to its delivery. An event type
// that is absent is delivered instantly: an event added later reaches every
// adviser until they choose otherwise.
type NotificationPreferences map[string]string

// For returns how event is delivered.
func (p NotificationPreferences) For(event string) string {
	if d, ok := p[event]; ok {
		return d
	}
	return DeliveryInstant
}

// Adviser is a referent: a member of one organisation who follows trainees.
type Adviser struct {
	ID                      uuid.UUID
	OrganisationID          uuid.UUID
	Name                    string
	Email                   string
	NotificationPreferences NotificationPreferences // as chosen; see For
	CreatedAt               time.Time
	UpdatedAt               time.Time
	Version                 int
}

// AdviserInput is what a caller sets.
type AdviserInput struct {
	Name                    string
	Email                   string
	NotificationPreferences NotificationPreferences
}

const adviserColumns = `id, organisation_id, name, email, notification_preferences, created_at, updated_at, version`

func scanAdviser(row pgx.Row) (Adviser, error) {
	var a Adviser
	err := row.Scan(&a.ID, &a.OrganisationID, &a.Name, &a.Email, &a.NotificationPreferences, &a.CreatedAt, &a.UpdatedAt, &a.Version)
	if a.NotificationPreferences == nil {
		a.NotificationPreferences = NotificationPreferences{}
	}
	return a, err
}

// checkAdviserInput applies the rules on preferences for callers other than
// the API, whose request schema already says them.
func checkAdviserInput(in AdviserInput) error {
	if len(in.NotificationPreferences) > len(EventTypes) {
		// One error, not one per key: the map may be as large as a request.
		return passerelle.Invalid("The notification preferences name more event types than there are.",
			passerelle.FieldError{Location: "notification_preferences", Message: fmt.Sprintf("at most %d event types", len(EventTypes))})
	}
	var fields []passerelle.FieldError
	for event, delivery := range in.NotificationPreferences {
		loc := "notification_preferences." + event
		switch {
		case !slices.Contains(EventTypes, event):
			fields = append(fields, passerelle.FieldError{Location: loc, Message: "unknown event type", Value: event})
		case !slices.Contains(Deliveries, delivery):
			fields = append(fields, passerelle.FieldError{Location: loc, Message: "expected instant, daily_digest or off", Value: delivery})
		}
	}
	if len(fields) > 0 {
		return passerelle.Invalid("The notification preferences name unknown event types or deliveries.", fields...)
	}
	return nil
}

// emailTaken is the conflict of a second adviser with the same email in an
// organisation. It names the field, not the address.
func emailTaken() error {
	return &passerelle.Error{Code: passerelle.EConflict,
		Message: "Another adviser of this organisation has this email address (compared without case).",
		Fields:  []passerelle.FieldError{{Location: "email", Message: "already used in this organisation"}}}
}

// Advisers and cohorts are an organisation's members: admins manage those of
// any organisation, advisers and integrators those of their own, companies
// none. Another organisation's members, and the organisation itself, are not
// found rather than forbidden.

// mayManageMembers refuses the roles that never manage an organisation's members.
func mayManageMembers(actor passerelle.Principal, what string) error {
	switch actor.Role {
	case passerelle.RoleAdmin, passerelle.RoleAdviser, passerelle.RoleIntegrator:
		return nil
	}
	return passerelle.Errorf(passerelle.EForbidden, "The %s role may not read or write an organisation's %s.", actor.Role, what)
}

// memberScope restricts rows of a members table to what actor may see.
func memberScope(actor passerelle.Principal, args pgx.NamedArgs) string {
	if actor.IsAdmin() {
		return `true`
	}
	args["scope_org"] = actor.OrganisationID
	return `organisation_id = @scope_org`
}

// checkOrganisation fails with not found unless organisation org exists and
// actor may manage its members.
func checkOrganisation(ctx context.Context, db querier, actor passerelle.Principal, org uuid.UUID) error {
	if !actor.IsAdmin() && org != actor.OrganisationID {
		return notFound("Organisation")
	}
	var exists bool
	if err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM organisations WHERE id = $1)`, org).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return notFound("Organisation")
	}
	return nil
}

// CreateAdviser adds an adviser to organisation org.
func (s *Store) CreateAdviser(ctx context.Context, actor passerelle.Principal, org uuid.UUID, in AdviserInput) (Adviser, error) {
	if err := mayManageMembers(actor, "advisers"); err != nil {
		return Adviser{}, err
	}
	if err := checkAdviserInput(in); err != nil {
		return Adviser{}, err
	}
	var a Adviser
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := checkOrganisation(ctx, tx, actor, org); err != nil {
			return err
		}
		var err error
		a, err = scanAdviser(tx.QueryRow(ctx, `INSERT INTO advisers (id, organisation_id, name, email, notification_preferences)
			VALUES ($1, $2, $3, $4, $5) RETURNING `+adviserColumns, uuid.New(), org, in.Name, in.Email, preferencesOrEmpty(in)))
		if uniqueViolation(err, "advisers_email_key") {
			return emailTaken()
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "create", "adviser", a.ID, &a.OrganisationID, nil)
	})
	return a, wrap("create adviser", err)
}

func preferencesOrEmpty(in AdviserInput) NotificationPreferences {
	if in.NotificationPreferences == nil {
		return NotificationPreferences{}
	}
	return in.NotificationPreferences
}

// GetAdviser returns an adviser actor may see.
func (s *Store) GetAdviser(ctx context.Context, actor passerelle.Principal, id uuid.UUID) (Adviser, error) {
	if err := mayManageMembers(actor, "advisers"); err != nil {
		return Adviser{}, err
	}
	args := pgx.NamedArgs{"id": id}
	a, err := scanAdviser(s.pool.QueryRow(ctx, `SELECT `+adviserColumns+` FROM advisers
		WHERE id = @id AND `+memberScope(actor, args), args))
	if errors.Is(err, pgx.ErrNoRows) {
		return a, notFound("Adviser")
	}
	return a, wrap("get adviser", err)
}

// ListAdvisers lists the advisers of organisation org.
func (s *Store) ListAdvisers(ctx context.Context, actor passerelle.Principal, org uuid.UUID, page Page) ([]Adviser, *Cursor, error) {
	if err := mayManageMembers(actor, "advisers"); err != nil {
		return nil, nil, err
	}
	if err := checkOrganisation(ctx, s.pool, actor, org); err != nil {
		return nil, nil, wrap("list advisers", err)
	}
	items, next, err := listPage(ctx, s.pool, `SELECT `+adviserColumns+` FROM advisers WHERE organisation_id = @org`,
		pgx.NamedArgs{"org": org}, page, scanAdviser, func(a Adviser) Cursor { return Cursor{UpdatedAt: a.UpdatedAt, ID: a.ID} })
	return items, next, wrap("list advisers", err)
}

// UpdateAdviser replaces an adviser's fields; missing notification preferences
// return to the default. ifVersion, when not nil, must match the current
// version (If-Match).
func (s *Store) UpdateAdviser(ctx context.Context, actor passerelle.Principal, id uuid.UUID, ifVersion *int, in AdviserInput) (Adviser, error) {
	if err := mayManageMembers(actor, "advisers"); err != nil {
		return Adviser{}, err
	}
	if err := checkAdviserInput(in); err != nil {
		return Adviser{}, err
	}
	var a Adviser
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		args := pgx.NamedArgs{"id": id}
		cur, err := scanAdviser(tx.QueryRow(ctx, `SELECT `+adviserColumns+` FROM advisers
			WHERE id = @id AND `+memberScope(actor, args)+` FOR UPDATE`, args))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("Adviser")
		}
		if err != nil {
			return err
		}
		if err := checkVersion(ifVersion, cur.Version); err != nil {
			return err
		}
		a, err = scanAdviser(tx.QueryRow(ctx, `UPDATE advisers SET name = $2, email = $3, notification_preferences = $4,
			updated_at = now(), version = version + 1 WHERE id = $1 RETURNING `+adviserColumns, id, in.Name, in.Email, preferencesOrEmpty(in)))
		if uniqueViolation(err, "advisers_email_key") {
			return emailTaken()
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "update", "adviser", id, &a.OrganisationID, map[string]any{"changed": adviserChanges(cur, a)})
	})
	return a, wrap("update adviser", err)
}

// adviserChanges names the fields an update changed: names, never values,
// which are personal data.
func adviserChanges(before, after Adviser) []string {
	changed := []string{}
	if before.Name != after.Name {
		changed = append(changed, "name")
	}
	if before.Email != after.Email {
		changed = append(changed, "email")
	}
	for _, event := range EventTypes {
		if before.NotificationPreferences.For(event) != after.NotificationPreferences.For(event) {
			changed = append(changed, "notification_preferences")
			break
		}
	}
	return changed
}
