package api

import (
	"fmt"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

// Date is a calendar day with no time or zone, written as an RFC 3339
// full-date ("2026-09-01"). The schema says format: date, so huma checks the
// form before the value is parsed; as a Go value it is midnight UTC.
type Date time.Time

// Schema implements huma.SchemaProvider.
func (Date) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Format: "date"}
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) {
	return []byte(time.Time(d).Format(time.DateOnly)), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	t, err := time.Parse(time.DateOnly, string(b))
	if err != nil {
		return fmt.Errorf("not a date (YYYY-MM-DD): %q", b)
	}
	*d = Date(t)
	return nil
}

// Time returns the day at midnight UTC.
func (d Date) Time() time.Time { return time.Time(d) }

// dateOf is the day of t.
func dateOf(t time.Time) Date {
	return Date(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC))
}
