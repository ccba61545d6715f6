package matching

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// reason returns m's reason of that code.
func reason(t *testing.T, m Match, code string) Reason {
	t.Helper()
	for _, r := range m.Reasons {
		if r.Code == code {
			return r
		}
	}
	t.Fatalf("no %s reason in %+v", code, m.Reasons)
	return Reason{}
}

func TestScoreFixture(t *testing.T) {
	t.Parallel()
	tr, o := fixture()
	m := Score(tr, o, now)
	require.Equal(t, o.ID, m.OfferID)
	require.InDelta(t, 8.859, m.DistanceKm, 0.001)
	require.Equal(t, []Reason{
		{ReasonROME, 35, "exact ROME code M1805"},
		// HTML with a badge (1.0) and CSS declared (0.6) of 2 required: 16/20;
		// Git not had: 0/10.
		{ReasonSkills, 16, "required skills 2/2, optional skills 0/1, 1 validated or badged"},
		// 15 × (1 − 8.86/30) = 10.57
		{ReasonDistance, 11, "8.9 km away, within 30 km"},
		{ReasonStartDate, 10, "starts 6 days after the first day of availability"},
		{ReasonAccessibility, 10, "workplace not marked disability-friendly"},
	}, m.Reasons)
	require.Equal(t, 82, m.Score)
	requireScoreInvariants(t, m)
}

func TestScoreROME(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		wanted, offered []string
		points          int
		detail          string
	}{
		{[]string{"M1805"}, []string{"M1805"}, 35, "exact ROME code M1805"},
		{[]string{"m1805"}, []string{"M1805"}, 35, "exact ROME code M1805"},
		{[]string{"D1214", "M1810"}, []string{"M1805"}, 20, "same ROME family M18: offer M1805, wanted M1810"},
		{[]string{"M1203"}, []string{"M1805"}, 10, "same ROME domain M: offer M1805, wanted M1203"},
		{[]string{"D1214"}, []string{"M1805"}, 0, "no ROME code in common"},
		{nil, []string{"M1805"}, 0, "no ROME code wanted"},
		{[]string{"M1805"}, nil, 0, "no ROME code in common"},
		// The best pair wins, whatever the order.
		{[]string{"M1203", "I1401", "M1810"}, []string{"D1214", "M1805", "I1402"}, 20, "same ROME family M18: offer M1805, wanted M1810"},
		{[]string{"M1203", "I1401"}, []string{"D1214", "M1805", "I1401"}, 35, "exact ROME code I1401"},
	} {
		tr, o := fixture()
		tr.WantedROME, o.ROME = tc.wanted, tc.offered
		require.Equal(t, Reason{ReasonROME, tc.points, tc.detail}, reason(t, Score(tr, o, now), ReasonROME), "%v %v", tc.wanted, tc.offered)
	}
}

func TestScoreSkills(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		has          []Skill
		req, opt     []string
		points       int
		detailPrefix string
	}{
		{"all required with badges, no optional listed", []Skill{{"HTML", EvidenceOpenBadge}, {"CSS", EvidenceOpenBadge}},
			[]string{"HTML", "CSS"}, nil, 30, "required skills 2/2, no optional skill"},
		{"validated weighs 0.9", []Skill{{"HTML", EvidenceAdviserValidated}}, []string{"HTML"}, nil, 28, "required skills 1/1"},
		{"declared weighs 0.6", []Skill{{"HTML", EvidenceDeclared}}, []string{"HTML"}, nil, 22, "required skills 1/1"},
		{"unknown evidence counts as declared", []Skill{{"HTML", "hearsay"}}, []string{"HTML"}, nil, 22, "required skills 1/1"},
		{"the best evidence of a skill listed twice", []Skill{{"HTML", EvidenceDeclared}, {"html", EvidenceOpenBadge}},
			[]string{"HTML"}, nil, 30, "required skills 1/1"},
		{"no required skill gives the required part", nil, nil, []string{"Git"}, 20, "no required skill, optional skills 0/1"},
		{"nothing asked gives everything", nil, nil, nil, 30, "no required skill, no optional skill"},
		{"half the required", []Skill{{"HTML", EvidenceOpenBadge}}, []string{"HTML", "CSS"}, []string{"Git"}, 10, "required skills 1/2"},
		{"optional only", []Skill{{"Git", EvidenceOpenBadge}}, []string{"HTML"}, []string{"Git", "Linux"}, 5, "required skills 0/1, optional skills 1/2"},
		{"case and accents ignored", []Skill{{"reseaux  tcp/ip", EvidenceOpenBadge}, {"HYGIÈNE HACCP", EvidenceOpenBadge}},
			[]string{"Réseaux TCP/IP", "hygiene haccp"}, nil, 30, "required skills 2/2"},
		{"decomposed accents", []Skill{{"Re\u0301seaux", EvidenceOpenBadge}}, []string{"réseaux"}, nil, 30, "required skills 1/1"},
		{"ligatures", []Skill{{"Œnologie", EvidenceOpenBadge}}, []string{"oenologie"}, nil, 30, "required skills 1/1"},
		{"punctuation counts", []Skill{{"C", EvidenceOpenBadge}}, []string{"C++"}, []string{"C#"}, 0, "required skills 0/1, optional skills 0/1"},
		{"an offer's duplicates count once", []Skill{{"HTML", EvidenceOpenBadge}}, []string{"HTML", "html ", "CSS"}, nil, 20, "required skills 1/2"},
		{"a skill both required and optional is required", []Skill{{"HTML", EvidenceOpenBadge}}, []string{"HTML"}, []string{"html"}, 30, "required skills 1/1, no optional skill"},
		{"blank names are ignored", []Skill{{" ", EvidenceOpenBadge}}, []string{"", "  "}, []string{"\t"}, 30, "no required skill, no optional skill"},
	} {
		tr, o := fixture()
		tr.Skills, o.RequiredSkills, o.OptionalSkills = tc.has, tc.req, tc.opt
		r := reason(t, Score(tr, o, now), ReasonSkills)
		require.Equal(t, tc.points, r.Points, tc.name)
		require.True(t, strings.HasPrefix(r.Detail, tc.detailPrefix), "%s: %q", tc.name, r.Detail)
	}
}

func TestScoreDistance(t *testing.T) {
	t.Parallel()
	tr, o := fixture()
	o.Location = paris
	require.Equal(t, Reason{ReasonDistance, 15, "0.0 km away, within 30 km"}, reason(t, Score(tr, o, now), ReasonDistance))
	o.Location, tr.RadiusKm = meaux, 2*DistanceKm(paris, meaux) // half the radius: 7.5 rounds to 8
	require.Equal(t, 8, reason(t, Score(tr, o, now), ReasonDistance).Points)
	tr.RadiusKm = DistanceKm(paris, meaux) // at the radius
	require.Equal(t, Rule(""), Check(tr, o, now))
	require.Equal(t, 0, reason(t, Score(tr, o, now), ReasonDistance).Points)
	o.Location, o.Remote = dijon, "full"
	require.Equal(t, Reason{ReasonDistance, 15, "fully remote"}, reason(t, Score(tr, o, now), ReasonDistance))
	tr.RadiusKm, o.Location, o.Remote = 0, paris, "none"
	require.Equal(t, 15, reason(t, Score(tr, o, now), ReasonDistance).Points)
}

func TestScoreStartDate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		first, start time.Time // zero first: no availability given
		points       int
		detail       string
	}{
		{time.Time{}, date(2026, 3, 10), 10, "starts on the first day of availability"},
		{time.Time{}, time.Time{}, 10, "starts on the first day of availability"},
		{time.Time{}, date(2026, 3, 24), 10, "starts 14 days after the first day of availability"},
		{time.Time{}, date(2026, 3, 11), 10, "starts 1 day after the first day of availability"},
		// 10 × (120 − 67) / 106 = 5
		{time.Time{}, date(2026, 5, 16), 5, "starts 67 days after the first day of availability"},
		{time.Time{}, date(2026, 7, 8), 0, "starts 120 days after the first day of availability"},
		{date(2026, 5, 1), date(2026, 4, 21), 10, "starts 10 days before the first day of availability"},
		// Availability in the past counts from today.
		{date(2026, 1, 1), date(2026, 3, 12), 10, "starts 2 days after the first day of availability"},
		// An offer that started long ago is a poor fit.
		{time.Time{}, date(2025, 9, 1), 0, "starts 190 days before the first day of availability"},
	} {
		tr, o := fixture()
		o.Start, o.End = tc.start, time.Time{}
		if !tc.first.IsZero() {
			tr.Availability = []Window{{From: date(2027, 1, 1)}, {From: tc.first, To: tc.first.AddDate(1, 0, 0)}}
		}
		require.Equal(t, Reason{ReasonStartDate, tc.points, tc.detail}, reason(t, Score(tr, o, now), ReasonStartDate), "%v %v", tc.first, tc.start)
	}
}

func TestScoreAccessibilityLeaksNothing(t *testing.T) {
	t.Parallel()
	for _, friendly := range []bool{false, true} {
		tr, o := fixture()
		o.DisabilityFriendly = friendly
		plain := Score(tr, o, now)
		tr.RQTH = true
		rqth := Score(tr, o, now)
		for i := range plain.Reasons {
			// The texts are the same for both; only the points tell.
			require.Equal(t, plain.Reasons[i].Detail, rqth.Reasons[i].Detail)
			for _, word := range []string{"rqth", "handicap", "disabled", "2005", "born", "age", "20 years"} {
				require.NotContains(t, strings.ToLower(rqth.Reasons[i].Detail), word)
			}
		}
		access := reason(t, rqth, ReasonAccessibility)
		require.Equal(t, 10, reason(t, plain, ReasonAccessibility).Points)
		if friendly {
			require.Equal(t, Reason{ReasonAccessibility, 10, "disability-friendly workplace"}, access)
		} else {
			require.Equal(t, Reason{ReasonAccessibility, 0, "workplace not marked disability-friendly"}, access)
		}
	}
}

// TestScoreProperties holds Score to its invariants on random pairs.
func TestScoreProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		tr, o := genTrainee(r, genPlace(r)), genOffer(r, genPlace(r))
		if r.IntN(2) == 0 { // nearby, often eligible
			o.Location = Point{tr.Home.Lat + (r.Float64()-0.5)*0.5, tr.Home.Lon + (r.Float64()-0.5)*0.7}
		}
		m := Score(tr, o, now)
		requireScoreInvariants(t, m)
		require.Equal(t, m, Score(tr, o, now), "same input, same output")
		rule := Check(tr, o, now)
		require.Equal(t, rule, Check(tr, o, now), "same input, same rule")
		require.Equal(t, DistanceKm(tr.Home, o.Location), m.DistanceKm)

		// A nearer offer never scores lower, all else equal.
		f := r.Float64()
		nearer := o
		nearer.Location = Point{tr.Home.Lat + f*(o.Location.Lat-tr.Home.Lat), tr.Home.Lon + f*(o.Location.Lon-tr.Home.Lon)}
		if DistanceKm(tr.Home, nearer.Location) <= m.DistanceKm {
			require.GreaterOrEqual(t, Score(tr, nearer, now).Score, m.Score, "pair %d", i)
			if Check(tr, o, now) == "" {
				require.Equal(t, Rule(""), Check(tr, nearer, now), "pair %d: nearer is eligible too", i)
			}
		}
	}
}

func TestDistanceKm(t *testing.T) {
	t.Parallel()
	require.InDelta(t, 262.7, DistanceKm(paris, dijon), 0.1)
	require.Equal(t, DistanceKm(paris, dijon), DistanceKm(dijon, paris))
	require.Zero(t, DistanceKm(paris, paris))
	require.InDelta(t, math.Pi*earthRadiusKm, DistanceKm(Point{0, 0}, Point{0, 180}), 1e-6)
	require.InDelta(t, 2*math.Pi*earthRadiusKm/360*0.2, DistanceKm(Point{0, 179.9}, Point{0, -179.9}), 1e-6)
	require.True(t, math.IsNaN(DistanceKm(paris, Point{math.NaN(), 2})))
}
