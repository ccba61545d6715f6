package reference

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
)

func TestParseROME(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
	}{
		{"M1805", "M1805"},
		{"  m1805\t", "M1805"},
		{"n1103", "N1103"},
		{"A0000", "A0000"}, // well-formed though not a real job sheet: accepted
		{"Z1805", ""},      // O to Z are no ROME domains
		{"O1805", ""},
		{"M180", ""},
		{"M18055", ""},
		{"M18O5", ""},
		{"1805M", ""},
		{"M 1805", ""},
		{"", ""},
		{"Ｍ1805", ""}, // a full-width letter upper-cases to no ASCII letter
	} {
		got, err := ParseROME(tc.in)
		if tc.want == "" {
			require.Error(t, err, "%q", tc.in)
			require.Equal(t, passerelle.EInvalid, passerelle.ErrorCode(err))
			require.Empty(t, got)
			continue
		}
		require.NoError(t, err, "%q", tc.in)
		require.Equal(t, tc.want, got)
	}
}

func TestROMELabel(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code, label string
		known       bool
	}{
		{"M1805", "Études et développement informatique", true},
		{"m1801", "Administration de systèmes d'information", true},
		{"I1307", "Installation et maintenance télécoms et courants faibles", true},
		{"G1602", "Personnel de cuisine", true},
		{"J1405", "Optique - lunetterie", true},
		{"I1604", "Mécanique automobile et entretien de véhicules", true},
		{"D1102", "Boulangerie - viennoiserie", true},
		{"B1805", "Stylisme", true},
		{"M1899", "Systèmes d'information et de télécommunication", false}, // unknown code: its family
		{"H9999", "Industrie", false},                                      // unknown family: its domain
		{"X1805", "", false},
		{"", "", false},
	} {
		label, known := ROMELabel(tc.code)
		require.Equal(t, tc.label, label, tc.code)
		require.Equal(t, tc.known, known, tc.code)
	}
}

func TestROMEFamilyAndDomain(t *testing.T) {
	t.Parallel()
	require.Equal(t, "M18", ROMEFamily("M1805"))
	require.Equal(t, "M", ROMEDomain("M1805"))
	require.Equal(t, "G16", ROMEFamily(" g1602 "))
	require.Empty(t, ROMEFamily("M18"))
	require.Empty(t, ROMEDomain("nope"))

	label, ok := ROMEGroupLabel("G16")
	require.True(t, ok)
	require.Equal(t, "Production culinaire", label)
	label, ok = ROMEGroupLabel("d")
	require.True(t, ok)
	require.Equal(t, "Commerce, vente et grande distribution", label)
	_, ok = ROMEGroupLabel("M1805")
	require.False(t, ok)
}

// TestROMETable checks the embedded table as a whole: every domain is there,
// every family and job sheet sits under a known domain and family, and the
// sectors of the demo programmes are covered.
func TestROMETable(t *testing.T) {
	t.Parallel()
	tbl := loadROME()
	for d := 'A'; d <= 'N'; d++ {
		_, ok := tbl.labels[string(d)]
		require.True(t, ok, "domain %c", d)
	}
	entries := ROMEEntries()
	require.GreaterOrEqual(t, len(entries), 80)
	for i, e := range entries {
		_, err := ParseROME(e.Code)
		require.NoError(t, err)
		_, ok := tbl.labels[e.Code[:3]]
		require.True(t, ok, "%s has no family label", e.Code)
		require.Equal(t, strings.TrimSpace(e.Label), e.Label)
		if i > 0 {
			require.Less(t, entries[i-1].Code, e.Code)
		}
	}
	for _, code := range []string{
		"M1805", "M1801", "M1810", "E1101", "E1103", "E1205", // digital
		"I1307", "F1605", // network and fibre
		"D1106", "D1507", "D1211", // retail
		"D1101", "D1102", "G1602", "G1603", // food
		"G1803", "G1703", "G1101", // hospitality, tourism
		"I1604", "I1606", "J1405", "B1101", // automotive, optics, arts
		"K1302", "K1303", "J1501", // care
		"N1103",
	} {
		_, known := ROMELabel(code)
		require.True(t, known, code)
	}
}

func TestParseROMETableRejectsBadLines(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		"M\tSupport\nM1805 Études\n",       // no tab
		"M\tSupport\nM1805\t\n",            // no label
		"M\tSupport\nM18055\tx\n",          // bad code
		"M\tSupport\nM1805\tx\nM1805\ty\n", // duplicate
		"M18\tSystèmes d'information\n",    // family without its domain
	} {
		_, err := parseROMETable(src)
		require.Error(t, err, "%q", src)
	}
}

func TestSearchROME(t *testing.T) {
	t.Parallel()
	codes := func(es []ROMEEntry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.Code)
		}
		return out
	}

	// Exact code first, then none other: M1805 starts no other code.
	require.Equal(t, []string{"M1805"}, codes(SearchROME("m1805", 0)))
	// A code prefix lists its codes in order.
	require.Equal(t, []string{"M1801", "M1802", "M1803", "M1804", "M1805", "M1806", "M1810"}, codes(SearchROME("M18", 0)))
	require.Equal(t, []string{"M1801", "M1802"}, codes(SearchROME("M18", 2)))

	// Words, ignoring case and accents, each a prefix of a label word.
	require.Equal(t, []string{"M1805"}, codes(SearchROME("ETUDES dev informatique", 0)))
	require.Equal(t, []string{"M1805"}, codes(SearchROME("développement info", 0)))
	require.Equal(t, []string{"J1405"}, codes(SearchROME("lunette", 0)))
	require.Contains(t, codes(SearchROME("cuisine", 0)), "G1602")
	require.Contains(t, codes(SearchROME("télécoms", 0)), "I1307")
	require.Contains(t, codes(SearchROME("telecoms", 0)), "F1605")

	// Label matches are sorted by label.
	got := SearchROME("restauration", 0)
	require.NotEmpty(t, got)
	for i := 1; i < len(got); i++ {
		require.LessOrEqual(t, FoldFrench(got[i-1].Label), FoldFrench(got[i].Label))
	}

	// A letter is a code prefix (its codes come first) and a word prefix.
	got = SearchROME("N", 0)
	require.Equal(t, "N1101", got[0].Code)

	require.Empty(t, SearchROME("", 10))
	require.Empty(t, SearchROME("  ,;  ", 10))
	require.Empty(t, SearchROME("zzzz", 10))
	require.Len(t, SearchROME("de", 3), 3)
}

func TestFoldFrench(t *testing.T) {
	t.Parallel()
	require.Equal(t, "etudes et developpement informatique", FoldFrench("Études et développement informatique"))
	require.Equal(t, "d oeuvre coeur", FoldFrench("d'Œuvre — cœur"))
	require.Equal(t, "herouville saint clair", FoldFrench("Hérouville-Saint-Clair"))
}

var romeCodePattern = regexp.MustCompile(`^[A-N][0-9]{4}$`)

// FuzzParseROME: ParseROME never panics, and what it accepts is a ROME code
// that ROMELabel, ROMEFamily and ROMEDomain accept too.
func FuzzParseROME(f *testing.F) {
	for _, s := range []string{"M1805", " m1805 ", "Z1805", "M180", "", "ß1805", "M１805", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, err := ParseROME(s)
		if err != nil {
			require.Empty(t, code)
			return
		}
		require.Regexp(t, romeCodePattern, code)
		require.Equal(t, code, strings.ToUpper(strings.TrimSpace(s)))
		label, _ := ROMELabel(code)
		require.NotEmpty(t, label)
		require.Equal(t, code[:3], ROMEFamily(code))
		require.Equal(t, code[:1], ROMEDomain(code))
		SearchROME(s, 5)
	})
}
