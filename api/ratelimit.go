package api

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// newRateLimit is each API key's budget. Its state lives in PostgreSQL and is
// charged by authentication's own query (store.AuthenticateLimited), so every
// API process shares it: with N processes a key still gets its limit once.
func newRateLimit(perMinute, burst int) store.RateLimit {
	if perMinute <= 0 {
		perMinute = 1200
	}
	if burst <= 0 {
		burst = 100
	}
	return store.RateLimit{PerMinute: perMinute, Burst: burst}
}

// rateLimited is the 429, carrying Retry-After.
type rateLimited struct {
	err        *passerelle.Error
	retryAfter int
}

func (e rateLimited) Error() string      { return e.err.Error() }
func (e rateLimited) Unwrap() error      { return e.err }
func (e rateLimited) RetryAfter() string { return strconv.Itoa(e.retryAfter) }

// applyRateLimit sets the RateLimit headers of limit's decision d, and
// refuses the request when d does not allow it.
func applyRateLimit(ctx huma.Context, limit store.RateLimit, d store.RateDecision) error {
	// draft-ietf-httpapi-ratelimit-headers: the policy, and what is left of it.
	ctx.SetHeader("RateLimit-Policy", fmt.Sprintf(`"per-key";q=%d;w=60`, limit.PerMinute))
	ctx.SetHeader("RateLimit", fmt.Sprintf(`"per-key";r=%d;t=%d`, d.Remaining, ceilSeconds(d.Reset)))
	if d.Allowed {
		return nil
	}
	retry := max(ceilSeconds(d.RetryAfter), 1)
	return rateLimited{
		err:        passerelle.Errorf(passerelle.ERateLimited, "Too many requests for this API key: retry in %d s.", retry),
		retryAfter: retry,
	}
}

func ceilSeconds(d time.Duration) int {
	return int(math.Ceil(max(d, 0).Seconds()))
}
