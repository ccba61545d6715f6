package matching

import (
	"math/rand/v2"
	"sync"
	"testing"
)

// The benchmarks' synthetic region: 100k offers on French towns, weighted by
// population, and trainees living in the same towns.
var benchData = sync.OnceValues(func() ([]Offer, []Trainee) {
	offers := dataset(11, 100_000)
	r := rand.New(rand.NewPCG(12, 13))
	trainees := make([]Trainee, 1000)
	for i := range trainees {
		trainees[i] = genTrainee(r, genPlace(r))
	}
	return offers, trainees
})

// benchOptions are the matcher's defaults: ten suggestions from a score of 40.
var benchOptions = Options{TopN: 10, Threshold: 40}

func BenchmarkIndexMatch(b *testing.B) {
	offers, trainees := benchData()
	ix := NewIndex(offers)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ix.Match(trainees[i%len(trainees)], now, benchOptions)
		i++
	}
}

func BenchmarkMatchAll(b *testing.B) {
	offers, trainees := benchData()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		MatchAll(trainees[i%len(trainees)], offers, now, benchOptions)
		i++
	}
}

func BenchmarkNewIndex(b *testing.B) {
	offers, _ := benchData()
	b.ReportAllocs()
	for b.Loop() {
		NewIndex(offers)
	}
}
