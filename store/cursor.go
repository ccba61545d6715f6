package store

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
)

// cursorToken is what an opaque cursor carries. "l" names the list it belongs
// to, so a cursor from one list is refused by another.
type cursorToken struct {
	List      string    `json:"l"`
	UpdatedAt time.Time `json:"t"`
	ID        uuid.UUID `json:"i"`
}

// EncodeCursor makes the opaque cursor of list's next page ("" for none). The
// API's next_cursor and the console's "page suivante" links both use it.
func EncodeCursor(list string, c *Cursor) string {
	if c == nil {
		return ""
	}
	b, _ := json.Marshal(cursorToken{List: list, UpdatedAt: c.UpdatedAt, ID: c.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses a cursor of list ("" is the first page); anything else
// is EBadRequest naming the cursor.
func DecodeCursor(list, s string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := &passerelle.Error{Code: passerelle.EBadRequest, Message: "The cursor is not one this list gave out: start again without it.",
		Fields: []passerelle.FieldError{{Location: "query.cursor", Message: "invalid cursor"}}}
	if len(s) > 512 {
		return nil, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var tok cursorToken
	if err := json.Unmarshal(b, &tok); err != nil || tok.List != list || tok.ID == uuid.Nil || tok.UpdatedAt.IsZero() {
		return nil, bad
	}
	return &Cursor{UpdatedAt: tok.UpdatedAt, ID: tok.ID}, nil
}
