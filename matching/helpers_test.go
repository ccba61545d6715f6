package matching

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// now is the tests' present: a Tuesday morning in Paris.
var now = time.Date(2026, 3, 10, 10, 30, 0, 0, time.UTC)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Places of the fixtures.
var (
	paris      = Point{48.8566, 2.3522}
	saintDenis = Point{48.9362, 2.3574} // 8.9 km from Paris
	meaux      = Point{48.9601, 2.8788} // 40.2 km from Paris
	dijon      = Point{47.3220, 5.0415} // 262.7 km from Paris
)

// fixture returns a trainee of 20 living in Paris with a 30 km radius, and a
// published internship in Saint-Denis that suits them.
func fixture() (Trainee, Offer) {
	t := Trainee{
		ID: uuid.MustParse("00000000-0000-4000-8000-000000000001"), BirthDate: date(2005, 6, 15),
		Home: paris, RadiusKm: 30, WantedROME: []string{"M1805"},
		Skills: []Skill{{"HTML", EvidenceOpenBadge}, {"CSS", EvidenceDeclared}, {"JavaScript", EvidenceAdviserValidated}},
	}
	o := Offer{
		ID: uuid.MustParse("10000000-0000-4000-8000-000000000001"), Kind: "internship", Status: "published",
		ROME: []string{"M1805"}, RequiredSkills: []string{"HTML", "CSS"}, OptionalSkills: []string{"Git"},
		Location: saintDenis, Remote: "none", Start: date(2026, 3, 16), End: date(2026, 6, 30),
		WeeklyHours: 35, PositionsLeft: 1, ExpiresAt: date(2026, 5, 1),
	}
	return t, o
}

// bornAged returns the birth date of someone who turns age on day.
func bornAged(age int, day time.Time) time.Time { return day.AddDate(-age, 0, 0) }

// requireSameMatches compares two results, NaN distances being equal.
func requireSameMatches(t testing.TB, want, got []Match, msgAndArgs ...any) {
	t.Helper()
	require.Len(t, got, len(want), msgAndArgs...)
	for i := range want {
		w, g := want[i], got[i]
		if math.IsNaN(w.DistanceKm) && math.IsNaN(g.DistanceKm) {
			w.DistanceKm, g.DistanceKm = 0, 0
		}
		require.Equal(t, w, g, msgAndArgs...)
	}
}

// requireScoreInvariants checks what every match must satisfy.
func requireScoreInvariants(t testing.TB, m Match) {
	t.Helper()
	require.Len(t, m.Reasons, numReasons)
	sum := 0
	for i, r := range m.Reasons {
		require.Equal(t, []string{ReasonROME, ReasonSkills, ReasonDistance, ReasonStartDate, ReasonAccessibility}[i], r.Code)
		require.GreaterOrEqual(t, r.Points, 0, r.Code)
		require.LessOrEqual(t, r.Points, []int{WeightROME, WeightSkills, WeightDistance, WeightStartDate, WeightAccessibility}[i], r.Code)
		require.NotEmpty(t, r.Detail)
		sum += r.Points
	}
	require.Equal(t, sum, m.Score)
	require.GreaterOrEqual(t, m.Score, 0)
	require.LessOrEqual(t, m.Score, 100)
}

// A generator of random but plausible profiles and offers, for the property
// tests and the benchmarks.

var (
	genKinds  = []string{"apprenticeship", "professionalisation", "internship", "immersion", "job", "discovery"}
	genROME   = []string{"M1805", "M1801", "M1810", "I1401", "I1307", "E1101", "D1214", "D1507", "G1602", "G1803", "H2909", "N4101"}
	genSkills = []string{"HTML", "CSS", "JavaScript", "PHP", "Python", "SQL", "Git", "Linux", "soudure fibre optique",
		"raccordement FTTH", "Travail en hauteur", "accueil client", "Encaissement", "mise en rayon", "Hygiène HACCP",
		"cuisson", "conduite de chariot", "Réseaux TCP/IP", "accessibilité numérique", "permis B"}
	genEvidence = []Evidence{EvidenceDeclared, EvidenceDeclared, EvidenceAdviserValidated, EvidenceOpenBadge}
)

// towns are French towns with their population in thousands, where the
// synthetic offers and trainees live.
var towns = []struct {
	lat, lon float64
	pop      int
}{
	{48.8566, 2.3522, 2100}, {45.7640, 4.8357, 520}, {43.2965, 5.3698, 870}, {43.6047, 1.4442, 500},
	{43.7102, 7.2620, 340}, {47.2184, -1.5536, 320}, {48.5734, 7.7521, 290}, {43.6108, 3.8767, 300},
	{44.8378, -0.5792, 260}, {50.6292, 3.0573, 235}, {48.1173, -1.6778, 220}, {49.2583, 4.0317, 180},
	{45.4397, 4.3872, 175}, {43.1242, 5.9280, 180}, {45.1885, 5.7245, 160}, {47.3220, 5.0415, 160},
	{47.4784, -0.5632, 155}, {48.0061, 0.1996, 145}, {48.3904, -4.4861, 140}, {45.7772, 3.0870, 147},
	{49.4431, 1.0993, 112}, {49.1829, -0.3707, 106}, {48.9601, 2.8788, 55}, {48.9362, 2.3574, 113},
	{48.9990, 2.4740, 27}, {46.3237, -0.4588, 59}, {46.5802, 0.3404, 89}, {47.3941, 0.6848, 137},
	{43.9493, 4.8055, 91}, {42.6887, 2.8948, 120}, {49.8941, 2.2958, 133}, {47.9030, 1.9093, 117},
	{48.6921, 6.1844, 104}, {49.1193, 6.1757, 117}, {45.8992, 6.1294, 131}, {44.9334, 4.8924, 64},
	{43.4832, -1.5586, 52}, {46.1603, -1.1511, 77}, {48.4469, 1.4890, 39}, {47.5861, 1.3359, 45},
	{49.2172, -0.3684, 12}, {48.8049, 2.1204, 85}, {48.7904, 2.4556, 90}, {48.9470, 2.1470, 60},
}

// genPlace picks a town by population and a point up to 8 km around it.
func genPlace(r *rand.Rand) Point {
	total := 0
	for _, t := range towns {
		total += t.pop
	}
	x := r.IntN(total)
	for _, t := range towns {
		if x -= t.pop; x < 0 {
			return Point{t.lat + (r.Float64()-0.5)*0.14, t.lon + (r.Float64()-0.5)*0.2}
		}
	}
	panic("unreachable")
}

func genID(r *rand.Rand) uuid.UUID {
	var u uuid.UUID
	for i := range u {
		u[i] = byte(r.Uint32())
	}
	return u
}

func some[T any](r *rand.Rand, from []T, lo, hi int) []T {
	n := lo + r.IntN(hi-lo+1)
	out := make([]T, 0, n)
	for _, i := range r.Perm(len(from))[:min(n, len(from))] {
		out = append(out, from[i])
	}
	return out
}

// genOffer makes up an offer at place p, mostly published and eligible.
func genOffer(r *rand.Rand, p Point) Offer {
	o := Offer{
		ID: genID(r), Kind: genKinds[r.IntN(len(genKinds))], Status: "published",
		ROME: some(r, genROME, 1, 3), RequiredSkills: some(r, genSkills, 0, 4), OptionalSkills: some(r, genSkills, 0, 3),
		Location: p, Remote: "none", PositionsLeft: 1 + r.IntN(3), DisabilityFriendly: r.IntN(4) == 0,
		OpenToMinors: r.IntN(2) == 0,
	}
	switch x := r.IntN(100); {
	case x < 3:
		o.Status = "draft"
	case x < 5:
		o.PositionsLeft = 0
	case x < 7:
		o.ExpiresAt = now.Add(-time.Hour)
	case x < 60:
		o.ExpiresAt = now.AddDate(0, 0, 1+r.IntN(60))
	}
	switch x := r.IntN(100); {
	case x < 2:
		o.Remote = "full"
	case x < 8:
		o.Remote = "partial"
	}
	if r.IntN(10) > 0 {
		o.Start = date(2026, 3, 10).AddDate(0, 0, r.IntN(240)-20)
		if r.IntN(5) > 0 {
			o.End = o.Start.AddDate(0, 0, 7+r.IntN(400))
		}
	}
	if r.IntN(3) > 0 {
		o.WeeklyHours = []float64{35, 35, 24, 20, 39}[r.IntN(5)]
	}
	if o.Kind == "apprenticeship" {
		o.MinAge, o.MaxAge = 16, 29
	} else if r.IntN(8) == 0 {
		o.MinAge, o.MaxAge = 18, 25+r.IntN(10)
	}
	return o
}

// genTrainee makes up a trainee of 15 to 35 at place p.
func genTrainee(r *rand.Rand, p Point) Trainee {
	t := Trainee{
		ID: genID(r), BirthDate: date(2026, 3, 10).AddDate(-15-r.IntN(21), 0, -r.IntN(365)),
		Home: p, RadiusKm: float64(10 + r.IntN(31)), WantedKinds: some(r, genKinds, 1, 3),
		WantedROME: some(r, genROME, 1, 3), RQTH: r.IntN(15) == 0,
	}
	for _, s := range some(r, genSkills, 0, 8) {
		t.Skills = append(t.Skills, Skill{s, genEvidence[r.IntN(len(genEvidence))]})
	}
	if r.IntN(3) > 0 {
		from := date(2026, 3, 10).AddDate(0, 0, r.IntN(120)-30)
		w := Window{From: from}
		if r.IntN(2) == 0 {
			w.To = from.AddDate(0, 0, 30+r.IntN(300))
		}
		t.Availability = append(t.Availability, w)
	}
	if r.IntN(5) == 0 {
		t.MaxWeeklyHours = []float64{20, 24, 35}[r.IntN(3)]
	}
	return t
}

// dataset makes up n offers on French towns.
func dataset(seed uint64, n int) []Offer {
	r := rand.New(rand.NewPCG(seed, 1))
	offers := make([]Offer, n)
	for i := range offers {
		offers[i] = genOffer(r, genPlace(r))
	}
	return offers
}
