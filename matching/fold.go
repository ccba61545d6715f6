package matching

import (
	"unicode"
	"unicode/utf8"
)

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
