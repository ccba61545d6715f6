package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// NotifyProposals is the measurement of the notification bar.
const NotifyProposals = "notify_proposals"

// notifyAdvisers share the events: each gets events/notifyAdvisers of them.
const notifyAdvisers = 200

// measureNotify records new proposal.created events (10,000; 500 with
// --small) for advisers of an organisation of its own, in batches of 1,000
// events per transaction as the matcher would, and waits until every
// notification email is accepted by the SMTP server (the stack's maildev).
// It then counts at the server: every message there once, by Message-ID and
// by recipient and subject. The latency of each email runs from its event's
// commit to the SMTP server's acceptance (recorded by the worker); the bar is
// on the whole run.
func (b *runner) measureNotify(ctx context.Context) (Measurement, error) {
	const name = NotifyProposals
	const bar = "all accepted by SMTP ≤ 30 s, none twice"
	if b.cfg.SMTPURL == "" || b.cfg.MaildevURL == "" {
		return Measurement{}, errors.New(name + ": needs SMTP_URL and --maildev (the stack's maildev) to count at the SMTP server")
	}
	total := b.sizes.notify
	st := store.New(b.pool, b.river)
	org, err := st.CreateOrganisation(ctx, passerelle.System, store.OrganisationInput{Kind: "e2c", Name: "Bench notifications", Town: "Caen"})
	if err != nil {
		return Measurement{}, fmt.Errorf("%s: %w", name, err)
	}
	// A domain of the run's own, so that maildev's other messages do not count.
	domain := "n" + strings.ReplaceAll(uuid.NewString()[:8], "-", "") + ".bench.example"
	advisers := make([]uuid.UUID, notifyAdvisers)
	for i := range advisers {
		a, err := st.CreateAdviser(ctx, passerelle.System, org.ID, store.AdviserInput{
			Name: fmt.Sprintf("Conseiller %d", i), Email: fmt.Sprintf("conseiller-%d@%s", i, domain)})
		if err != nil {
			return Measurement{}, fmt.Errorf("%s: %w", name, err)
		}
		advisers[i] = a.ID
	}
	events := make([]store.Event, total)
	for i := range events {
		a := advisers[i%len(advisers)]
		events[i] = store.Event{Type: "proposal.created", OrganisationID: &org.ID, AdviserID: &a, SubjectType: "proposal", SubjectID: uuid.New(),
			Payload: map[string]any{"proposal_id": uuid.NewString(), "offer_title": fmt.Sprintf("Offre %d", i), "score": 50 + i%50}}
	}

	start := time.Now()
	for i := 0; i < total; i += 1000 {
		if _, err := st.RecordEvents(ctx, events[i:min(i+1000, total)]); err != nil {
			return Measurement{}, fmt.Errorf("%s: %w", name, err)
		}
	}
	var sent int
	for {
		if err := b.pool.QueryRow(ctx, `SELECT count(*) FROM deliveries d JOIN advisers a ON a.id = d.adviser_id
			WHERE a.organisation_id = $1 AND d.status = 'sent'`, org.ID).Scan(&sent); err != nil {
			return Measurement{}, fmt.Errorf("%s: %w", name, err)
		}
		b.tick(name, sent, total)
		if sent >= total || time.Since(start) > 5*time.Minute {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := time.Since(start)

	rows, err := b.pool.Query(ctx, `SELECT d.sent_at - e.occurred_at FROM deliveries d JOIN events e ON e.id = d.event_id
		JOIN advisers a ON a.id = d.adviser_id WHERE a.organisation_id = $1 AND d.status = 'sent'`, org.ID)
	if err != nil {
		return Measurement{}, fmt.Errorf("%s: %w", name, err)
	}
	var samples []time.Duration
	for rows.Next() {
		var d time.Duration
		if err := rows.Scan(&d); err != nil {
			rows.Close()
			return Measurement{}, fmt.Errorf("%s: %w", name, err)
		}
		samples = append(samples, d)
	}
	rows.Close()

	atServer, ids, pairs, err := b.countAtMaildev(ctx, domain, total)
	if err != nil {
		return Measurement{}, fmt.Errorf("%s: %w", name, err)
	}
	m := single(name, bar, 0, Side{Name: "proposal event committed → email accepted by SMTP", Stats: Summarise(samples)},
		fmt.Sprintf("%d events for %d advisers; all %d accepted in %.2f s; at the SMTP server: %d messages, %d distinct Message-IDs, %d distinct recipient+subject",
			total, notifyAdvisers, sent, elapsed.Seconds(), atServer, ids, pairs))
	m.Met = sent == total && atServer == total && ids == total && pairs == total && elapsed <= 30*time.Second
	return m, nil
}

// countAtMaildev counts the messages maildev holds for domain: all of them,
// distinct Message-IDs, and distinct recipient+subject pairs. It waits a
// little for maildev to show what it accepted.
func (b *runner) countAtMaildev(ctx context.Context, domain string, want int) (n, ids, pairs int, err error) {
	deadline := time.Now().Add(time.Minute)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(b.cfg.MaildevURL, "/")+"/email", nil)
		if err != nil {
			return 0, 0, 0, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("maildev: %w", err)
		}
		var emails []struct {
			ID        string `json:"id"`
			MessageID string `json:"messageId"`
			Subject   string `json:"subject"`
			To        []struct {
				Address string `json:"address"`
			} `json:"to"`
		}
		err = json.NewDecoder(resp.Body).Decode(&emails)
		resp.Body.Close()
		if err != nil {
			return 0, 0, 0, fmt.Errorf("maildev: %w", err)
		}
		n = 0
		seenIDs, seenPairs := map[string]bool{}, map[string]bool{}
		var mine []string
		for _, e := range emails {
			if len(e.To) == 0 || !strings.HasSuffix(e.To[0].Address, "@"+domain) {
				continue
			}
			n++
			seenIDs[e.MessageID] = true
			seenPairs[e.To[0].Address+" "+e.Subject] = true
			mine = append(mine, e.ID)
		}
		if n >= want || time.Now().After(deadline) {
			// The run's messages leave the inbox (maildev keeps every message
			// in memory and lists them all at once); the developer's stay.
			b.deleteAtMaildev(ctx, mine)
			return n, len(seenIDs), len(seenPairs), nil
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// deleteAtMaildev deletes messages from maildev, best effort: a message left
// behind costs memory, not correctness.
func (b *runner) deleteAtMaildev(ctx context.Context, ids []string) {
	for _, id := range ids {
		req, err := http.NewRequestWithContext(ctx, http.MethodDelete, strings.TrimRight(b.cfg.MaildevURL, "/")+"/email/"+id, nil)
		if err != nil {
			return
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return
		}
		resp.Body.Close()
	}
}
