package reference

import (
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
)

// distanceKm is the great-circle distance between two points.
func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const earthRadiusKm = 6371
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(a))
}

// The programmes' towns, with coordinates of their centres taken from maps,
// not from the embedded data.
var programmeTowns = []struct {
	postalCode, insee, town string
	lat, lon                float64
}{
	{"95500", "95277", "Gonesse", 48.987, 2.449},
	{"77100", "77284", "Meaux", 48.960, 2.879},
	{"79000", "79191", "Niort", 46.323, -0.459},
	{"86000", "86194", "Poitiers", 46.580, 0.340},
	{"14200", "14327", "Hérouville-Saint-Clair", 49.204, -0.329},
	{"21600", "21355", "Longvic", 47.288, 5.064},
	{"21000", "21231", "Dijon", 47.322, 5.041},
}

func TestProgrammeTowns(t *testing.T) {
	t.Parallel()
	for _, want := range programmeTowns {
		t.Run(want.town, func(t *testing.T) {
			t.Parallel()
			var found *Place
			for _, p := range PlacesByPostalCode(want.postalCode) {
				if p.Town == want.town {
					found = &p
				}
			}
			require.NotNil(t, found, "%s not under %s", want.town, want.postalCode)
			require.Equal(t, want.insee, found.INSEE)
			require.Less(t, distanceKm(found.Lat, found.Lon, want.lat, want.lon), 10.0)
			require.Positive(t, found.Population)

			byCode, ok := PlaceByINSEE(want.insee)
			require.True(t, ok)
			require.Equal(t, *found, byCode)

			lat, lon, ok := Geocode(want.postalCode)
			require.True(t, ok)
			require.Less(t, distanceKm(lat, lon, want.lat, want.lon), 10.0)
		})
	}
}

func TestPlacesByPostalCode(t *testing.T) {
	t.Parallel()
	var towns []string
	for _, p := range PlacesByPostalCode(" 95500 ") {
		require.Equal(t, "95500", p.PostalCode)
		towns = append(towns, p.Town)
	}
	// Sorted by name; codes-postaux lists Vaudherland under 95500 too.
	require.Equal(t, []string{"Bonneuil-en-France", "Gonesse", "Le Thillay", "Vaudherland"}, towns)

	require.Nil(t, PlacesByPostalCode("00000"))
	require.Nil(t, PlacesByPostalCode("9550"))
	require.Nil(t, PlacesByPostalCode("abcde"))
}

func TestPlaceByINSEE(t *testing.T) {
	t.Parallel()
	// Corsica's codes have a letter; the look-up ignores case.
	p, ok := PlaceByINSEE("2a004")
	require.True(t, ok)
	require.Equal(t, "Ajaccio", p.Town)
	require.Less(t, distanceKm(p.Lat, p.Lon, 41.92, 8.74), 10.0)

	// Paris 16e has two postal codes: its main one is 75016.
	p, ok = PlaceByINSEE("75116")
	require.True(t, ok)
	require.Equal(t, "75016", p.PostalCode)

	// Overseas: Saint-Denis de La Réunion.
	p, ok = PlaceByINSEE("97411")
	require.True(t, ok)
	require.Equal(t, "Saint-Denis", p.Town)
	require.Less(t, distanceKm(p.Lat, p.Lon, -20.88, 55.45), 10.0)

	_, ok = PlaceByINSEE("00000")
	require.False(t, ok)
	_, ok = PlaceByINSEE("")
	require.False(t, ok)
}

func TestGeocode(t *testing.T) {
	t.Parallel()
	// 75016 also serves a few streets of Boulogne-Billancourt: the answer is Paris 16e.
	lat, lon, ok := Geocode("75016")
	require.True(t, ok)
	require.Less(t, distanceKm(lat, lon, 48.863, 2.276), 3.0)

	// A commune merged into a new one is found through its former name: Vire
	// Normandie (14500), whose name GeoNames does not know.
	p, ok := PlaceByINSEE("14762")
	require.True(t, ok)
	require.Equal(t, "Vire Normandie", p.Town)
	require.Less(t, distanceKm(p.Lat, p.Lon, 48.838, -0.889), 5.0)

	for _, pc := range []string{"00000", "99999", "", "7501", "75 016"} {
		_, _, ok := Geocode(pc)
		require.False(t, ok, pc)
	}
}

func TestAllPlaces(t *testing.T) {
	t.Parallel()
	all := AllPlaces()
	require.Greater(t, len(all), 25000)
	communes := make(map[string]bool)
	for i, p := range all {
		_, err := ParsePostalCode(p.PostalCode)
		require.NoError(t, err)
		require.Regexp(t, `^([0-9]{5}|2[AB][0-9]{3})$`, p.INSEE)
		require.NotEmpty(t, p.Town)
		// Metropolitan France and the overseas departments all sit in these boxes.
		metro := p.Lat > 41 && p.Lat < 51.5 && p.Lon > -5.5 && p.Lon < 10
		overseas := strings.HasPrefix(p.INSEE, "97")
		require.True(t, metro || overseas, "%+v", p)
		if i > 0 {
			prev := all[i-1]
			require.True(t, prev.PostalCode < p.PostalCode || prev.PostalCode == p.PostalCode && prev.INSEE < p.INSEE)
		}
		communes[p.INSEE] = true
	}
	require.Greater(t, len(communes), 25000)

	// The caller owns the copy.
	all[0].Town = "changed"
	require.NotEqual(t, "changed", AllPlaces()[0].Town)
}

func TestParsePlacesRejectsBadData(t *testing.T) {
	t.Parallel()
	_, err := parsePlaces([]byte("not gzip"))
	require.Error(t, err)
}

func TestParsePostalCode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"95500": "95500", " 21000\n": "21000", "2A004": "", "9550": "", "955000": "", "": "", "95 500": "", "٩٥٥٠٠": "",
	} {
		got, err := ParsePostalCode(in)
		if want == "" {
			require.Error(t, err, "%q", in)
			require.Equal(t, passerelle.EInvalid, passerelle.ErrorCode(err))
			continue
		}
		require.NoError(t, err, "%q", in)
		require.Equal(t, want, got)
	}
}

var postalCodePattern = regexp.MustCompile(`^[0-9]{5}$`)

// FuzzParsePostalCode: ParsePostalCode never panics and accepts only five
// ASCII digits; the look-ups never panic on whatever they are given.
func FuzzParsePostalCode(f *testing.F) {
	for _, s := range []string{"95500", " 75016 ", "00000", "2A004", "", "٩٥٥٠٠", "\x00\x00\x00\x00\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pc, err := ParsePostalCode(s)
		if err == nil {
			require.Regexp(t, postalCodePattern, pc)
		} else {
			require.Empty(t, pc)
		}
		for _, p := range PlacesByPostalCode(s) {
			require.Equal(t, pc, p.PostalCode)
		}
		if _, _, ok := Geocode(s); ok {
			require.NoError(t, err)
		}
		PlaceByINSEE(s)
	})
}
