package matching

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// Skills are compared as small integers: each distinct folded name gets an
// id in a dictionary (the index's, built once; or one per MatchAll or Score
// call), and a trainee's skills are looked up in it.

// foldSkill appends to dst the form in which skill names are compared: lower
// case, Latin letters without their diacritics (é → e, œ → oe, ß → ss),
// combining marks dropped, runs of white space made one space and none at
// either end. Punctuation is kept, so "C++", "C#" and "C" stay apart.
func foldSkill(dst []byte, s string) []byte {
	start := len(dst)
	space := false // a space is pending: written before the next character
	put := func(r rune) {
		if space && len(dst) > start {
			dst = append(dst, ' ')
		}
		space = false
		dst = utf8.AppendRune(dst, r)
	}
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			switch {
			case r >= 'A' && r <= 'Z':
				put(r + ('a' - 'A'))
			case r == ' ', r >= '\t' && r <= '\r':
				space = true
			default:
				put(r)
			}
		case unicode.IsSpace(r):
			space = true
		case unicode.Is(unicode.Mn, r):
			// a combining accent of decomposed text
		default:
			r = unicode.ToLower(r)
			if base, ok := latinBase[r]; ok {
				for _, b := range base {
					put(b)
				}
			} else {
				put(r)
			}
		}
	}
	return dst
}

// latinBase spells the lower-case letters of Latin-1 and Latin Extended-A
// without their diacritics.
var latinBase = func() map[rune]string {
	m := map[rune]string{}
	for base, letters := range map[string]string{
		"a": "àáâãäåāăą", "c": "çćĉċč", "d": "ðďđ", "e": "èéêëēĕėęě", "g": "ĝğġģ", "h": "ĥħ",
		"i": "ìíîïĩīĭįı", "j": "ĵ", "k": "ķĸ", "l": "ĺļľŀł", "n": "ñńņňŉŋ", "o": "òóôõöøōŏő",
		"r": "ŕŗř", "s": "śŝşšſ", "t": "ţťŧ", "u": "ùúûüũūŭůűų", "w": "ŵ", "y": "ýÿŷ", "z": "źżž",
		"ae": "æ", "oe": "œ", "ss": "ß", "th": "þ", "ij": "ĳ",
	} {
		for _, r := range letters {
			m[r] = base
		}
	}
	return m
}()

// Skill weights in tenths, by evidence.
const (
	weightOpenBadge = 10
	weightValidated = 9
	weightDeclared  = 6
)

func weightOf(e Evidence) int {
	switch e {
	case EvidenceOpenBadge:
		return weightOpenBadge
	case EvidenceAdviserValidated:
		return weightValidated
	}
	return weightDeclared
}

// skill is a trainee's skill: an id in the dictionary of folded names, and
// its best weight.
type skill struct {
	id     int32
	weight int
}

// dict gives folded skill names small integer ids, so that the hot path
// compares integers.
type dict map[string]int32

// id returns name's id, adding it when add is set, else -1 when unknown.
func (d dict) id(name []byte, add bool) int32 {
	if id, ok := d[string(name)]; ok {
		return id
	}
	if !add {
		return -1
	}
	id := int32(len(d))
	d[string(name)] = id
	return id
}

// appendSkillIDs appends to dst the ids of names (added to d), skipping empty
// names and those already in dst[from:] or in not.
func appendSkillIDs(dst []int32, from int, not []int32, names []string, d dict, buf []byte) ([]int32, []byte) {
	for _, n := range names {
		buf = foldSkill(buf[:0], n)
		if len(buf) == 0 {
			continue
		}
		id := d.id(buf, true)
		if !slices.Contains(dst[from:], id) && !slices.Contains(not, id) {
			dst = append(dst, id)
		}
	}
	return dst, buf
}

// setSkills sets o's skill ids, adding the names to d.
func (o *offer) setSkills(d dict, buf []byte) []byte {
	o.req, buf = appendSkillIDs(o.req[:0], 0, nil, o.RequiredSkills, d, buf)
	o.opt, buf = appendSkillIDs(o.opt[:0], 0, o.req, o.OptionalSkills, d, buf)
	return buf
}

// setSkills sets the trainee's skills from skills, with d's ids: added to d
// when add is set, else skipped when d does not know them (no offer asks for
// them).
func (tr *trainee) setSkills(skills []Skill, d dict, buf []byte, add bool) []byte {
	tr.skills = tr.skills[:0]
next:
	for _, s := range skills {
		buf = foldSkill(buf[:0], s.Name)
		if len(buf) == 0 {
			continue
		}
		id := d.id(buf, add)
		if id < 0 {
			continue
		}
		w := weightOf(s.Evidence)
		for i := range tr.skills {
			if tr.skills[i].id == id {
				tr.skills[i].weight = max(tr.skills[i].weight, w)
				continue next
			}
		}
		tr.skills = append(tr.skills, skill{id, w})
	}
	return buf
}

func (tr *trainee) weight(id int32) int {
	if len(tr.skillTab) > 0 {
		return int(tr.skillTab[id])
	}
	for _, s := range tr.skills {
		if s.id == id {
			return s.weight
		}
	}
	return 0
}
