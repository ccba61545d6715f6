package matching

import (
	"math"
	"time"

	"github.com/google/uuid"
)

// Check returns "" when trainee t may take offer o at time now, else the first
// hard rule that fails, in the order of the Rule constants. Calendar days are
// read from each time in its own location: pass now in the zone the days are
// counted in (Europe/Paris).
func Check(t Trainee, o Offer, now time.Time) Rule {
	var tr trainee
	tr.prepare(&t, now)
	po := newOffer(&o, 0)
	po.setDates()
	r, _ := tr.check(&po)
	return r
}

// offer is an Offer prepared for matching: its location and dates in the
// forms the rules use, its skills as ids.
type offer struct {
	*Offer
	pos        int32 // index in the slice it came from: the last tie-break
	geo        geo
	hasStart   bool
	start, end int64   // calendar days; end dayMax when open
	sy, sm, sd int     // start date when hasStart
	req, opt   []int32 // distinct skill ids; a skill both required and optional is required
	romeIDs    []int32 // set by the index: ROME as ids in its list of codes
}

func newOffer(o *Offer, pos int) offer {
	return offer{Offer: o, pos: int32(pos), geo: geoOf(o.Location)}
}

// setDates computes the offer's days, which only eligible offers need.
func (o *offer) setDates() {
	o.hasStart = !o.Start.IsZero()
	if o.hasStart {
		o.sy, o.sm, o.sd = ymd(o.Start)
		o.start = civilDay(o.sy, o.sm, o.sd)
	}
	o.end = dayOf(o.End, dayMax)
}

// trainee is a Trainee prepared for matching at one instant: what every offer
// is compared with, computed once. Its slices are reused from match to match.
type trainee struct {
	now        time.Time
	today      int64 // calendar day of now
	ty, tm, td int   // its date
	kinds      []string
	rome       []string
	// In an index's Match: the index's distinct ROME codes, and the best
	// level of each against rome (-1: not computed yet); the weight of each
	// skill id (0: not had).
	romeCodes  []string
	romeTab    []int8
	skillTab   []int8
	home       geo
	radius     float64
	maxHours   float64
	rqth       bool
	birthKnown bool
	by, bm, bd int     // birth date
	windows    []span  // availability from today on, non-empty spans only
	first      int64   // first day of availability from today on
	skills     []skill // distinct skills, by id, with their best weight
	excluded   map[uuid.UUID]bool
}

// span is a period of calendar days, ends included.
type span struct{ from, to int64 }

// Days before and after any real one.
const (
	dayMin = math.MinInt64
	dayMax = math.MaxInt64
)

func (tr *trainee) prepare(t *Trainee, now time.Time) {
	tr.now = now
	tr.ty, tr.tm, tr.td = ymd(now)
	tr.today = civilDay(tr.ty, tr.tm, tr.td)
	tr.kinds, tr.rome = t.WantedKinds, t.WantedROME
	tr.romeCodes, tr.romeTab, tr.skillTab = nil, tr.romeTab[:0], tr.skillTab[:0]
	tr.home, tr.radius, tr.maxHours, tr.rqth = geoOf(t.Home), t.RadiusKm, t.MaxWeeklyHours, t.RQTH
	tr.birthKnown = !t.BirthDate.IsZero()
	if tr.birthKnown {
		tr.by, tr.bm, tr.bd = ymd(t.BirthDate)
	}
	tr.excluded = t.Excluded
	tr.skills = tr.skills[:0]

	// Availability before today means nothing: a placement starts today at
	// the earliest.
	tr.windows = tr.windows[:0]
	if len(t.Availability) == 0 {
		tr.windows = append(tr.windows, span{tr.today, dayMax})
	}
	for _, w := range t.Availability {
		s := span{max(dayOf(w.From, dayMin), tr.today), dayOf(w.To, dayMax)}
		if s.from <= s.to {
			tr.windows = append(tr.windows, s)
		}
	}
	tr.first = tr.today // when none is left, Check fails availability anyway
	for i, w := range tr.windows {
		if i == 0 || w.from < tr.first {
			tr.first = w.from
		}
	}
}

func (tr *trainee) wants(kind string) bool {
	if len(tr.kinds) == 0 {
		return true
	}
	for _, k := range tr.kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// check applies every hard rule to o (with its dates set). It also returns
// the distance from home (0 when the distance rule failed).
func (tr *trainee) check(o *offer) (Rule, float64) {
	if r := tr.checkStatic(o.Offer); r != "" {
		return r, 0
	}
	km, ok := tr.within(o)
	if !ok {
		return RuleDistance, 0
	}
	return tr.checkDated(o), km
}

// checkStatic applies the rules that need nothing computed of the offer.
func (tr *trainee) checkStatic(o *Offer) Rule {
	switch {
	case !tr.wants(o.Kind):
		return RuleKind
	case o.Status != statusPublished:
		return RuleStatus
	case o.PositionsLeft <= 0:
		return RulePositions
	case !o.ExpiresAt.IsZero() && !o.ExpiresAt.After(tr.now):
		return RuleExpired
	}
	return ""
}

// within applies the distance rule, and returns the distance when it passes.
func (tr *trainee) within(o *offer) (float64, bool) {
	full := o.Remote == remoteFull
	if !full && surelyFarther(&tr.home, &o.geo, tr.radius) {
		return 0, false
	}
	km := haversine(&tr.home, &o.geo)
	return km, full || km <= tr.radius
}

// checkDated applies the rules that come after the distance.
func (tr *trainee) checkDated(o *offer) Rule {
	sy, sm, sd, start := tr.ty, tr.tm, tr.td, tr.today
	if o.hasStart {
		sy, sm, sd, start = o.sy, o.sm, o.sd, o.start
	}
	available := false
	for _, w := range tr.windows {
		if max(w.from, start) <= min(w.to, o.end) {
			available = true
			break
		}
	}
	if !available {
		return RuleAvailability
	}

	if o.WeeklyHours > 0 && tr.maxHours > 0 && o.WeeklyHours > tr.maxHours {
		return RuleWeeklyHours
	}

	age := 0
	if tr.birthKnown {
		age = sy - tr.by
		if sm < tr.bm || sm == tr.bm && sd < tr.bd {
			age--
		}
	}
	lo, hi := max(o.MinAge, 0), max(o.MaxAge, 0) // 0: no bound
	if o.Kind == kindApprenticeship {
		lo = max(lo, apprenticeshipMinAge)
		switch {
		case tr.rqth:
			hi = 0 // no upper bound for a recognised disabled worker
		case hi == 0 || hi > apprenticeshipMaxAge:
			hi = apprenticeshipMaxAge
		}
	}
	switch bounded := lo > 0 || hi > 0; {
	case bounded && !tr.birthKnown, lo > 0 && age < lo, hi > 0 && age > hi:
		return RuleAge
	}
	if !o.OpenToMinors && (!tr.birthKnown || age < majority) {
		return RuleMinor
	}

	if tr.excluded[o.ID] {
		return RuleExcluded
	}
	return ""
}

// ymd is t's date in its own location.
func ymd(t time.Time) (y, m, d int) {
	yy, mm, dd := t.Date()
	return yy, int(mm), dd
}

// dayOf is t's calendar day, or zero when t is zero.
func dayOf(t time.Time, zero int64) int64 {
	if t.IsZero() {
		return zero
	}
	return civilDay(ymd(t))
}

// civilDay is the number of days from 1970-01-01 to y-m-d in the proleptic
// Gregorian calendar (H. Hinnant's days_from_civil), with no allocation and
// no range limit that a time.Time can reach.
func civilDay(y, m, d int) int64 {
	yy := int64(y)
	if m <= 2 {
		yy--
	}
	era := yy / 400
	if yy < 0 && yy%400 != 0 {
		era--
	}
	yoe := yy - era*400
	doy := (153*int64((m+9)%12)+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}
