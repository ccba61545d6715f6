package chaos

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/notify"
	"github.com/passerelle-dev/passerelle/store"
)

// slowWebhook points an organisation's webhook at a loopback receiver that
// takes longer than Passerelle's webhook timeout to answer each message's
// first request, and answers the next ones at once. Every message must be
// acknowledged (a 2xx the sender waited for) exactly once.
func (r *run) slowWebhook(ctx context.Context) Outcome {
	const total = 10
	rc := &receiver{slow: 12 * time.Second, attempts: map[string]int{}, acked: map[string]int{}}
	l, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return failed("%v", err)
	}
	srv := &http.Server{Handler: rc, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	defer func() { _ = srv.Close() }()

	org, err := r.store.CreateOrganisation(ctx, passerelle.System, store.OrganisationInput{Kind: "e2c", Name: "Chaos webhooks", Town: "Caen"})
	if err != nil {
		return failed("%v", err)
	}
	url := "http://" + l.Addr().String() + "/hook"
	types := []string{"proposal.created"}
	integrator := passerelle.Principal{Role: passerelle.RoleIntegrator, OrganisationID: org.ID}
	if _, err := r.store.CreateWebhook(ctx, integrator, store.WebhookInput{URL: &url, EventTypes: &types}, notify.NewSecret()); err != nil {
		return failed("%v", err)
	}
	events := make([]store.Event, total)
	for i := range events {
		events[i] = store.Event{Type: "proposal.created", OrganisationID: &org.ID, SubjectType: "proposal", SubjectID: uuid.New(),
			Payload: map[string]any{"proposal_id": uuid.NewString(), "offer_title": fmt.Sprintf("Offre %d", i), "score": 60}}
	}
	if _, err := r.store.RecordEvents(ctx, events); err != nil {
		return failed("%v", err)
	}
	// The first retry comes about 30 s after the timed-out attempt.
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) && rc.ackedCount() < total {
		time.Sleep(250 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // a late duplicate would show now
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var doubled, requests int
	for _, n := range rc.acked {
		if n > 1 {
			doubled += n - 1
		}
	}
	for _, n := range rc.attempts {
		requests += n
	}
	o := Outcome{Lost: total - len(rc.acked), Doubled: doubled,
		Detail: fmt.Sprintf("%d events; receiver saw %d requests for %d messages (first request of each held %s, past the sender's timeout); acknowledged %d",
			total, requests, len(rc.attempts), rc.slow, len(rc.acked))}
	o.OK = o.Lost == 0 && o.Doubled == 0
	return o
}

// receiver holds each message's first request past the sender's timeout and
// acknowledges the others. A message is acknowledged when a 2xx was written
// to a sender still waiting for it.
type receiver struct {
	slow     time.Duration
	mu       sync.Mutex
	attempts map[string]int // by webhook-id
	acked    map[string]int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	id := req.Header.Get("webhook-id")
	// Read the whole body first: only then does the server notice (and
	// cancel the request's context) when the sender hangs up.
	if _, err := io.Copy(io.Discard, req.Body); err != nil {
		return
	}
	rc.mu.Lock()
	rc.attempts[id]++
	first := rc.attempts[id] == 1
	rc.mu.Unlock()
	if first {
		select {
		case <-time.After(rc.slow):
		case <-req.Context().Done():
			return // the sender gave up: not acknowledged
		}
	}
	if req.Context().Err() != nil {
		return
	}
	w.WriteHeader(http.StatusNoContent)
	rc.mu.Lock()
	rc.acked[id]++
	rc.mu.Unlock()
}

func (rc *receiver) ackedCount() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.acked)
}
