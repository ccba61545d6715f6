package bench

import (
	"math"
	"slices"
	"time"
)

// Stats summarises the samples of one side of a measurement. Percentiles are
// exact (nearest rank over the sorted samples), not estimated from a
// histogram.
type Stats struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
	Min float64 `json:"min_ms"`
	Max float64 `json:"max_ms"`
	// Mean is informational; the bars use percentiles.
	Mean float64 `json:"mean_ms"`
}

// Summarise computes Stats from samples (which it sorts in place).
func Summarise(samples []time.Duration) Stats {
	if len(samples) == 0 {
		return Stats{}
	}
	slices.Sort(samples)
	var sum time.Duration
	for _, s := range samples {
		sum += s
	}
	return Stats{
		N:    len(samples),
		P50:  ms(Percentile(samples, 50)),
		P95:  ms(Percentile(samples, 95)),
		P99:  ms(Percentile(samples, 99)),
		Min:  ms(samples[0]),
		Max:  ms(samples[len(samples)-1]),
		Mean: ms(sum / time.Duration(len(samples))),
	}
}

// Percentile is the nearest-rank p-th percentile of sorted samples: the
// smallest sample such that at least p % of the samples are less than or equal
// to it. It is always one of the samples.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

func ms(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Millisecond)*1000) / 1000
}
