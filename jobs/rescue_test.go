package jobs

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/store"
)

// abandon makes the jobs of kinds for event look as a SIGKILL leaves them:
// `running`, attempted ten minutes ago by a client that is gone.
func (b *notifyBundle) abandon(t *testing.T, eventID string, kinds ...string) int {
	t.Helper()
	tag, err := b.pool.Exec(context.Background(), `UPDATE river_job SET state = 'running', finalized_at = NULL,
			attempt = greatest(attempt, 1), attempted_at = now() - interval '10 minutes', attempted_by = ARRAY['killed-worker']
		WHERE kind = ANY($1) AND (args->>'event_id' = $2 OR args->>'delivery_id' IN (
			SELECT id::text FROM deliveries WHERE event_id::text = $2))`, kinds, eventID)
	require.NoError(t, err)
	return int(tag.RowsAffected())
}

// TestJobsLeftRunningByACrashAreRescued leaves two events' jobs as a killed
// worker leaves them — one whose email was already sent (its completion
// lost), one whose fan-out had not run — and starts a client with the
// production rescue settings: the rescuer puts both back, they complete, and
// each email reaches the SMTP server exactly once.
func TestJobsLeftRunningByACrashAreRescued(t *testing.T) {
	t.Parallel()
	b := setupNotify(t)
	ctx := context.Background()
	done := b.adviser(t, "Conseillère Faite", nil)
	pending := b.adviser(t, "Conseiller Attente", nil)

	// The first event is worked to the end: one email sent.
	events, err := b.store.RecordEvents(ctx, []store.Event{b.proposalEvent(done.ID, "Offre déjà envoyée")})
	require.NoError(t, err)
	first := b.river
	require.NoError(t, first.Start(ctx))
	b.smtp.Wait(t, 1, 30*time.Second)
	eventually(t, 30*time.Second, func() (bool, string) {
		n := b.count(t, `SELECT count(*) FROM river_job WHERE kind IN ('fan_out_event', 'send_email') AND state <> 'completed'`)
		return n == 0, fmt.Sprintf("%d jobs not completed", n)
	})
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	require.NoError(t, first.Stop(stopCtx))
	cancel()

	// The crash: its jobs (work done) and a second event's fan-out (work not
	// done) stay running, attempted by a worker that is gone.
	require.Equal(t, 2, b.abandon(t, events[0].String(), "fan_out_event", "send_email"))
	second := b.newClient(t) // the second event is enqueued with it, not worked yet
	events, err = b.store.RecordEvents(ctx, []store.Event{b.proposalEvent(pending.ID, "Offre en attente")})
	require.NoError(t, err)
	require.Equal(t, 1, b.abandon(t, events[0].String(), "fan_out_event"))
	require.Equal(t, 3, b.count(t, `SELECT count(*) FROM river_job WHERE kind IN ('fan_out_event', 'send_email') AND state = 'running'`))

	b.start(t, second)
	eventually(t, 90*time.Second, func() (bool, string) {
		n := b.count(t, `SELECT count(*) FROM river_job WHERE kind IN ('fan_out_event', 'send_email') AND state <> 'completed'`)
		var seen string
		_ = b.pool.QueryRow(ctx, `SELECT coalesce(string_agg(kind || ' ' || state || ' ' || scheduled_at::text || ' ' || attempt, '; '), '')
			FROM river_job WHERE kind IN ('fan_out_event', 'send_email') AND state <> 'completed'`).Scan(&seen)
		return n == 0 && len(b.smtp.Messages()) == 2, fmt.Sprintf("%d jobs not completed (%s), %d emails", n, seen, len(b.smtp.Messages()))
	})
	// Rescued, not merely run: River recorded the rescue on each of the three.
	require.Equal(t, 3, b.count(t, `SELECT count(*) FROM river_job
		WHERE errors::text LIKE '%Stuck job rescued by JobRescuer%'`))
	// Each effect happened once.
	require.Len(t, b.smtp.Messages(), 2)
	to := map[string]int{}
	for _, m := range b.smtp.Messages() {
		to[m.To[0]]++
	}
	require.Equal(t, map[string]int{done.Email: 1, pending.Email: 1}, to)
	require.Equal(t, 2, b.count(t, `SELECT count(*) FROM deliveries WHERE status = 'sent'`))
	require.Equal(t, 2, b.count(t, `SELECT count(*) FROM notifications`))
}
