package shard

import (
	"sync"

	"github.com/passerelle-dev/passerelle/reference"
)

// DepartmentMargin widens each département's rectangle beyond its outermost
// known town (degrees, about 11 km north–south), so that an offer given
// coordinates a little off its town stays in its département's cell.
const DepartmentMargin = 0.1

// DepartmentRects returns the rectangle of every département of the embedded
// French places (overseas included), widened by DepartmentMargin.
var DepartmentRects = sync.OnceValue(func() map[string]Rect {
	out := map[string]Rect{}
	for _, p := range reference.AllPlaces() {
		d := Department(p.INSEE)
		if d == "" {
			continue
		}
		r, ok := out[d]
		if !ok {
			r = Rect{MinLat: p.Lat, MinLon: p.Lon, MaxLat: p.Lat, MaxLon: p.Lon}
		}
		r.MinLat, r.MaxLat = min(r.MinLat, p.Lat), max(r.MaxLat, p.Lat)
		r.MinLon, r.MaxLon = min(r.MinLon, p.Lon), max(r.MaxLon, p.Lon)
		out[d] = r
	}
	for d, r := range out {
		out[d] = Rect{MinLat: max(r.MinLat-DepartmentMargin, -90), MinLon: max(r.MinLon-DepartmentMargin, -180),
			MaxLat: min(r.MaxLat+DepartmentMargin, 90), MaxLon: min(r.MaxLon+DepartmentMargin, 180)}
	}
	return out
})

// Initial returns the starting map: one cell per département, the remote and
// elsewhere cells, and the national cell when national is true. Every index
// is on the default server.
func Initial(national bool) []Cell {
	cells := []Cell{
		{ID: RemoteID, Kind: KindRemote, Index: IndexName(RemoteID)},
		{ID: ElsewhereID, Kind: KindGeo, Rect: World, Index: IndexName(ElsewhereID)},
	}
	if national {
		cells = append(cells, Cell{ID: NationalID, Kind: KindNational, Index: IndexName(NationalID)})
	}
	for d, r := range DepartmentRects() {
		cells = append(cells, Cell{ID: d, Kind: KindGeo, Department: d, Rect: r, Index: IndexName(d)})
	}
	SortCells(cells)
	return cells
}

// Layout divides each département's rectangle so that no cell holds more
// than bound of the given offer points (grouped by département), keeping the
// non-geo cells of base and each cell's server (a split cell's parts stay on
// its server). Départements of base are kept even without points.
func Layout(base []Cell, points map[string][]Point, bound int) []Cell {
	var out []Cell
	deptRect := map[string]Rect{}
	deptServer := map[string]string{}
	for _, c := range base {
		switch {
		case c.Kind == KindGeo && c.Department != "":
			// A département already split: the union of its parts.
			r, ok := deptRect[c.Department]
			if !ok {
				r = c.Rect
			}
			r.MinLat, r.MinLon = min(r.MinLat, c.Rect.MinLat), min(r.MinLon, c.Rect.MinLon)
			r.MaxLat, r.MaxLon = max(r.MaxLat, c.Rect.MaxLat), max(r.MaxLon, c.Rect.MaxLon)
			deptRect[c.Department] = r
			if _, ok := deptServer[c.Department]; !ok {
				deptServer[c.Department] = c.Server
			}
		default:
			out = append(out, c)
		}
	}
	for d, r := range deptRect {
		for _, l := range Partition(r, points[d], bound) {
			id := CellID(d, l.Path)
			out = append(out, Cell{ID: id, Kind: KindGeo, Department: d, Rect: l.Rect, Index: IndexName(id), Server: deptServer[d]})
		}
	}
	SortCells(out)
	return out
}
