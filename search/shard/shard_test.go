package shard

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/reference"
)

// haversine is the great-circle distance on a sphere of radius r metres.
func haversine(a, b Point, r float64) float64 {
	const rad = math.Pi / 180
	dLat, dLon := (b.Lat-a.Lat)*rad, (b.Lon-a.Lon)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// offer is a generated offer: where it is and in which commune.
type offer struct {
	p      Point
	insee  string
	remote bool
}

// randomOffers places n offers: mostly on real towns, some a few km off
// (coordinates given by the company), some anywhere on Earth, some fully
// remote.
func randomOffers(r *rand.Rand, places []reference.Place, n int) []offer {
	out := make([]offer, n)
	for i := range out {
		pl := places[r.IntN(len(places))]
		o := offer{p: Point{pl.Lat, pl.Lon}, insee: pl.INSEE}
		switch x := r.Float64(); {
		case x < 0.15:
			o.p.Lat += (r.Float64() - 0.5) * 0.4
			o.p.Lon += (r.Float64() - 0.5) * 0.4
		case x < 0.18:
			o.p = Point{Lat: r.Float64()*180 - 90, Lon: r.Float64()*360 - 180}
		case x < 0.22:
			o.remote = true
		}
		out[i] = o
	}
	return out
}

// randomMap starts from the départements and splits them around the offers
// with a random bound, as the reindex does.
func randomMap(t *testing.T, r *rand.Rand, offers []offer, national bool) Map {
	points := map[string][]Point{}
	for _, o := range offers {
		d := Department(o.insee)
		points[d] = append(points[d], o.p)
	}
	cells := Layout(Initial(national), points, 1+r.IntN(40))
	m, err := NewMap(cells)
	require.NoError(t, err)
	return m
}

// TestSelectFindsEveryOfferWithinTheRadius is the property the sharded
// search rests on: for random points, radii, offers and maps, every offer
// within the radius (on a sphere of any radius Meilisearch or matching/ may
// use) lives in a cell the search queries.
func TestSelectFindsEveryOfferWithinTheRadius(t *testing.T) {
	t.Parallel()
	places := reference.AllPlaces()
	for seed := range uint64(150) {
		r := rand.New(rand.NewPCG(seed, 42))
		offers := randomOffers(r, places, 200+r.IntN(800))
		m := randomMap(t, r, offers, seed%2 == 0)
		for range 30 {
			var c Point
			switch x := r.Float64(); {
			case x < 0.8: // around a real town, as advisers search
				pl := places[r.IntN(len(places))]
				c = Point{pl.Lat + (r.Float64()-0.5)*0.2, pl.Lon + (r.Float64()-0.5)*0.2}
			case x < 0.9: // next to an offer (the edge cases: cell borders)
				o := offers[r.IntN(len(offers))]
				c = Point{o.p.Lat + (r.Float64()-0.5)*0.01, o.p.Lon + (r.Float64()-0.5)*0.01}
			default: // anywhere, poles and antimeridian included
				c = Point{Lat: r.Float64()*180 - 90, Lon: r.Float64()*360 - 180}
			}
			radius := 1000 + r.Float64()*199_000
			selected := map[string]bool{}
			for _, cell := range m.Select(&c, radius) {
				selected[cell.ID] = true
			}
			require.True(t, selected[RemoteID], "the remote cell is always queried")
			for _, o := range offers {
				home := m.Place(o.p, o.insee, o.remote)
				require.NotEmpty(t, home.ID)
				if o.remote {
					require.Equal(t, RemoteID, home.ID)
					continue
				}
				require.True(t, home.Rect.Contains(o.p), "offer %v placed in %s %v, which does not contain it", o.p, home.ID, home.Rect)
				for _, earth := range []float64{6_356_752, 6_371_000, 6_371_008.8, 6_378_137} {
					if haversine(c, o.p, earth) <= radius {
						require.True(t, selected[home.ID], "seed %d: offer at %v (cell %s %v) is %.0f m from %v (radius %.0f) but its cell is not queried",
							seed, o.p, home.ID, home.Rect, haversine(c, o.p, earth), c, radius)
					}
				}
			}
		}
		// Without a point: the national cell alone, or every cell but it.
		sel := m.Select(nil, 0)
		if _, ok := m.National(); ok {
			require.Equal(t, []string{NationalID}, cellIDs(sel))
		} else {
			require.Len(t, sel, len(m.Cells))
		}
	}
}

func cellIDs(cells []Cell) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = c.ID
	}
	return out
}

// TestSelectIsNarrow: a 30 km search around Gonesse queries a few cells, not
// the country.
func TestSelectIsNarrow(t *testing.T) {
	t.Parallel()
	m, err := NewMap(Initial(true))
	require.NoError(t, err)
	lat, lon, _ := reference.Geocode("95500")
	got := cellIDs(m.Select(&Point{lat, lon}, 30_000))
	require.Contains(t, got, "95")
	require.Contains(t, got, "75")
	require.Contains(t, got, RemoteID)
	require.Contains(t, got, ElsewhereID)
	require.NotContains(t, got, "79", "Niort is 350 km away")
	require.Less(t, len(got), 15, "%v", got)
	require.Equal(t, "95", m.Place(Point{lat, lon}, "95277", false).ID)
	require.Equal(t, ElsewhereID, m.Place(Point{lat, lon}, "79191", false).ID, "a Gonesse point with a Niort commune fits neither")
}

func TestPartitionCoversAndBounds(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	rect := Rect{MinLat: 48, MinLon: 2, MaxLat: 49, MaxLon: 3}
	var pts []Point
	for range 5000 {
		pts = append(pts, Point{48 + r.Float64(), 2 + r.Float64()})
	}
	for range 2000 { // one town holding many offers: cannot be cut
		pts = append(pts, Point{48.5, 2.5})
	}
	leaves := Partition(rect, pts, 500)
	require.Greater(t, len(leaves), 8)
	count := map[string]int{}
	for _, p := range pts {
		i := slices.IndexFunc(leaves, func(l Leaf) bool { return l.Rect.Contains(p) })
		require.GreaterOrEqual(t, i, 0, "every point is in a leaf")
		count[leaves[i].Path]++
	}
	over := 0
	for path, n := range count {
		if n > 500 {
			over++
			require.GreaterOrEqual(t, n, 2000, "only the leaf of the single town may pass the bound (%s: %d)", path, n)
		}
	}
	require.Equal(t, 1, over)
	area := 0.0
	for _, l := range leaves {
		area += (l.Rect.MaxLat - l.Rect.MinLat) * (l.Rect.MaxLon - l.Rect.MinLon)
	}
	require.InDelta(t, 1.0, area, 1e-9, "the leaves tile the rectangle")
}

func TestNewMapChecksInvariants(t *testing.T) {
	t.Parallel()
	cells := Initial(false)
	_, err := NewMap(cells)
	require.NoError(t, err)
	noRemote := slices.DeleteFunc(slices.Clone(cells), func(c Cell) bool { return c.ID == RemoteID })
	_, err = NewMap(noRemote)
	require.Error(t, err)
	twice := append(slices.Clone(cells), cells[3])
	_, err = NewMap(twice)
	require.Error(t, err)
	small := slices.Clone(cells)
	for i := range small {
		if small[i].ID == ElsewhereID {
			small[i].Rect = Rect{0, 0, 1, 1}
		}
	}
	_, err = NewMap(small)
	require.Error(t, err)
}

func TestDepartment(t *testing.T) {
	t.Parallel()
	for insee, want := range map[string]string{"95277": "95", "2A004": "2A", "97105": "971", "97611": "976", "": "", "7": ""} {
		require.Equal(t, want, Department(insee), "%q", insee)
	}
}
