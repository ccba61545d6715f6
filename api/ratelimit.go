package api

import (
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/passerelle-dev/passerelle"
)

// rateLimiter is a token bucket per API key, in this process's memory: with N
// API replicas a key may send N times the rate. docs/decisions.md says why that
// is accepted for now.
type rateLimiter struct {
	perSecond float64
	burst     float64
	perMinute int

	mu      sync.Mutex
	buckets map[string]*bucket
	now     func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(perMinute, burst int) *rateLimiter {
	if perMinute <= 0 {
		perMinute = 1200
	}
	if burst <= 0 {
		burst = 100
	}
	return &rateLimiter{perSecond: float64(perMinute) / 60, burst: float64(burst), perMinute: perMinute,
		buckets: map[string]*bucket{}, now: time.Now}
}

// rateLimited is the 429, carrying Retry-After.
type rateLimited struct {
	err        *passerelle.Error
	retryAfter int
}

func (e rateLimited) Error() string      { return e.err.Error() }
func (e rateLimited) Unwrap() error      { return e.err }
func (e rateLimited) RetryAfter() string { return strconv.Itoa(e.retryAfter) }

// allow takes a token for key, setting the RateLimit headers either way.
func (l *rateLimiter) allow(ctx huma.Context, key string) error {
	l.mu.Lock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
		if len(l.buckets) > 100_000 {
			l.evictLocked(now)
		}
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.perSecond)
	b.last = now
	allowed := b.tokens >= 1
	if allowed {
		b.tokens--
	}
	remaining := int(b.tokens)
	untilOne := int(math.Ceil((1 - b.tokens) / l.perSecond))
	untilFull := int(math.Ceil((l.burst - b.tokens) / l.perSecond))
	l.mu.Unlock()

	// draft-ietf-httpapi-ratelimit-headers: the policy, and what is left of it.
	ctx.SetHeader("RateLimit-Policy", fmt.Sprintf(`"per-key";q=%d;w=60`, l.perMinute))
	ctx.SetHeader("RateLimit", fmt.Sprintf(`"per-key";r=%d;t=%d`, remaining, untilFull))
	if allowed {
		return nil
	}
	if untilOne < 1 {
		untilOne = 1
	}
	return rateLimited{
		err:        passerelle.Errorf(passerelle.ERateLimited, "Too many requests for this API key: retry in %d s.", untilOne),
		retryAfter: untilOne,
	}
}

// evictLocked forgets full buckets, which hold nothing worth keeping.
func (l *rateLimiter) evictLocked(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.perSecond >= l.burst {
			delete(l.buckets, k)
		}
	}
}
