package matching

import "math"

// earthRadiusKm is the mean radius of the Earth.
const earthRadiusKm = 6371.0

// DistanceKm is the great-circle distance between a and b in kilometres
// (haversine formula on a spherical Earth).
func DistanceKm(a, b Point) float64 {
	ga, gb := geoOf(a), geoOf(b)
	return haversine(&ga, &gb)
}

// geo is a point with what the haversine formula needs of it, computed once.
type geo struct {
	lat, lon float64 // degrees, as given
	phi, lam float64 // radians
	cosPhi   float64
	valid    bool // finite, latitude in [-90, 90] and longitude in [-180, 180]
}

func geoOf(p Point) geo {
	phi := p.Lat * (math.Pi / 180)
	return geo{
		lat: p.Lat, lon: p.Lon, phi: phi, lam: p.Lon * (math.Pi / 180), cosPhi: math.Cos(phi),
		valid: p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180, // false for NaN
	}
}

// haversine is the one place distances are computed, so that Check, Score,
// DistanceKm, MatchAll and the index agree to the last bit. The explicit
// float64 conversions keep the compiler from fusing multiply-adds differently
// in different callers.
func haversine(a, b *geo) float64 {
	s1 := math.Sin((b.phi - a.phi) / 2)
	s2 := math.Sin((b.lam - a.lam) / 2)
	h := float64(s1*s1) + float64(float64(a.cosPhi*b.cosPhi)*float64(s2*s2))
	h = min(max(h, 0), 1) // NaN stays NaN
	return float64(2*earthRadiusKm) * math.Asin(math.Sqrt(h))
}

// distanceSlackKm is how much a bound on a distance is widened before it
// rejects anything without computing the distance itself: far more than the
// rounding error of haversine, far less than anything that matters.
const distanceSlackKm = 1e-3

// slackRadius is radius widened by the slack.
func slackRadius(radius float64) float64 {
	return radius + float64(radius*1e-9) + distanceSlackKm
}

// surelyFarther reports, without trigonometry, whether b is certainly farther
// than radius from a: a great-circle distance is never shorter than the
// difference of latitudes. It answers false when unsure, and for points that
// are not valid coordinates.
func surelyFarther(a, b *geo, radius float64) bool {
	if !a.valid || !b.valid {
		return false
	}
	return math.Abs(b.phi-a.phi)*earthRadiusKm > slackRadius(radius)
}
