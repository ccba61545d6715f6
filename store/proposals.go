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

// Event types of proposals.
const (
	// EventProposalExpiring reminds the company (and the referent) that a
	// proposal will expire without its answer. Not in the design's list:
	// documented in docs/decisions.md.
	EventProposalExpiring = "proposal.expiring"
)

// Proposal origins.
const (
	OriginMatcher = "matcher"
	OriginAdviser = "adviser"
)

// ProposalOrigins lists who may start a proposal.
var ProposalOrigins = []string{OriginMatcher, OriginAdviser}

// Proposal is a trainee × offer pair on its way to a placement. Candidate
// is the trainee as the reader may see them.
type Proposal struct {
	ID              uuid.UUID
	TraineeID       uuid.UUID
	OfferID         uuid.UUID
	OrganisationID  uuid.UUID
	CompanyID       uuid.UUID
	ReferentID      uuid.UUID
	OfferTitle      string
	Status          string
	Origin          string
	Score           *int
	Reasons         []matching.Reason
	StatusActorRole string
	StatusChangedAt time.Time
	ProposedAt      *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int
	Candidate       Candidate
}

// Candidate is the trainee of a proposal as its reader sees them. For a
// company, Identity is nil until the trainee's reveal_identity consent for the
// offer is recorded; birth date, RQTH, score and reasons never reach it.
type Candidate struct {
	Pseudonym    string // per company: unlinkable across companies
	Skills       []TraineeSkill
	Availability []Window
	DistanceBand string
	MinorAtStart bool
	Identity     *CandidateIdentity
}

// CandidateIdentity is who the candidate is.
type CandidateIdentity struct {
	FirstName string
	LastName  string
	Email     string
	Phone     string
}

// proposalColumns read a proposal with what its candidate view needs: p is
// proposals, t trainees, o offers.
const proposalColumns = `p.id, p.trainee_id, p.offer_id, p.organisation_id, p.company_id, t.referent_id, o.title, p.status,
	p.origin, p.score, p.reasons, p.status_actor_role, p.status_changed_at, p.proposed_at, p.created_at, p.updated_at,
	p.version, t.skills, t.availability, t.home_latitude, t.home_longitude, t.birth_date, t.first_name, t.last_name,
	t.email, t.phone, t.pseudonym_salt, o.latitude, o.longitude, o.start_date,
	EXISTS (SELECT 1 FROM consents c WHERE c.trainee_id = p.trainee_id AND c.scope = 'reveal_identity'
		AND c.offer_id = p.offer_id AND c.withdrawn_at IS NULL), ` + parisToday

const proposalFrom = ` FROM proposals p JOIN trainees t ON t.id = p.trainee_id JOIN offers o ON o.id = p.offer_id`

// proposalRow is a proposal as read, before the reader's view is applied.
type proposalRow struct {
	Proposal
	trainee      Trainee
	offerLat     float64
	offerLon     float64
	offerStart   *time.Time
	today        time.Time // the database's date in Paris
	revealed     bool
	identityRead bool // set by view: the identity was shown
}

func scanProposalRow(row pgx.Row) (proposalRow, error) {
	var r proposalRow
	p, t := &r.Proposal, &r.trainee
	err := row.Scan(&p.ID, &p.TraineeID, &p.OfferID, &p.OrganisationID, &p.CompanyID, &p.ReferentID, &p.OfferTitle,
		&p.Status, &p.Origin, &p.Score, &p.Reasons, &p.StatusActorRole, &p.StatusChangedAt, &p.ProposedAt, &p.CreatedAt,
		&p.UpdatedAt, &p.Version, &t.Profile.Skills, &t.Profile.Availability, &t.Profile.HomeLatitude,
		&t.Profile.HomeLongitude, &t.Identity.BirthDate, &t.Identity.FirstName, &t.Identity.LastName, &t.Identity.Email,
		&t.Identity.Phone, &t.pseudonymSalt, &r.offerLat, &r.offerLon, &r.offerStart, &r.revealed, &r.today)
	t.ID, t.OrganisationID = p.TraineeID, p.OrganisationID
	return r, err
}

// view fills the candidate as actor may see them, and drops what actor may
// not read. It says whether identity was shown, for the audit log.
func (r *proposalRow) view(actor passerelle.Principal) Proposal {
	p := r.Proposal
	t := r.trainee
	// A minor "at start": on the offer's start date, else today.
	start := r.today
	if r.offerStart != nil {
		start = *r.offerStart
	}
	p.Candidate = Candidate{
		Pseudonym:    t.Pseudonym(p.CompanyID),
		Skills:       nonNilSlice(t.Profile.Skills),
		Availability: nonNilSlice(t.Profile.Availability),
		DistanceBand: matching.DistanceBand(matching.DistanceKm(matching.Point{Lat: t.Profile.HomeLatitude, Lon: t.Profile.HomeLongitude},
			matching.Point{Lat: r.offerLat, Lon: r.offerLon})),
		MinorAtStart: Age(t.Identity.BirthDate, start) < AgeOfMajority,
	}
	identity := &CandidateIdentity{FirstName: t.Identity.FirstName, LastName: t.Identity.LastName,
		Email: t.Identity.Email, Phone: t.Identity.Phone}
	if actor.Role == passerelle.RoleCompany {
		// The company's view: its pseudonym, never the trainee's id, score
		// or reasons; identity only with the consent for this offer.
		p.TraineeID, p.Score, p.Reasons, p.ReferentID = uuid.Nil, nil, nil, uuid.Nil
		if r.revealed {
			p.Candidate.Identity = identity
		}
	} else {
		p.Candidate.Identity = identity
	}
	r.identityRead = p.Candidate.Identity != nil
	if p.Reasons == nil && actor.Role != passerelle.RoleCompany {
		p.Reasons = []matching.Reason{}
	}
	return p
}

// auditProposalReads records the identity reads of a page of proposals.
func auditProposalReads(ctx context.Context, tx pgx.Tx, actor passerelle.Principal, rows []proposalRow) error {
	var read []Trainee
	for _, r := range rows {
		if r.identityRead {
			read = append(read, Trainee{ID: r.TraineeID, OrganisationID: r.OrganisationID})
		}
	}
	return auditIdentityRead(ctx, tx, actor, read)
}

// proposalScope restricts proposals (aliased p) to those actor may read: an
// admin all; an adviser or integrator its organisation's; a company those on
// its own offers that were proposed to it at some point — never what an
// adviser only considered.
func proposalScope(actor passerelle.Principal, args pgx.NamedArgs) string {
	switch actor.Role {
	case passerelle.RoleAdmin:
		return `true`
	case passerelle.RoleCompany:
		args["scope_company"] = actor.CompanyID
		return `p.company_id = @scope_company AND p.proposed_at IS NOT NULL`
	default:
		args["scope_org"] = actor.OrganisationID
		return `p.organisation_id = @scope_org`
	}
}

// getProposalRow reads a proposal actor may see, locking it when forUpdate.
func getProposalRow(ctx context.Context, db querier, actor passerelle.Principal, id uuid.UUID, forUpdate bool) (proposalRow, error) {
	args := pgx.NamedArgs{"id": id}
	return getOne(ctx, db, `SELECT `+proposalColumns+proposalFrom+` WHERE p.id = @id AND `+proposalScope(actor, args), args,
		forUpdate, "p", scanProposalRow, "Proposal")
}

// GetProposal returns a proposal actor may read, with its candidate as actor
// may see them; a read of identity is audited.
func (s *Store) GetProposal(ctx context.Context, actor passerelle.Principal, id uuid.UUID) (Proposal, error) {
	var p Proposal
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		r, err := getProposalRow(ctx, tx, actor, id, false)
		if err != nil {
			return err
		}
		p = r.view(actor)
		return auditProposalReads(ctx, tx, actor, []proposalRow{r})
	})
	return p, wrap("get proposal", err)
}

// ProposalFilter narrows a list of proposals.
type ProposalFilter struct {
	TraineeID *uuid.UUID
	OfferID   *uuid.UUID
	Status    string
}

// ListProposals lists the proposals actor may read, as a change feed.
func (s *Store) ListProposals(ctx context.Context, actor passerelle.Principal, f ProposalFilter, page Page) ([]Proposal, *Cursor, error) {
	if f.Status != "" && !slices.Contains(ProposalStatuses, f.Status) {
		return nil, nil, passerelle.Invalid("Unknown proposal status.", passerelle.FieldError{Location: "query.status",
			Message: "must be one of " + strings.Join(ProposalStatuses, ", "), Value: f.Status})
	}
	if actor.Role == passerelle.RoleCompany && f.TraineeID != nil {
		// A company knows candidates by pseudonym only.
		return nil, nil, passerelle.Errorf(passerelle.EForbidden, "A company may not filter proposals by trainee.")
	}
	var items []Proposal
	var next *Cursor
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		args := pgx.NamedArgs{"trainee": f.TraineeID, "offer": f.OfferID, "status": f.Status}
		// listPage filters and orders by updated_at and id: the subquery's
		// column names are unique, those two among them.
		base := `SELECT * FROM (SELECT ` + proposalColumns + proposalFrom +
			` WHERE ` + proposalScope(actor, args) + ` AND (@trainee::uuid IS NULL OR p.trainee_id = @trainee)
			AND (@offer::uuid IS NULL OR p.offer_id = @offer) AND (@status = '' OR p.status = @status)) x WHERE true`
		rows, cursor, err := listPage(ctx, tx, base, args, page, scanProposalRow,
			func(r proposalRow) Cursor { return Cursor{UpdatedAt: r.UpdatedAt, ID: r.ID} })
		if err != nil {
			return err
		}
		next = cursor
		items = make([]Proposal, len(rows))
		for i := range rows {
			items[i] = rows[i].view(actor)
		}
		return auditProposalReads(ctx, tx, actor, rows)
	})
	return items, next, wrap("list proposals", err)
}

// ProposalInput is an adviser's proposal of a trainee for an offer.
type ProposalInput struct {
	TraineeID uuid.UUID
	OfferID   uuid.UUID
	Reason    string
}

// CreateProposal records an adviser's own idea: trainee for a published
// offer, shortlisted. A pair that already exists is a conflict.
func (s *Store) CreateProposal(ctx context.Context, actor passerelle.Principal, in ProposalInput) (Proposal, error) {
	if err := mayManageTrainees(actor); err != nil {
		return Proposal{}, passerelle.Errorf(passerelle.EForbidden, "Only a programme proposes its trainees.")
	}
	var p Proposal
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		t, err := getTrainee(ctx, tx, actor, in.TraineeID, false)
		if passerelle.ErrorCode(err) == passerelle.ENotFound {
			return passerelle.Invalid("No trainee of yours has this id.", passerelle.FieldError{Location: "trainee_id",
				Message: "no trainee of your organisation has this id", Value: in.TraineeID})
		} else if err != nil {
			return err
		}
		if t.Status != TraineeActive {
			return passerelle.Errorf(passerelle.EConflict, "The trainee is %s: only an active trainee is proposed.", t.Status)
		}
		var company uuid.UUID
		err = tx.QueryRow(ctx, `SELECT company_id FROM offers WHERE id = $1 AND status = 'published'`, in.OfferID).Scan(&company)
		if errors.Is(err, pgx.ErrNoRows) {
			return passerelle.Invalid("No published offer has this id.", passerelle.FieldError{Location: "offer_id",
				Message: "no published offer has this id", Value: in.OfferID})
		} else if err != nil {
			return err
		}
		var existing uuid.UUID
		err = tx.QueryRow(ctx, `SELECT id FROM proposals WHERE trainee_id = $1 AND offer_id = $2`, t.ID, in.OfferID).Scan(&existing)
		if err == nil {
			return passerelle.Errorf(passerelle.EConflict, "This trainee is already a proposal for this offer: %s.", existing)
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		id := uuid.New()
		_, err = tx.Exec(ctx, `INSERT INTO proposals (id, trainee_id, offer_id, organisation_id, company_id, status, origin,
			status_actor_role) VALUES ($1, $2, $3, $4, $5, 'shortlisted', 'adviser', $6)`,
			id, t.ID, in.OfferID, t.OrganisationID, company, actor.Role)
		if uniqueViolation(err, "") {
			return passerelle.Errorf(passerelle.EConflict, "This trainee is already a proposal for this offer.")
		} else if err != nil {
			return err
		}
		if err := recordProposalTransition(ctx, tx, actor, id, nil, ProposalShortlisted, in.Reason); err != nil {
			return err
		}
		r, err := getProposalRow(ctx, tx, actor, id, false)
		if err != nil {
			return err
		}
		p = r.view(actor)
		if err := insertEvent(ctx, tx, proposalEvent(EventProposalCreated, p, map[string]any{"status": p.Status, "origin": p.Origin})); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "create", "proposal", id, &t.OrganisationID,
			map[string]any{"trainee_id": t.ID, "offer_id": in.OfferID, "status": ProposalShortlisted})
	})
	return p, wrap("create proposal", err)
}

// proposalEvent is an event about a proposal, for the trainee's organisation
// and referent and for the offer's company: identifiers, the offer's title
// and statuses only.
func proposalEvent(typ string, p Proposal, extra map[string]any) Event {
	payload := map[string]any{"proposal_id": p.ID, "offer_id": p.OfferID, "trainee_id": p.TraineeID, "offer_title": p.OfferTitle}
	for k, v := range extra {
		payload[k] = v
	}
	e := Event{Type: typ, OrganisationID: &p.OrganisationID, CompanyID: &p.CompanyID, SubjectType: "proposal",
		SubjectID: p.ID, Payload: payload}
	if p.ReferentID != uuid.Nil {
		e.AdviserID = &p.ReferentID
	}
	return e
}

// recordProposalTransition writes one line of a proposal's history, by actor.
func recordProposalTransition(ctx context.Context, tx pgx.Tx, actor passerelle.Principal, id uuid.UUID, from *string, to, reason string) error {
	return insertTransitions(ctx, tx, actor, []transitionRow{{ProposalID: id, From: from, To: to, Reason: reason}})
}

// transitionRow is one line of history written by insertTransitions.
type transitionRow struct {
	ProposalID uuid.UUID
	From       *string // nil: created
	To, Reason string
}

// insertTransitions writes lines of history by actor in one statement, for a
// batch of moves.
func insertTransitions(ctx context.Context, tx pgx.Tx, actor passerelle.Principal, rows []transitionRow) error {
	if len(rows) == 0 {
		return nil
	}
	var b pgx.Batch
	queueTransitions(&b, actor, rows)
	return tx.SendBatch(ctx, &b).Close()
}

// queueTransitions queues the insert of rows on b.
func queueTransitions(b *pgx.Batch, actor passerelle.Principal, rows []transitionRow) {
	ids := make([]uuid.UUID, len(rows))
	from := make([]*string, len(rows))
	to, reason := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		ids[i], from[i], to[i], reason[i] = r.ProposalID, r.From, r.To, r.Reason
	}
	var key *uuid.UUID
	if actor.KeyID != uuid.Nil {
		key = &actor.KeyID
	}
	b.Queue(`INSERT INTO proposal_transitions (id, proposal_id, from_status, to_status, actor_role, actor_key_id, reason)
		SELECT gen_random_uuid(), r.proposal, r.from_status, r.to_status, $1, $2, r.reason
		FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[]) AS r(proposal, from_status, to_status, reason)`,
		actor.Role, key, ids, from, to, reason)
}

// ProposalTransition is one line of a proposal's history.
type ProposalTransition struct {
	ID         uuid.UUID
	ProposalID uuid.UUID
	From       *string
	To         string
	ActorRole  string
	ActorKeyID *uuid.UUID
	Reason     string
	OccurredAt time.Time
}

// ListProposalTransitions returns a proposal's history, oldest first. A
// company sees the history from the proposal to it on, without key ids.
func (s *Store) ListProposalTransitions(ctx context.Context, actor passerelle.Principal, id uuid.UUID) ([]ProposalTransition, error) {
	r, err := getProposalRow(ctx, s.pool, actor, id, false)
	if err != nil {
		return nil, wrap("list proposal transitions", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT id, proposal_id, from_status, to_status, actor_role, actor_key_id, reason, occurred_at
		FROM proposal_transitions WHERE proposal_id = $1 AND ($2::timestamptz IS NULL OR occurred_at >= $2)
		ORDER BY occurred_at, id`, id, companySince(actor, r.ProposedAt))
	if err != nil {
		return nil, wrap("list proposal transitions", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ProposalTransition, error) {
		var t ProposalTransition
		err := row.Scan(&t.ID, &t.ProposalID, &t.From, &t.To, &t.ActorRole, &t.ActorKeyID, &t.Reason, &t.OccurredAt)
		if actor.Role == passerelle.RoleCompany {
			t.ActorKeyID = nil
		}
		return t, err
	})
	return out, wrap("list proposal transitions", err)
}

// companySince is when a company's view of a history starts: the proposal
// to it. Others see it all (nil).
func companySince(actor passerelle.Principal, proposedAt *time.Time) *time.Time {
	if actor.Role == passerelle.RoleCompany {
		return proposedAt
	}
	return nil
}

// TransitionInput asks for a proposal to move.
type TransitionInput struct {
	To     string
	Reason string
}

// TransitionProposal moves a proposal actor may read to in.To, if the table
// lets actor's role make that move from its status: a role that never makes
// it is forbidden; one that could from another status is a conflict naming
// the moves it may make now. ifVersion, when not nil, must match (If-Match).
// Placing creates the placement in the same transaction.
func (s *Store) TransitionProposal(ctx context.Context, actor passerelle.Principal, id uuid.UUID, ifVersion *int, in TransitionInput) (Proposal, error) {
	if !slices.Contains(ProposalStatuses, in.To) {
		return Proposal{}, passerelle.Invalid("Unknown proposal status.", passerelle.FieldError{Location: "to",
			Message: "must be one of " + strings.Join(ProposalStatuses, ", "), Value: in.To})
	}
	var p Proposal
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		r, err := getProposalRow(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		if !mayEverMoveTo(actor.Role, in.To) {
			return passerelle.Errorf(passerelle.EForbidden, "The %s role never moves a proposal to %s.", actor.Role, in.To)
		}
		if err := checkVersion(ifVersion, r.Version); err != nil {
			return err
		}
		p, err = s.transition(ctx, tx, actor, r, in)
		return err
	})
	return p, wrap("transition proposal "+id.String(), err)
}

// transition applies one move to a locked proposal, in tx.
func (s *Store) transition(ctx context.Context, tx pgx.Tx, actor passerelle.Principal, r proposalRow, in TransitionInput) (Proposal, error) {
	from := r.Status
	if !slices.Contains(AllowedProposalTransitions(actor.Role, from), in.To) {
		allowed := AllowedProposalTransitions(actor.Role, from)
		if len(allowed) == 0 {
			return Proposal{}, passerelle.Errorf(passerelle.EConflict, "The proposal is %s: the %s role cannot move it to %s, nor anywhere else from there.",
				from, actor.Role, in.To)
		}
		return Proposal{}, passerelle.Errorf(passerelle.EConflict, "The proposal is %s: the %s role cannot move it to %s. Allowed: %s.",
			from, actor.Role, in.To, strings.Join(allowed, ", "))
	}
	if in.To == ProposalProposed {
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM offers WHERE id = $1`, r.OfferID).Scan(&status); err != nil {
			return Proposal{}, err
		}
		if status != StatusPublished {
			return Proposal{}, passerelle.Errorf(passerelle.EConflict, "The offer is %s: only a published offer receives proposals.", status)
		}
	}
	role := actor.Role
	if _, err := tx.Exec(ctx, `UPDATE proposals SET status = $2, status_actor_role = $3, status_changed_at = now(),
			proposed_at = coalesce(proposed_at, CASE WHEN $2 = 'proposed' THEN now() END),
			expiry_reminded_at = CASE WHEN $2 = 'proposed' THEN NULL ELSE expiry_reminded_at END,
			updated_at = now(), version = version + 1
		WHERE id = $1`, r.ID, in.To, role); err != nil {
		return Proposal{}, err
	}
	if err := recordProposalTransition(ctx, tx, actor, r.ID, &from, in.To, in.Reason); err != nil {
		return Proposal{}, err
	}
	// Read back with the caller's view; a system actor reads as an admin.
	reader := actor
	if actor.Role == RoleSystem {
		reader = passerelle.System
	}
	after, err := getProposalRow(ctx, tx, reader, r.ID, false)
	if err != nil {
		return Proposal{}, err
	}
	// The event is about the full proposal whatever the caller sees.
	full := after.view(passerelle.System)
	if err := insertEvent(ctx, tx, proposalEvent(EventProposalStatusChanged, full, map[string]any{"from": from, "to": in.To})); err != nil {
		return Proposal{}, err
	}
	if in.To == ProposalPlaced {
		if _, err := s.createPlacement(ctx, tx, actor, full); err != nil {
			return Proposal{}, err
		}
	}
	if err := audit(ctx, tx, actor, "transition", "proposal", r.ID, &r.OrganisationID,
		map[string]any{"from": from, "to": in.To, "offer_id": r.OfferID}); err != nil {
		return Proposal{}, err
	}
	p := after.view(reader)
	return p, auditProposalReads(ctx, tx, reader, []proposalRow{after})
}
