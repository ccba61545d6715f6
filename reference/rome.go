package reference

import (
	"bufio"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/passerelle-dev/passerelle"
)

// ROME (Répertoire Opérationnel des Métiers et des Emplois) is France Travail's
// job classification. A code such as M1805 reads as a domain letter (M, "Support
// à l'entreprise"), a family (M18, "Systèmes d'information et de
// télécommunication") and a job sheet (M1805, "Études et développement
// informatique").
//
// The embedded table is a curated subset of ROME v3 (see rome.tsv and
// NOTICE.md). Offers may carry any well-formed code: a code missing from the
// table still parses, and is labelled by its family or domain.

//go:embed rome.tsv
var romeTSV string

// ROMEEntry is one job sheet of the embedded ROME table.
type ROMEEntry struct {
	Code  string // e.g. "M1805"
	Label string // e.g. "Études et développement informatique"
}

type romeTable struct {
	labels  map[string]string // domain, family and job-sheet codes → label
	entries []romeEntry       // job sheets, sorted by code
}

// romeEntry keeps the folded label words next to the entry, so that a search
// folds each label once per process rather than once per query.
type romeEntry struct {
	ROMEEntry
	folded string   // FoldFrench(Label), the sort key of label matches
	words  []string // the words of folded
}

var loadROME = sync.OnceValue(func() *romeTable {
	t, err := parseROMETable(romeTSV)
	if err != nil {
		// rome.tsv is embedded and checked by the tests: a bad line is a build bug.
		panic(err)
	}
	return t
})

func parseROMETable(src string) (*romeTable, error) {
	t := &romeTable{labels: make(map[string]string)}
	sc := bufio.NewScanner(strings.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		code, label, ok := strings.Cut(line, "\t")
		if !ok || label == "" || !romeTableCode(code) {
			return nil, fmt.Errorf("reference: rome.tsv line %d: want a ROME code, a tab and a label, got %q", n, line)
		}
		if _, dup := t.labels[code]; dup {
			return nil, fmt.Errorf("reference: rome.tsv line %d: duplicate code %s", n, code)
		}
		t.labels[code] = label
		if len(code) == 5 {
			folded := FoldFrench(label)
			t.entries = append(t.entries, romeEntry{
				ROMEEntry: ROMEEntry{Code: code, Label: label},
				folded:    folded,
				words:     strings.Fields(folded),
			})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reference: rome.tsv: %w", err)
	}
	for code := range t.labels {
		if len(code) > 1 && t.labels[code[:1]] == "" {
			return nil, fmt.Errorf("reference: rome.tsv: %s has no domain %s", code, code[:1])
		}
	}
	slices.SortFunc(t.entries, func(a, b romeEntry) int { return strings.Compare(a.Code, b.Code) })
	return t, nil
}

// romeTableCode reports whether s is a domain (A), family (A12) or job-sheet
// (A1203) code.
func romeTableCode(s string) bool {
	if len(s) != 1 && len(s) != 3 && len(s) != 5 {
		return false
	}
	if s[0] < 'A' || s[0] > 'N' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseROME trims and upper-cases s and checks that it is a ROME code: a
// domain letter A to N followed by four digits. Any well-formed code is
// accepted, whether or not the embedded table knows it. The error is an
// passerelle.EInvalid error.
func ParseROME(s string) (string, error) {
	code := strings.ToUpper(strings.TrimSpace(s))
	if len(code) != 5 || !romeTableCode(code) {
		return "", passerelle.Errorf(passerelle.EInvalid,
			"%q is not a ROME code: want a letter from A to N followed by 4 digits, such as M1805", s)
	}
	return code, nil
}

// ROMELabel returns the label of a ROME code. known is true when the embedded
// table has the job sheet itself; for a well-formed code it does not have, the
// label is that of its family, or failing that of its domain, and known is
// false. A malformed code returns "" and false.
func ROMELabel(code string) (label string, known bool) {
	code, err := ParseROME(code)
	if err != nil {
		return "", false
	}
	labels := loadROME().labels
	if l, ok := labels[code]; ok {
		return l, true
	}
	if l, ok := labels[code[:3]]; ok {
		return l, false
	}
	return labels[code[:1]], false
}

// ROMEFamily returns the family ("domaine professionnel") of a ROME code: its
// first three characters, such as "M18" for M1805. It returns "" for a
// malformed code.
func ROMEFamily(code string) string {
	code, err := ParseROME(code)
	if err != nil {
		return ""
	}
	return code[:3]
}

// ROMEDomain returns the domain letter ("grand domaine") of a ROME code, such as
// "M" for M1805. It returns "" for a malformed code.
func ROMEDomain(code string) string {
	code, err := ParseROME(code)
	if err != nil {
		return ""
	}
	return code[:1]
}

// ROMEGroupLabel returns the label of a domain ("M") or family ("M18") code, and
// whether the table has it.
func ROMEGroupLabel(code string) (string, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) != 1 && len(code) != 3 {
		return "", false
	}
	l, ok := loadROME().labels[code]
	return l, ok
}

// ROMEEntries returns every job sheet of the embedded table, sorted by code.
func ROMEEntries() []ROMEEntry {
	t := loadROME()
	out := make([]ROMEEntry, len(t.entries))
	for i, e := range t.entries {
		out[i] = e.ROMEEntry
	}
	return out
}

// SearchROME returns up to limit job sheets of the embedded table matching q,
// ignoring case and accents; limit ≤ 0 means no limit. An entry matches when q
// is a prefix of its code, or when every word of q starts a word of its label
// ("dev info" finds "Études et développement informatique"). Results come in a
// fixed order: the exact code, then other codes starting with q (by code), then
// label matches (by label, then code).
func SearchROME(q string, limit int) []ROMEEntry {
	folded := FoldFrench(q)
	terms := strings.Fields(folded)
	if len(terms) == 0 {
		return nil
	}
	prefix := strings.ToUpper(strings.Join(terms, ""))
	if !romeCodePrefix(prefix) {
		prefix = ""
	}

	t := loadROME()
	var exact, byCode, byLabel []romeEntry
	for _, e := range t.entries {
		switch {
		case prefix != "" && e.Code == prefix:
			exact = append(exact, e)
		case prefix != "" && strings.HasPrefix(e.Code, prefix):
			byCode = append(byCode, e)
		case matchesWords(e.words, terms):
			byLabel = append(byLabel, e)
		}
	}
	// t.entries is sorted by code, so exact and byCode already are.
	slices.SortStableFunc(byLabel, func(a, b romeEntry) int {
		if c := strings.Compare(a.folded, b.folded); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})

	var out []ROMEEntry
	for _, group := range [][]romeEntry{exact, byCode, byLabel} {
		for _, e := range group {
			if limit > 0 && len(out) == limit {
				return out
			}
			out = append(out, e.ROMEEntry)
		}
	}
	return out
}

// romeCodePrefix reports whether s can start a ROME code: a letter A to N and
// at most four digits.
func romeCodePrefix(s string) bool {
	if len(s) == 0 || len(s) > 5 || s[0] < 'A' || s[0] > 'N' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// matchesWords reports whether every term starts one of words.
func matchesWords(words, terms []string) bool {
	for _, term := range terms {
		if !slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, term) }) {
			return false
		}
	}
	return true
}

// foldFrenchMap spells the accented letters of French without their accents.
var foldFrenchMap = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'á': "a", 'ã': "a", 'å': "a",
	'ç': "c",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'î': "i", 'ï': "i", 'í': "i", 'ì': "i",
	'ñ': "n",
	'ô': "o", 'ö': "o", 'ó': "o", 'ò': "o", 'õ': "o",
	'ù': "u", 'û': "u", 'ü': "u", 'ú': "u",
	'ÿ': "y", 'ý': "y",
	'œ': "oe", 'æ': "ae",
}

// FoldFrench lower-cases s, removes French accents and reduces everything but
// letters and digits to single spaces, so that "Études, Dév." folds to
// "etudes dev". ROME search, place names and the places generator use it to
// compare text.
func FoldFrench(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case foldFrenchMap[r] != "":
			b.WriteString(foldFrenchMap[r])
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
