package shard

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Point is a place on Earth (WGS 84 degrees).
type Point struct {
	Lat, Lon float64
}

// Rect is a closed latitude/longitude rectangle (degrees). It never crosses
// the antimeridian: MinLon ≤ MaxLon.
type Rect struct {
	MinLat, MinLon, MaxLat, MaxLon float64
}

// World is the rectangle of the whole Earth.
var World = Rect{MinLat: -90, MinLon: -180, MaxLat: 90, MaxLon: 180}

// Contains reports whether p lies in r, edges included.
func (r Rect) Contains(p Point) bool {
	return p.Lat >= r.MinLat && p.Lat <= r.MaxLat && p.Lon >= r.MinLon && p.Lon <= r.MaxLon
}

// Intersects reports whether r and o share a point, edges included.
func (r Rect) Intersects(o Rect) bool {
	return r.MinLat <= o.MaxLat && o.MinLat <= r.MaxLat && r.MinLon <= o.MaxLon && o.MinLon <= r.MaxLon
}

// Kind says what a cell holds.
type Kind string

// Cell kinds.
const (
	// KindGeo holds the offers (not fully remote) whose point lies in its
	// rectangle and whose commune is in its département; the "elsewhere"
	// cell (no département, the whole world) holds those that fit no other.
	KindGeo Kind = "geo"
	// KindRemote holds the fully remote offers: every search with a point
	// queries it, as they are found whatever the distance.
	KindRemote Kind = "remote"
	// KindNational holds every offer, without `_geo`: searches without a
	// point query it alone.
	KindNational Kind = "national"
)

// Well-known cell ids.
const (
	RemoteID    = "remote"
	NationalID  = "national"
	ElsewhereID = "elsewhere"
)

// Cell is one index of the map.
type Cell struct {
	// ID names the cell: a département code ("95", "2A", "971"), followed,
	// for a cell split from it, by "-" and the path of halves ("75-01").
	ID   string
	Kind Kind
	// Department is the département of a geo cell ("" for elsewhere).
	Department string
	// Rect bounds the points of the cell's offers (geo cells).
	Rect Rect
	// Index is the Meilisearch index name, before the deployment's prefix.
	Index string
	// Server names the Meilisearch server that holds the index ("" is the
	// default one).
	Server string
}

// Map is the set of cells. Geo cells of one département partition (edges
// shared) the département's rectangle.
type Map struct {
	Cells []Cell

	byDept map[string][]int // département → indexes of its geo cells
}

// NewMap indexes cells for Place and Select. It checks the invariants the
// guarantee rests on: one remote cell, one elsewhere cell covering the world,
// at most one national cell, unique ids and index names.
func NewMap(cells []Cell) (Map, error) {
	m := Map{Cells: slices.Clone(cells), byDept: map[string][]int{}}
	ids, indexes := map[string]bool{}, map[string]bool{}
	var remote, elsewhere, national int
	for i, c := range m.Cells {
		if ids[c.ID] || indexes[c.Server+"/"+c.Index] {
			return Map{}, fmt.Errorf("shard: cell %q or index %q named twice", c.ID, c.Index)
		}
		ids[c.ID], indexes[c.Server+"/"+c.Index] = true, true
		switch {
		case c.Kind == KindRemote:
			remote++
		case c.Kind == KindNational:
			national++
		case c.Kind == KindGeo && c.ID == ElsewhereID:
			if c.Rect != World {
				return Map{}, fmt.Errorf("shard: the elsewhere cell must cover the world")
			}
			elsewhere++
		case c.Kind == KindGeo && c.Department != "":
			m.byDept[c.Department] = append(m.byDept[c.Department], i)
		default:
			return Map{}, fmt.Errorf("shard: cell %q: unknown kind %q or no département", c.ID, c.Kind)
		}
	}
	for _, idx := range m.byDept {
		// Place gives a point on a shared edge to the first cell in id order,
		// as Partition does.
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(m.Cells[a].ID, m.Cells[b].ID) })
	}
	if remote != 1 || elsewhere != 1 || national > 1 {
		return Map{}, fmt.Errorf("shard: want one remote and one elsewhere cell, at most one national (have %d, %d, %d)",
			remote, elsewhere, national)
	}
	return m, nil
}

// Cell returns the cell with the given id.
func (m Map) Cell(id string) (Cell, bool) {
	i := slices.IndexFunc(m.Cells, func(c Cell) bool { return c.ID == id })
	if i < 0 {
		return Cell{}, false
	}
	return m.Cells[i], true
}

// National returns the national cell, when the map has one.
func (m Map) National() (Cell, bool) { return m.Cell(NationalID) }

// Department returns the département of an INSEE commune code: its first two
// characters ("95", "2A"), three overseas ("971" … "976", "98x").
func Department(insee string) string {
	switch {
	case len(insee) < 2:
		return ""
	case (strings.HasPrefix(insee, "97") || strings.HasPrefix(insee, "98")) && len(insee) >= 3:
		return insee[:3]
	default:
		return insee[:2]
	}
}

// Place returns the geo or remote cell that holds an offer at p, in the
// commune with INSEE code insee, with the given remote mode. The national
// cell, when there is one, holds every offer as well.
func (m Map) Place(p Point, insee string, fullyRemote bool) Cell {
	if fullyRemote {
		c, _ := m.Cell(RemoteID)
		return c
	}
	for _, i := range m.byDept[Department(insee)] {
		if m.Cells[i].Rect.Contains(p) {
			return m.Cells[i]
		}
	}
	c, _ := m.Cell(ElsewhereID)
	return c
}

// Select returns the cells a search must query: with a point, the remote cell
// and every geo cell whose rectangle meets the circle of radiusMetres around
// it; without one, the national cell alone when the map has one, otherwise
// every geo cell and the remote one. Cells come in map order.
func (m Map) Select(centre *Point, radiusMetres float64) []Cell {
	var out []Cell
	if centre == nil {
		if n, ok := m.National(); ok {
			return []Cell{n}
		}
		for _, c := range m.Cells {
			if c.Kind != KindNational {
				out = append(out, c)
			}
		}
		return out
	}
	boxes := CircleBoxes(*centre, radiusMetres)
	for _, c := range m.Cells {
		switch c.Kind {
		case KindRemote:
			out = append(out, c)
		case KindGeo:
			if slices.ContainsFunc(boxes, c.Rect.Intersects) {
				out = append(out, c)
			}
		}
	}
	return out
}

// minEarthRadius is below every radius a distance may be computed with (the
// polar radius is 6,356.8 km; Meilisearch and matching/ use about 6,371 km):
// the smaller the radius, the larger the angle a distance spans, so boxes
// built with it contain every point a larger radius puts within the circle.
const minEarthRadius = 6_356_000.0

// CircleBoxes returns rectangles that together contain every point within
// radiusMetres of c (great-circle distance on any sphere of radius at least
// minEarthRadius). It is one rectangle, or the whole world's longitudes when
// the circle reaches a pole or the antimeridian.
func CircleBoxes(c Point, radiusMetres float64) []Rect {
	const rad = math.Pi / 180
	theta := radiusMetres/minEarthRadius + 1e-9 // angular radius, and a hair of margin
	lat := c.Lat * rad
	minLat, maxLat := lat-theta, lat+theta
	if minLat <= -math.Pi/2 || maxLat >= math.Pi/2 || theta >= math.Pi/2 {
		// A pole is inside: every longitude.
		return []Rect{{MinLat: max(minLat/rad, -90), MinLon: -180, MaxLat: min(maxLat/rad, 90), MaxLon: 180}}
	}
	dLon := math.Asin(math.Min(1, math.Sin(theta)/math.Cos(lat))) / rad
	r := Rect{MinLat: minLat / rad, MaxLat: maxLat / rad, MinLon: c.Lon - dLon, MaxLon: c.Lon + dLon}
	if r.MinLon < -180 || r.MaxLon > 180 {
		r.MinLon, r.MaxLon = -180, 180 // across the antimeridian: all longitudes, still correct
	}
	return []Rect{r}
}

// Split divides r into two halves holding about as many of pts each: across
// its longer side (in kilometres), at the median point. It reports false when
// no cut separates the points (all on one line of that side's coordinate).
// The halves share their edge; Place gives a point on it to the first.
func Split(r Rect, pts []Point) (a, b Rect, ok bool) {
	midLat := (r.MinLat + r.MaxLat) / 2
	alongLat := r.MaxLat - r.MinLat
	alongLon := (r.MaxLon - r.MinLon) * math.Cos(midLat*math.Pi/180)
	coord := func(p Point) float64 { return p.Lon }
	if alongLat >= alongLon {
		coord = func(p Point) float64 { return p.Lat }
	}
	vals := make([]float64, 0, len(pts))
	for _, p := range pts {
		if r.Contains(p) {
			vals = append(vals, coord(p))
		}
	}
	if len(vals) < 2 {
		return Rect{}, Rect{}, false
	}
	slices.Sort(vals)
	cut := vals[len(vals)/2]
	if cut == vals[0] {
		// The lower half would hold only points on the cut: cut above them.
		i, found := slices.BinarySearchFunc(vals, cut, func(v, t float64) int {
			if v <= t {
				return -1
			}
			return 1
		})
		if found || i >= len(vals) {
			return Rect{}, Rect{}, false
		}
		cut = (cut + vals[i]) / 2
	}
	a, b = r, r
	if alongLat >= alongLon {
		a.MaxLat, b.MinLat = cut, cut
	} else {
		a.MaxLon, b.MinLon = cut, cut
	}
	return a, b, true
}

// Leaf is one cell a département's rectangle is divided into.
type Leaf struct {
	Path string // "" for the whole rectangle, then "0"/"1" per halving
	Rect Rect
}

// MaxDepth bounds how often a rectangle is halved (2^12 leaves at most).
const MaxDepth = 12

// Partition halves r until no part holds more than bound of pts (or a part
// cannot be cut, or MaxDepth is reached), and returns the parts. Points
// outside r are ignored. The parts cover r.
func Partition(r Rect, pts []Point, bound int) []Leaf {
	var out []Leaf
	var walk func(path string, r Rect, pts []Point)
	walk = func(path string, r Rect, pts []Point) {
		if len(pts) > bound && len(path) < MaxDepth {
			if a, b, ok := Split(r, pts); ok {
				var pa, pb []Point
				for _, p := range pts {
					// As Place does: a point on the shared edge goes to the first half.
					if a.Contains(p) {
						pa = append(pa, p)
					} else {
						pb = append(pb, p)
					}
				}
				if len(pa) > 0 && len(pb) > 0 {
					walk(path+"0", a, pa)
					walk(path+"1", b, pb)
					return
				}
			}
		}
		out = append(out, Leaf{Path: path, Rect: r})
	}
	var in []Point
	for _, p := range pts {
		if r.Contains(p) {
			in = append(in, p)
		}
	}
	walk("", r, in)
	return out
}

// CellID names a département's leaf.
func CellID(dept, path string) string {
	if path == "" {
		return dept
	}
	return dept + "-" + path
}

// IndexName is the index of a cell, before the deployment's prefix.
func IndexName(id string) string { return "offers_" + strings.ToLower(id) }

// SortCells puts cells in a stable order: national, remote, elsewhere, then
// geo cells by id.
func SortCells(cells []Cell) {
	rank := func(c Cell) int {
		switch c.ID {
		case NationalID:
			return 0
		case RemoteID:
			return 1
		case ElsewhereID:
			return 2
		}
		return 3
	}
	slices.SortFunc(cells, func(a, b Cell) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.ID, b.ID))
	})
}
