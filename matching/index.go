package matching

import (
	"bytes"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Index holds offers for matching many trainees: partitioned by kind, and in
// each kind a grid of latitude bands whose offers are sorted by longitude, so
// that the offers around a trainee's home are a few contiguous runs. Fully
// remote offers are kept aside, as are offers whose location is not a valid
// coordinate (both are checked for every trainee who wants their kind).
//
// An Index is immutable once built and safe for concurrent Match calls.
type Index struct {
	// offers are grouped by kind; in a kind, the grid's offers by band then
	// longitude, then the fully remote ones, then those with no valid
	// location. src holds their Offers, in the same order.
	offers []offer
	src    []Offer
	parts  []part
	dict   dict // folded skill names of the offers; read-only
	// romeCodes are the distinct ROME codes of the offers, as written.
	romeCodes []string
	pool      sync.Pool
}

// part is one kind's offers: ix.offers[gridLo:gridHi] in the grid (band
// firstBand+i is ix.offers[bands[i]:bands[i+1]]), then up to outHi the fully
// remote offers and those with no valid location.
type part struct {
	kind                  string
	gridLo, gridHi, outHi int
	firstBand             int
	bands                 []int
}

// bandDeg is the height of a latitude band: 0.05° is 5.6 km, so a 10 to 40
// km radius reads 5 to 16 bands.
const bandDeg = 0.05

func band(lat float64) int { return int(math.Floor((lat + 90) / bandDeg)) }

// Where an offer sits in its kind.
const (
	inGrid   = iota
	inRemote // fully remote: no distance rule
	inOdd    // not a valid coordinate: checked every time
)

// NewIndex builds an index of offers. It keeps only the offers that may ever
// match (published, with positions left): Len counts those. It copies what
// it needs; offers may change afterwards.
func NewIndex(offers []Offer) *Index {
	ix := &Index{dict: dict{}}
	type key struct {
		kind, where, band int
		lon               float64
		i                 int32
	}
	var kinds []string
	seen := map[string]bool{}
	var keys []key
	nSkills, nROME := 0, 0
	for i := range offers {
		o := &offers[i]
		if o.Status != statusPublished || o.PositionsLeft <= 0 {
			continue
		}
		if !seen[o.Kind] {
			seen[o.Kind] = true
			kinds = append(kinds, o.Kind)
		}
		nSkills += len(o.RequiredSkills) + len(o.OptionalSkills)
		nROME += len(o.ROME)
		keys = append(keys, key{i: int32(i)})
	}
	slices.Sort(kinds)
	for k := range keys {
		o := &offers[keys[k].i]
		g := geoOf(o.Location)
		kk := &keys[k]
		kk.kind, _ = slices.BinarySearch(kinds, o.Kind)
		switch {
		case o.Remote == remoteFull:
			kk.where = inRemote
		case !g.valid:
			kk.where = inOdd
		default:
			kk.band, kk.lon = band(g.lat), g.lon
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		switch {
		case a.kind != b.kind:
			return a.kind - b.kind
		case a.where != b.where:
			return a.where - b.where
		case a.band != b.band:
			return a.band - b.band
		case a.lon != b.lon:
			if a.lon < b.lon {
				return -1
			}
			return 1
		}
		return int(a.i - b.i)
	})

	// The offers in that order; their skill ids, ROME codes and ROME ids in
	// shared arrays (their capacity is known: no reallocation).
	skills := make([]int32, 0, nSkills)
	rome := make([]string, 0, nROME)
	romeArena := make([]int32, 0, nROME)
	romeIDs := map[string]int32{}
	var buf []byte
	ix.src = make([]Offer, len(keys))
	ix.offers = make([]offer, len(keys))
	for k, kk := range keys {
		src := &ix.src[k]
		*src = offers[kk.i]
		o := &ix.offers[k]
		*o = newOffer(src, int(kk.i))
		o.setDates()
		from := len(skills)
		skills, buf = appendSkillIDs(skills, from, nil, src.RequiredSkills, ix.dict, buf)
		o.req = skills[from:len(skills):len(skills)]
		from = len(skills)
		skills, buf = appendSkillIDs(skills, from, o.req, src.OptionalSkills, ix.dict, buf)
		o.opt = skills[from:len(skills):len(skills)]
		src.RequiredSkills, src.OptionalSkills = nil, nil
		from = len(rome)
		rome = append(rome, src.ROME...)
		src.ROME = rome[from:len(rome):len(rome)]
		for _, c := range src.ROME {
			id, ok := romeIDs[c]
			if !ok {
				id = int32(len(ix.romeCodes))
				romeIDs[c] = id
				ix.romeCodes = append(ix.romeCodes, c)
			}
			romeArena = append(romeArena, id)
		}
		o.romeIDs = romeArena[len(romeArena)-len(src.ROME) : len(romeArena) : len(romeArena)]
	}

	for k := 0; k < len(keys); {
		p := part{kind: kinds[keys[k].kind], gridLo: k}
		for p.gridHi = k; p.gridHi < len(keys) && keys[p.gridHi].kind == keys[k].kind && keys[p.gridHi].where == inGrid; p.gridHi++ {
		}
		for p.outHi = p.gridHi; p.outHi < len(keys) && keys[p.outHi].kind == keys[k].kind; p.outHi++ {
		}
		if p.gridHi > p.gridLo {
			p.firstBand = keys[p.gridLo].band
			last := keys[p.gridHi-1].band
			p.bands = make([]int, last-p.firstBand+2)
			i := p.gridLo
			for b := range p.bands {
				for i < p.gridHi && keys[i].band < p.firstBand+b {
					i++
				}
				p.bands[b] = i
			}
		}
		ix.parts = append(ix.parts, p)
		k = p.outHi
	}
	return ix
}

// Len is the number of offers the index holds.
func (ix *Index) Len() int { return len(ix.offers) }

// scratch is what one Match call works in, reused through the index's pool.
type scratch struct {
	tr  trainee
	sel selector
	buf []byte
}

// Match returns t's matches at time now among the index's offers, best first
// (see MatchAll, whose results it returns exactly). It checks and scores only
// the offers of the wanted kinds in the grid cells that cover the mobility
// radius, and the fully remote ones.
func (ix *Index) Match(t Trainee, now time.Time, opts Options) []Match {
	s, _ := ix.pool.Get().(*scratch)
	if s == nil {
		s = new(scratch)
	}
	tr := &s.tr
	defer func() {
		// Keep nothing of the caller's in the pool.
		tr.kinds, tr.rome, tr.excluded, tr.romeCodes = nil, nil, nil, nil
		ix.pool.Put(s)
	}()
	tr.prepare(&t, now)
	s.buf = tr.setSkills(t.Skills, ix.dict, s.buf, false)
	tr.romeCodes = ix.romeCodes
	tr.romeTab = fill(tr.romeTab, len(ix.romeCodes), -1)
	tr.skillTab = fill(tr.skillTab, len(ix.dict), 0)
	for _, sk := range tr.skills {
		tr.skillTab[sk.id] = int8(sk.weight)
	}
	s.sel.reset(opts)
	bx := boxAround(&tr.home, tr.radius)
	for pi := range ix.parts {
		p := &ix.parts[pi]
		if !tr.wants(p.kind) {
			continue
		}
		switch {
		case bx.none:
		case bx.all:
			ix.consider(s, p.gridLo, p.gridHi)
		default:
			for b := max(bx.b0, p.firstBand); b <= min(bx.b1, p.firstBand+len(p.bands)-2); b++ {
				lo, hi := p.bands[b-p.firstBand], p.bands[b-p.firstBand+1]
				for _, r := range bx.lon[:bx.n] {
					i := ix.searchLon(lo, hi, r[0])
					j := i
					for j < hi && ix.offers[j].geo.lon <= r[1] {
						j++
					}
					ix.consider(s, i, j)
				}
			}
		}
		ix.consider(s, p.gridHi, p.outHi)
	}
	return s.sel.finish(tr, ix.offers)
}

// fill returns tab with n times v.
func fill(tab []int8, n int, v int8) []int8 {
	tab = slices.Grow(tab[:0], n)[:n]
	for i := range tab {
		tab[i] = v
	}
	return tab
}

// searchLon returns the first i in [lo, hi) whose offer's longitude is ≥ lon
// (hi when none).
func (ix *Index) searchLon(lo, hi int, lon float64) int {
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ix.offers[m].geo.lon < lon {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// consider checks and scores ix.offers[lo:hi]. Once TopN matches are kept
// (or with a threshold), an offer whose best possible score is below the
// least add would keep cannot be among the results: it is skipped as soon as
// its bound says so. The bound is first its ROME and accessibility points
// with every other component in full, then its score but for the distance,
// then its score: the distance, the dated rules and the skills are computed
// for few offers. The results are the same as without, for much less work.
func (ix *Index) consider(s *scratch, lo, hi int) {
	tr, sel := &s.tr, &s.sel
	for i := lo; i < hi; i++ {
		o := &ix.offers[i]
		// The grid holds published offers with positions left, partitioned
		// by kind: of checkStatic, only the expiry is left.
		if !o.ExpiresAt.IsZero() && !o.ExpiresAt.After(tr.now) {
			continue
		}
		floor := sel.floor()
		if floor > 0 {
			if romePoints[tr.romeLevelOf(o)]+WeightSkills+WeightDistance+WeightStartDate+tr.accessPoints(o.Offer) < floor {
				continue
			}
		}
		c := tr.components(o)
		if c.total()+WeightDistance < floor {
			continue
		}
		km, ok := tr.within(o)
		if !ok {
			continue
		}
		c.setDistance(tr, o.Offer, km)
		if c.total() < floor || tr.checkDated(o) != "" {
			continue
		}
		sel.add(cand{score: c.total(), km: km, id: o.ID, pos: o.pos, ref: int32(i)})
	}
}

// box is the part of the grid a trainee's radius covers: bands b0 to b1 and
// in each the longitudes of lon[:n] (two ranges across the antimeridian);
// none when no distance can be within the radius, all when the bound is not
// worth computing (a radius of thousands of kilometres, an invalid home).
type box struct {
	none, all bool
	b0, b1    int
	lon       [2][2]float64
	n         int
}

// boxAround bounds the points within radius of home, with some slack: the
// latitudes within radius/R radians, and the longitudes within
// asin(sin(radius/R) / cos(lat)), the widest a spherical cap reaches.
func boxAround(home *geo, radius float64) box {
	switch {
	case !(radius >= 0): // NaN or negative: no distance is within it
		return box{none: true}
	case !home.valid || math.IsInf(radius, 1):
		return box{all: true}
	}
	delta := slackRadius(radius) / earthRadiusKm
	if delta >= math.Pi/4 {
		return box{all: true}
	}
	dLat := delta*(180/math.Pi) + 1e-9
	latLo, latHi := home.lat-dLat, home.lat+dLat
	bx := box{b0: band(max(latLo, -90)), b1: band(min(latHi, 90)), n: 1, lon: [2][2]float64{{-180, 180}}}
	x := math.Sin(delta) / math.Cos(home.phi)
	if latLo <= -90 || latHi >= 90 || !(x < 0.999) { // around a pole: every longitude
		return bx
	}
	dLon := math.Asin(x)*(180/math.Pi)*(1+1e-9) + 1e-9
	lo, hi := home.lon-dLon, home.lon+dLon
	switch {
	case lo < -180:
		bx.lon, bx.n = [2][2]float64{{-180, hi}, {lo + 360, 180}}, 2
	case hi > 180:
		bx.lon, bx.n = [2][2]float64{{lo, 180}, {-180, hi - 360}}, 2
	default:
		bx.lon[0] = [2]float64{lo, hi}
	}
	return bx
}

// MatchAll is the baseline Index.Match is held to: Check and Score on every
// offer. It returns t's matches among offers at time now: those that pass
// Check with a Score of at least opts.Threshold, best score first, then
// nearest, then by offer ID bytes (then by position in offers), at most
// opts.TopN of them (0: all). A match's reasons are those Score gives.
func MatchAll(t Trainee, offers []Offer, now time.Time, opts Options) []Match {
	var s scratch
	tr := &s.tr
	tr.prepare(&t, now)
	d := dict{}
	buf := tr.setSkills(t.Skills, d, nil, true)
	s.sel.reset(opts)
	var eligible []offer
	for i := range offers {
		if tr.checkStatic(&offers[i]) != "" {
			continue
		}
		o := newOffer(&offers[i], i)
		km, ok := tr.within(&o)
		if !ok {
			continue
		}
		o.setDates()
		if tr.checkDated(&o) != "" {
			continue
		}
		buf = o.setSkills(d, buf)
		c := tr.components(&o)
		c.setDistance(tr, o.Offer, km)
		if c.total() < opts.Threshold {
			continue
		}
		eligible = append(eligible, o)
		s.sel.add(cand{score: c.total(), km: km, id: o.ID, pos: o.pos, ref: int32(len(eligible) - 1)})
	}
	return s.sel.finish(tr, eligible)
}

// cand is a match before its reasons are written: what orders it, and where
// its offer is.
type cand struct {
	score    int
	km       float64
	id       uuid.UUID
	pos, ref int32
}

// better reports whether a comes before b: higher score, then nearer (an
// unknown distance last), then smaller offer ID, then earlier position.
func better(a, b *cand) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if ak, bk := kmKey(a.km), kmKey(b.km); ak != bk {
		return ak < bk
	}
	if c := bytes.Compare(a.id[:], b.id[:]); c != 0 {
		return c < 0
	}
	return a.pos < b.pos
}

func kmKey(km float64) float64 {
	if math.IsNaN(km) {
		return math.Inf(1)
	}
	return km
}

// selector keeps the matches over the threshold: all of them, or the topN
// best in a heap whose root is the worst kept.
type selector struct {
	topN, threshold int
	c               []cand
}

func (s *selector) reset(o Options) {
	s.topN, s.threshold, s.c = max(o.TopN, 0), o.Threshold, s.c[:0]
}

// floor is the lowest score add may still keep.
func (s *selector) floor() int {
	if s.topN > 0 && len(s.c) == s.topN {
		return max(s.c[0].score, s.threshold)
	}
	return s.threshold
}

func (s *selector) add(c cand) {
	switch {
	case c.score < s.threshold:
	case s.topN == 0:
		s.c = append(s.c, c)
	case len(s.c) < s.topN:
		s.c = append(s.c, c)
		for i := len(s.c) - 1; i > 0; { // up while better than its parent
			p := (i - 1) / 2
			if !better(&s.c[p], &s.c[i]) {
				break
			}
			s.c[p], s.c[i] = s.c[i], s.c[p]
			i = p
		}
	case better(&c, &s.c[0]):
		s.c[0] = c
		for i := 0; ; { // down while a child is worse
			w := i
			for _, ch := range [2]int{2*i + 1, 2*i + 2} {
				if ch < len(s.c) && better(&s.c[w], &s.c[ch]) {
					w = ch
				}
			}
			if w == i {
				break
			}
			s.c[w], s.c[i] = s.c[i], s.c[w]
			i = w
		}
	}
}

// finish sorts the kept matches and writes them out with their reasons;
// offers are what the candidates' refs index.
func (s *selector) finish(tr *trainee, offers []offer) []Match {
	if len(s.c) == 0 {
		return nil
	}
	slices.SortFunc(s.c, func(a, b cand) int {
		switch {
		case better(&a, &b):
			return -1
		case better(&b, &a):
			return 1
		}
		return 0
	})
	out := make([]Match, len(s.c))
	reasons := make([]Reason, len(s.c)*numReasons)
	for i := range s.c {
		c := &s.c[i]
		out[i] = tr.match(&offers[c.ref], c.km, reasons[i*numReasons:(i+1)*numReasons:(i+1)*numReasons])
	}
	return out
}
