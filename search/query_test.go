package search

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
)

func TestOfferFilter(t *testing.T) {
	t.Parallel()
	company := passerelle.Principal{Role: passerelle.RoleCompany, CompanyID: uuid.MustParse("0b7e3c1a-5f2d-4e8b-9a6c-1d2e3f4a5b6c")}
	yes := true
	lo := int64(100)
	got := OfferFilter(company, OfferQuery{Kinds: []string{"job"}, Statuses: []string{"draft"}, DisabilityFriendly: &yes,
		StartAfter: &lo, Near: &Point{48.98, 2.44}, RadiusMetres: 30000})
	require.Equal(t, `((status = "published") OR (company_id = "0b7e3c1a-5f2d-4e8b-9a6c-1d2e3f4a5b6c")) AND (status IN ["draft"]) AND `+
		`(kind IN ["job"]) AND (start_date >= 100) AND (disability_friendly = true) AND `+
		`((_geoRadius(48.980000, 2.440000, 30000)) OR (remote = "full"))`, got)

	require.Equal(t, `(status = "published")`, OfferFilter(passerelle.Principal{Role: passerelle.RoleAdviser}, OfferQuery{}))
	require.Equal(t, `(status = "published")`, OfferFilter(passerelle.Principal{Role: passerelle.RoleIntegrator}, OfferQuery{}))
	require.Equal(t, `(status = "published")`, OfferFilter(passerelle.Principal{Role: passerelle.RoleAdmin}, OfferQuery{}))
	require.Equal(t, `(status IN ["draft", "paused"])`, OfferFilter(passerelle.Principal{Role: passerelle.RoleAdmin},
		OfferQuery{Statuses: []string{"draft", "paused"}}))
	require.Equal(t, `(status = "published")`, OfferFilter(passerelle.Principal{Role: "unknown"}, OfferQuery{}),
		"an unknown role sees what advisers see")
}

// token is what may appear in a rendered filter once its string literals are
// blanked: allow-listed attribute names, operators, numbers, booleans, the
// geo function, and the blanked literals ("").
var token = regexp.MustCompile(`^(?:\s+|""|\(|\)|\[|\]|,|=|>=|<=|AND|OR|IN|true|false|_geoRadius|-?[0-9]+(?:\.[0-9]+)?|` +
	`kind|rome_codes|status|company_id|start_date|disability_friendly|open_to_minors|remote|skills)`)

// blankLiterals replaces every string literal with "" and reports whether
// literals were well formed (closed, escapes complete).
func blankLiterals(s string) (string, bool) {
	var b strings.Builder
	in, esc := false, false
	for _, r := range s {
		switch {
		case !in && r == '"':
			in = true
			b.WriteString(`""`)
		case !in:
			b.WriteRune(r)
		case esc:
			esc = false
		case r == '\\':
			esc = true
		case r == '"':
			in = false
		}
	}
	return b.String(), !in && !esc
}

// FuzzSearchVisibility: whatever the parameters, the filter starts with the
// caller's visibility clause, as one parenthesised group AND-ed with the rest,
// and every user value is inside a quoted literal (nothing else but allowed
// tokens remains once literals are blanked).
func FuzzSearchVisibility(f *testing.F) {
	f.Add(uint8(2), "published", "job", "M1805", "HTML", "none", `" OR status = "draft`, int64(1), int64(2), uint8(3), 48.9, 2.4)
	f.Add(uint8(0), `draft"`, `\`, `\"`, ") OR (", "full", "x", int64(-5), int64(0), uint8(0), -91.0, 181.0)
	f.Add(uint8(1), "", "", "", "", "", "", int64(0), int64(0), uint8(8), 0.0, 0.0)
	f.Fuzz(func(t *testing.T, role uint8, status, kind, rome, skill, remote, company string,
		after, before int64, flags uint8, lat, lon float64) {
		roles := append(slices.Clone(passerelle.Roles), "")
		p := passerelle.Principal{Role: roles[int(role)%len(roles)], CompanyID: uuid.NewSHA1(uuid.Nil, []byte(company))}
		q := OfferQuery{Kinds: []string{kind, company}, ROMECodes: []string{rome}, Skills: []string{skill, company},
			Remote: []string{remote}, Statuses: nonEmpty(status), RadiusMetres: int(after % 200_000)}
		if flags&1 != 0 {
			q.StartAfter = &after
		}
		if flags&2 != 0 {
			q.StartBefore = &before
		}
		if flags&4 != 0 {
			v := flags&8 != 0
			q.DisabilityFriendly, q.OpenToMinors = &v, &v
		}
		if flags&16 != 0 && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 { // the API checks the range
			q.Near = &Point{lat, lon}
		}
		got := OfferFilter(p, q)

		vis := Visibility(p, q.Statuses).String()
		require.NotEmpty(t, vis)
		require.True(t, got == vis || strings.HasPrefix(got, vis+" AND "), "filter %q does not start with visibility %q", got, vis)
		require.True(t, strings.HasPrefix(vis, "(") && strings.HasSuffix(vis, ")"))
		// The visibility clause is one group: its outer parenthesis closes
		// at its end (parentheses inside literals blanked first).
		blankVis, ok := blankLiterals(vis)
		require.True(t, ok)
		depth := 0
		for i, r := range blankVis {
			switch r {
			case '(':
				depth++
			case ')':
				depth--
				require.False(t, depth == 0 && i != len(blankVis)-1, "visibility %q is not one group", vis)
			}
		}
		switch p.Role {
		case passerelle.RoleAdmin:
		case passerelle.RoleCompany:
			require.Equal(t, `((status = "published") OR (company_id = "`+p.CompanyID.String()+`"))`, vis)
		default:
			require.Equal(t, `(status = "published")`, vis)
		}

		blank, ok := blankLiterals(got)
		require.True(t, ok, "unterminated literal in %q", got)
		for rest := blank; rest != ""; {
			loc := token.FindStringIndex(rest)
			require.NotNil(t, loc, "unexpected text %q in filter %q", rest, got)
			rest = rest[loc[1]:]
		}
		for _, v := range []string{kind, rome, skill, remote, company} {
			require.Contains(t, got, quote(v), "value %q is written quoted", v)
		}
	})
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
