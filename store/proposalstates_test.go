package store_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// lifecycle is the design's proposal lifecycle, written out again by hand:
// from → to → the party that makes the move. The store's table must say the
// same, move for move.
var lifecycle = map[[2]string]string{
	{"suggested", "shortlisted"}: "programme", {"suggested", "proposed"}: "programme",
	{"suggested", "dismissed"}: "programme", {"shortlisted", "proposed"}: "programme",
	{"shortlisted", "dismissed"}: "programme",
	{"suggested", "withdrawn"}:   "system", {"withdrawn", "suggested"}: "system",
	{"proposed", "interview"}: "company", {"proposed", "accepted"}: "company",
	{"proposed", "declined_by_company"}: "company", {"proposed", "withdrawn"}: "programme",
	{"proposed", "declined_by_trainee"}: "programme", {"proposed", "expired"}: "system",
	{"interview", "accepted"}: "company", {"interview", "declined_by_company"}: "company",
	{"interview", "withdrawn"}: "programme", {"interview", "declined_by_trainee"}: "programme",
	{"accepted", "placed"}: "programme", {"accepted", "declined_by_company"}: "company",
	{"accepted", "withdrawn"}: "programme", {"accepted", "declined_by_trainee"}: "programme",
}

// partiesOf says which parties a role acts for, as the design puts it.
var partiesOf = map[string][]string{
	passerelle.RoleAdmin:      {"programme", "company"},
	passerelle.RoleAdviser:    {"programme"},
	passerelle.RoleIntegrator: {"programme"},
	passerelle.RoleCompany:    {"company"},
	store.RoleSystem:          {"system"},
}

// expectedMove is what the lifecycle says of role moving a proposal from
// from to to: "" when allowed, else the error code (forbidden when the role
// never makes a move to to, conflict when it could from another status).
func expectedMove(role, from, to string) string {
	ever := false
	for move, party := range lifecycle {
		if !slices.Contains(partiesOf[role], party) {
			continue
		}
		if move == [2]string{from, to} {
			return ""
		}
		ever = ever || move[1] == to
	}
	if ever {
		return passerelle.EConflict
	}
	return passerelle.EForbidden
}

// TestProposalStateTableIsTheLifecycle compares the store's table with the
// lifecycle for every status pair and every role, the system included.
func TestProposalStateTableIsTheLifecycle(t *testing.T) {
	t.Parallel()
	require.Len(t, store.ProposalStatuses, 11)
	rules := store.ProposalTransitionRules()
	require.Len(t, rules, len(lifecycle))
	for _, r := range rules {
		require.Equal(t, lifecycle[[2]string{r.From, r.To}], r.Party, "%s → %s", r.From, r.To)
	}
	for role := range partiesOf {
		for _, from := range store.ProposalStatuses {
			var want []string
			for _, to := range store.ProposalStatuses {
				if expectedMove(role, from, to) == "" {
					want = append(want, to)
				}
			}
			got := store.AllowedProposalTransitions(role, from)
			if want == nil {
				want = []string{}
			}
			require.Equal(t, want, got, "%s from %s", role, from)
		}
	}
}

// TestTransitionProposalEveryMove makes every move (11 × 11 statuses) as
// every role that calls TransitionProposal, on a proposal put in the starting
// status by SQL each time, against the real database: allowed moves change
// the status and record the history line, the others answer forbidden or
// conflict and change nothing. The system's own moves are the matcher's and
// the expiry job's (TestExpireProposalsInBatches).
func TestTransitionProposalEveryMove(t *testing.T) {
	t.Parallel()
	b := setup(t)
	trainee := b.trainee()
	p, err := b.store.CreateProposal(b.ctx, passerelle.System, store.ProposalInput{TraineeID: trainee, OfferID: b.offer})
	require.NoError(t, err)
	actors := map[string]passerelle.Principal{
		passerelle.RoleAdmin:      passerelle.System,
		passerelle.RoleAdviser:    {Role: passerelle.RoleAdviser, OrganisationID: b.org},
		passerelle.RoleIntegrator: {Role: passerelle.RoleIntegrator, OrganisationID: b.org},
		passerelle.RoleCompany:    {Role: passerelle.RoleCompany, CompanyID: b.company},
	}
	reset := func(status string) {
		// Proposed once, so that the company sees it whatever the status.
		b.exec(`DELETE FROM placements WHERE proposal_id = $1`, p.ID)
		b.exec(`UPDATE proposals SET status = $2, proposed_at = now() WHERE id = $1`, p.ID, status)
		b.exec(`UPDATE offers SET status = 'published', positions_filled = 0 WHERE id = $1`, b.offer)
		b.exec(`UPDATE trainees SET status = 'active' WHERE id = $1`, trainee)
	}
	moves := 0
	for role, actor := range actors {
		for _, from := range store.ProposalStatuses {
			for _, to := range store.ProposalStatuses {
				name := fmt.Sprintf("%s: %s → %s", role, from, to)
				reset(from)
				history := b.count(`SELECT count(*) FROM proposal_transitions WHERE proposal_id = $1`, p.ID)
				got, err := b.store.TransitionProposal(b.ctx, actor, p.ID, nil, store.TransitionInput{To: to, Reason: "test"})
				want := expectedMove(role, from, to)
				if want != "" {
					require.Equal(t, want, passerelle.ErrorCode(err), "%s: %v", name, err)
					require.Equal(t, from, b.status(p.ID), name)
					require.Equal(t, history, b.count(`SELECT count(*) FROM proposal_transitions WHERE proposal_id = $1`, p.ID), name)
					continue
				}
				moves++
				require.NoError(t, err, name)
				require.Equal(t, to, got.Status, name)
				require.Equal(t, to, b.status(p.ID), name)
				require.Equal(t, 1, b.count(`SELECT count(*) FROM proposal_transitions WHERE proposal_id = $1
					AND from_status = $2 AND to_status = $3 AND actor_role = $4`, p.ID, from, to, role), name)
				// Its line checked, it goes: the next move's line is then the only one.
				b.exec(`DELETE FROM proposal_transitions WHERE proposal_id = $1 AND from_status = $2 AND to_status = $3`, p.ID, from, to)
			}
		}
	}
	// Programme moves by 3 roles, company moves by 2 (admin and company).
	programme, company := 0, 0
	for _, party := range lifecycle {
		switch party {
		case "programme":
			programme++
		case "company":
			company++
		}
	}
	require.Equal(t, 3*programme+2*company, moves)

	_, err = b.store.TransitionProposal(b.ctx, passerelle.System, p.ID, nil, store.TransitionInput{To: "hired"})
	require.Equal(t, passerelle.EInvalid, passerelle.ErrorCode(err))
	_, err = b.store.TransitionProposal(b.ctx, passerelle.System, uuid.New(), nil, store.TransitionInput{To: "proposed"})
	require.Equal(t, passerelle.ENotFound, passerelle.ErrorCode(err))
}

func (b *bundle) status(proposal uuid.UUID) string {
	b.t.Helper()
	var s string
	require.NoError(b.t, b.pool.QueryRow(b.ctx, `SELECT status FROM proposals WHERE id = $1`, proposal).Scan(&s))
	return s
}
