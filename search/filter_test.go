package search

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFilterQuotesAndEscapes(t *testing.T) {
	t.Parallel()
	f := (&Filter{}).Eq(AttrStatus, "published").In(AttrKind, "apprenticeship", `in"ternship`).Bool(AttrOpenToMinors, true)
	require.Equal(t, `(status = "published") AND (kind IN ["apprenticeship", "in\"ternship"]) AND (open_to_minors = true)`, f.String())

	lo, hi := int64(100), int64(200)
	f = (&Filter{}).Range(AttrStartDate, &lo, &hi).GeoRadius(48.99, 2.45, 15000)
	require.Equal(t, `(start_date >= 100) AND (start_date <= 200) AND (_geoRadius(48.990000, 2.450000, 15000))`, f.String())

	f = (&Filter{}).Or((&Filter{}).Eq(AttrStatus, "published"), (&Filter{}).Eq(AttrCompanyID, `x\" OR 1=1`))
	require.Equal(t, `((status = "published") OR (company_id = "x\\\" OR 1=1"))`, f.String())
}

func TestFilterRefusesUnknownAttributes(t *testing.T) {
	t.Parallel()
	require.Panics(t, func() { (&Filter{}).Eq("title", "x") })
}

// FuzzFilterValuesStayQuoted: whatever the value, the rendered literal is one
// string token: unescaped quotes only at its ends.
func FuzzFilterValuesStayQuoted(f *testing.F) {
	for _, s := range []string{"", `"`, `\`, `\"`, `" OR status = "draft`, "é", "a\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		lit := quote(v)
		require.True(t, strings.HasPrefix(lit, `"`) && strings.HasSuffix(lit, `"`))
		inner := lit[1 : len(lit)-1]
		escaped := false
		for _, r := range inner {
			switch {
			case escaped:
				escaped = false
			case r == '\\':
				escaped = true
			case r == '"':
				t.Fatalf("unescaped quote inside %q", lit)
			}
		}
		require.False(t, escaped, "literal ends in a lone backslash: %q", lit)
	})
}
