package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
)

// Event types of placements.
const (
	EventPlacementStarted = "placement.started"
	EventPlacementEnded   = "placement.ended"
)

// Placement outcomes.
const (
	OutcomeCompleted   = "completed"
	OutcomeInterrupted = "interrupted"
)

// PlacementOutcomes lists the outcomes.
var PlacementOutcomes = []string{OutcomeCompleted, OutcomeInterrupted}

// Placement is what a placed proposal became: a contract, an internship, an
// immersion. The tutor is a company employee: name and role only.
type Placement struct {
	ID               uuid.UUID
	ProposalID       uuid.UUID
	TraineeID        uuid.UUID // uuid.Nil for a company
	TraineePseudonym string    // how the company knows the trainee
	OfferID          uuid.UUID
	OfferTitle       string
	OrganisationID   uuid.UUID
	CompanyID        uuid.UUID
	ReferentID       uuid.UUID // uuid.Nil for a company
	Kind             string
	StartDate        time.Time
	EndDate          *time.Time
	TutorName        string
	TutorRole        string
	Outcome          *string
	OutcomeReason    string
	EndedAt          *time.Time
	// StartConfirmedAt is when the start date was confirmed (by the company,
	// usually); nil while it is only the offer's.
	StartConfirmedAt *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
	Version          int
}

// placementColumns: l is placements, t trainees, o offers.
const placementColumns = `l.id, l.proposal_id, l.trainee_id, t.pseudonym_salt, l.offer_id, o.title, l.organisation_id,
	l.company_id, t.referent_id, l.kind, l.start_date, l.end_date, l.tutor_name, l.tutor_role, l.outcome, l.outcome_reason,
	l.ended_at, l.start_confirmed_at, l.created_at, l.updated_at, l.version`

const placementFrom = ` FROM placements l JOIN trainees t ON t.id = l.trainee_id JOIN offers o ON o.id = l.offer_id`

func scanPlacement(row pgx.Row) (Placement, error) {
	var l Placement
	var salt []byte
	err := row.Scan(&l.ID, &l.ProposalID, &l.TraineeID, &salt, &l.OfferID, &l.OfferTitle, &l.OrganisationID, &l.CompanyID,
		&l.ReferentID, &l.Kind, &l.StartDate, &l.EndDate, &l.TutorName, &l.TutorRole, &l.Outcome, &l.OutcomeReason,
		&l.EndedAt, &l.StartConfirmedAt, &l.CreatedAt, &l.UpdatedAt, &l.Version)
	l.TraineePseudonym = Trainee{pseudonymSalt: salt}.Pseudonym(l.CompanyID)
	return l, err
}

// forReader drops what actor may not see: a company knows the trainee by
// pseudonym only.
func (l Placement) forReader(actor passerelle.Principal) Placement {
	if actor.Role == passerelle.RoleCompany {
		l.TraineeID, l.ReferentID = uuid.Nil, uuid.Nil
	}
	return l
}

// placementScope restricts placements (aliased l): an admin all, an adviser or
// integrator its organisation's, a company its own.
func placementScope(actor passerelle.Principal, args pgx.NamedArgs) string {
	switch actor.Role {
	case passerelle.RoleAdmin:
		return `true`
	case passerelle.RoleCompany:
		args["scope_company"] = actor.CompanyID
		return `l.company_id = @scope_company`
	default:
		args["scope_org"] = actor.OrganisationID
		return `l.organisation_id = @scope_org`
	}
}

// placementEvent is an event about a placement: ids, the offer's title, kind,
// dates and outcome.
func placementEvent(typ string, l Placement) Event {
	payload := map[string]any{"placement_id": l.ID, "proposal_id": l.ProposalID, "offer_id": l.OfferID,
		"trainee_id": l.TraineeID, "offer_title": l.OfferTitle, "kind": l.Kind, "start_date": l.StartDate.Format(time.DateOnly)}
	if l.EndDate != nil {
		payload["end_date"] = l.EndDate.Format(time.DateOnly)
	}
	if l.Outcome != nil {
		payload["outcome"] = *l.Outcome
	}
	e := Event{Type: typ, OrganisationID: &l.OrganisationID, CompanyID: &l.CompanyID, SubjectType: "placement",
		SubjectID: l.ID, Payload: payload}
	if l.ReferentID != uuid.Nil {
		e.AdviserID = &l.ReferentID
	}
	return e
}

// createPlacement turns placed proposal p into a placement, in tx: the offer
// fills one more position (and becomes filled when none is left, leaving
// search), the trainee becomes placed, placement.started is written.
func (s *Store) createPlacement(ctx context.Context, tx pgx.Tx, actor passerelle.Principal, p Proposal) (Placement, error) {
	var positions, filled int
	var status string
	if err := tx.QueryRow(ctx, `SELECT positions, positions_filled, status FROM offers WHERE id = $1 FOR UPDATE`, p.OfferID).
		Scan(&positions, &filled, &status); err != nil {
		return Placement{}, err
	}
	if filled >= positions {
		return Placement{}, passerelle.Errorf(passerelle.EConflict,
			"Every position of the offer is filled (%d of %d): raise its positions before placing another trainee.", filled, positions)
	}
	newStatus := status
	if filled+1 >= positions && (status == StatusPublished || status == StatusPaused) {
		newStatus = StatusFilled
	}
	if _, err := tx.Exec(ctx, `UPDATE offers SET positions_filled = positions_filled + 1, status = $2, updated_at = now(),
		version = version + 1 WHERE id = $1`, p.OfferID, newStatus); err != nil {
		return Placement{}, err
	}
	if err := s.queueIndex(ctx, tx, p.OfferID); err != nil {
		return Placement{}, err
	}
	if newStatus != status {
		if err := audit(ctx, tx, actor, ActionFill, "offer", p.OfferID, &p.OrganisationID,
			map[string]any{"company_id": p.CompanyID, "from": status, "to": newStatus, "proposal_id": p.ID}); err != nil {
			return Placement{}, err
		}
	}
	id := uuid.New()
	if _, err := tx.Exec(ctx, `INSERT INTO placements (id, proposal_id, trainee_id, offer_id, organisation_id, company_id, kind,
			start_date, end_date)
		SELECT $1, $2, $3, o.id, $4, o.company_id, o.kind, coalesce(o.start_date, current_date),
			CASE WHEN o.end_date >= coalesce(o.start_date, current_date) THEN o.end_date END
		FROM offers o WHERE o.id = $5`, id, p.ID, p.TraineeID, p.OrganisationID, p.OfferID); err != nil {
		return Placement{}, err
	}
	if _, err := tx.Exec(ctx, `UPDATE trainees SET status = 'placed', updated_at = now(), version = version + 1
		WHERE id = $1 AND status = 'active'`, p.TraineeID); err != nil {
		return Placement{}, err
	}
	l, err := scanPlacement(tx.QueryRow(ctx, `SELECT `+placementColumns+placementFrom+` WHERE l.id = $1`, id))
	if err != nil {
		return Placement{}, err
	}
	if err := insertEvent(ctx, tx, placementEvent(EventPlacementStarted, l)); err != nil {
		return Placement{}, err
	}
	return l, audit(ctx, tx, actor, "create", "placement", id, &p.OrganisationID,
		map[string]any{"proposal_id": p.ID, "offer_id": p.OfferID, "kind": l.Kind})
}

func getPlacement(ctx context.Context, db querier, actor passerelle.Principal, id uuid.UUID, forUpdate bool) (Placement, error) {
	args := pgx.NamedArgs{"id": id}
	return getOne(ctx, db, `SELECT `+placementColumns+placementFrom+` WHERE l.id = @id AND `+placementScope(actor, args), args,
		forUpdate, "l", scanPlacement, "Placement")
}

// GetPlacement returns a placement actor may read.
func (s *Store) GetPlacement(ctx context.Context, actor passerelle.Principal, id uuid.UUID) (Placement, error) {
	l, err := getPlacement(ctx, s.pool, actor, id, false)
	return l.forReader(actor), wrap("get placement", err)
}

// PlacementFilter narrows a list of placements.
type PlacementFilter struct {
	TraineeID *uuid.UUID
	OfferID   *uuid.UUID
	Ongoing   *bool // true: not ended yet; false: ended
}

// ListPlacements lists the placements actor may read, as a change feed.
func (s *Store) ListPlacements(ctx context.Context, actor passerelle.Principal, f PlacementFilter, page Page) ([]Placement, *Cursor, error) {
	if actor.Role == passerelle.RoleCompany && f.TraineeID != nil {
		return nil, nil, passerelle.Errorf(passerelle.EForbidden, "A company may not filter placements by trainee.")
	}
	args := pgx.NamedArgs{"trainee": f.TraineeID, "offer": f.OfferID, "ongoing": f.Ongoing}
	base := `SELECT * FROM (SELECT ` + placementColumns + placementFrom + ` WHERE ` + placementScope(actor, args) + `
		AND (@trainee::uuid IS NULL OR l.trainee_id = @trainee) AND (@offer::uuid IS NULL OR l.offer_id = @offer)
		AND (@ongoing::boolean IS NULL OR (l.ended_at IS NULL) = @ongoing)) x WHERE true`
	items, next, err := listPage(ctx, s.pool, base, args, page, scanPlacement,
		func(l Placement) Cursor { return Cursor{UpdatedAt: l.UpdatedAt, ID: l.ID} })
	for i := range items {
		items[i] = items[i].forReader(actor)
	}
	return items, next, wrap("list placements", err)
}

// PlacementUpdate changes a placement's dates and tutor; nil fields stay.
type PlacementUpdate struct {
	StartDate *time.Time
	EndDate   *time.Time
	TutorName *string
	TutorRole *string
	// ConfirmStart records the start date (the new one, or the current one)
	// as confirmed.
	ConfirmStart bool
}

// UpdatePlacement sets the dates and tutor of an ongoing placement. The
// programme and the company may. ifVersion, when not nil, must match.
func (s *Store) UpdatePlacement(ctx context.Context, actor passerelle.Principal, id uuid.UUID, ifVersion *int, in PlacementUpdate) (Placement, error) {
	var l Placement
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := getPlacement(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		if err := checkVersion(ifVersion, cur.Version); err != nil {
			return err
		}
		if cur.Outcome != nil {
			return passerelle.Errorf(passerelle.EConflict, "The placement ended (%s): it no longer changes.", *cur.Outcome)
		}
		start, end := cur.StartDate, cur.EndDate
		if in.StartDate != nil {
			start = day(*in.StartDate)
		}
		if in.EndDate != nil {
			end = ptrTo(day(*in.EndDate))
		}
		if end != nil && end.Before(start) {
			return passerelle.Invalid("The placement cannot end before it starts.", passerelle.FieldError{Location: "end_date",
				Message: "must be on or after start_date (" + start.Format(time.DateOnly) + ")", Value: end.Format(time.DateOnly)})
		}
		name, role := cur.TutorName, cur.TutorRole
		if in.TutorName != nil {
			name = strings.TrimSpace(*in.TutorName)
		}
		if in.TutorRole != nil {
			role = strings.TrimSpace(*in.TutorRole)
		}
		if _, err := tx.Exec(ctx, `UPDATE placements SET start_date = $2, end_date = $3, tutor_name = $4, tutor_role = $5,
			start_confirmed_at = CASE WHEN $6 THEN now() ELSE start_confirmed_at END,
			updated_at = now(), version = version + 1 WHERE id = $1`, id, start, end, name, role, in.ConfirmStart); err != nil {
			return err
		}
		l, err = getPlacement(ctx, tx, actor, id, false)
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "update", "placement", id, &l.OrganisationID, map[string]any{"confirm_start": in.ConfirmStart})
	})
	return l.forReader(actor), wrap("update placement", err)
}

// PlacementEnd closes a placement.
type PlacementEnd struct {
	Outcome string
	Reason  string     // interrupted only
	EndDate *time.Time // default: today (database clock)
}

// EndPlacement records how an ongoing placement ended, and writes
// placement.ended. The programme and the company may. ifVersion, when not
// nil, must match.
func (s *Store) EndPlacement(ctx context.Context, actor passerelle.Principal, id uuid.UUID, ifVersion *int, in PlacementEnd) (Placement, error) {
	var fields []passerelle.FieldError
	if !slices.Contains(PlacementOutcomes, in.Outcome) {
		fields = append(fields, passerelle.FieldError{Location: "outcome", Message: "must be one of " + strings.Join(PlacementOutcomes, ", "), Value: in.Outcome})
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Outcome == OutcomeInterrupted && in.Reason == "" {
		fields = append(fields, passerelle.FieldError{Location: "reason", Message: "an interruption needs its reason"})
	}
	if in.Outcome == OutcomeCompleted && in.Reason != "" {
		fields = append(fields, passerelle.FieldError{Location: "reason", Message: "only an interruption has a reason", Value: in.Reason})
	}
	if len(fields) > 0 {
		return Placement{}, passerelle.Invalid("The placement cannot end as described.", fields...)
	}
	var l Placement
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := getPlacement(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		if err := checkVersion(ifVersion, cur.Version); err != nil {
			return err
		}
		if cur.Outcome != nil {
			return passerelle.Errorf(passerelle.EConflict, "The placement already ended (%s).", *cur.Outcome)
		}
		var end *time.Time
		if in.EndDate != nil {
			end = ptrTo(day(*in.EndDate))
			if end.Before(cur.StartDate) {
				return passerelle.Invalid("The placement cannot end before it starts.", passerelle.FieldError{Location: "end_date",
					Message: "must be on or after start_date (" + cur.StartDate.Format(time.DateOnly) + ")", Value: end.Format(time.DateOnly)})
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE placements SET outcome = $2, outcome_reason = $3,
			end_date = coalesce($4::date, greatest(current_date, start_date)), ended_at = now(),
			updated_at = now(), version = version + 1 WHERE id = $1`, id, in.Outcome, in.Reason, end); err != nil {
			return err
		}
		l, err = getPlacement(ctx, tx, passerelle.System, id, false)
		if err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, placementEvent(EventPlacementEnded, l)); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "end", "placement", id, &l.OrganisationID, map[string]any{"outcome": in.Outcome})
	})
	return l.forReader(actor), wrap("end placement", err)
}
