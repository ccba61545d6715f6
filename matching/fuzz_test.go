package matching

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// unixOrZero is a time from seconds, zero for 0.
func unixOrZero(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// FuzzScore runs Check and Score on arbitrary profiles and offers: they never
// panic, the score keeps its invariants, and MatchAll and the index agree
// with Check and Score.
func FuzzScore(f *testing.F) {
	day := func(t time.Time) int64 { return t.Unix() }
	f.Add(48.8566, 2.3522, 30.0, day(date(2005, 6, 15)), uint8(0), "M1805", "HTML,CSS", uint8(2), int64(0), int64(0), 0.0, false,
		48.9362, 2.3574, uint8(2), true, "M1805", "HTML,CSS", "Git", uint8(0), day(date(2026, 3, 16)), day(date(2026, 6, 30)),
		35.0, 1, 0, 0, false, false, int64(0), day(now))
	f.Add(48.8566, 2.3522, 40.0, day(date(1994, 3, 1)), uint8(1), "m18", "réseaux tcp/ip", uint8(1), day(date(2026, 1, 1)),
		day(date(2026, 12, 31)), 24.0, true, 48.9601, 2.8788, uint8(0), true, "M1810,D1214", "Réseaux TCP/IP", "", uint8(1),
		int64(0), int64(0), 0.0, 3, 16, 29, true, true, day(date(2026, 5, 1)), day(now))
	f.Add(math.NaN(), 200.0, math.Inf(1), int64(-1), uint8(255), "", "", uint8(9), int64(-5), int64(5), -1.0, true,
		95.0, math.NaN(), uint8(6), false, ",,", " , ", "\xff", uint8(2), int64(1), int64(-1), math.NaN(), -1, 40, 20, false, true,
		int64(1), int64(0))
	f.Add(-17.7, 179.99, 25.0, day(date(2000, 2, 29)), uint8(4), "N4101", "Œnologie", uint8(2), int64(0), int64(0), 0.0, false,
		-17.71, -179.99, uint8(4), true, "N4101", "oenologie", "", uint8(0), int64(0), int64(0), 0.0, 1, 0, 0, true, false,
		int64(0), day(date(2026, 2, 28)))

	f.Fuzz(func(t *testing.T, tLat, tLon, radius float64, birth int64, kinds uint8, wanted, skills string, evidence uint8,
		availFrom, availTo int64, maxHours float64, rqth bool,
		oLat, oLon float64, kind uint8, published bool, rome, req, opt string, remote uint8, start, end int64,
		hours float64, positions, minAge, maxAge int, minors, friendly bool, expires, nowSec int64) {
		tr := Trainee{
			ID: uuid.UUID{1}, BirthDate: unixOrZero(birth), Home: Point{tLat, tLon}, RadiusKm: radius,
			WantedROME: split(wanted), MaxWeeklyHours: maxHours, RQTH: rqth,
		}
		for i, k := range genKinds {
			if kinds&(1<<i) != 0 {
				tr.WantedKinds = append(tr.WantedKinds, k)
			}
		}
		for i, s := range split(skills) {
			tr.Skills = append(tr.Skills, Skill{s, []Evidence{EvidenceDeclared, EvidenceAdviserValidated, EvidenceOpenBadge, "?"}[(int(evidence)+i)%4]})
		}
		if availFrom != 0 || availTo != 0 {
			tr.Availability = []Window{{unixOrZero(availFrom), unixOrZero(availTo)}}
		}
		o := Offer{
			ID: uuid.UUID{2}, Kind: "other", Status: "published",
			ROME: split(rome), RequiredSkills: split(req), OptionalSkills: split(opt), Location: Point{oLat, oLon},
			Remote: []string{"none", "partial", "full"}[remote%3], Start: unixOrZero(start), End: unixOrZero(end),
			WeeklyHours: hours, PositionsLeft: positions, MinAge: minAge, MaxAge: maxAge, OpenToMinors: minors,
			DisabilityFriendly: friendly, ExpiresAt: unixOrZero(expires),
		}
		if int(kind)%(len(genKinds)+1) < len(genKinds) {
			o.Kind = genKinds[int(kind)%(len(genKinds)+1)]
		}
		if !published {
			o.Status = "draft"
		}
		at := unixOrZero(nowSec)

		rule := Check(tr, o, at)
		require.Equal(t, rule, Check(tr, o, at))
		m := Score(tr, o, at)
		requireScoreInvariants(t, m)
		requireSameMatches(t, []Match{m}, []Match{Score(tr, o, at)})

		all := MatchAll(tr, []Offer{o}, at, Options{})
		if rule == "" {
			requireSameMatches(t, []Match{m}, all)
		} else {
			require.Empty(t, all)
		}
		requireSameMatches(t, all, NewIndex([]Offer{o}).Match(tr, at, Options{}))
	})
}
