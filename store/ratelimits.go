package store

import (
	"math"
	"time"
)

// RateLimit is one API key's budget: Burst requests at once, refilled at
// PerMinute. The zero value charges nothing.
//
// The state is shared by every process through PostgreSQL (the rate_limits
// table) as a GCRA: one timestamp per key, the theoretical arrival time of its
// next request, pushed one emission interval (a minute / PerMinute) on by each
// request allowed. A request is allowed while that time stays within Burst
// intervals of now. It is the token bucket's arithmetic with a single number
// to update atomically.
type RateLimit struct {
	PerMinute int
	Burst     int
}

// RateDecision is what the limit said of one request.
type RateDecision struct {
	Allowed bool
	// Remaining is how many more requests the key may send at once.
	Remaining int
	// Reset is how long until the key's whole burst is available again.
	Reset time.Duration
	// RetryAfter is how long until one request is allowed (refusals only).
	RetryAfter time.Duration
}

// interval returns the emission interval and the burst's window; zero when
// the limit charges nothing.
func (l RateLimit) interval() (emission, window time.Duration) {
	if l.PerMinute <= 0 || l.Burst <= 0 {
		return 0, 0
	}
	emission = time.Minute / time.Duration(l.PerMinute)
	return emission, emission * time.Duration(l.Burst)
}

// decide turns the state read back by the authentication query into a
// decision. after is the key's state once charged, nil when the request was
// refused; before is the state the statement started from (nil for a key
// never limited), used for a refusal's Retry-After. Every time is the
// database's clock, shared by every process.
func (l RateLimit) decide(now time.Time, after, before *time.Time) RateDecision {
	emission, window := l.interval()
	if emission == 0 {
		return RateDecision{Allowed: true, Remaining: math.MaxInt32}
	}
	if after != nil {
		used := after.Sub(now)
		return RateDecision{Allowed: true, Remaining: int((window - used) / emission), Reset: used}
	}
	tat := now.Add(window)
	if before != nil && before.After(tat) {
		tat = *before
	}
	// Allowed again once tat + emission - now fits in the window.
	return RateDecision{Remaining: 0, Reset: tat.Sub(now), RetryAfter: tat.Add(emission).Sub(now.Add(window))}
}
