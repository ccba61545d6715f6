package api

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/passerelle-dev/passerelle"
)

// jsonLimits bound what one request body may hold, whatever its operation.
// Per-field bounds (maxItems, maxProperties, maxLength in the schemas) are
// tighter; these caps keep the cost of the decoder, the validator and the
// problem listing every fault small before those run. See docs/limits.md.
type jsonLimits struct {
	Depth       int // objects and arrays nested in one another
	Keys        int // keys in one object
	Items       int // items in one array
	StringBytes int // bytes of one string (key or value), as sent
}

// bodyLimits are the caps of every request body.
var bodyLimits = jsonLimits{Depth: 32, Keys: 1000, Items: 1000, StringBytes: 100_000}

// scanJSON walks a request body once, over its raw bytes, and stops at the
// first thing it refuses: a cap of lim passed, or a string no column may
// hold (NUL, invalid UTF-8, a lone surrogate escape). It must look at the raw
// bytes: encoding/json silently turns invalid UTF-8 and lone surrogates into
// U+FFFD. The answer is an EInvalid error naming the field ("body.title",
// "body.skills[3]"), or nil. Malformed JSON is not its business: it returns
// nil and lets huma's decoder answer 400 with the position of the fault.
func scanJSON(data []byte, lim jsonLimits) *passerelle.Error {
	s := &jsonScanner{data: data, lim: lim}
	s.space()
	if s.pos < len(s.data) {
		s.value(0)
	}
	return s.err
}

// pathElem is one step of a field's location: a key, or an index when key is
// unset.
type pathElem struct {
	key   string
	index int
	isKey bool
}

// jsonScanner is the state of one scan. It stops (stop is set) at the first
// refusal or syntax error; the recursion is bounded by lim.Depth.
type jsonScanner struct {
	data []byte
	pos  int
	lim  jsonLimits
	path []pathElem
	err  *passerelle.Error
	stop bool
}

// location renders the current path as huma does: body.a.b[2].c.
func (s *jsonScanner) location() string {
	var b strings.Builder
	b.WriteString("body")
	for _, e := range s.path {
		if e.isKey {
			b.WriteByte('.')
			b.WriteString(e.key)
		} else {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.index))
			b.WriteByte(']')
		}
	}
	return b.String()
}

// refuse records the fault at the current location and stops the scan.
func (s *jsonScanner) refuse(message string) {
	s.err = passerelle.Invalid("The request body holds a value Passerelle refuses: "+message+" (see the errors).",
		passerelle.FieldError{Location: s.location(), Message: message})
	s.stop = true
}

// malformed stops the scan without refusing: the decoder will.
func (s *jsonScanner) malformed() { s.stop = true }

func (s *jsonScanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value scans one value at nesting depth.
func (s *jsonScanner) value(depth int) {
	if s.pos >= len(s.data) {
		s.malformed()
		return
	}
	switch s.data[s.pos] {
	case '{':
		s.object(depth + 1)
	case '[':
		s.array(depth + 1)
	case '"':
		s.str()
	default:
		// Numbers and literals: skip their characters; the decoder checks them.
		start := s.pos
		for s.pos < len(s.data) && strings.IndexByte("+-.0123456789eEtrufalsn", s.data[s.pos]) >= 0 {
			s.pos++
		}
		if s.pos == start {
			s.malformed()
		}
	}
}

func (s *jsonScanner) object(depth int) {
	if depth > s.lim.Depth {
		s.refuse(fmt.Sprintf("nested more than %d levels deep", s.lim.Depth))
		return
	}
	s.pos++ // {
	s.space()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return
	}
	for n := 1; ; n++ {
		if n > s.lim.Keys {
			s.refuse(fmt.Sprintf("more than %d keys in one object", s.lim.Keys))
			return
		}
		s.space()
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			s.malformed()
			return
		}
		key := s.str()
		if s.stop {
			return
		}
		s.space()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			s.malformed()
			return
		}
		s.pos++
		s.space()
		if !s.element(pathElem{key: key, isKey: true}, depth, '}') {
			return
		}
	}
}

func (s *jsonScanner) array(depth int) {
	if depth > s.lim.Depth {
		s.refuse(fmt.Sprintf("nested more than %d levels deep", s.lim.Depth))
		return
	}
	s.pos++ // [
	s.space()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return
	}
	for i := 0; ; i++ {
		if i >= s.lim.Items {
			s.refuse(fmt.Sprintf("more than %d items in one array", s.lim.Items))
			return
		}
		s.space()
		if !s.element(pathElem{index: i}, depth, ']') {
			return
		}
	}
}

// str scans a string starting at its opening quote and returns its text
// when it is used as a key (decoded only when it holds escapes).
func (s *jsonScanner) str() string {
	start := s.pos
	s.pos++ // "
	escaped := false
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			raw := s.data[start:s.pos]
			if !escaped {
				return string(raw[1 : len(raw)-1])
			}
			var text string
			if json.Unmarshal(raw, &text) != nil {
				s.malformed()
			}
			return text
		case c == '\\':
			escaped = true
			if !s.escape() {
				return ""
			}
		case c == 0:
			s.refuse(passerelle.FaultNUL)
			return ""
		case c < 0x20:
			s.malformed() // a raw control character: the decoder says where
			return ""
		case c < utf8.RuneSelf:
			s.pos++
		default:
			r, size := utf8.DecodeRune(s.data[s.pos:])
			if r == utf8.RuneError && size == 1 {
				s.refuse(passerelle.FaultUTF8)
				return ""
			}
			s.pos += size
		}
		if s.pos-start-1 > s.lim.StringBytes {
			s.refuse(fmt.Sprintf("a string longer than %d bytes", s.lim.StringBytes))
			return ""
		}
	}
	s.malformed()
	return ""
}

// escape scans one escape sequence at s.pos (its backslash) and reports
// whether the scan goes on. \u0000 is a NUL; a high surrogate must be followed
// by a low one, and a low one must follow a high one.
func (s *jsonScanner) escape() bool {
	if s.pos+1 >= len(s.data) {
		s.malformed()
		return false
	}
	if s.data[s.pos+1] != 'u' {
		s.pos += 2 // \" \\ \/ \b \f \n \r \t; anything else the decoder refuses
		return true
	}
	r, ok := s.hex4(s.pos + 2)
	if !ok {
		s.malformed()
		return false
	}
	s.pos += 6
	switch {
	case r == 0:
		s.refuse(passerelle.FaultNUL)
		return false
	case r >= 0xDC00 && r <= 0xDFFF:
		s.refuse(passerelle.FaultSurrogate)
		return false
	case r >= 0xD800 && r <= 0xDBFF:
		if s.pos+1 >= len(s.data) || s.data[s.pos] != '\\' || s.data[s.pos+1] != 'u' {
			s.refuse(passerelle.FaultSurrogate)
			return false
		}
		low, ok := s.hex4(s.pos + 2)
		if !ok {
			s.malformed()
			return false
		}
		if low < 0xDC00 || low > 0xDFFF {
			s.refuse(passerelle.FaultSurrogate)
			return false
		}
		s.pos += 6
	}
	return true
}

// hex4 reads the four hex digits at i.
func (s *jsonScanner) hex4(i int) (rune, bool) {
	if i+4 > len(s.data) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(s.data[i:i+4]), 16, 16) // four hex digits: at most 0xFFFF
	return rune(n), err == nil                                 //nolint:gosec // n < 1<<16, parsed with bitSize 16
}

// element scans one member's value (an object's, named by key, or an
// array's, by index) and what follows it: it reports whether another member
// comes (a comma), false at the closer or when the scan stopped.
func (s *jsonScanner) element(e pathElem, depth int, closer byte) (more bool) {
	s.path = append(s.path, e)
	s.value(depth)
	if s.stop {
		return false
	}
	s.path = s.path[:len(s.path)-1]
	s.space()
	if s.pos >= len(s.data) {
		s.malformed()
		return false
	}
	switch s.data[s.pos] {
	case ',':
		s.pos++
		return true
	case closer:
		s.pos++
		return false
	default:
		s.malformed()
		return false
	}
}
