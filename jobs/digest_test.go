package jobs

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/notify"
	"github.com/passerelle-dev/passerelle/store"
)

func TestLastDigestCutoff(t *testing.T) {
	t.Parallel()
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, notify.Paris)
		require.NoError(t, err)
		return v
	}
	require.Equal(t, at("2027-03-02 08:00"), LastDigestCutoff(at("2027-03-02 09:30"), 8))
	require.Equal(t, at("2027-03-01 08:00"), LastDigestCutoff(at("2027-03-02 07:59"), 8))
	require.Equal(t, at("2027-03-02 08:00"), LastDigestCutoff(at("2027-03-02 08:00"), 8))
	// Summer time: 08:00 in Paris is 06:00 UTC.
	require.Equal(t, time.Date(2027, 7, 1, 6, 0, 0, 0, time.UTC), LastDigestCutoff(time.Date(2027, 7, 1, 12, 0, 0, 0, time.UTC), 8).UTC())
}

func TestDailyDigestSentOnce(t *testing.T) {
	t.Parallel()
	b := setupNotify(t)
	a := b.adviser(t, "Léa Martin", store.NotificationPreferences{"proposal.created": store.DeliveryDailyDigest})
	b.start(t, b.river)
	var events []store.Event
	for i := range 3 {
		events = append(events, b.proposalEvent(a.ID, fmt.Sprintf("Offre %d", i)))
	}
	_, err := b.store.RecordEvents(context.Background(), events)
	require.NoError(t, err)
	eventually(t, 20*time.Second, func() (bool, string) {
		n := b.count(t, `SELECT count(*) FROM deliveries WHERE mode = 'digest' AND status = 'pending'`)
		return n == 3, fmt.Sprintf("%d waiting for the digest", n)
	})
	require.Empty(t, b.smtp.Messages(), "nothing sent before the digest hour")

	// Nothing is due before the digest hour that follows the events.
	n, err := ScheduleDigests(context.Background(), b.store, b.river, time.Now(), b.cfg.DigestHour)
	require.NoError(t, err)
	require.Zero(t, n)
	tomorrow := LastDigestCutoff(time.Now(), b.cfg.DigestHour).Add(24*time.Hour + time.Minute)
	for range 2 { // a second schedule (another worker) enqueues nothing more
		_, err := ScheduleDigests(context.Background(), b.store, b.river, tomorrow, b.cfg.DigestHour)
		require.NoError(t, err)
	}
	b.smtp.Wait(t, 1, 20*time.Second)
	eventually(t, 10*time.Second, func() (bool, string) {
		n := b.count(t, `SELECT count(*) FROM deliveries WHERE mode = 'digest' AND status = 'sent' AND digest_id IS NOT NULL`)
		return n == 3, fmt.Sprintf("%d sent in the digest", n)
	})
	_, err = ScheduleDigests(context.Background(), b.store, b.river, tomorrow.Add(time.Hour), b.cfg.DigestHour)
	require.NoError(t, err)
	time.Sleep(300 * time.Millisecond)
	msgs := b.smtp.Messages()
	require.Len(t, msgs, 1, "one digest")
	require.Equal(t, []string{"léa.martin@e2c.example"}, msgs[0].To)
	require.True(t, strings.HasPrefix(msgs[0].Subject, "Votre résumé du "), msgs[0].Subject)
	require.True(t, strings.HasSuffix(msgs[0].Subject, ": 3 nouveautés"), msgs[0].Subject)
	text, _ := msgs[0].Bodies()
	for i := range 3 {
		require.Contains(t, text, fmt.Sprintf("« Offre %d »", i))
	}
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM digests WHERE sent_at IS NOT NULL`))
	require.Equal(t, 3, b.count(t, `SELECT count(*) FROM notifications`), "the inbox has them at once")
}
