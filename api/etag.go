package api

import (
	"strconv"
	"strings"

	"github.com/passerelle-dev/passerelle"
)

// etag is a resource's entity tag: its version, quoted. Strong, since the
// version changes with every change of the representation.
func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// IfMatch is the optional precondition header of updates.
type IfMatch struct {
	IfMatch string `header:"If-Match" doc:"The ETag read before changing: the update fails with 412 if the resource changed since. * or absent: no check."`
}

// version returns the version If-Match asks for: nil for none or *. A list of
// tags or a weak tag cannot match a single strong version and is refused.
func (h IfMatch) version() (*int, error) {
	v := strings.TrimSpace(h.IfMatch)
	if v == "" || v == "*" {
		return nil, nil
	}
	bad := &passerelle.Error{Code: passerelle.EPrecondition, Message: "If-Match must be one ETag as returned by a read, such as \"3\".",
		Fields: []passerelle.FieldError{{Location: "header.If-Match", Message: "not a strong ETag", Value: v}}}
	if !strings.HasPrefix(v, `"`) || !strings.HasSuffix(v, `"`) || len(v) < 3 {
		return nil, bad
	}
	n, err := strconv.Atoi(v[1 : len(v)-1])
	if err != nil || n < 1 {
		return nil, bad
	}
	return &n, nil
}
