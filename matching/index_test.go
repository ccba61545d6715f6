package matching

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// destination is the point at km from p in direction bearing (radians).
func destination(p Point, km, bearing float64) Point {
	d := km / earthRadiusKm
	phi1, lam1 := p.Lat*math.Pi/180, p.Lon*math.Pi/180
	phi2 := math.Asin(math.Sin(phi1)*math.Cos(d) + math.Cos(phi1)*math.Sin(d)*math.Cos(bearing))
	lam2 := lam1 + math.Atan2(math.Sin(bearing)*math.Sin(d)*math.Cos(phi1), math.Cos(d)-math.Sin(phi1)*math.Sin(phi2))
	lon := math.Mod(lam2*180/math.Pi+540, 360) - 180
	return Point{phi2 * 180 / math.Pi, lon}
}

// onBandEdge moves lat onto the nearest border of the index's bands, give or
// take a rounding error.
func onBandEdge(r *rand.Rand, lat float64) float64 {
	return math.Round((lat+90)/bandDeg)*bandDeg - 90 + float64(r.IntN(3)-1)*1e-12
}

// edgeDataset makes up trainees and offers that test the index's bounds:
// homes on band borders, across the antimeridian and near a pole; offers at
// the radius give or take a hair, on band borders, and with no valid
// location.
func edgeDataset(r *rand.Rand) ([]Trainee, []Offer) {
	var trainees []Trainee
	var offers []Offer
	for range 5 {
		home := genPlace(r)
		switch r.IntN(8) {
		case 0, 1:
			home.Lat = onBandEdge(r, home.Lat)
		case 2:
			home = Point{-17.7 + r.Float64()*0.2, 179.9 + r.Float64()*0.2} // Fiji, either side
			if home.Lon > 180 {
				home.Lon -= 360
			}
		case 3:
			home = Point{89.9 + r.Float64()*0.09, r.Float64()*360 - 180}
		}
		tr := genTrainee(r, home)
		switch r.IntN(10) {
		case 0:
			tr.RadiusKm = 0
		case 1:
			tr.WantedKinds = nil
		case 2:
			tr.RadiusKm = 0.3 + r.Float64()
		case 3:
			tr.RadiusKm = 300 + r.Float64()*300
		default:
			tr.RadiusKm += r.Float64()
		}
		trainees = append(trainees, tr)
		place := func(p Point) {
			o := genOffer(r, p)
			if r.IntN(3) > 0 && len(tr.WantedKinds) > 0 {
				o.Kind = tr.WantedKinds[r.IntN(len(tr.WantedKinds))]
			}
			offers = append(offers, o)
		}
		for range 20 {
			place(Point{home.Lat + (r.Float64()-0.5)*tr.RadiusKm/50, home.Lon + (r.Float64()-0.5)*tr.RadiusKm/30})
		}
		for range 15 {
			km := tr.RadiusKm * (1 + float64(r.IntN(5)-2)*1e-12)
			place(destination(home, km, r.Float64()*2*math.Pi))
		}
		for range 5 {
			p := destination(home, r.Float64()*tr.RadiusKm, r.Float64()*2*math.Pi)
			p.Lat = onBandEdge(r, p.Lat)
			place(p)
		}
	}
	for range 10 {
		offers = append(offers, genOffer(r, genPlace(r)))
	}
	for _, p := range []Point{{math.NaN(), 2}, {95, 2}, {48, 200}, {math.Inf(1), 0}} {
		o := genOffer(r, p)
		if r.IntN(2) == 0 {
			o.Remote = "full"
		}
		offers = append(offers, o)
	}
	if r.IntN(4) == 0 { // a duplicate ID
		offers[len(offers)-1].ID = offers[0].ID
	}
	r.Shuffle(len(offers), func(i, j int) { offers[i], offers[j] = offers[j], offers[i] })
	return trainees, offers
}

func TestIndexReturnsWhatMatchAllReturns(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	found, edges := 0, 0
	for round := range 100 {
		trainees, offers := edgeDataset(r)
		ix := NewIndex(offers)
		for i, tr := range trainees {
			for _, opts := range []Options{{}, {TopN: 3}, {TopN: 1, Threshold: 50}, {Threshold: 60}} {
				want := MatchAll(tr, offers, now, opts)
				requireSameMatches(t, want, ix.Match(tr, now, opts), "round %d trainee %d %+v", round, i, opts)
				found += len(want)
				for _, m := range want {
					if math.Abs(m.DistanceKm-tr.RadiusKm) < 1e-6 {
						edges++
					}
				}
			}
		}
	}
	t.Logf("%d matches, %d of them at the radius", found, edges)
	require.Greater(t, found, 3000, "the datasets must match often")
	require.Greater(t, edges, 500, "offers on the radius must be tested")
}

func TestIndexOnFrenchTowns(t *testing.T) {
	t.Parallel()
	offers := dataset(5, 10000)
	ix := NewIndex(offers)
	r := rand.New(rand.NewPCG(6, 7))
	found := 0
	for range 60 {
		tr := genTrainee(r, genPlace(r))
		want := MatchAll(tr, offers, now, Options{})
		requireSameMatches(t, want, ix.Match(tr, now, Options{}))
		found += len(want)
		for i := 1; i < len(want); i++ {
			a, b := want[i-1], want[i]
			require.True(t, a.Score > b.Score || a.Score == b.Score && a.DistanceKm <= b.DistanceKm, "ordered: %+v then %+v", a, b)
		}
		top := ix.Match(tr, now, Options{TopN: 10, Threshold: 40})
		var above []Match
		for _, m := range want {
			if m.Score >= 40 {
				above = append(above, m)
			}
		}
		requireSameMatches(t, above[:min(10, len(above))], top)
	}
	require.Greater(t, found, 500)
}

func TestIndexIsSafeForConcurrentMatches(t *testing.T) {
	t.Parallel()
	offers := dataset(8, 5000)
	ix := NewIndex(offers)
	r := rand.New(rand.NewPCG(9, 10))
	trainees := make([]Trainee, 40)
	want := make([][]Match, len(trainees))
	for i := range trainees {
		trainees[i] = genTrainee(r, genPlace(r))
		want[i] = ix.Match(trainees[i], now, Options{TopN: 20})
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for k := range 3 * len(trainees) {
				i := (g + k) % len(trainees)
				requireSameMatches(t, want[i], ix.Match(trainees[i], now, Options{TopN: 20}))
			}
		})
	}
	wg.Wait()
}

func TestIndexLenAndEmpty(t *testing.T) {
	t.Parallel()
	tr, o := fixture()
	draft, full, other := o, o, o
	draft.ID, draft.Status = uuid.New(), "draft"
	full.ID, full.PositionsLeft = uuid.New(), 0
	other.ID, other.Kind = uuid.New(), "job"
	ix := NewIndex([]Offer{o, draft, full, other})
	require.Equal(t, 2, ix.Len(), "offers that can never match are dropped")
	require.Len(t, ix.Match(tr, now, Options{}), 2)

	require.Zero(t, NewIndex(nil).Len())
	require.Nil(t, NewIndex(nil).Match(tr, now, Options{}))
	require.Nil(t, MatchAll(tr, nil, now, Options{}))
	var zero Index
	require.Nil(t, zero.Match(tr, now, Options{}))
}

func TestIndexKeepsNoReferenceToItsInput(t *testing.T) {
	t.Parallel()
	tr, o := fixture()
	offers := []Offer{o}
	ix := NewIndex(offers)
	want := ix.Match(tr, now, Options{})
	offers[0].ROME[0] = "D1214" // the fixture's slices are the caller's
	offers[0] = Offer{}
	require.Equal(t, want, ix.Match(tr, now, Options{}))
	_ = want[0].Reasons[0]
}
