package matching

// A company sees how far a candidate lives from the offer as a band, never as
// a distance: the band is computed here, from DistanceKm, and nowhere else, so
// that a proposal, a search hit and the matcher never disagree at an edge.

// DistanceBands names the bands, nearest first: what DistanceBand returns and
// what the API's schema lists.
var DistanceBands = []string{"0-5 km", "5-15 km", "15-30 km", "30+ km"}

// distanceBandEdgesKm are the lower edges of the bands after the first. A band
// holds its lower edge: exactly 5 km is "5-15 km".
var distanceBandEdgesKm = [...]float64{5, 15, 30}

// DistanceBand names the band of a distance in kilometres. A distance that is
// not a number (a point that is not valid coordinates) is in the last band,
// where it discloses nothing.
func DistanceBand(km float64) string {
	if !(km >= 0) { // NaN, or a negative that DistanceKm never returns
		return DistanceBands[len(DistanceBands)-1]
	}
	for i, edge := range distanceBandEdgesKm {
		if km < edge {
			return DistanceBands[i]
		}
	}
	return DistanceBands[len(DistanceBands)-1]
}
