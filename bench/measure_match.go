package bench

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passerelle-dev/passerelle/jobs"
	"github.com/passerelle-dev/passerelle/matching"
)

// The matching measurements are pure CPU: the dataset's offers in a
// matching.Index, trainees made up on the same towns, no database (the
// database-backed re-match is the jobs package's).

// matchOptions are the matcher's defaults: the suggestions a trainee keeps.
var matchOptions = matching.Options{TopN: jobs.DefaultMatchTopN, Threshold: jobs.DefaultMatchThreshold}

// Bars of the matching measurements.
const (
	matchMaxP95   = 20 * time.Millisecond
	matchMaxRatio = 1.0 / 20 // Index.Match p50 / MatchAll p50: at least 20× faster
	rematchMax    = 60 * time.Second
)

// matchShape is how many trainees each matching measurement matches.
func (c Config) matchShape() (one, rematch int) {
	if c.Small {
		return 50, 500
	}
	return 200, 10_000
}

// matchingOffers are the dataset's offers as the matcher sees them:
// published, expiring 60 days after publication.
func (d *Dataset) matchingOffers() []matching.Offer {
	out := make([]matching.Offer, len(d.Offers))
	for i, o := range d.Offers {
		m := matching.Offer{
			ID: o.ID, Kind: o.Kind, Status: "published", ROME: o.ROMECodes,
			RequiredSkills: o.RequiredSkills, OptionalSkills: o.OptionalSkills,
			Location: matching.Point{Lat: o.Place.Lat, Lon: o.Place.Lon}, Remote: o.Remote,
			Start: o.StartDate, End: o.EndDate, WeeklyHours: o.WeeklyHours, PositionsLeft: o.Positions,
			OpenToMinors: o.OpenToMinors, DisabilityFriendly: o.DisabilityFriendly,
			ExpiresAt: o.PublishedAt.AddDate(0, 0, 60),
		}
		if o.MinAge != nil {
			m.MinAge = *o.MinAge
		}
		if o.MaxAge != nil {
			m.MaxAge = *o.MaxAge
		}
		out[i] = m
	}
	return out
}

// Trainees makes up n matching profiles on real towns (picked by population,
// as offers are): a 10 to 40 km radius, one to three wanted kinds, one to
// three ROME codes and a few skills of one sector, aged 16 to 30, some with
// RQTH, most available from a day in the next three months. stream names the
// use, as in RNG.
func (d *Dataset) Trainees(stream uint64, n int, now time.Time) []matching.Trainee {
	r := d.RNG(stream)
	today := now.UTC().Truncate(24 * time.Hour)
	evidence := []matching.Evidence{matching.EvidenceDeclared, matching.EvidenceDeclared,
		matching.EvidenceAdviserValidated, matching.EvidenceOpenBadge}
	out := make([]matching.Trainee, n)
	for i := range out {
		p := d.places.pick(r)
		sec := sectors[r.IntN(len(sectors))]
		t := matching.Trainee{
			ID: newUUID(r), BirthDate: today.AddDate(-16-r.IntN(14), 0, -r.IntN(365)),
			Home: matching.Point{Lat: p.Lat, Lon: p.Lon}, RadiusKm: float64(10 + r.IntN(31)),
			RQTH: r.Float64() < 0.06,
		}
		for _, k := range r.Perm(len(kinds))[:1+r.IntN(3)] {
			t.WantedKinds = append(t.WantedKinds, kinds[k].kind)
		}
		for _, j := range r.Perm(len(sec.jobs))[:1+r.IntN(min(3, len(sec.jobs)))] {
			if code := sec.jobs[j].rome; !contains(t.WantedROME, code) {
				t.WantedROME = append(t.WantedROME, code)
			}
		}
		for _, s := range r.Perm(len(sec.skills))[:r.IntN(min(7, len(sec.skills)))] {
			t.Skills = append(t.Skills, matching.Skill{Name: sec.skills[s], Evidence: pick(r, evidence)})
		}
		if r.Float64() < 0.7 {
			from := today.AddDate(0, 0, r.IntN(90))
			w := matching.Window{From: from}
			if r.Float64() < 0.5 {
				w.To = from.AddDate(0, 6+r.IntN(7), 0)
			}
			t.Availability = []matching.Window{w}
		}
		if r.Float64() < 0.1 {
			t.MaxWeeklyHours = 24
		}
		out[i] = t
	}
	return out
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// measureMatch matches trainees one at a time through the index and by
// scoring every offer (MatchAll), alternating which goes first, and checks
// that both find the same matches.
func (b *runner) measureMatch(ctx context.Context) (Measurement, error) {
	const name = MatchOneTrainee
	n, _ := b.cfg.matchShape()
	now := time.Now()
	offers := b.data.matchingOffers()
	start := time.Now()
	ix := matching.NewIndex(offers)
	build := time.Since(start)
	trainees := b.data.Trainees(21, n, now)
	warm := min(20, n)
	var indexed, all []time.Duration
	found := 0
	for i := range warm + n {
		if err := ctx.Err(); err != nil {
			return Measurement{}, err
		}
		t := trainees[i%n]
		var a, m []matching.Match
		var ta, tm time.Duration
		sides := []func(){
			func() { s := time.Now(); a = ix.Match(t, now, matchOptions); ta = time.Since(s) },
			func() { s := time.Now(); m = matching.MatchAll(t, offers, now, matchOptions); tm = time.Since(s) },
		}
		if i%2 == 1 {
			sides[0], sides[1] = sides[1], sides[0]
		}
		for _, side := range sides {
			side()
		}
		if !reflect.DeepEqual(a, m) {
			return Measurement{}, fmt.Errorf("%s: trainee %d: the index finds %d matches, scoring every offer %d: they must agree",
				name, i%n, len(a), len(m))
		}
		if i < warm {
			continue
		}
		indexed, all = append(indexed, ta), append(all, tm)
		found += len(a)
		b.tick(name, i+1-warm, n)
	}
	mIx, mAll := Side{Name: "matching.Index.Match", Stats: Summarise(indexed)}, Side{Name: "matching.MatchAll (every offer)", Stats: Summarise(all)}
	m := Measurement{Name: name, A: mIx, B: &mAll,
		Bar: fmt.Sprintf("p95 ≤ %d ms and p50 ratio ≤ %.2f (≥ 20× faster)", matchMaxP95.Milliseconds(), matchMaxRatio)}
	if mAll.P50 > 0 {
		m.Ratio = float64(int(mIx.P50/mAll.P50*1e4+0.5)) / 1e4
		m.Met = mIx.P95 <= ms(matchMaxP95) && m.Ratio <= matchMaxRatio
	}
	speedup := 0.0
	if mIx.P50 > 0 {
		speedup = mAll.P50 / mIx.P50
	}
	m.Note = fmt.Sprintf("%d trainees (10–40 km, 1–3 kinds and ROME codes) × %d offers, top %d from a score of %d, same results on both sides; "+
		"%.0f× faster at p50; %.1f matches per trainee; index built in %s; pure CPU, no database",
		n, len(offers), matchOptions.TopN, matchOptions.Threshold, speedup, float64(found)/float64(n), build.Round(time.Millisecond))
	return m, nil
}

// measureRematch matches every trainee against every offer, as the nightly
// re-match does: one index (its build included in the time), then a Match
// per trainee on GOMAXPROCS goroutines.
func (b *runner) measureRematch(ctx context.Context) (Measurement, error) {
	const name = RematchAll
	_, n := b.cfg.matchShape()
	now := time.Now()
	offers := b.data.matchingOffers()
	trainees := b.data.Trainees(22, n, now)
	workers := runtime.GOMAXPROCS(0)
	took := make([]time.Duration, n)
	var next, done, found atomic.Int64
	var wg sync.WaitGroup

	start := time.Now()
	ix := matching.NewIndex(offers)
	build := time.Since(start)
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				s := time.Now()
				found.Add(int64(len(ix.Match(trainees[i], now, matchOptions))))
				took[i] = time.Since(s)
				done.Add(1)
			}
		})
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	for tick := time.NewTicker(time.Second); ; {
		select {
		case <-tick.C:
			b.tick(name, int(done.Load()), n)
			continue
		case <-finished:
			tick.Stop()
		}
		break
	}
	total := time.Since(start)
	if err := ctx.Err(); err != nil {
		return Measurement{}, err
	}
	b.tick(name, n, n)
	per := Summarise(took)
	return single(name, fmt.Sprintf("≤ %d s for 10k trainees × 100k offers", int(rematchMax.Seconds())), rematchMax,
		Side{Name: fmt.Sprintf("re-match, wall time (%d goroutines)", workers), Stats: Summarise([]time.Duration{total})},
		fmt.Sprintf("%d trainees × %d offers: index built once (%s), then Index.Match per trainee on %d goroutines (GOMAXPROCS); "+
			"per trainee p50 %.3f ms, p99 %.3f ms; %d suggestions (top %d from %d); pure CPU, no database",
			n, len(offers), build.Round(time.Millisecond), workers, per.P50, per.P99, found.Load(), matchOptions.TopN, matchOptions.Threshold)), nil
}
