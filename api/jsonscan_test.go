package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
)

func TestScanJSON(t *testing.T) {
	t.Parallel()
	small := jsonLimits{Depth: 3, Keys: 2, Items: 3, StringBytes: 24}
	for _, tc := range []struct {
		name, body, location, message string
	}{
		{"plain", `{"a": [1, "x", {"b": null}], "c": true}`, "", ""},
		{"escapes", `{"a": "\"\\\/\b\f\n\r\t\u00e9"}`, "", ""},
		{"surrogate pair", `["\ud83e\udd56"]`, "", ""},
		{"malformed is left to the decoder", `{"a": [1, }`, "", ""},
		{"empty", ``, "", ""},
		{"too deep", `{"a": [[[1]]]}`, "body.a[0][0]", "nested more than 3 levels deep"},
		{"too many keys", `{"a": 1, "b": 2, "c": 3}`, "body", "more than 2 keys in one object"},
		{"duplicate keys count", `{"a": 1, "a": 2, "a": 3}`, "body", "more than 2 keys in one object"},
		{"too many items", `{"a": {"b": [1, 2, 3, 4]}}`, "body.a.b", "more than 3 items in one array"},
		{"long string", `{"a": "1234567890123456789012345"}`, "body.a", "a string longer than 24 bytes"},
		{"long key", `{"1234567890123456789012345": 1}`, "body", "a string longer than 24 bytes"},
		{"escaped key in the path", `{"\u00e9": [1, "\u0000"]}`, "body.é[1]", passerelle.FaultNUL},
		{"raw NUL", "[\"a\x00\"]", "body[0]", passerelle.FaultNUL},
		{"invalid UTF-8", "[\"a\xc3\"]", "body[0]", passerelle.FaultUTF8},
		{"lone high surrogate at the end", `["\ud800"]`, "body[0]", passerelle.FaultSurrogate},
		{"two high surrogates", `["\ud800\ud800"]`, "body[0]", passerelle.FaultSurrogate},
		{"lone low surrogate", `["\uDC00"]`, "body[0]", passerelle.FaultSurrogate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := scanJSON([]byte(tc.body), small)
			if tc.location == "" {
				require.Nil(t, err)
				return
			}
			require.NotNil(t, err)
			require.Equal(t, passerelle.EInvalid, err.Code)
			require.Equal(t, []passerelle.FieldError{{Location: tc.location, Message: tc.message}}, err.Fields)
		})
	}
}

// TestProblemOfManyUnknownKeysStaysSmall is the cause of issue #9's freeze:
// huma's validator gives each unknown key of an object the whole object as
// its value, so a problem listing 50,000 of them held 50,000 copies of a
// 50,000-key map. The problem now lists a bounded number of errors, without
// composite values.
func TestProblemOfManyUnknownKeysStaysSmall(t *testing.T) {
	configureHuma()
	reg := huma.NewMapRegistry("#/components/schemas/", huma.DefaultSchemaNamer)
	schema := NotificationPreferences{}.Schema(reg)
	schema.PrecomputeMessages()
	prefs := map[string]any{}
	for i := range 50_000 {
		prefs[fmt.Sprintf("k%05d", i)] = "off"
	}
	res := &huma.ValidateResult{}
	huma.Validate(reg, schema, huma.NewPathBuffer([]byte("body.notification_preferences"), 0), huma.ModeWriteToServer, prefs, res)
	require.Len(t, res.Errors, 50_001) // maxProperties, then each unknown key
	errs := res.Errors
	var detail *huma.ErrorDetail
	require.ErrorAs(t, res.Errors[1], &detail)
	require.Equal(t, prefs, detail.Value, "huma's validator gives the whole object as the value")

	p := newProblem(nil, 422, "validation failed", errs...)
	require.Len(t, p.Errors, maxProblemErrors)
	for _, e := range p.Errors {
		require.Nil(t, e.Value)
	}
	var buf bytes.Buffer
	require.NoError(t, jsonEncode(&buf, p))
	require.Less(t, buf.Len(), 4096)
}

// FuzzScanJSON checks the scanner against encoding/json on any input: it
// never panics; what it accepts is within the caps and holds only storable
// text; what is clean and within the caps it accepts; a refusal names one
// field under body.
func FuzzScanJSON(f *testing.F) {
	for _, seed := range []string{
		`{"a": [1, "x", {"b": null}], "c": true}`, `"\ud83e\udd56"`, `["\ud800"]`, `{"a": "\u0000"}`, "[\"\xff\"]",
		`[[[[[]]]]]`, `{"a":1,"b":2,"c":3,"d":4,"e":5}`, `[1,2,3,4,5]`, `"0123456789012345678901234567890123456789012345678901234567890123456789"`,
		`{"\u00e9\n": -1.5e+3}`, `{"a": [1, }`,
	} {
		f.Add([]byte(seed))
	}
	lim := jsonLimits{Depth: 4, Keys: 4, Items: 4, StringBytes: 64}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := scanJSON(data, lim)
		if err != nil {
			require.Len(t, err.Fields, 1)
			require.True(t, strings.HasPrefix(err.Fields[0].Location, "body"), err.Fields[0].Location)
		}
		if !json.Valid(data) {
			return
		}
		shape := measure(t, data)
		if err == nil {
			require.LessOrEqual(t, shape.depth, lim.Depth)
			require.LessOrEqual(t, shape.keys, lim.Keys)
			require.LessOrEqual(t, shape.items, lim.Items)
			require.LessOrEqual(t, shape.stringBytes, lim.StringBytes)
			require.False(t, shape.nul, "accepted a NUL")
			// encoding/json turns invalid UTF-8 and lone surrogates into
			// U+FFFD: one in the decoded text that the input did not hold
			// is one the scanner let through.
			if !bytes.Contains(data, []byte("\uFFFD")) && !bytes.Contains(bytes.ToLower(data), []byte(`\ufffd`)) {
				require.False(t, shape.replacement, "accepted invalid UTF-8 or a lone surrogate")
			}
			return
		}
		// Refused: it must have been for a reason. Clean input within the
		// caps (raw string lengths bounded through their decoded length:
		// an escape is at most 6 bytes for 1 to 3 bytes decoded, 12 for 4)
		// is accepted.
		clean := utf8.Valid(data) && !shape.nul && !shape.replacement && !bytes.Contains(bytes.ToLower(data), []byte(`\ud`))
		if clean && shape.depth <= lim.Depth && shape.keys <= lim.Keys && shape.items <= lim.Items && shape.stringBytes*6 <= lim.StringBytes {
			t.Fatalf("refused clean input %q: %v", data, err.Fields)
		}
	})
}

// jsonShape is what encoding/json's tokenizer sees in a document.
type jsonShape struct {
	depth, keys, items, stringBytes int
	nul, replacement                bool
}

// measure walks valid JSON with encoding/json's tokenizer.
func measure(t *testing.T, data []byte) jsonShape {
	var s jsonShape
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		object bool
		n      int
		key    bool // the next string of an object is a key
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return s
		}
		require.NoError(t, err)
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			_, closing := tok.(json.Delim)
			closing = closing && (tok == json.Delim('}') || tok == json.Delim(']'))
			if !closing {
				if !top.object {
					top.n++
					s.items = max(s.items, top.n)
				} else if top.key = !top.key; top.key {
					top.n++
					s.keys = max(s.keys, top.n)
				}
			}
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, frame{object: true})
				s.depth = max(s.depth, len(stack))
			case '[':
				stack = append(stack, frame{})
				s.depth = max(s.depth, len(stack))
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			s.stringBytes = max(s.stringBytes, len(v))
			s.nul = s.nul || strings.IndexByte(v, 0) >= 0
			s.replacement = s.replacement || strings.ContainsRune(v, utf8.RuneError)
		}
	}
}
