package matching

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDistanceBandEdges checks each edge from both sides: a band holds its
// lower edge, and the float just below an edge is still in the band before.
func TestDistanceBandEdges(t *testing.T) {
	t.Parallel()
	cases := []struct {
		km   float64
		want string
	}{
		{0, "0-5 km"},
		{math.Nextafter(5, 0), "0-5 km"},
		{5, "5-15 km"},
		{math.Nextafter(15, 0), "5-15 km"},
		{15, "15-30 km"},
		{math.Nextafter(30, 0), "15-30 km"},
		{30, "30+ km"},
		{20_000, "30+ km"},
		{math.Inf(1), "30+ km"},
		{math.NaN(), "30+ km"},
		{-1, "30+ km"},
	}
	for _, c := range cases {
		require.Equal(t, c.want, DistanceBand(c.km), "%v km", c.km)
	}
	for _, b := range []string{DistanceBand(1), DistanceBand(10), DistanceBand(20), DistanceBand(40)} {
		require.Contains(t, DistanceBands, b)
	}
}

// TestDistanceBandOfPoints places offers just inside and just outside each
// edge north of a home, and checks that the band of DistanceKm agrees with
// the distance's own side of the edge: the band is a function of the one
// distance, whatever the caller.
func TestDistanceBandOfPoints(t *testing.T) {
	t.Parallel()
	home := Point{Lat: 48.8566, Lon: 2.3522}
	degPerKm := 180 / (math.Pi * earthRadiusKm)
	for i, edge := range distanceBandEdgesKm {
		for _, delta := range []float64{-1e-6, 1e-6} {
			p := Point{Lat: home.Lat + (edge+delta)*degPerKm, Lon: home.Lon}
			km := DistanceKm(home, p)
			want := DistanceBands[i]
			if km >= edge {
				want = DistanceBands[i+1]
			}
			require.InDelta(t, edge+delta, km, 1e-5)
			require.Equal(t, want, DistanceBand(km), "%.9f km", km)
			require.Equal(t, DistanceBand(km), DistanceBand(DistanceKm(p, home)), "the band does not depend on the direction")
		}
	}
}
