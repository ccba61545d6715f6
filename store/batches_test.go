package store_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// copies is more than one batch of the periodic jobs (500): they must loop.
const copies = 1234

// cloneTrainee makes n copies of trainee under new ids, by SQL.
func (b *bundle) cloneTrainee(trainee uuid.UUID, n int) {
	b.exec(`INSERT INTO trainees SELECT (jsonb_populate_record(t, jsonb_build_object('id', gen_random_uuid()))).*
		FROM trainees t, generate_series(1, $2) WHERE t.id = $1`, trainee, n)
}

// TestExpireProposalsInBatches expires more proposals than a batch holds:
// every one is expired, once, with its history line, event and audit row,
// and the other proposals stay as they are.
func TestExpireProposalsInBatches(t *testing.T) {
	t.Parallel()
	b := setup(t)
	trainee := b.trainee()
	b.cloneTrainee(trainee, copies)
	b.exec(`INSERT INTO proposals (id, trainee_id, offer_id, organisation_id, company_id, status, origin, status_actor_role,
			status_changed_at, proposed_at)
		SELECT gen_random_uuid(), t.id, $1, t.organisation_id, $2, 'proposed', 'adviser', 'adviser',
			now() - interval '20 days', now() - interval '20 days'
		FROM trainees t`, b.offer, b.company)
	// One proposed recently: not due.
	b.exec(`UPDATE proposals SET status_changed_at = now() WHERE trainee_id = $1`, trainee)

	fanOuts := b.count(`SELECT count(*) FROM river_job WHERE kind = 'fan_out_event'`)

	n, err := b.store.ExpireProposals(b.ctx, store.DefaultProposalExpiry)
	require.NoError(t, err)
	require.Equal(t, copies, n)
	require.Equal(t, copies, b.count(`SELECT count(*) FROM proposals WHERE status = 'expired' AND status_actor_role = 'system'`))
	require.Equal(t, "proposed", b.status(b.proposalOf(trainee)))
	require.Equal(t, copies, b.count(`SELECT count(*) FROM proposal_transitions WHERE from_status = 'proposed'
		AND to_status = 'expired' AND actor_role = 'system' AND reason = 'No answer from the company within 14 days.'`))
	require.Equal(t, copies, b.count(`SELECT count(DISTINCT subject_id) FROM events WHERE type = 'proposal.status_changed'
		AND payload->>'from' = 'proposed' AND payload->>'to' = 'expired'`))
	require.Equal(t, copies, b.count(`SELECT count(*) FROM events WHERE type = 'proposal.status_changed'`))
	require.Equal(t, copies, b.count(`SELECT count(*) FROM river_job WHERE kind = 'fan_out_event'`)-fanOuts)
	require.Equal(t, copies, b.count(`SELECT count(*) FROM audit_log WHERE action = 'transition' AND resource_type = 'proposal'
		AND actor_role = 'system' AND details->>'to' = 'expired' AND details->>'offer_id' = $1`, b.offer.String()))

	// Nothing left: a second run expires nothing and writes nothing.
	n, err = b.store.ExpireProposals(b.ctx, store.DefaultProposalExpiry)
	require.NoError(t, err)
	require.Zero(t, n)
	require.Equal(t, copies, b.count(`SELECT count(*) FROM events WHERE type = 'proposal.status_changed'`))
}

// TestRemindExpiringProposalsInBatches reminds every proposal due a
// reminder once, across batches.
func TestRemindExpiringProposalsInBatches(t *testing.T) {
	t.Parallel()
	b := setup(t)
	trainee := b.trainee()
	b.cloneTrainee(trainee, copies-1)
	b.exec(`INSERT INTO proposals (id, trainee_id, offer_id, organisation_id, company_id, status, origin, status_actor_role,
			status_changed_at, proposed_at)
		SELECT gen_random_uuid(), t.id, $1, t.organisation_id, $2, 'proposed', 'adviser', 'adviser',
			now() - interval '12 days', now() - interval '12 days'
		FROM trainees t`, b.offer, b.company)
	n, err := b.store.RemindExpiringProposals(b.ctx, store.DefaultProposalExpiry, store.DefaultProposalReminderBefore)
	require.NoError(t, err)
	require.Equal(t, copies, n)
	require.Equal(t, copies, b.count(`SELECT count(DISTINCT subject_id) FROM events WHERE type = 'proposal.expiring'
		AND payload ? 'expires_at'`))
	n, err = b.store.RemindExpiringProposals(b.ctx, store.DefaultProposalExpiry, store.DefaultProposalReminderBefore)
	require.NoError(t, err)
	require.Zero(t, n, "one reminder per proposal")
}

// TestCreateDueFollowupsInBatches creates the three follow-ups of many
// trainees who left seven months ago (by the database's day in Paris), each
// once with its event to the referent, across batches.
func TestCreateDueFollowupsInBatches(t *testing.T) {
	t.Parallel()
	b := setup(t)
	trainee := b.trainee()
	b.exec(`UPDATE trainees SET status = 'exited', exit_date = (now() AT TIME ZONE 'Europe/Paris')::date - interval '7 months'
		WHERE id = $1`, trainee)
	b.cloneTrainee(trainee, copies-1)
	// Left two months ago: only the first follow-up is due.
	recent := b.trainee()
	b.exec(`UPDATE trainees SET status = 'exited', exit_date = (now() AT TIME ZONE 'Europe/Paris')::date - interval '2 months'
		WHERE id = $1`, recent)

	n, err := b.store.CreateDueFollowups(b.ctx)
	require.NoError(t, err)
	require.Equal(t, 3*copies+1, n)
	require.Equal(t, 3*copies+1, b.count(`SELECT count(*) FROM followups`))
	require.Equal(t, 1, b.count(`SELECT count(*) FROM followups WHERE trainee_id = $1`, recent))
	require.Equal(t, 3*copies+1, b.count(`SELECT count(*) FROM events e JOIN followups f ON f.id = e.subject_id
		WHERE e.type = 'followup.due' AND e.adviser_id = $1 AND e.payload->>'followup_id' = f.id::text
		AND (e.payload->>'month')::int = f.month AND e.payload->>'due_date' = f.due_date::text`, b.adviser))

	n, err = b.store.CreateDueFollowups(b.ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	require.Equal(t, 3*copies+1, b.count(`SELECT count(*) FROM events WHERE type = 'followup.due'`))
}

// TestExpireOffersInBatches expires more offers than a batch holds, each
// audited with its index and match jobs; a paused one too, a future one not.
func TestExpireOffersInBatches(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.exec(`INSERT INTO offers SELECT (jsonb_populate_record(o, jsonb_build_object('id', gen_random_uuid()))).*
		FROM offers o, generate_series(1, $2) WHERE o.id = $1`, b.offer, copies-1)
	b.exec(`UPDATE offers SET expires_at = now() - interval '1 hour'`)
	b.exec(`UPDATE offers SET status = 'paused' WHERE id = $1`, b.offer)
	future, err := b.store.CreateOffer(b.ctx, passerelle.System, offerInput(b.company))
	require.NoError(t, err)
	_, err = b.store.TransitionOffer(b.ctx, passerelle.System, future.ID, nil, store.ActionPublish)
	require.NoError(t, err)
	b.exec(`DELETE FROM search_pending`)

	n, err := b.store.ExpireOffers(b.ctx)
	require.NoError(t, err)
	require.Equal(t, copies, n)
	require.Equal(t, copies, b.count(`SELECT count(*) FROM offers WHERE status = 'expired'`))
	require.Equal(t, "published", b.offerStatus(future.ID))
	require.Equal(t, copies, b.count(`SELECT count(*) FROM audit_log WHERE action = 'expire' AND resource_type = 'offer'
		AND details->>'to' = 'expired' AND details->>'company_id' = $1`, b.company.String()))
	require.Equal(t, 1, b.count(`SELECT count(*) FROM audit_log WHERE action = 'expire' AND resource_id = $1
		AND details->>'from' = 'paused'`, b.offer))
	require.Equal(t, copies, b.count(`SELECT count(*) FROM search_pending p JOIN offers o ON o.id = p.offer_id AND o.status = 'expired'`),
		"every expired offer is queued for the index job, in the same transaction")
	require.Equal(t, 1, b.count(`SELECT count(*) FROM river_job WHERE kind = 'index_offers' AND finalized_at IS NULL`))
	n, err = b.store.ExpireOffers(b.ctx)
	require.NoError(t, err)
	require.Zero(t, n)
}

// TestListTraineesAuditsEachIdentityRead writes one audit row per trainee of
// the page read, with who read and whether RQTH was held.
func TestListTraineesAuditsEachIdentityRead(t *testing.T) {
	t.Parallel()
	b := setup(t)
	trainee := b.trainee()
	b.cloneTrainee(trainee, 149)
	key := uuid.New()
	adviser := passerelle.Principal{Role: passerelle.RoleAdviser, OrganisationID: b.org, KeyID: key}
	page, _, err := b.store.ListTrainees(b.ctx, adviser, b.org, store.TraineeFilter{}, store.Page{Limit: 120})
	require.NoError(t, err)
	require.Len(t, page, 120)
	require.Equal(t, 120, b.count(`SELECT count(DISTINCT resource_id) FROM audit_log WHERE action = 'read_identity'
		AND resource_type = 'trainee' AND actor_role = 'adviser' AND actor_key_id = $1 AND organisation_id = $2
		AND details = '{"rqth": false}'`, key, b.org))
	for _, tr := range page {
		require.Equal(t, 1, b.count(`SELECT count(*) FROM audit_log WHERE action = 'read_identity' AND resource_id = $1`, tr.ID))
	}
}

func (b *bundle) proposalOf(trainee uuid.UUID) uuid.UUID {
	b.t.Helper()
	var id uuid.UUID
	require.NoError(b.t, b.pool.QueryRow(b.ctx, `SELECT id FROM proposals WHERE trainee_id = $1`, trainee).Scan(&id))
	return id
}

func (b *bundle) offerStatus(offer uuid.UUID) string {
	b.t.Helper()
	var s string
	require.NoError(b.t, b.pool.QueryRow(b.ctx, `SELECT status FROM offers WHERE id = $1`, offer).Scan(&s))
	return s
}
