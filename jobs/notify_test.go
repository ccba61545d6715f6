package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/internal/datakey"
	"github.com/passerelle-dev/passerelle/internal/testdb"
	"github.com/passerelle-dev/passerelle/internal/testsmtp"
	"github.com/passerelle-dev/passerelle/notify"
	"github.com/passerelle-dev/passerelle/store"
)

// notifyBundle is a database, a real SMTP server and a River client working
// the notification jobs.
type notifyBundle struct {
	pool  *pgxpool.Pool
	store *store.Store
	smtp  *testsmtp.Server
	cfg   Config
	river *river.Client[pgx.Tx]
	org   uuid.UUID
}

func setupNotify(t *testing.T) *notifyBundle {
	t.Helper()
	pool := testdb.NewPool(t)
	st := store.New(pool, nil)
	st.SetDataKeys(datakey.Ephemeral("test"))
	srv := testsmtp.Start(t)
	mailer, err := notify.NewMailer(srv.URL, "Passerelle <no-reply@passerelle.test>")
	require.NoError(t, err)
	t.Cleanup(mailer.Close)
	b := &notifyBundle{pool: pool, store: st, smtp: srv}
	b.cfg = Config{Work: true, MaxWorkers: 10, SoftStopTimeout: time.Second, Logger: slog.New(slog.DiscardHandler),
		Notifier: NewNotifier(st, mailer, "Passerelle <no-reply@passerelle.test>", NewDeliveryMetrics()), DigestHour: 8}
	b.cfg.Notifier.Webhooks = notify.NewSender(notify.Guard{AllowLoopback: true})
	org, err := st.CreateOrganisation(context.Background(), passerelle.System, store.OrganisationInput{Kind: "e2c", Name: "E2C Normandie", Town: "Caen"})
	require.NoError(t, err)
	b.org = org.ID
	b.river = b.newClient(t)
	return b
}

// newClient builds a River client (the store enqueues with it) without
// starting it.
func (b *notifyBundle) newClient(t *testing.T) *river.Client[pgx.Tx] {
	t.Helper()
	rc, err := NewClient(b.pool, b.store, b.cfg)
	require.NoError(t, err)
	b.store.SetRiver(rc)
	return rc
}

func (b *notifyBundle) start(t *testing.T, rc *river.Client[pgx.Tx]) {
	t.Helper()
	require.NoError(t, rc.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = rc.StopAndCancel(ctx)
	})
}

func (b *notifyBundle) adviser(t *testing.T, name string, prefs store.NotificationPreferences) store.Adviser {
	t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@e2c.example"
	a, err := b.store.CreateAdviser(context.Background(), passerelle.System, b.org, store.AdviserInput{Name: name, Email: email, NotificationPreferences: prefs})
	require.NoError(t, err)
	return a
}

// proposalEvent is a proposal.created event for adviser a's trainee.
func (b *notifyBundle) proposalEvent(a uuid.UUID, title string) store.Event {
	return store.Event{Type: "proposal.created", OrganisationID: &b.org, AdviserID: &a, SubjectType: "proposal", SubjectID: uuid.New(),
		Payload: map[string]any{"proposal_id": uuid.NewString(), "offer_title": title, "company_name": "Boulangerie du Port", "score": 87}}
}

func (b *notifyBundle) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, b.pool.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

// eventually waits for cond, or fails with what it last saw.
func eventually(t *testing.T, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, seen := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not after %s: %s", timeout, seen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestFanOutToInboxAndEmailByPreference(t *testing.T) {
	t.Parallel()
	b := setupNotify(t)
	instant := b.adviser(t, "Samia Benali", nil)
	off := b.adviser(t, "Marc Durand", store.NotificationPreferences{"proposal.created": store.DeliveryOff})
	digest := b.adviser(t, "Léa Martin", store.NotificationPreferences{"proposal.created": store.DeliveryDailyDigest})
	b.start(t, b.river)

	_, err := b.store.RecordEvents(context.Background(), []store.Event{
		b.proposalEvent(instant.ID, "Apprenti boulanger (H/F)"),
		b.proposalEvent(off.ID, "Commis de cuisine"),
		b.proposalEvent(digest.ID, "Vendeur en boulangerie"),
	})
	require.NoError(t, err)

	b.smtp.Wait(t, 1, 20*time.Second)
	eventually(t, 10*time.Second, func() (bool, string) {
		n := b.count(t, `SELECT count(*) FROM notifications`)
		return n == 3, fmt.Sprintf("%d inbox rows", n)
	})
	time.Sleep(300 * time.Millisecond) // a second email would have come by now
	msgs := b.smtp.Messages()
	require.Len(t, msgs, 1, "only the instant adviser gets an email now")
	m := msgs[0]
	require.Equal(t, []string{"samia.benali@e2c.example"}, m.To)
	require.Equal(t, "Nouvelle piste de placement : Apprenti boulanger (H/F)", m.Subject)
	text, html := m.Bodies()
	require.Contains(t, text, "Bonjour Samia Benali,")
	require.Contains(t, text, "« Apprenti boulanger (H/F) » chez Boulangerie du Port")
	require.Contains(t, text, "Score de correspondance : 87/100.")
	require.Contains(t, html, "<h1")
	require.Contains(t, html, "Apprenti boulanger (H/F)")
	require.Regexp(t, `^<[0-9a-f-]{36}@passerelle\.test>$`, m.MessageID)

	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM deliveries WHERE channel = 'email' AND mode = 'instant' AND status = 'sent'`))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM deliveries WHERE mode = 'digest' AND status = 'pending' AND adviser_id = $1`, digest.ID))
	require.Equal(t, 0, b.count(t, `SELECT count(*) FROM deliveries WHERE adviser_id = $1`, off.ID), "off: inbox only")
	var title, body string
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT title, body FROM notifications WHERE adviser_id = $1`, off.ID).Scan(&title, &body))
	require.Equal(t, "Nouvelle piste de placement : Commis de cuisine", title)
	require.Contains(t, body, "Commis de cuisine")
}

func TestEmailRetriedAfterSMTPRefusal(t *testing.T) {
	t.Parallel()
	b := setupNotify(t)
	a := b.adviser(t, "Samia Benali", nil)
	b.smtp.Refuse(1)
	b.start(t, b.river)
	_, err := b.store.RecordEvents(context.Background(), []store.Event{b.proposalEvent(a.ID, "Apprenti boulanger (H/F)")})
	require.NoError(t, err)

	// River retries the job (its first backoff is about a second).
	msgs := b.smtp.Wait(t, 1, 30*time.Second)
	require.Equal(t, "samia.benali@e2c.example", msgs[0].To[0])
	eventually(t, 10*time.Second, func() (bool, string) {
		n := b.count(t, `SELECT count(*) FROM deliveries WHERE status = 'sent' AND attempts = 2`)
		return n == 1, fmt.Sprintf("%d sent after two attempts", n)
	})
	var jobErrors string
	eventually(t, 10*time.Second, func() (bool, string) { // River completes the job just after
		err := b.pool.QueryRow(context.Background(),
			`SELECT errors::text FROM river_job WHERE kind = 'send_email' AND state = 'completed' AND attempt = 2`).Scan(&jobErrors)
		return err == nil, fmt.Sprint(err)
	})
	require.Contains(t, jobErrors, "451", "the first attempt was refused")
	require.Len(t, b.smtp.Messages(), 1)
}

func TestOfferExpiringEmailsTheCompanyContacts(t *testing.T) {
	t.Parallel()
	b := setupNotify(t)
	c, err := b.store.CreateCompany(context.Background(), passerelle.System, store.CompanyInput{SIRET: "44306184100047", Name: "Boulangerie du Port",
		Address:  store.Address{Street: "1 quai", PostalCode: "14000", Town: "Caen"},
		Contacts: []store.Contact{{Name: "Marc Lefèvre", Email: "Marc@Boulangerie.example"}, {Name: "Sans courriel"}, {Name: "Julie", Email: "julie@boulangerie.example"}}})
	require.NoError(t, err)
	b.start(t, b.river)
	_, err = b.store.RecordEvents(context.Background(), []store.Event{{Type: store.EventOfferExpiring, CompanyID: &c.ID, SubjectType: "offer", SubjectID: uuid.New(),
		Payload: map[string]any{"offer_id": uuid.NewString(), "title": "Apprenti boulanger (H/F)", "town": "Caen", "expires_at": "2027-03-01T10:00:00Z"}}})
	require.NoError(t, err)
	msgs := b.smtp.Wait(t, 2, 20*time.Second)
	var to []string
	for _, m := range msgs {
		to = append(to, m.To...)
		require.Equal(t, "Votre offre « Apprenti boulanger (H/F) » expire bientôt", m.Subject)
		text, _ := m.Bodies()
		require.Contains(t, text, "expirera le 1er mars 2027 à 11 h 00", "Paris time")
	}
	require.ElementsMatch(t, []string{"marc@boulangerie.example", "julie@boulangerie.example"}, to)
}

// TestKilledWorkerLosesAndDoublesNothing stops a worker hard in the middle of
// a fan-out of many events (cancelling every running job), starts another,
// and counts: every event has its inbox row and its email, once, in the
// database and at the SMTP server.
func TestKilledWorkerLosesAndDoublesNothing(t *testing.T) {
	t.Parallel()
	b := setupNotify(t)
	const advisers, perAdviser = 10, 30
	var events []store.Event
	for i := range advisers {
		a := b.adviser(t, fmt.Sprintf("Conseiller %d", i), nil)
		for j := range perAdviser {
			events = append(events, b.proposalEvent(a.ID, fmt.Sprintf("Offre %d-%d", i, j)))
		}
	}
	total := len(events)
	_, err := b.store.RecordEvents(context.Background(), events)
	require.NoError(t, err)

	first := b.river
	require.NoError(t, first.Start(context.Background()))
	b.smtp.Wait(t, total/5, 60*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	require.NoError(t, first.StopAndCancel(ctx))
	cancel()
	midway := len(b.smtp.Messages())
	t.Logf("killed after %d of %d emails", midway, total)
	require.Less(t, midway, total, "the worker was stopped mid-way")

	second := b.newClient(t)
	b.start(t, second)
	eventually(t, 90*time.Second, func() (bool, string) {
		n := b.count(t, `SELECT count(*) FROM deliveries WHERE status = 'sent'`)
		return n == total, fmt.Sprintf("%d of %d deliveries sent", n, total)
	})
	time.Sleep(500 * time.Millisecond)
	require.Equal(t, total, b.count(t, `SELECT count(*) FROM notifications`), "inbox rows")
	require.Equal(t, total, b.count(t, `SELECT count(DISTINCT event_id) FROM notifications`))
	require.Equal(t, total, b.count(t, `SELECT count(*) FROM deliveries`), "deliveries")
	msgs := b.smtp.Messages()
	ids := map[string]int{}
	subjects := map[string]int{}
	for _, m := range msgs {
		ids[m.MessageID]++
		subjects[m.To[0]+" "+m.Subject]++
	}
	require.Len(t, msgs, total, "messages at the SMTP server")
	require.Len(t, ids, total, "distinct Message-IDs")
	require.Len(t, subjects, total, "distinct recipient and subject")
	eventually(t, 10*time.Second, func() (bool, string) {
		n := b.count(t, `SELECT count(*) FROM river_job WHERE kind IN ('fan_out_event', 'send_email') AND state <> 'completed'`)
		return n == 0, fmt.Sprintf("%d jobs not completed", n)
	})
}
