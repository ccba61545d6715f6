package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/store"
)

// Proposal is a trainee × offer pair on its way to a placement.
type Proposal struct {
	ID                 uuid.UUID  `json:"id" doc:"Identifier."`
	TraineeID          *uuid.UUID `json:"trainee_id,omitempty" doc:"The trainee. Never shown to a company, which knows the candidate by a pseudonym."`
	OfferID            uuid.UUID  `json:"offer_id"`
	OfferTitle         string     `json:"offer_title" example:"Apprenti·e boulanger·ère"`
	OrganisationID     uuid.UUID  `json:"organisation_id" doc:"The trainee's organisation, which proposes."`
	CompanyID          uuid.UUID  `json:"company_id" doc:"The offer's company."`
	Status             string     `json:"status" enum:"suggested,shortlisted,proposed,interview,accepted,placed,dismissed,declined_by_company,declined_by_trainee,withdrawn,expired"`
	Origin             string     `json:"origin" enum:"matcher,adviser" doc:"Who found the pair: the matcher (suggested) or an adviser (shortlisted)."`
	Score              *int       `json:"score,omitempty" minimum:"0" maximum:"100" doc:"The matcher's score. Never shown to a company."`
	Reasons            []Reason   `json:"reasons,omitempty" doc:"The matcher's reasons, each with its points (as a suggestion's). Never shown to a company."`
	AllowedTransitions []string   `json:"allowed_transitions" example:"[\"interview\",\"accepted\",\"declined_by_company\"]" doc:"The statuses your role may move the proposal to now (POST /v1/proposals/{id}/transitions)."`
	Candidate          Candidate  `json:"candidate"`
	StatusChangedAt    time.Time  `json:"status_changed_at" doc:"When the status last changed. A proposal left proposed expires PROPOSAL_EXPIRY_DAYS (default 14) days after."`
	ProposedAt         *time.Time `json:"proposed_at,omitempty" doc:"When it was first proposed to the company."`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// Candidate is the trainee of a proposal as you may see them.
type Candidate struct {
	Pseudonym    string             `json:"pseudonym" example:"Candidat·e K3QF-7TZA" doc:"How the offer's company knows the trainee: stable for one company, different for each."`
	Skills       []CandidateSkill   `json:"skills"`
	Availability []CandidateWindow  `json:"availability"`
	DistanceBand string             `json:"distance_band" enum:"0-5 km,5-15 km,15-30 km,30+ km" doc:"From the trainee's home to the offer."`
	MinorAtStart bool               `json:"minor_at_start" doc:"Under 18 on the offer's start date (today when it has none)."`
	Identity     *CandidateIdentity `json:"identity,omitempty" doc:"Who the trainee is. For a company, only once the trainee's reveal_identity consent for this offer is recorded."`
}

// CandidateSkill is a skill and how it is known.
type CandidateSkill struct {
	Name     string `json:"name" example:"HTML et CSS"`
	Evidence string `json:"evidence" enum:"declared,adviser_validated,open_badge"`
	BadgeURL string `json:"badge_url,omitempty" doc:"The open badge assertion."`
}

// CandidateWindow is a period of availability, both days included.
type CandidateWindow struct {
	From Date  `json:"from"`
	To   *Date `json:"to,omitempty" doc:"Absent: open-ended."`
}

// CandidateIdentity is who the candidate is: no birth date, no health data.
type CandidateIdentity struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
}

func proposalOf(role string) func(store.Proposal) Proposal {
	return func(p store.Proposal) Proposal {
		out := Proposal{ID: p.ID, OfferID: p.OfferID, OfferTitle: p.OfferTitle, OrganisationID: p.OrganisationID,
			CompanyID: p.CompanyID, Status: p.Status, Origin: p.Origin, Score: p.Score,
			AllowedTransitions: store.AllowedProposalTransitions(role, p.Status), StatusChangedAt: p.StatusChangedAt,
			ProposedAt: p.ProposedAt, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
		if p.Reasons != nil {
			out.Reasons = reasonsOf(p.Reasons)
		}
		if p.TraineeID != uuid.Nil {
			out.TraineeID = ptr(p.TraineeID)
		}
		c := p.Candidate
		out.Candidate = Candidate{Pseudonym: c.Pseudonym, DistanceBand: c.DistanceBand, MinorAtStart: c.MinorAtStart,
			Skills: make([]CandidateSkill, len(c.Skills)), Availability: make([]CandidateWindow, len(c.Availability))}
		for i, s := range c.Skills {
			out.Candidate.Skills[i] = CandidateSkill{Name: s.Name, Evidence: s.Evidence, BadgeURL: s.BadgeURL}
		}
		for i, w := range c.Availability {
			out.Candidate.Availability[i] = CandidateWindow{From: dateOf(w.From)}
			if w.To != nil {
				out.Candidate.Availability[i].To = ptr(dateOf(*w.To))
			}
		}
		if c.Identity != nil {
			out.Candidate.Identity = &CandidateIdentity{FirstName: c.Identity.FirstName, LastName: c.Identity.LastName,
				Email: c.Identity.Email, Phone: c.Identity.Phone}
		}
		return out
	}
}

// ProposalList is a page of proposals.
type ProposalList struct {
	Items      []Proposal `json:"items"`
	NextCursor string     `json:"next_cursor,omitempty" doc:"Cursor of the next page; absent on the last."`
}

type proposalOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location" doc:"Absolute URL of the resource created (PUBLIC_BASE_URL and its path)."`
	Body     Proposal
}

func newProposalOutput(ctx context.Context, p store.Proposal) *proposalOutput {
	return &proposalOutput{ETag: etag(p.Version), Body: proposalOf(principal(ctx).Role)(p)}
}

// ProposalInput is an adviser's proposal of a trainee for an offer.
type ProposalInput struct {
	TraineeID uuid.UUID `json:"trainee_id" doc:"A trainee of your organisation, active."`
	OfferID   uuid.UUID `json:"offer_id" doc:"A published offer."`
	Reason    string    `json:"reason,omitempty" maxLength:"1000" doc:"Why, for the history."`
}

// TransitionInput moves a proposal.
type TransitionInput struct {
	To     string `json:"to" enum:"suggested,shortlisted,proposed,interview,accepted,placed,dismissed,declined_by_company,declined_by_trainee,withdrawn,expired" doc:"The status to move to; see allowed_transitions."`
	Reason string `json:"reason,omitempty" maxLength:"1000" doc:"Why, recorded in the history (visible to the company from the proposal to it on)."`
}

// ProposalTransition is one line of a proposal's history.
type ProposalTransition struct {
	ID         uuid.UUID  `json:"id"`
	From       *string    `json:"from,omitempty" enum:"suggested,shortlisted,proposed,interview,accepted,placed,dismissed,declined_by_company,declined_by_trainee,withdrawn,expired" doc:"Absent for the creation."`
	To         string     `json:"to" enum:"suggested,shortlisted,proposed,interview,accepted,placed,dismissed,declined_by_company,declined_by_trainee,withdrawn,expired"`
	ActorRole  string     `json:"actor_role" enum:"admin,adviser,company,integrator,system" doc:"Who made it: a role, or system (the matcher and the expiry)."`
	ActorKeyID *uuid.UUID `json:"actor_key_id,omitempty" doc:"The API key that made it. Not shown to companies."`
	Reason     string     `json:"reason"`
	OccurredAt time.Time  `json:"occurred_at"`
}

// ProposalTransitionList is a proposal's whole history, oldest first.
type ProposalTransitionList struct {
	Items []ProposalTransition `json:"items"`
}

const proposalsDescription = "A proposal is a trainee × offer pair: `suggested` (by the matcher) or `shortlisted` (by an adviser) " +
	"→ `proposed` (sent to the company) → `interview` → `accepted` → `placed`; exits `dismissed`, `declined_by_company`, " +
	"`declined_by_trainee`, `withdrawn`, `expired`. A company sees the proposals on its offers from `proposed` on, the " +
	"candidate as a pseudonym with skills, availability, distance band and whether they are a minor — their identity only " +
	"once the trainee's reveal_identity consent for the offer is recorded; never their id, birth date, RQTH, score or reasons."

func (s *Server) registerProposals() {
	const tag = "Proposals"
	huma.Register(s.api, creating(huma.Operation{
		OperationID: "create-proposal", Method: http.MethodPost, Path: "/v1/proposals",
		Summary: "Propose a trainee for an offer",
		Description: "An adviser's own idea: an active trainee of the organisation for a published offer becomes a " +
			"`shortlisted` proposal (origin adviser); move it to `proposed` to send it to the company. A pair that already " +
			"exists answers 409 naming it. " + proposalsDescription,
		Tags: []string{tag}, DefaultStatus: http.StatusCreated, Security: memberRoles,
	}), func(ctx context.Context, in *struct{ Body ProposalInput }) (*proposalOutput, error) {
		p, err := s.deps.Store.CreateProposal(ctx, principal(ctx), store.ProposalInput{TraineeID: in.Body.TraineeID,
			OfferID: in.Body.OfferID, Reason: in.Body.Reason})
		if err != nil {
			return nil, err
		}
		out := newProposalOutput(ctx, p)
		out.Location = s.url("/v1/proposals/" + p.ID.String())
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-proposals", Method: http.MethodGet, Path: "/v1/proposals",
		Summary: "List proposals",
		Description: "A change feed of the proposals you may read: advisers and integrators their organisation's, a company " +
			"those on its offers from `proposed` on, admins all. " + proposalsDescription,
		Tags: []string{tag}, Security: roles(allRoles...),
	}, func(ctx context.Context, in *struct {
		ListParams
		TraineeID uuid.UUID `query:"trainee_id" doc:"Only this trainee's (not for companies)."`
		OfferID   uuid.UUID `query:"offer_id" doc:"Only this offer's."`
		Status    string    `query:"status" enum:"suggested,shortlisted,proposed,interview,accepted,placed,dismissed,declined_by_company,declined_by_trainee,withdrawn,expired" doc:"Only in this status."`
	}) (*listOutput[ProposalList], error) {
		extra := newListFilters()
		f := store.ProposalFilter{TraineeID: extra.id("trainee_id", in.TraineeID), OfferID: extra.id("offer_id", in.OfferID),
			Status: extra.text("status", in.Status)}
		items, next, link, err := listPageOf(s, "proposals", "/v1/proposals", in.ListParams, extra.Values,
			func(page store.Page) ([]store.Proposal, *store.Cursor, error) {
				return s.deps.Store.ListProposals(ctx, principal(ctx), f, page)
			}, proposalOf(principal(ctx).Role))
		if err != nil {
			return nil, err
		}
		return &listOutput[ProposalList]{Link: link, Body: ProposalList{Items: items, NextCursor: next}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-proposal", Method: http.MethodGet, Path: "/v1/proposals/{id}",
		Summary: "Get a proposal", Description: proposalsDescription,
		Tags: []string{tag}, Security: roles(allRoles...),
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Proposal id."`
	}) (*proposalOutput, error) {
		p, err := s.deps.Store.GetProposal(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newProposalOutput(ctx, p), nil
	})

	huma.Register(s.api, creating(huma.Operation{
		OperationID: "transition-proposal", Method: http.MethodPost, Path: "/v1/proposals/{id}/transitions",
		Summary: "Move a proposal to another status",
		Description: "Each move is made by one party (see docs/decisions.md for the table). The programme (advisers, " +
			"integrators, admins): shortlisted, proposed, dismissed, withdrawn, declined_by_trainee, placed. The company (its " +
			"key, or an admin): interview, accepted, declined_by_company. Passerelle: expired. A status your role never moves " +
			"to answers 403; one it may not reach from the current status answers 409 naming those it may (also in " +
			"`allowed_transitions`). Every move is recorded with its actor, time and reason and writes a " +
			"`proposal.status_changed` event. `placed` creates the placement (GET /v1/placements?offer_id=…): the offer " +
			"fills one position (and becomes `filled` when none is left) and the trainee becomes `placed`.",
		Tags: []string{tag}, Security: roles(allRoles...),
	}), func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Proposal id."`
		IfMatch
		Body TransitionInput
	}) (*proposalOutput, error) {
		version, err := in.version()
		if err != nil {
			return nil, err
		}
		p, err := s.deps.Store.TransitionProposal(ctx, principal(ctx), in.ID, version,
			store.TransitionInput{To: in.Body.To, Reason: in.Body.Reason})
		if err != nil {
			return nil, err
		}
		return newProposalOutput(ctx, p), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-proposal-transitions", Method: http.MethodGet, Path: "/v1/proposals/{id}/transitions",
		Summary: "A proposal's history",
		Description: "Every move, oldest first, with its actor, time and reason. A company sees the history from the " +
			"proposal to it on, without key ids.",
		Tags: []string{tag}, Security: roles(allRoles...),
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Proposal id."`
	}) (*struct{ Body ProposalTransitionList }, error) {
		ts, err := s.deps.Store.ListProposalTransitions(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		out := &struct{ Body ProposalTransitionList }{Body: ProposalTransitionList{Items: make([]ProposalTransition, len(ts))}}
		for i, t := range ts {
			out.Body.Items[i] = ProposalTransition{ID: t.ID, From: t.From, To: t.To, ActorRole: t.ActorRole,
				ActorKeyID: t.ActorKeyID, Reason: t.Reason, OccurredAt: t.OccurredAt}
		}
		return out, nil
	})
}
