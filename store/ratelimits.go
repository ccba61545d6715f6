package store

import (
	"context"
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

// ChargeAddress charges one request of address (a client's IP, an IPv6 one
// by its /64: see web's clientAddress) to the limit of bucket (one anonymous
// form), with the GCRA state shared by every process in address_rate_limits.
// The arithmetic is the API keys' (AuthenticateLimited), in one statement.
func (s *Store) ChargeAddress(ctx context.Context, bucket, address string, limit RateLimit) (RateDecision, error) {
	interval, window := limit.interval()
	if interval == 0 {
		return limit.decide(time.Time{}, nil, nil), nil
	}
	var after, before *time.Time
	var now time.Time
	err := s.pool.QueryRow(ctx, `WITH prior AS (
			SELECT tat FROM address_rate_limits WHERE bucket = $1 AND address = $2
		), charged AS (
			INSERT INTO address_rate_limits AS r (bucket, address, tat) VALUES ($1, $2, now() + $3::interval)
			ON CONFLICT (bucket, address) DO UPDATE SET tat = greatest(r.tat, now()) + $3::interval
				WHERE greatest(r.tat, now()) + $3::interval <= now() + $4::interval
			RETURNING tat
		)
		SELECT (SELECT tat FROM charged), (SELECT tat FROM prior), now()`,
		bucket, address, interval, window).Scan(&after, &before, &now)
	if err != nil {
		return RateDecision{}, wrap("charge address", err)
	}
	return limit.decide(now, after, before), nil
}
