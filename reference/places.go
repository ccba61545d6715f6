package reference

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/passerelle-dev/passerelle"
)

// French places: the communes behind each postal code, with their INSEE code,
// population and coordinates, built from public datasets by
// internal/genplaces (see NOTICE.md) and embedded, so geocoding needs no
// network and no npm at run time.
//
// Coordinates are those of the town (its GeoNames point, usually the centre),
// not of an address. GeoNames lists only places of more than 1,000
// inhabitants, so a smaller commune carries the coordinates of the most
// populous commune of its main postal code, a few kilometres off; about a
// sixth of the communes, whose postal codes have no such place, are missing.

//go:generate go run ./internal/genplaces -node-modules ../.data/npm-data/node_modules -out places.tsv.gz

//go:embed places.tsv.gz
var placesGz []byte

// Place is a French commune under one of its postal codes. A commune with
// several postal codes (Paris 16e: 75016 and 75116) is one Place per postal code.
type Place struct {
	PostalCode string  // "95500"
	INSEE      string  // INSEE commune code, "95277"; "2A004" in Corsica
	Town       string  // the commune's official name, "Gonesse"
	Lat, Lon   float64 // WGS 84 degrees
	Population int     // municipal population, 0 when unknown
}

// placeRow is a Place with how its coordinates were found.
type placeRow struct {
	Place
	main bool // PostalCode is the commune's main postal code (most of its streets)
	own  bool // the coordinates are the commune's own, not its postal code's
}

type placeTable struct {
	rows    []placeRow     // sorted by postal code, then INSEE code
	byINSEE map[string]int // INSEE code → index of the commune's main row
}

var loadPlaces = sync.OnceValue(func() *placeTable {
	t, err := parsePlaces(placesGz)
	if err != nil {
		// places.tsv.gz is embedded and checked by the tests: a bad file is a build bug.
		panic(err)
	}
	return t
})

func parsePlaces(gz []byte) (*placeTable, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("reference: places.tsv.gz: %w", err)
	}
	t := &placeTable{byINSEE: make(map[string]int)}
	sc := bufio.NewScanner(zr)
	sc.Scan() // the header
	for n := 2; sc.Scan(); n++ {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 8 {
			return nil, fmt.Errorf("reference: places.tsv.gz line %d: %d fields, want 8", n, len(f))
		}
		lat, err1 := strconv.ParseFloat(f[3], 64)
		lon, err2 := strconv.ParseFloat(f[4], 64)
		pop, err3 := strconv.Atoi(f[5])
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("reference: places.tsv.gz line %d: bad number in %q", n, sc.Text())
		}
		t.rows = append(t.rows, placeRow{
			Place: Place{PostalCode: f[0], INSEE: f[1], Town: f[2], Lat: lat, Lon: lon, Population: pop},
			main:  f[6] == "1",
			own:   f[7] != "postal",
		})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reference: places.tsv.gz: %w", err)
	}
	if err := zr.Close(); err != nil {
		return nil, fmt.Errorf("reference: places.tsv.gz: %w", err)
	}
	if !slices.IsSortedFunc(t.rows, comparePlaceRows) {
		return nil, fmt.Errorf("reference: places.tsv.gz is not sorted by postal code and INSEE code")
	}
	for i, r := range t.rows {
		// The main row wins; without one (a commune cut from its main postal
		// code's data), the lowest postal code, which comes first.
		if j, ok := t.byINSEE[r.INSEE]; !ok || r.main && !t.rows[j].main {
			t.byINSEE[r.INSEE] = i
		}
	}
	return t, nil
}

func comparePlaceRows(a, b placeRow) int {
	return cmp.Or(strings.Compare(a.PostalCode, b.PostalCode), strings.Compare(a.INSEE, b.INSEE))
}

// postalCodeRows returns the rows of a postal code, sharing the table's array.
func (t *placeTable) postalCodeRows(pc string) []placeRow {
	i, _ := slices.BinarySearchFunc(t.rows, pc, func(r placeRow, pc string) int {
		return strings.Compare(r.PostalCode, pc)
	})
	j := i
	for j < len(t.rows) && t.rows[j].PostalCode == pc {
		j++
	}
	return t.rows[i:j]
}

// ParsePostalCode trims s and checks that it is a French postal code: five
// digits. It does not check that the code exists; PlacesByPostalCode does.
// The error is an passerelle.EInvalid error.
func ParsePostalCode(s string) (string, error) {
	pc := strings.TrimSpace(s)
	if len(pc) != 5 || strings.Trim(pc, "0123456789") != "" {
		return "", passerelle.Errorf(passerelle.EInvalid, "%q is not a French postal code: want 5 digits, such as 95500", s)
	}
	return pc, nil
}

// PlacesByPostalCode returns the communes sharing a postal code, sorted by
// town name (ignoring accents and case), or nil when the code is malformed or
// unknown.
func PlacesByPostalCode(pc string) []Place {
	pc, err := ParsePostalCode(pc)
	if err != nil {
		return nil
	}
	rows := loadPlaces().postalCodeRows(pc)
	if len(rows) == 0 {
		return nil
	}
	out := make([]Place, len(rows))
	for i, r := range rows {
		out[i] = r.Place
	}
	slices.SortFunc(out, func(a, b Place) int {
		return cmp.Or(strings.Compare(FoldFrench(a.Town), FoldFrench(b.Town)), strings.Compare(a.INSEE, b.INSEE))
	})
	return out
}

// PlaceByINSEE returns a commune by its INSEE code ("95277", or "2A004" in
// Corsica), under its main postal code.
func PlaceByINSEE(code string) (Place, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	t := loadPlaces()
	i, ok := t.byINSEE[code]
	if !ok {
		return Place{}, false
	}
	return t.rows[i].Place, true
}

// Geocode returns the coordinates of a postal code: those of the most populous
// commune whose main postal code it is and whose own coordinates are known
// (Gonesse for 95500, Paris 16e rather than Boulogne-Billancourt for 75016).
// Failing that, the most populous commune with its own coordinates, then any.
// ok is false for a malformed or unknown postal code.
func Geocode(postalCode string) (lat, lon float64, ok bool) {
	pc, err := ParsePostalCode(postalCode)
	if err != nil {
		return 0, 0, false
	}
	rows := loadPlaces().postalCodeRows(pc)
	if len(rows) == 0 {
		return 0, 0, false
	}
	best := slices.MaxFunc(rows, func(a, b placeRow) int {
		return cmp.Or(
			compareBool(a.own && a.main, b.own && b.main),
			compareBool(a.own, b.own),
			cmp.Compare(a.Population, b.Population),
			strings.Compare(b.INSEE, a.INSEE), // the lowest code wins a tie
		)
	})
	return best.Lat, best.Lon, true
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	default:
		return -1
	}
}

// AllPlaces returns every place, sorted by postal code then INSEE code: about
// 29,000 real French towns, for generating realistic test and benchmark data.
// The slice is a copy the caller may keep or change.
func AllPlaces() []Place {
	rows := loadPlaces().rows
	out := make([]Place, len(rows))
	for i, r := range rows {
		out[i] = r.Place
	}
	return out
}
