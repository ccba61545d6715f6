package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/internal/datakey"
	"github.com/passerelle-dev/passerelle/jobs"
	"github.com/passerelle-dev/passerelle/matching"
	"github.com/passerelle-dev/passerelle/store"
)

// measureRematchDB loads trainees and runs the nightly re-match the way the
// worker does (jobs.Rematch): every published offer in one in-memory index,
// every trainee's profile read, matched, and their suggestions applied in a
// transaction of their own, with events and their notification jobs. The
// referent's preferences turn e-mail off, so the SMTP server is not part of
// this bar (it has its own).
func (b *runner) measureRematchDB(ctx context.Context) (Measurement, error) {
	_, n := b.cfg.matchShape()
	referent := uuid.New()
	if _, err := b.pool.Exec(ctx, `INSERT INTO advisers (id, organisation_id, name, email, notification_preferences)
		VALUES ($1, $2, 'Référent du banc', 'bench.referent@example.org',
			'{"proposal.created": "off", "proposal.status_changed": "off"}')`, referent, b.setup.organisation); err != nil {
		return Measurement{}, fmt.Errorf("bench: referent: %w", err)
	}
	step := time.Now()
	trainees := b.data.Trainees(23, n, time.Now())
	// The bench's database dies with it: so may its data key.
	keys := datakey.Ephemeral("bench")
	if err := b.data.LoadTrainees(ctx, b.pool, keys, b.setup.organisation, referent, uuid.New(), trainees); err != nil {
		return Measurement{}, err
	}
	b.logf("bench: %d trainees loaded (%s); re-matching…", n, since(step))

	st := store.New(b.pool, nil)
	st.SetDataKeys(keys)
	st.SetRiver(b.river)
	start := time.Now()
	res, err := jobs.Rematch(ctx, st, matching.Options{TopN: jobs.DefaultMatchTopN, Threshold: jobs.DefaultMatchThreshold})
	took := time.Since(start)
	if err != nil {
		return Measurement{}, err
	}
	side := Side{Name: fmt.Sprintf("%d×%d", res.Trainees, res.Offers), Stats: Summarise([]time.Duration{took})}
	note := fmt.Sprintf("one run of jobs.Rematch: %d trainees × %d offers, %d suggestions created, %d withdrawn; "+
		"%.1f trainees/s; each trainee's suggestions, events and notification jobs in its own transaction",
		res.Trainees, res.Offers, res.Created, res.Withdrawn, float64(res.Trainees)/took.Seconds())
	return single(RematchDB, "≤ 60 s", 60*time.Second, side, note), nil
}
