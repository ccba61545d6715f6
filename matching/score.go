package matching

import (
	"math"
	"strconv"
	"time"
)

// Score scores offer o for trainee t at time now, assuming Check passed: the
// Score is the sum of the points of its five Reasons (ROME, skills, distance,
// start date, accessibility, in that order), from 0 to 100.
func Score(t Trainee, o Offer, now time.Time) Match {
	var tr trainee
	tr.prepare(&t, now)
	d := dict{}
	po := newOffer(&o, 0)
	po.setDates()
	buf := po.setSkills(d, nil)
	tr.setSkills(t.Skills, d, buf, true)
	return tr.match(&po, haversine(&tr.home, &po.geo), make([]Reason, numReasons))
}

// numReasons is how many reasons a match has: one per component.
const numReasons = 5

// components are the points of each score component and what their reasons
// say.
type components struct {
	rome, skills, distance, start, access int

	romeLevel               int    // 3 exact code, 2 family, 1 domain, 0 none
	romeOffer, romeWanted   string // the pair of that level, set for the reasons
	reqN, reqHit            int
	optN, optHit, validated int
	km                      float64
	full                    bool
	gap                     int64 // offer start minus first availability, in days
	friendly                bool
}

func (c *components) total() int { return c.rome + c.skills + c.distance + c.start + c.access }

// romePoints by level of likeness.
var romePoints = [4]int{0, 10, 20, WeightROME}

// Start-date closeness: full points up to startFullDays apart, none from
// startNoneDays.
const (
	startFullDays = 14
	startNoneDays = 120
)

// components scores o (with its dates and skills set) but for the distance,
// which setDistance adds. Points are integers: each component is rounded half
// up on its own.
func (tr *trainee) components(o *offer) components {
	c := components{full: o.Remote == remoteFull, friendly: o.DisabilityFriendly}
	c.romeLevel = tr.romeLevelOf(o)
	c.rome = romePoints[c.romeLevel]

	// Skills: the coverage of each list, a matched skill weighing its
	// evidence; a list the offer leaves empty gives its full points.
	var reqSum, optSum int
	c.reqN, c.optN = len(o.req), len(o.opt)
	for _, id := range o.req {
		if w := tr.weight(id); w > 0 {
			c.reqHit, reqSum = c.reqHit+1, reqSum+w
			if w >= weightValidated {
				c.validated++
			}
		}
	}
	for _, id := range o.opt {
		if w := tr.weight(id); w > 0 {
			c.optHit, optSum = c.optHit+1, optSum+w
			if w >= weightValidated {
				c.validated++
			}
		}
	}
	c.skills = coverage(20, reqSum, c.reqN) + coverage(WeightSkills-20, optSum, c.optN)

	// Start date: how far the offer's start is from the trainee's first day
	// of availability, either way.
	start := tr.today
	if o.hasStart {
		start = o.start
	}
	c.gap = start - tr.first
	gap := c.gap
	if gap < 0 {
		gap = -gap
	}
	switch {
	case gap <= startFullDays:
		c.start = WeightStartDate
	case gap >= startNoneDays:
		c.start = 0
	default:
		c.start = roundDiv(WeightStartDate*(startNoneDays-int(gap)), startNoneDays-startFullDays)
	}

	c.access = tr.accessPoints(o.Offer)
	return c
}

// setDistance sets the distance component: the offer is km from home.
func (c *components) setDistance(tr *trainee, o *Offer, km float64) {
	c.km, c.distance = km, tr.distancePoints(o, km)
}

// romeMatch returns the likest pair of an offer code and a wanted code (the
// offer's first codes first), by index (-1 for none), and their level of
// likeness.
func (tr *trainee) romeMatch(o *Offer) (level, offered, wanted int) {
	offered, wanted = -1, -1
	for i, oc := range o.ROME {
		for j, wc := range tr.rome {
			if l := romeLevel(oc, wc); l > level {
				level, offered, wanted = l, i, j
			}
		}
	}
	return level, offered, wanted
}

// romeLevelOf is the level of romeMatch. In an index's Match it looks the
// level of each of o's codes up in a table it fills as it goes.
func (tr *trainee) romeLevelOf(o *offer) int {
	if tr.romeCodes == nil {
		level, _, _ := tr.romeMatch(o.Offer)
		return level
	}
	level := 0
	for _, id := range o.romeIDs {
		l := tr.romeTab[id]
		if l < 0 {
			l = 0
			for _, wc := range tr.rome {
				l = max(l, int8(romeLevel(tr.romeCodes[id], wc)))
			}
			tr.romeTab[id] = l
		}
		level = max(level, int(l))
	}
	return level
}

// distancePoints decrease linearly from full points at home to none at the
// radius; a fully remote offer has them all.
func (tr *trainee) distancePoints(o *Offer, km float64) int {
	switch {
	case o.Remote == remoteFull:
		return WeightDistance
	case !(km <= tr.radius):
		return 0
	case tr.radius <= 0:
		return WeightDistance
	}
	v := float64(WeightDistance * float64(1-km/tr.radius))
	if !(v > 0) { // 0 ≤ km ≤ radius: v is never NaN, but int(NaN) would be
		v = 0
	}
	return int(math.Round(min(v, WeightDistance)))
}

// accessPoints are full but for a trainee with RQTH at a workplace that is
// not disability-friendly.
func (tr *trainee) accessPoints(o *Offer) int {
	if tr.rqth && !o.DisabilityFriendly {
		return 0
	}
	return WeightAccessibility
}

// coverage is weight × sum / (10 n) rounded half up (sum is in tenths), or
// weight when n is 0.
func coverage(weight, sum, n int) int {
	if n == 0 {
		return weight
	}
	return roundDiv(weight*sum, 10*n)
}

// roundDiv is p/q rounded half up, for p ≥ 0 and q > 0.
func roundDiv(p, q int) int { return (2*p + q) / (2 * q) }

// romeLevel is how alike two ROME codes are, ignoring ASCII case: 3 the same
// code, 2 the same family (first three characters), 1 the same domain (first
// letter), 0 none.
func romeLevel(a, b string) int {
	switch {
	case len(a) == 0 || len(b) == 0 || lowerASCII(a[0]) != lowerASCII(b[0]):
		return 0
	case len(a) < 3 || len(b) < 3 || !equalFoldASCII(a[:3], b[:3]):
		return 1
	case equalFoldASCII(a, b):
		return 3
	}
	return 2
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// match scores o and writes its reasons into reasons (numReasons long).
func (tr *trainee) match(o *offer, km float64, reasons []Reason) Match {
	c := tr.components(o)
	c.setDistance(tr, o.Offer, km)
	if l, oi, wi := tr.romeMatch(o.Offer); l > 0 {
		c.romeOffer, c.romeWanted = o.ROME[oi], tr.rome[wi]
	}
	c.reasons(reasons, tr)
	return Match{OfferID: o.ID, Score: c.total(), DistanceKm: km, Reasons: reasons}
}

// reasons writes the five reasons. Their texts say what the offer is and
// how it meets the trainee's wishes and skills; the accessibility text
// describes the workplace only, whatever the trainee's status.
func (c *components) reasons(rs []Reason, tr *trainee) {
	var b []byte
	switch c.romeLevel {
	case 3:
		b = append(append(b, "exact ROME code "...), c.romeOffer...)
	case 2:
		b = append(b, "same ROME family "...)
		b = appendUpperASCII(b, c.romeOffer[:3])
		b = append(append(append(append(b, ": offer "...), c.romeOffer...), ", wanted "...), c.romeWanted...)
	case 1:
		b = append(b, "same ROME domain "...)
		b = appendUpperASCII(b, c.romeOffer[:1])
		b = append(append(append(append(b, ": offer "...), c.romeOffer...), ", wanted "...), c.romeWanted...)
	default:
		if len(tr.rome) == 0 {
			b = append(b, "no ROME code wanted"...)
		} else {
			b = append(b, "no ROME code in common"...)
		}
	}
	rs[0] = Reason{Code: ReasonROME, Points: c.rome, Detail: string(b)}

	b = b[:0]
	if c.reqN == 0 {
		b = append(b, "no required skill"...)
	} else {
		b = appendRatio(append(b, "required skills "...), c.reqHit, c.reqN)
	}
	if c.optN == 0 {
		b = append(b, ", no optional skill"...)
	} else {
		b = appendRatio(append(b, ", optional skills "...), c.optHit, c.optN)
	}
	if c.validated > 0 {
		b = append(strconv.AppendInt(append(b, ", "...), int64(c.validated), 10), " validated or badged"...)
	}
	rs[1] = Reason{Code: ReasonSkills, Points: c.skills, Detail: string(b)}

	b = b[:0]
	if c.full {
		b = append(b, "fully remote"...)
	} else {
		b = strconv.AppendFloat(b, c.km, 'f', 1, 64)
		b = append(strconv.AppendFloat(append(b, " km away, within "...), tr.radius, 'f', -1, 64), " km"...)
	}
	rs[2] = Reason{Code: ReasonDistance, Points: c.distance, Detail: string(b)}

	b = b[:0]
	switch gap := c.gap; gap {
	case 0:
		b = append(b, "starts on the first day of availability"...)
	default:
		n, when := gap, " after "
		if gap < 0 {
			n, when = -gap, " before "
		}
		b = strconv.AppendInt(append(b, "starts "...), n, 10)
		if n == 1 {
			b = append(b, " day"...)
		} else {
			b = append(b, " days"...)
		}
		b = append(append(b, when...), "the first day of availability"...)
	}
	rs[3] = Reason{Code: ReasonStartDate, Points: c.start, Detail: string(b)}

	detail := "workplace not marked disability-friendly"
	if c.friendly {
		detail = "disability-friendly workplace"
	}
	rs[4] = Reason{Code: ReasonAccessibility, Points: c.access, Detail: detail}
}

func appendRatio(b []byte, hit, n int) []byte {
	return strconv.AppendInt(append(strconv.AppendInt(b, int64(hit), 10), '/'), int64(n), 10)
}

func appendUpperASCII(b []byte, s string) []byte {
	for i := range len(s) {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}
