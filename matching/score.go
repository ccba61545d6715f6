package matching

import (
	"math"
	"slices"
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
	po := offer{Offer: o, geo: geoOf(o.Location)}
	buf := po.setSkills(d, nil)
	tr.setSkills(t.Skills, d, buf, true)
	return tr.match(&po, haversine(&tr.home, &po.geo), make([]Reason, numReasons))
}

// numReasons is how many reasons a match has: one per component.
const numReasons = 5

// Skill weights in tenths, by evidence.
const (
	weightOpenBadge = 10
	weightValidated = 9
	weightDeclared  = 6
)

func weightOf(e Evidence) int {
	switch e {
	case EvidenceOpenBadge:
		return weightOpenBadge
	case EvidenceAdviserValidated:
		return weightValidated
	}
	return weightDeclared
}

// skill is a trainee's skill: an id in the dictionary of folded names, and
// its best weight.
type skill struct {
	id     int32
	weight int
}

// dict gives folded skill names small integer ids, so that the hot path
// compares integers.
type dict map[string]int32

// id returns name's id, adding it when add is set, else -1 when unknown.
func (d dict) id(name []byte, add bool) int32 {
	if id, ok := d[string(name)]; ok {
		return id
	}
	if !add {
		return -1
	}
	id := int32(len(d))
	d[string(name)] = id
	return id
}

// appendSkillIDs appends to dst the ids of names (added to d), skipping empty
// names and those already in dst[from:] or in not.
func appendSkillIDs(dst []int32, from int, not []int32, names []string, d dict, buf []byte) ([]int32, []byte) {
	for _, n := range names {
		buf = foldSkill(buf[:0], n)
		if len(buf) == 0 {
			continue
		}
		id := d.id(buf, true)
		if !slices.Contains(dst[from:], id) && !slices.Contains(not, id) {
			dst = append(dst, id)
		}
	}
	return dst, buf
}

// setSkills sets the trainee's skills from skills, with d's ids: added to d
// when add is set, else skipped when d does not know them (no offer asks for
// them).
func (tr *trainee) setSkills(skills []Skill, d dict, buf []byte, add bool) []byte {
	tr.skills = tr.skills[:0]
next:
	for _, s := range skills {
		buf = foldSkill(buf[:0], s.Name)
		if len(buf) == 0 {
			continue
		}
		id := d.id(buf, add)
		if id < 0 {
			continue
		}
		w := weightOf(s.Evidence)
		for i := range tr.skills {
			if tr.skills[i].id == id {
				tr.skills[i].weight = max(tr.skills[i].weight, w)
				continue next
			}
		}
		tr.skills = append(tr.skills, skill{id, w})
	}
	return buf
}

func (tr *trainee) weight(id int32) int {
	for _, s := range tr.skills {
		if s.id == id {
			return s.weight
		}
	}
	return 0
}

// components are the points of each score component and what their reasons
// say.
type components struct {
	rome, skills, distance, start, access int

	romeLevel               int // 3 exact code, 2 family, 1 domain, 0 none
	romeOffer, romeWanted   string
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

// components scores o (whose skill ids are req and opt, at km from home).
// Points are integers: each component is rounded half up on its own.
func (tr *trainee) components(o *Offer, req, opt []int32, km float64) components {
	c := components{km: km, full: o.Remote == remoteFull, friendly: o.DisabilityFriendly}

	// ROME: the likest pair of codes, the offer's first codes first.
	for _, oc := range o.ROME {
		for _, wc := range tr.rome {
			if l := romeLevel(oc, wc); l > c.romeLevel {
				c.romeLevel, c.romeOffer, c.romeWanted = l, oc, wc
			}
		}
	}
	c.rome = romePoints[c.romeLevel]

	// Skills: the coverage of each list, a matched skill weighing its
	// evidence; a list the offer leaves empty gives its full points.
	var reqSum, optSum int
	c.reqN, c.optN = len(req), len(opt)
	for _, id := range req {
		if w := tr.weight(id); w > 0 {
			c.reqHit, reqSum = c.reqHit+1, reqSum+w
			if w >= weightValidated {
				c.validated++
			}
		}
	}
	for _, id := range opt {
		if w := tr.weight(id); w > 0 {
			c.optHit, optSum = c.optHit+1, optSum+w
			if w >= weightValidated {
				c.validated++
			}
		}
	}
	c.skills = coverage(20, reqSum, c.reqN) + coverage(WeightSkills-20, optSum, c.optN)

	// Distance: linear from full points at home to none at the radius.
	switch {
	case c.full:
		c.distance = WeightDistance
	case !(km <= tr.radius):
		c.distance = 0
	case tr.radius <= 0:
		c.distance = WeightDistance
	default:
		v := float64(WeightDistance * float64(1-km/tr.radius))
		if !(v > 0) { // 0 ≤ km ≤ radius: v is never NaN, but int(NaN) would be
			v = 0
		}
		c.distance = int(math.Round(min(v, WeightDistance)))
	}

	// Start date: how far the offer's start is from the trainee's first day
	// of availability, either way.
	start := tr.today
	if !o.Start.IsZero() {
		start = dayOf(o.Start, 0)
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

	c.access = WeightAccessibility
	if tr.rqth && !o.DisabilityFriendly {
		c.access = 0
	}
	return c
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
	c := tr.components(&o.Offer, o.req, o.opt, km)
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
	switch gap := c.gap; {
	case gap == 0:
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
