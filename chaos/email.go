package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// workerKilled records proposal events for advisers of a domain of its own
// and kills (SIGKILL) one of the two workers once some emails went out, then
// starts a new one. Every email must reach the SMTP server once: counted at
// maildev by Message-ID.
func (r *run) workerKilled(ctx context.Context) Outcome {
	const total = 300
	domain, org, err := r.emailEvents(ctx, "kill", total)
	if err != nil {
		return failed("%v", err)
	}
	if err := r.waitSent(ctx, org, total/10, time.Minute); err != nil {
		return failed("%v", err)
	}
	victim := r.workers[0]
	victim.Kill()
	r.logf("chaos: %s killed (pid %d) mid fan-out", victim.Name, victim.Pid())
	if r.workers[0], err = r.start(ctx, victim.Name, "worker"); err != nil {
		return failed("%v", err)
	}
	return r.emailOutcome(ctx, domain, org, total, "")
}

// smtpDown stops the SMTP server, records events, starts it again after a
// few seconds: the failed sends retry, and every email arrives once.
func (r *run) smtpDown(ctx context.Context) Outcome {
	const total = 40
	if err := r.cfg.Services.Stop(ctx, "maildev"); err != nil {
		return failed("stop maildev: %v", err)
	}
	domain, org, err := r.emailEvents(ctx, "smtp", total)
	if err != nil {
		return failed("%v", err)
	}
	time.Sleep(5 * time.Second)
	var failedAttempts int
	_ = r.pool.QueryRow(ctx, `SELECT count(*) FROM deliveries d JOIN advisers a ON a.id = d.adviser_id
		WHERE a.organisation_id = $1 AND d.attempts > 0 AND d.status <> 'sent'`, org).Scan(&failedAttempts)
	if err := r.cfg.Services.Start(ctx, "maildev"); err != nil {
		return failed("start maildev: %v", err)
	}
	return r.emailOutcome(ctx, domain, org, total, fmt.Sprintf("%d deliveries had failed while SMTP was down; ", failedAttempts))
}

// emailEvents creates an organisation with 20 advisers at a domain of its
// own and records total proposal.created events for them.
func (r *run) emailEvents(ctx context.Context, name string, total int) (string, uuid.UUID, error) {
	domain := name + strings.ReplaceAll(uuid.NewString()[:8], "-", "") + ".chaos.example"
	org, err := r.store.CreateOrganisation(ctx, passerelle.System, store.OrganisationInput{Kind: "e2c", Name: "Chaos " + name, Town: "Caen"})
	if err != nil {
		return "", uuid.Nil, err
	}
	advisers := make([]uuid.UUID, 20)
	for i := range advisers {
		a, err := r.store.CreateAdviser(ctx, passerelle.System, org.ID, store.AdviserInput{
			Name: fmt.Sprintf("Conseillère %d", i), Email: fmt.Sprintf("conseillere-%d@%s", i, domain)})
		if err != nil {
			return "", uuid.Nil, err
		}
		advisers[i] = a.ID
	}
	events := make([]store.Event, total)
	for i := range events {
		a := advisers[i%len(advisers)]
		events[i] = store.Event{Type: "proposal.created", OrganisationID: &org.ID, AdviserID: &a, SubjectType: "proposal", SubjectID: uuid.New(),
			Payload: map[string]any{"proposal_id": uuid.NewString(), "offer_title": fmt.Sprintf("Offre %d", i), "score": 60}}
	}
	for i := 0; i < total; i += 100 {
		if _, err := r.store.RecordEvents(ctx, events[i:min(i+100, total)]); err != nil {
			return "", uuid.Nil, err
		}
	}
	return domain, org.ID, nil
}

// sent counts org's email deliveries recorded sent.
func (r *run) sent(ctx context.Context, org uuid.UUID) (int, error) {
	var n int
	err := r.pool.QueryRow(ctx, `SELECT count(*) FROM deliveries d JOIN advisers a ON a.id = d.adviser_id
		WHERE a.organisation_id = $1 AND d.channel = 'email' AND d.status = 'sent'`, org).Scan(&n)
	return n, err
}

// waitSent waits until want emails are recorded sent, for as long as they
// keep coming: it gives up after within, or after three minutes without one
// more (the jobs a dead worker held come back after
// jobs.RescueStuckJobsAfter, and the rescuer's next pass).
func (r *run) waitSent(ctx context.Context, org uuid.UUID, want int, within time.Duration) error {
	deadline := time.Now().Add(within)
	last, lastAt := -1, time.Now()
	for {
		n, err := r.sent(ctx, org)
		if err == nil && n >= want {
			return nil
		}
		if n != last {
			last, lastAt = n, time.Now()
		}
		if time.Now().After(deadline) || time.Since(lastAt) > 3*time.Minute {
			return fmt.Errorf("%d of %d emails sent, none more for %s (%w)", n, want, time.Since(lastAt).Round(time.Second), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// emailOutcome waits (5 minutes at most) for every email to be recorded
// sent, then counts at maildev.
func (r *run) emailOutcome(ctx context.Context, domain string, org uuid.UUID, total int, note string) Outcome {
	waitErr := r.waitSent(ctx, org, total, 5*time.Minute)
	sent, _ := r.sent(ctx, org)
	// Jobs a killed worker was running stay 'running' until River's rescuer
	// gives them back (jobs.RescueStuckJobsAfter).
	var running int
	_ = r.pool.QueryRow(ctx, `SELECT count(*) FROM river_job j JOIN deliveries d ON d.id = (j.args->>'delivery_id')::uuid
		JOIN advisers a ON a.id = d.adviser_id WHERE j.kind = 'send_email' AND j.state = 'running' AND a.organisation_id = $1`, org).Scan(&running)
	n, ids, err := r.countAtMaildev(ctx, domain, total)
	if err != nil {
		return failed("maildev: %v", err)
	}
	// Every attempt of a delivery carries the same Message-ID, so a copy sent
	// again after a kill in the SMTP window (accepted, not yet recorded) is one
	// message to its recipient (docs/notifications.md, "The limit, with
	// SMTP"): doubled counts what a recipient sees twice, distinct
	// Message-IDs beyond one per email; resent copies are printed apart.
	o := Outcome{Lost: total - ids, Doubled: max(ids-total, 0),
		Detail: fmt.Sprintf("%s%d emails; %d recorded sent; at the SMTP server %d messages, %d distinct Message-IDs "+
			"(%d resent with the same Message-ID); send jobs still 'running': %d",
			note, total, sent, n, ids, n-ids, running)}
	if waitErr != nil {
		o.Detail += "; " + waitErr.Error()
	}
	o.OK = o.Lost == 0 && o.Doubled == 0 && sent == total
	return o
}

// countAtMaildev counts the messages maildev holds for domain, and their
// distinct Message-IDs, waiting up to 30 s for want of them.
func (r *run) countAtMaildev(ctx context.Context, domain string, want int) (n, ids int, err error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		a, err := call(ctx, http.MethodGet, strings.TrimRight(r.cfg.MaildevURL, "/")+"/email", "", nil)
		if err != nil {
			return 0, 0, err
		}
		var emails []struct {
			MessageID string `json:"messageId"`
			To        []struct {
				Address string `json:"address"`
			} `json:"to"`
		}
		if err := json.Unmarshal(a.body, &emails); err != nil {
			return 0, 0, err
		}
		n = 0
		seen := map[string]bool{}
		for _, e := range emails {
			if len(e.To) == 1 && strings.HasSuffix(e.To[0].Address, "@"+domain) {
				n++
				seen[e.MessageID] = true
			}
		}
		if n >= want || time.Now().After(deadline) {
			return n, len(seen), nil
		}
		time.Sleep(250 * time.Millisecond)
	}
}
