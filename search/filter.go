package search

import (
	"fmt"
	"strconv"
	"strings"
)

// Filters are built here, and only here, from an allow-list of attributes. Values
// are always quoted and escaped, so no user text can change a filter's structure.

// Attributes a filter may name, and how their values are written.
const (
	AttrKind               = "kind"
	AttrROMECodes          = "rome_codes"
	AttrStatus             = "status"
	AttrCompanyID          = "company_id"
	AttrStartDate          = "start_date"
	AttrDisabilityFriendly = "disability_friendly"
	AttrOpenToMinors       = "open_to_minors"
	AttrRemote             = "remote"
	AttrSkills             = "skills"
)

var allowed = map[string]bool{
	AttrKind: true, AttrROMECodes: true, AttrStatus: true, AttrCompanyID: true, AttrStartDate: true,
	AttrDisabilityFriendly: true, AttrOpenToMinors: true, AttrRemote: true, AttrSkills: true,
}

// Filter is a Meilisearch filter expression under construction: clauses joined
// with AND.
type Filter struct {
	clauses []string
}

// quote writes s as a Meilisearch string literal.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func mustAllowed(attr string) {
	if !allowed[attr] {
		// A programming error: attribute names never come from users.
		panic(fmt.Sprintf("search: attribute %q is not filterable", attr))
	}
}

// In adds "attr IN [v1, v2, …]" (any of the values); nothing for no values.
func (f *Filter) In(attr string, values ...string) *Filter {
	mustAllowed(attr)
	if len(values) == 0 {
		return f
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = quote(v)
	}
	f.clauses = append(f.clauses, attr+" IN ["+strings.Join(quoted, ", ")+"]")
	return f
}

// Eq adds "attr = value".
func (f *Filter) Eq(attr, value string) *Filter {
	mustAllowed(attr)
	f.clauses = append(f.clauses, attr+" = "+quote(value))
	return f
}

// Bool adds "attr = true|false".
func (f *Filter) Bool(attr string, v bool) *Filter {
	mustAllowed(attr)
	f.clauses = append(f.clauses, attr+" = "+strconv.FormatBool(v))
	return f
}

// Range adds "attr >= lo" and "attr <= hi" for the bounds given (nil: open).
func (f *Filter) Range(attr string, lo, hi *int64) *Filter {
	mustAllowed(attr)
	if lo != nil {
		f.clauses = append(f.clauses, attr+" >= "+strconv.FormatInt(*lo, 10))
	}
	if hi != nil {
		f.clauses = append(f.clauses, attr+" <= "+strconv.FormatInt(*hi, 10))
	}
	return f
}

// GeoRadius adds "_geoRadius(lat, lon, metres)".
func (f *Filter) GeoRadius(lat, lon float64, metres int) *Filter {
	f.clauses = append(f.clauses, fmt.Sprintf("_geoRadius(%s, %s, %d)",
		strconv.FormatFloat(lat, 'f', 6, 64), strconv.FormatFloat(lon, 'f', 6, 64), metres))
	return f
}

// Or adds one clause true when any of the given filters holds.
func (f *Filter) Or(alternatives ...*Filter) *Filter {
	parts := make([]string, 0, len(alternatives))
	for _, a := range alternatives {
		switch s := a.String(); {
		case s == "":
		case len(a.clauses) == 1:
			parts = append(parts, s)
		default:
			parts = append(parts, "("+s+")")
		}
	}
	if len(parts) > 0 {
		f.clauses = append(f.clauses, strings.Join(parts, " OR "))
	}
	return f
}

// String renders the filter, each clause in parentheses.
func (f *Filter) String() string {
	if f == nil || len(f.clauses) == 0 {
		return ""
	}
	parts := make([]string, len(f.clauses))
	for i, c := range f.clauses {
		parts[i] = "(" + c + ")"
	}
	return strings.Join(parts, " AND ")
}
