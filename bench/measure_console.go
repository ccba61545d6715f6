package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/session"
)

// ConsolePages is the console measurement: server time of each adviser page
// at demo scale.
const ConsolePages = "console_pages"

// consoleAdviser is the demo adviser `make run` signs in (Gonesse).
const consoleAdviser = "samia.exemple@fabrique-gonesse.example.org"

// measureConsole signs the Gonesse adviser of the demo's five programmes
// (loaded by Run before Passerelle starts) in the way the emailed link does, and requests
// each console page in turn, as a browser would (the session cookie, no
// JavaScript). Latency is from sending to the last byte read on loopback, so
// it is the server's time plus a loopback round trip. The bar holds for every
// page: the worst p95 is the one reported.
func (b *runner) measureConsole(ctx context.Context) (Measurement, error) {
	st := store.New(b.pool, b.river)
	links, err := st.CreateSigninLinks(ctx, consoleAdviser)
	if err != nil {
		return Measurement{}, fmt.Errorf("console: sign-in link for %s: %w", consoleAdviser, err)
	}
	if len(links) != 1 {
		return Measurement{}, fmt.Errorf("console: %d advisers with the email %s, want 1 (is the demo loaded?)", len(links), consoleAdviser)
	}
	_, token, _, err := st.ConsumeSigninLink(ctx, links[0].Token)
	if err != nil {
		return Measurement{}, fmt.Errorf("console: sign in: %w", err)
	}
	cookie := session.CookieName + "=" + token
	var trainee, followup uuid.UUID
	if err := b.pool.QueryRow(ctx, `SELECT t.id FROM trainees t JOIN advisers a ON a.organisation_id = t.organisation_id
		WHERE a.id = $1 AND t.status = 'active' ORDER BY t.id LIMIT 1`, links[0].AdviserID).Scan(&trainee); err != nil {
		return Measurement{}, fmt.Errorf("console: a trainee of the adviser: %w", err)
	}
	pages := []string{
		"/console/",
		"/console/trainees",
		"/console/trainees/" + trainee.String(),
		"/console/trainees/" + trainee.String() + "/offers?q=d%C3%A9veloppeur",
		"/console/proposals",
		"/console/followups",
		"/console/inbox",
		"/console/preferences",
		"/console/cohorts",
		"/console/companies",
		"/console/figures",
	}
	if err := b.pool.QueryRow(ctx, `SELECT f.id FROM followups f JOIN trainees t ON t.id = f.trainee_id
		JOIN advisers a ON a.organisation_id = t.organisation_id WHERE a.id = $1 ORDER BY f.due_date LIMIT 1`,
		links[0].AdviserID).Scan(&followup); err == nil {
		pages = append(pages, "/console/followups/"+followup.String())
	}

	rounds := 200
	if b.cfg.Small {
		rounds = 10
	}
	const warmup = 3
	samples := make(map[string][]time.Duration, len(pages))
	var all []time.Duration
	for i := range warmup + rounds {
		for _, p := range pages {
			r, err := b.client.do(ctx, http.MethodGet, b.client.base+p, "", nil, "Cookie", cookie)
			if err != nil {
				return Measurement{}, fmt.Errorf("console: %w", err)
			}
			if r.status != http.StatusOK {
				return Measurement{}, fmt.Errorf("console: GET %s: status %d: %s", p, r.status, truncate(string(r.body), 300))
			}
			if i >= warmup {
				samples[p] = append(samples[p], r.took)
				all = append(all, r.took)
			}
		}
	}
	if len(all) == 0 {
		return Measurement{}, errors.New("console: no sample")
	}
	worst, worstP95 := "", 0.0
	var per []string
	for _, p := range pages {
		s := Summarise(samples[p])
		per = append(per, fmt.Sprintf("%s p50 %.1f ms p95 %.1f ms", strings.TrimPrefix(p, "/console"), s.P50, s.P95))
		if s.P95 > worstP95 {
			worst, worstP95 = p, s.P95
		}
	}
	a := Side{Name: "slowest page p95 (" + strings.TrimPrefix(worst, "/console") + ")", Stats: Summarise(samples[worst])}
	m := single(ConsolePages, "every page p95 ≤ 50ms", 50*time.Millisecond, a,
		fmt.Sprintf("demo data, the Gonesse adviser signed in, %d pages × %d requests in turn; per page: %s",
			len(pages), rounds, strings.Join(per, "; ")))
	return m, nil
}
