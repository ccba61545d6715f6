package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/matching"
	"github.com/passerelle-dev/passerelle/store"
)

// TestRematchAppliesEveryActiveProfile runs the nightly re-match on a small
// programme: the active trainee with a matching consent gets the offer
// suggested (with its event to the referent), the active one without
// consent loses the suggestion she had, and the trainee who left is not
// read at all.
func TestRematchAppliesEveryActiveProfile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := setupProgramme(t)
	profile := store.TraineeProfile{HomePostalCode: "95500", MobilityRadiusKm: 20, WantedKinds: []string{store.KindInternship},
		WantedROMECodes: []string{"M1805"}, Availability: []store.Window{{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}}
	newTrainee := func(status string, exit *time.Time) uuid.UUID {
		tr, err := p.store.CreateTrainee(ctx, passerelle.System, p.org, store.TraineeInput{
			ReferentID: p.referent, Status: status, ExitDate: exit, Profile: profile,
			Identity: store.TraineeIdentity{FirstName: "Test", LastName: "Fictif", BirthDate: time.Date(2004, 5, 6, 0, 0, 0, 0, time.UTC)},
		})
		require.NoError(t, err)
		return tr.ID
	}
	consenting := newTrainee(store.TraineeActive, nil)
	_, err := p.store.RecordConsent(ctx, passerelle.System, consenting, store.ConsentInput{Scope: store.ConsentMatching})
	require.NoError(t, err)
	withdrawn := newTrainee(store.TraineeActive, nil) // no matching consent
	_, err = p.store.Pool().Exec(ctx, `INSERT INTO proposals (id, trainee_id, offer_id, organisation_id, company_id, status,
			origin, status_actor_role) VALUES (gen_random_uuid(), $1, $2, $3, $4, 'suggested', 'matcher', 'system')`,
		withdrawn, p.offer, p.org, p.company)
	require.NoError(t, err)
	left := time.Now().AddDate(0, -1, 0)
	newTrainee(store.TraineeExited, &left)

	res, err := Rematch(ctx, p.store, matching.Options{TopN: DefaultMatchTopN, Threshold: 0})
	require.NoError(t, err)
	require.Equal(t, 2, res.Trainees, "the active trainees only")
	require.Equal(t, 1, res.Offers)
	require.Equal(t, int64(1), res.Created)
	require.Equal(t, int64(1), res.Withdrawn)
	status := func(trainee uuid.UUID) string {
		var s string
		require.NoError(t, p.store.Pool().QueryRow(ctx, `SELECT status FROM proposals WHERE trainee_id = $1 AND offer_id = $2`,
			trainee, p.offer).Scan(&s))
		return s
	}
	require.Equal(t, store.ProposalSuggested, status(consenting))
	require.Equal(t, store.ProposalWithdrawn, status(withdrawn))
	created := p.events(t, store.EventProposalCreated)
	require.Len(t, created, 1)
	require.Equal(t, p.referent, *created[0].AdviserID)
	require.Equal(t, consenting.String(), created[0].Payload["trainee_id"])

	// Run again: nothing new, nothing withdrawn.
	res, err = Rematch(ctx, p.store, matching.Options{TopN: DefaultMatchTopN, Threshold: 0})
	require.NoError(t, err)
	require.Zero(t, res.Created)
	require.Zero(t, res.Withdrawn)
}
