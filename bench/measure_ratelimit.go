package bench

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// realRateLimit says whether the servers apply a limit a measurement can
// spend: the in-process server's is set out of the other measurements' way.
func (c Config) realRateLimit() bool { return c.RateLimitBurst > 0 && c.RateLimitBurst <= 1000 }

// measureSharedRateLimit spends one fresh key's budget through every API
// process at once: three bursts' worth of requests from eight clients, each
// request to the next process in turn. The limit is shared when the requests
// allowed stay within one key's budget (the burst plus the refill at the
// per-minute rate over the run), not one budget per process.
func (b *runner) measureSharedRateLimit(ctx context.Context) (Measurement, error) {
	const name = SharedRateLimit
	bar := "allowed ≤ burst + refill, whatever the processes; no error"
	perMinute, burst := b.cfg.RateLimitPerMinute, b.cfg.RateLimitBurst
	if !b.cfg.realRateLimit() {
		return Measurement{Name: name, Bar: bar,
			Note: fmt.Sprintf("not run: the servers' burst is %d; run with --processes, whose API processes apply the configured limit", burst)}, nil
	}
	_, key, err := store.New(b.pool, nil).CreateKey(ctx, passerelle.System, store.KeyInput{Name: "bench rate limit", Role: passerelle.RoleAdmin})
	if err != nil {
		return Measurement{}, fmt.Errorf("%s: %w", name, err)
	}
	total := 3 * burst
	var (
		mu      sync.Mutex
		allowed int
		limited int
		errs    = map[string]int{}
		samples []time.Duration
		next    int
	)
	start := time.Now()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= total {
					return
				}
				r, err := b.client.do(ctx, http.MethodGet, b.bases[i%len(b.bases)]+"/v1/organisations?limit=1", key, nil)
				mu.Lock()
				switch {
				case err != nil:
					errs[truncate(err.Error(), 100)]++
				case r.status == http.StatusOK:
					allowed++
					samples = append(samples, r.took)
				case r.status == http.StatusTooManyRequests && r.header.Get("Retry-After") != "":
					limited++
					samples = append(samples, r.took)
				default:
					errs[fmt.Sprintf("status %d", r.status)]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	// One key's budget over the run; one more for the request in flight as
	// the clock turns.
	bound := burst + int(math.Ceil(elapsed.Minutes()*float64(perMinute))) + 1
	nErr := 0
	for _, n := range errs {
		nErr += n
	}
	note := fmt.Sprintf("%d requests of one key in %.2f s over %d API process(es): %d allowed, %d answered 429 with Retry-After, %d errors; "+
		"one budget allows at most %d (burst %d + %d/min), one per process would allow up to %d",
		total, elapsed.Seconds(), len(b.bases), allowed, limited, nErr, bound, burst, perMinute, len(b.bases)*bound)
	for e, n := range errs {
		note += fmt.Sprintf("; %d× %s", n, e)
	}
	m := Measurement{Name: name, A: Side{Name: "requests of one key, all processes", Stats: Summarise(samples)}, Bar: bar, Note: note}
	m.Met = nErr == 0 && allowed >= burst && allowed <= bound
	return m, nil
}
