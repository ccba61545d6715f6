package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFold(t *testing.T) {
	t.Parallel()
	require.Equal(t, "herouville saint clair", fold("Hérouville-Saint-Clair"))
	require.Equal(t, "l abergement clemenciat", fold("L'Abergement-Clémenciat"))
	require.Equal(t, "oeuilly", fold("Œuilly"))
}

func TestDepartment(t *testing.T) {
	t.Parallel()
	require.Equal(t, "95", department("95277"))
	require.Equal(t, "2A", department("2A004"))
	require.Equal(t, "974", department("97411"))
}

// TestJoin runs the join on a handful of made-up rows that exercise each way
// a commune gets its coordinates, or none.
func TestJoin(t *testing.T) {
	t.Parallel()
	idx, err := indexCities([]city{
		{Name: "Gonesse", Lat: "48.98693", Lng: "2.44892", Country: "FR", Admin2: "95"},
		{Name: "Vire", Lat: "48.83850", Lng: "-0.88930", Country: "FR", Admin2: "14"},
		{Name: "Paris 16 Passy", Lat: "48.8637", Lng: "2.2769", Country: "FR", Admin2: "75"},
		{Name: "Saint-Denis", Lat: "-20.88231", Lng: "55.4504", Country: "RE", Admin2: "974"},
		{Name: "Gonesse", Lat: "0", Lng: "0", Country: "BE", Admin2: "95"}, // another country: ignored
	})
	require.NoError(t, err)
	rows := []postalRow{
		{"95500", "95277", "Gonesse"},
		{"95500", "95633", "Vaudherland"},    // borrows Gonesse's
		{"14500", "14762", "Vire Normandie"}, // found as its former commune Vire
		{"75016", "75116", "Paris 16e Arrondissement"},
		{"75116", "75116", "Paris 16e Arrondissement"},
		{"97400", "97411", "Saint-Denis"},
		{"48000", "48095", "Mende"}, // nothing in its postal code: dropped
	}
	streets := []postalRow{
		{"75016", "75116", ""}, {"75016", "75116", ""}, {"75116", "75116", ""},
	}
	communes := []commune{
		{Code: "95277", Type: "commune-actuelle", Population: 27707},
		{Code: "95633", Type: "commune-actuelle", Population: 104},
		{Code: "14762", Type: "commune-actuelle", Population: 17457},
		{Code: "14762", Name: "Vire", Type: "commune-deleguee", ChefLieu: "14762", Department: "14"},
	}
	places, st, err := join(rows, streets, communes, idx)
	require.NoError(t, err)
	require.Equal(t, joinStats{rows: 7, communes: 6, postalCodes: 6, postalCodesKept: 5,
		byName: 4, byFormer: 1, borrowed: 1, dropped: 1}, st)

	got := make(map[string]place)
	for _, p := range places {
		got[p.postalCode+" "+p.insee] = p
	}
	require.Equal(t, sourcePostal, got["95500 95633"].source)
	require.Equal(t, got["95500 95277"].coords, got["95500 95633"].coords)
	require.Equal(t, sourceFormer, got["14500 14762"].source)
	require.True(t, got["75016 75116"].main)
	require.False(t, got["75116 75116"].main)
	require.InDelta(t, 48.8637, got["75116 75116"].lat, 1e-9)
	require.InDelta(t, -20.88231, got["97400 97411"].lat, 1e-9)
	require.NotContains(t, got, "48000 48095")

	a, err := encode(places)
	require.NoError(t, err)
	b, err := encode(places)
	require.NoError(t, err)
	require.Equal(t, a, b)
}
