package store

import (
	"slices"

	"github.com/passerelle-dev/passerelle"
)

// A proposal's life, as one table: who may move it from which status to
// which. suggested (matcher) or shortlisted (adviser) → proposed (sent to the
// company) → interview → accepted → placed; exits dismissed,
// declined_by_company, declined_by_trainee, withdrawn, expired. Placed and the
// exits are final, but for the matcher reviving a suggestion it withdrew.

// The statuses are declared with the matcher (suggestions.go).

// ProposalStatuses lists the statuses in the order of the lifecycle, exits last.
var ProposalStatuses = []string{ProposalSuggested, ProposalShortlisted, ProposalProposed, ProposalInterview,
	ProposalAccepted, ProposalPlaced, ProposalDismissed, ProposalDeclinedByCompany, ProposalDeclinedByTrainee,
	ProposalWithdrawn, ProposalExpired}

// Parties make transitions. A role acts for one party (see partyOf).
const (
	// PartyProgramme is the trainee's organisation: its advisers, its
	// integrators (the programme's information system acts for it), admins.
	PartyProgramme = "programme"
	// PartyCompany is the offer's company: its own key, or an admin. An
	// adviser never answers for a company: the company reply rate would lie.
	PartyCompany = "company"
	// PartySystem is Passerelle itself: the matcher and the expiry job.
	PartySystem = "system"
)

// proposalTransition is one allowed move.
type proposalTransition struct {
	From, To string
	Party    string
}

// proposalTransitions is every allowed move. Anything not listed is refused.
var proposalTransitions = []proposalTransition{
	{ProposalSuggested, ProposalShortlisted, PartyProgramme},
	{ProposalSuggested, ProposalProposed, PartyProgramme},
	{ProposalSuggested, ProposalDismissed, PartyProgramme},
	{ProposalShortlisted, ProposalProposed, PartyProgramme},
	{ProposalShortlisted, ProposalDismissed, PartyProgramme},
	// The matcher withdraws a suggestion that is no longer among a trainee's
	// best matches, and revives it when it is again (only what it withdrew
	// itself: a suggestion never proposed).
	{ProposalSuggested, ProposalWithdrawn, PartySystem},
	{ProposalWithdrawn, ProposalSuggested, PartySystem},

	{ProposalProposed, ProposalInterview, PartyCompany},
	{ProposalProposed, ProposalAccepted, PartyCompany},
	{ProposalProposed, ProposalDeclinedByCompany, PartyCompany},
	{ProposalProposed, ProposalWithdrawn, PartyProgramme},
	{ProposalProposed, ProposalDeclinedByTrainee, PartyProgramme},
	{ProposalProposed, ProposalExpired, PartySystem},

	{ProposalInterview, ProposalAccepted, PartyCompany},
	{ProposalInterview, ProposalDeclinedByCompany, PartyCompany},
	{ProposalInterview, ProposalWithdrawn, PartyProgramme},
	{ProposalInterview, ProposalDeclinedByTrainee, PartyProgramme},

	{ProposalAccepted, ProposalPlaced, PartyProgramme},
	{ProposalAccepted, ProposalDeclinedByCompany, PartyCompany},
	{ProposalAccepted, ProposalWithdrawn, PartyProgramme},
	{ProposalAccepted, ProposalDeclinedByTrainee, PartyProgramme},
}

// partiesOf are the parties a role may act for. Admins act for the programme
// and the company, never as the system: expiry is time's alone.
func partiesOf(role string) []string {
	switch role {
	case passerelle.RoleAdmin:
		return []string{PartyProgramme, PartyCompany}
	case passerelle.RoleAdviser, passerelle.RoleIntegrator:
		return []string{PartyProgramme}
	case passerelle.RoleCompany:
		return []string{PartyCompany}
	case RoleSystem:
		return []string{PartySystem}
	}
	return nil
}

// AllowedProposalTransitions returns the statuses role may move a proposal
// to from status, in lifecycle order.
func AllowedProposalTransitions(role, status string) []string {
	parties := partiesOf(role)
	out := []string{}
	for _, to := range ProposalStatuses {
		for _, t := range proposalTransitions {
			if t.From == status && t.To == to && slices.Contains(parties, t.Party) {
				out = append(out, to)
				break
			}
		}
	}
	return out
}

// mayEverMoveTo reports whether role makes transitions to status from some
// status: a role that never does is forbidden, one that could from elsewhere
// is in conflict with the current status.
func mayEverMoveTo(role, to string) bool {
	parties := partiesOf(role)
	for _, t := range proposalTransitions {
		if t.To == to && slices.Contains(parties, t.Party) {
			return true
		}
	}
	return false
}

// ProposalTransitionRule is one row of the table, for documentation and
// tests.
type ProposalTransitionRule struct {
	From, To, Party string
}

// ProposalTransitionRules returns the table.
func ProposalTransitionRules() []ProposalTransitionRule {
	out := make([]ProposalTransitionRule, len(proposalTransitions))
	for i, t := range proposalTransitions {
		out[i] = ProposalTransitionRule(t)
	}
	return out
}
