package jobs

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/internal/datakey"
	"github.com/passerelle-dev/passerelle/internal/testdb"
	"github.com/passerelle-dev/passerelle/store"
)

// programme is an organisation with a referent, a partner company and its
// published offer.
type programme struct {
	store          *store.Store
	org, referent  uuid.UUID
	company, offer uuid.UUID
}

func setupProgramme(t *testing.T) *programme {
	t.Helper()
	ctx := context.Background()
	pool := testdb.NewPool(t)
	st := store.New(pool, nil)
	st.SetDataKeys(datakey.Ephemeral("test"))
	rc, err := NewClient(pool, st, Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	st.SetRiver(rc)
	p := &programme{store: st}
	o, err := st.CreateOrganisation(ctx, passerelle.System, store.OrganisationInput{Kind: "programme", Name: "Fabrique", Town: "Gonesse"})
	require.NoError(t, err)
	p.org = o.ID
	a, err := st.CreateAdviser(ctx, passerelle.System, p.org, store.AdviserInput{Name: "Référente", Email: "ref@example.org"})
	require.NoError(t, err)
	p.referent = a.ID
	c, err := st.CreateCompany(ctx, passerelle.Principal{Role: passerelle.RoleAdviser, OrganisationID: p.org},
		store.CompanyInput{SIRET: "44306184100047", Name: "Atelier", Address: store.Address{Street: "1 rue", PostalCode: "95500", Town: "Gonesse"}})
	require.NoError(t, err)
	p.company = c.ID
	off, err := st.CreateOffer(ctx, passerelle.System, store.OfferInput{CompanyID: c.ID, Kind: store.KindInternship, Title: "Stage web",
		ROMECodes: []string{"M1805"}, PostalCode: "95500", Positions: 3})
	require.NoError(t, err)
	_, err = st.TransitionOffer(ctx, passerelle.System, off.ID, nil, store.ActionPublish)
	require.NoError(t, err)
	p.offer = off.ID
	return p
}

func (p *programme) trainee(t *testing.T, status string, exit *time.Time) uuid.UUID {
	t.Helper()
	tr, err := p.store.CreateTrainee(context.Background(), passerelle.System, p.org, store.TraineeInput{
		ReferentID: p.referent, Status: status, ExitDate: exit,
		Identity: store.TraineeIdentity{FirstName: "Test", LastName: "Fictif", BirthDate: time.Date(2004, 5, 6, 0, 0, 0, 0, time.UTC)},
		Profile:  store.TraineeProfile{HomePostalCode: "95500"},
	})
	require.NoError(t, err)
	return tr.ID
}

func (p *programme) events(t *testing.T, typ string) []store.Event {
	t.Helper()
	es, err := p.store.ListEvents(context.Background(), store.EventFilter{Type: typ, Limit: 200})
	require.NoError(t, err)
	return es
}

// TestFollowupsFallDueByTheDatabaseClock moves exit dates back in the
// database (never the process clock) and runs the job: each follow-up is
// created once, on its month, with one followup.due to the referent.
func TestFollowupsFallDueByTheDatabaseClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := setupProgramme(t)
	w := &CreateFollowupsWorker{Store: p.store}
	today := time.Now()
	left := p.trainee(t, store.TraineeExited, &today)
	active := p.trainee(t, store.TraineeActive, nil)
	run := func() {
		require.NoError(t, w.Work(ctx, &river.Job[CreateFollowupsArgs]{}))
	}
	months := func(id uuid.UUID) []int {
		var out []int
		rows, err := p.store.Pool().Query(ctx, `SELECT month FROM followups WHERE trainee_id = $1 ORDER BY month`, id)
		require.NoError(t, err)
		for rows.Next() {
			var m int
			require.NoError(t, rows.Scan(&m))
			out = append(out, m)
		}
		return out
	}
	// exitedAgo sets the exit date back by the interval from today plus
	// days, by the database's calendar.
	exitedAgo := func(interval string, days int) {
		_, err := p.store.Pool().Exec(ctx, `UPDATE trainees SET exit_date = (current_date + $3::int) - $2::interval WHERE id = $1`,
			left, interval, days)
		require.NoError(t, err)
	}

	run()
	require.Empty(t, months(left), "nothing is due on the exit day")
	exitedAgo("1 month", 1)
	run()
	require.Empty(t, months(left), "the day before the first month (due tomorrow)")
	exitedAgo("1 month", 0)
	run()
	run()
	require.Equal(t, []int{1}, months(left), "due on the day, once")
	exitedAgo("3 months", 0)
	run()
	require.Equal(t, []int{1, 3}, months(left))
	exitedAgo("7 months", 0)
	run()
	run()
	require.Equal(t, []int{1, 3, 6}, months(left))
	require.Empty(t, months(active), "an active trainee has no follow-up")

	due := p.events(t, store.EventFollowupDue)
	require.Len(t, due, 3, "one event per follow-up, none twice")
	for _, e := range due {
		require.Equal(t, p.referent, *e.AdviserID)
		require.Equal(t, left.String(), e.Payload["trainee_id"])
	}
	require.EqualValues(t, 1, due[0].Payload["month"])

	// The due date is the exit date plus the months, by the database calendar.
	var dueDate, exitDate time.Time
	require.NoError(t, p.store.Pool().QueryRow(ctx, `SELECT f.due_date, t.exit_date FROM followups f JOIN trainees t ON t.id = f.trainee_id
		WHERE f.trainee_id = $1 AND f.month = 6`, left).Scan(&dueDate, &exitDate))
	require.Equal(t, exitDate.AddDate(0, 6, 0), dueDate)
}

// TestProposalsExpireByTheDatabaseClock sets status_changed_at in the past in
// the database and runs the job: the reminder goes once, before; the expiry
// is a recorded system transition with its event.
func TestProposalsExpireByTheDatabaseClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := setupProgramme(t)
	w := &ExpireProposalsWorker{Store: p.store, After: 14 * 24 * time.Hour, ReminderBefore: 3 * 24 * time.Hour}
	adviser := passerelle.Principal{Role: passerelle.RoleAdviser, OrganisationID: p.org, KeyID: uuid.New()}
	propose := func() uuid.UUID {
		pr, err := p.store.CreateProposal(ctx, adviser, store.ProposalInput{TraineeID: p.trainee(t, store.TraineeActive, nil), OfferID: p.offer})
		require.NoError(t, err)
		_, err = p.store.TransitionProposal(ctx, adviser, pr.ID, nil, store.TransitionInput{To: store.ProposalProposed})
		require.NoError(t, err)
		return pr.ID
	}
	waiting, answered, fresh := propose(), propose(), propose()
	_, err := p.store.TransitionProposal(ctx, passerelle.Principal{Role: passerelle.RoleCompany, CompanyID: p.company}, answered, nil,
		store.TransitionInput{To: store.ProposalInterview})
	require.NoError(t, err)
	run := func() { require.NoError(t, w.Work(ctx, &river.Job[ExpireProposalsArgs]{})) }
	proposedAgo := func(id uuid.UUID, interval string) {
		_, err := p.store.Pool().Exec(ctx, `UPDATE proposals SET status_changed_at = now() - $2::interval WHERE id = $1`, id, interval)
		require.NoError(t, err)
	}
	status := func(id uuid.UUID) string {
		pr, err := p.store.GetProposal(ctx, passerelle.System, id)
		require.NoError(t, err)
		return pr.Status
	}

	proposedAgo(waiting, "10 days 23 hours")
	proposedAgo(answered, "30 days")
	run()
	require.Empty(t, p.events(t, store.EventProposalExpiring), "not yet within 3 days of the expiry")
	proposedAgo(waiting, "11 days 1 hour")
	run()
	run()
	reminders := p.events(t, store.EventProposalExpiring)
	require.Len(t, reminders, 1, "reminded once")
	require.Equal(t, waiting.String(), reminders[0].Payload["proposal_id"])
	require.Equal(t, p.company, *reminders[0].CompanyID)
	require.Equal(t, p.referent, *reminders[0].AdviserID)
	require.Equal(t, store.ProposalProposed, status(waiting))

	proposedAgo(waiting, "14 days 1 minute")
	run()
	require.Equal(t, store.ProposalExpired, status(waiting))
	require.Equal(t, store.ProposalInterview, status(answered), "an answered proposal never expires")
	require.Equal(t, store.ProposalProposed, status(fresh))
	hist, err := p.store.ListProposalTransitions(ctx, passerelle.System, waiting)
	require.NoError(t, err)
	last := hist[len(hist)-1]
	require.Equal(t, store.ProposalExpired, last.To)
	require.Equal(t, store.RoleSystem, last.ActorRole)
	require.Contains(t, last.Reason, "14 days")
	var expired int
	for _, e := range p.events(t, store.EventProposalStatusChanged) {
		if e.Payload["to"] == store.ProposalExpired {
			expired++
			require.Equal(t, waiting.String(), e.Payload["proposal_id"])
		}
	}
	require.Equal(t, 1, expired)
	run()
	require.Len(t, p.events(t, store.EventProposalExpiring), 1)
}
