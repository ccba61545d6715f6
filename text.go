package passerelle

import (
	"strings"
	"unicode/utf8"
)

// TextFault says why a string may not be stored, or "" when it may. PostgreSQL
// refuses NUL in text columns (a 500 if it gets that far), and invalid UTF-8 —
// including the encoded halves of a UTF-16 surrogate pair, which Go's decoder
// counts as invalid — would be stored and then break every reader downstream
// (search index, webhooks, e-mails). One rule for every incoming string:
// bodies, query and path parameters, headers.
func TextFault(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return FaultNUL
	case !utf8.ValidString(s):
		return FaultUTF8
	}
	return ""
}

// Messages of TextFault, also used by the API's body scanner, which finds the
// same faults (and lone surrogate escapes) in raw JSON.
const (
	FaultNUL       = "contains a NUL character (U+0000), which cannot be stored"
	FaultUTF8      = "is not valid UTF-8"
	FaultSurrogate = "contains a lone UTF-16 surrogate (\\ud800-\\udfff escape without its pair), which is not a character"
)
