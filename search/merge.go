package search

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Merging the shards' answers into the page one index would give. Each shard
// returns its hits with their ranking score details: one entry per ranking
// rule that decided (words, typo, proximity, attribute, exactness with a
// score; each sort key with the value sorted on, the geo point with its
// distance). Comparing two hits rule by rule, in the rules' order, is the
// order Meilisearch sorts one index by; the id ends every sort, so no two
// hits tie.

// rankedHit is a hit and its ranking details, in rule order.
type rankedHit struct {
	hit   OfferHit
	rules []ruleValue
}

// ruleValue is what one ranking rule said of a hit.
type ruleValue struct {
	order int
	// score is set for a relevance rule (higher first).
	score *float64
	// A sort rule: desc for ":desc"; missing when the document has no value
	// (Meilisearch puts those last in either direction); num, str or dist
	// (geo points compare by distance) otherwise.
	sort, desc, missing bool
	num, dist           *float64
	str                 *string
}

func parseRankingDetails(raw json.RawMessage) ([]ruleValue, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("no _rankingScoreDetails")
	}
	var details map[string]struct {
		Order    int             `json:"order"`
		Score    *float64        `json:"score"`
		Value    json.RawMessage `json:"value"`
		Distance *float64        `json:"distance"`
	}
	if err := json.Unmarshal(raw, &details); err != nil {
		return nil, err
	}
	out := make([]ruleValue, 0, len(details))
	for _, name := range slices.Sorted(maps.Keys(details)) {
		d := details[name]
		rv := ruleValue{order: d.Order}
		switch {
		case strings.HasSuffix(name, ":asc") || strings.HasSuffix(name, ":desc"):
			rv.sort, rv.desc = true, strings.HasSuffix(name, ":desc")
			switch {
			case d.Distance != nil:
				rv.dist = d.Distance
			case len(d.Value) == 0 || string(d.Value) == "null":
				rv.missing = true
			case d.Value[0] == '"':
				var s string
				if err := json.Unmarshal(d.Value, &s); err != nil {
					return nil, err
				}
				rv.str = &s
			default:
				var f float64
				if err := json.Unmarshal(d.Value, &f); err != nil {
					return nil, fmt.Errorf("rule %s: value %s: %w", name, d.Value, err)
				}
				rv.num = &f
			}
		case d.Score != nil:
			rv.score = d.Score
		default:
			return nil, fmt.Errorf("rule %s has neither a score nor a sort value", name)
		}
		out = append(out, rv)
	}
	slices.SortFunc(out, func(a, b ruleValue) int { return cmp.Compare(a.order, b.order) })
	return out, nil
}

// compareRules orders two hits of one query as Meilisearch would.
func compareRules(a, b []ruleValue) int {
	for i := range min(len(a), len(b)) {
		if c := compareRule(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

func compareRule(a, b ruleValue) int {
	if !a.sort {
		if a.score == nil || b.score == nil {
			return 0
		}
		return cmp.Compare(*b.score, *a.score) // higher score first
	}
	switch {
	case a.missing && b.missing:
		return 0
	case a.missing:
		return 1
	case b.missing:
		return -1
	}
	var c int
	switch {
	case a.dist != nil && b.dist != nil:
		c = cmp.Compare(*a.dist, *b.dist)
	case a.num != nil && b.num != nil:
		c = cmp.Compare(*a.num, *b.num)
	case a.str != nil && b.str != nil:
		c = strings.Compare(*a.str, *b.str)
	case a.num != nil: // Meilisearch sorts numbers before strings
		c = -1
	case b.num != nil:
		c = 1
	}
	if a.desc {
		c = -c
	}
	return c
}

// maxValuesPerFacet is Meilisearch's default: the first values in
// alphabetical order (its default facet order).
const maxValuesPerFacet = 100

// firstFacetValues keeps the values one index would have returned: each
// shard gave its first maxValuesPerFacet values in alphabetical order, so
// the union holds the first ones overall, with their whole counts.
func firstFacetValues(values map[string]int64) map[string]int64 {
	if len(values) <= maxValuesPerFacet {
		return values
	}
	keys := slices.Sorted(maps.Keys(values))
	out := make(map[string]int64, maxValuesPerFacet)
	for _, k := range keys[:maxValuesPerFacet] {
		out[k] = values[k]
	}
	return out
}
