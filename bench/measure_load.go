package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// The mixed load: an open model at a constant arrival rate (requests start on
// schedule whether or not earlier ones have finished, as real clients do), so
// a slow server cannot slow the load down and hide its own latency. Each
// latency runs from the request's scheduled start to its last byte.

// loadMix is the design's workload: 80 % reads and searches, 20 % writes.
var loadMix = []struct {
	op     string
	weight int
}{
	{"search", 25},
	{"get_offer", 30},
	{"list_offers", 25},
	{"create_offer", 12},
	{"replace_offer", 8},
}

// loadRequest is one request of the load, prepared before its time comes.
type loadRequest struct {
	op, method, path, key string
	base                  string // the API process it goes to
	body                  []byte
	want                  int
	at                    time.Time
}

// loadResult is one request's outcome.
type loadResult struct {
	op   string
	took time.Duration
	err  string // empty on success
}

// loadRate and loadDuration are the design's bar: 500 requests a second.
const (
	loadRate     = 500
	loadDuration = 30 * time.Second
	// loadInFlight bounds concurrent requests; a request that would exceed it
	// counts as an error (the server is not keeping up).
	loadInFlight = 1000
)

func (c Config) loadShape() (rate int, d time.Duration) {
	if c.Small {
		return 100, 3 * time.Second
	}
	return loadRate, loadDuration
}

// measureMixedLoad runs the mixed workload at a constant arrival rate.
func (b *runner) measureMixedLoad(ctx context.Context) (Measurement, error) {
	rate, duration := b.cfg.loadShape()
	total := int(float64(rate) * duration.Seconds())
	queries, err := b.searchCases(ctx, 200)
	if err != nil {
		return Measurement{}, err
	}
	// Offers created during the load, for replacements: id → company key.
	var created struct {
		sync.Mutex
		ids  []uuid.UUID
		keys []string
		body [][]byte
	}
	prepare := func(i int, at time.Time) (loadRequest, error) {
		op := pickOp(i)
		// Round robin over the API processes, as a load balancer would.
		r := loadRequest{op: op, method: http.MethodGet, want: http.StatusOK, at: at, base: b.bases[i%len(b.bases)]}
		switch op {
		case "search":
			r.path, r.key = queries[i%len(queries)].apiPath, b.setup.advisers.take()
		case "get_offer":
			r.path, r.key = "/v1/offers/"+b.data.Offers[b.rng.IntN(len(b.data.Offers))].ID.String(), b.setup.advisers.take()
		case "list_offers":
			r.path, r.key = "/v1/offers?limit=20", b.setup.companies.keys[i%len(b.setup.companies.keys)]
		case "replace_offer":
			created.Lock()
			n := len(created.ids)
			if n > 0 {
				k := b.rng.IntN(n)
				r.method, r.path, r.key, r.body = http.MethodPut, "/v1/offers/"+created.ids[k].String(), created.keys[k], created.body[k]
			}
			created.Unlock()
			if n > 0 {
				break
			}
			r.op = "create_offer"
			fallthrough
		case "create_offer":
			k := i % len(b.setup.companies.keys)
			body, err := json.Marshal(offerBody(b.offerFor(k)))
			if err != nil {
				return r, err
			}
			r.method, r.path, r.key, r.body, r.want = http.MethodPost, "/v1/offers", b.setup.companies.keys[k], body, http.StatusCreated
		}
		return r, nil
	}

	results := make(chan loadResult, total)
	inFlight := make(chan struct{}, loadInFlight)
	var wg sync.WaitGroup
	start := time.Now().Add(100 * time.Millisecond)
	interval := time.Second / time.Duration(rate)
	for i := range total {
		at := start.Add(time.Duration(i) * interval)
		req, err := prepare(i, at)
		if err != nil {
			return Measurement{}, err
		}
		if d := time.Until(at); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return Measurement{}, ctx.Err()
			}
		}
		select {
		case inFlight <- struct{}{}:
		default:
			results <- loadResult{op: req.op, took: time.Since(at), err: "over the in-flight bound"}
			continue
		}
		wg.Go(func() {
			defer func() { <-inFlight }()
			res, err := b.client.do(ctx, req.method, req.base+req.path, req.key, req.body)
			out := loadResult{op: req.op, took: time.Since(req.at)}
			switch {
			case err != nil:
				out.err = err.Error()
			case res.status != req.want:
				out.err = fmt.Sprintf("%s %s: %d", req.method, req.op, res.status)
			case req.op == "create_offer":
				var o struct {
					ID uuid.UUID `json:"id"`
				}
				if json.Unmarshal(res.body, &o) == nil {
					created.Lock()
					created.ids, created.keys, created.body = append(created.ids, o.ID), append(created.keys, req.key),
						append(created.body, req.body)
					created.Unlock()
				}
			}
			results <- out
		})
		if (i+1)%rate == 0 {
			b.tick("mixed_load", i+1, total)
		}
	}
	// The rate the requests went out at (the last ones may still be running).
	sent := time.Since(start)
	wg.Wait()
	close(results)

	var samples []time.Duration
	errs := map[string]int{}
	byOp := map[string][]time.Duration{}
	for r := range results {
		if r.err != "" {
			errs[r.err]++
			continue
		}
		samples = append(samples, r.took)
		byOp[r.op] = append(byOp[r.op], r.took)
	}
	nErr := total - len(samples)
	stats := Summarise(samples)
	achieved := float64(total) / sent.Seconds()
	var mix []string
	for _, m := range loadMix {
		st := Summarise(byOp[m.op])
		mix = append(mix, fmt.Sprintf("%s %d (p50 %s, p99 %s)", m.op, st.N, fmtMs(st.P50), fmtMs(st.P99)))
	}
	note := fmt.Sprintf("open model, %d req/s for %s (%.0f req/s sent) over %d API process(es), %d errors; successes: %s; latency from the scheduled start",
		rate, duration, achieved, len(b.bases), nErr, strings.Join(mix, ", "))
	for e, n := range errs {
		note += fmt.Sprintf("; %d× %s", n, truncate(e, 120))
	}
	m := Measurement{Name: MixedLoad, A: Side{Name: fmt.Sprintf("api %d req/s", rate), Stats: stats},
		Bar: "p99 < 100ms, no error, 500 req/s", Note: note}
	m.Met = !b.cfg.Small && nErr == 0 && stats.P99 < 100 && achieved >= 0.95*float64(rate)
	return m, nil
}

// pickOp spreads the mix's operations evenly over request numbers.
func pickOp(i int) string {
	total := 0
	for _, m := range loadMix {
		total += m.weight
	}
	slot := (i * 37) % total // 37 is prime to 100: every slot once per 100 requests
	for _, m := range loadMix {
		if slot < m.weight {
			return m.op
		}
		slot -= m.weight
	}
	return loadMix[0].op
}
