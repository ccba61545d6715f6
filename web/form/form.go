// Package form reads posted console forms into the same input types the JSON
// API fills (store.TraineeInput, store.CohortInput…), and turns the domain's
// field errors into French messages naming the field in people's words. It
// checks only what a form can get wrong on its own (a date that is not a
// date); every rule on the values stays in store, so the API and the console
// apply it once.
//
// A page that saves a form does:
//
//	f := form.Read(r)
//	in := store.CohortInput{Name: f.String("name"), StartDate: f.Date("start_date"), Capacity: f.Int("capacity")}
//	if err := f.Err(); err != nil { … show the form with form.ErrorsOf(err) … }
//	c, err := st.CreateCohort(ctx, principal(r), org, in)
//	if errs, ok := form.ErrorsOf(err); ok { … show the form again with errs … }
//
// Field names are the input's field paths (the json names: "start_date",
// "profile.home_postal_code"), so a store error lands next to its field.
package form

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
)

// MaxBytes bounds a posted form.
const MaxBytes = 1 << 20

// Form is one posted form being read; what cannot be read is collected as
// field errors, all reported at once.
type Form struct {
	values url.Values
	fields []passerelle.FieldError
	prefix string // "query." for a filter read from the address
}

// Read reads r's posted form (at most MaxBytes). A body that cannot be read
// reads as empty: the required fields then say what is missing.
func Read(r *http.Request) *Form {
	if r.Body != nil {
		r.Body = http.MaxBytesReader(nil, r.Body, MaxBytes)
	}
	_ = r.ParseForm()
	f := &Form{values: r.PostForm}
	f.checkText()
	return f
}

// checkText applies the one rule for incoming strings (passerelle.TextFault:
// no NUL, valid UTF-8) to every posted name and value, as the API does to
// every body and parameter. A value at fault is reported and dropped, so it
// never reaches the store.
func (f *Form) checkText() {
	for name, vs := range f.values {
		if fault := passerelle.TextFault(name); fault != "" {
			f.bad("", fault, nil)
			delete(f.values, name)
			continue
		}
		for i, v := range vs {
			if fault := passerelle.TextFault(v); fault != "" {
				f.bad(name, fault, nil)
				vs[i] = ""
			}
		}
	}
}

// Query reads a filter form (method="get") from r's address. Its fields are
// located "query.<name>", as the store locates its own errors about filters.
func Query(r *http.Request) *Form {
	return &Form{values: r.URL.Query(), prefix: "query."}
}

func (f *Form) bad(name, msg string, v any) {
	f.fields = append(f.fields, passerelle.FieldError{Location: f.prefix + name, Message: msg, Value: v})
}

// String is the trimmed value of name.
func (f *Form) String(name string) string { return strings.TrimSpace(f.values.Get(name)) }

// Strings are the non-blank values of name (checkboxes, multiple selects).
func (f *Form) Strings(name string) []string {
	var out []string
	for _, v := range f.values[name] {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Bool is whether the checkbox name is checked.
func (f *Form) Bool(name string) bool { return f.values.Get(name) != "" }

// Int is the whole number in name; blank is 0.
func (f *Form) Int(name string) int {
	s := f.String(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.bad(name, "not a whole number", s)
	}
	return n
}

// Date is the date in name, as <input type="date"> posts it (2026-12-02) or
// as people type it (02/12/2026); blank is required.
func (f *Form) Date(name string) time.Time {
	d := f.DatePtr(name)
	if d == nil {
		if f.String(name) == "" {
			f.bad(name, "required", "")
		}
		return time.Time{}
	}
	return *d
}

// DatePtr is the date in name, nil when blank.
func (f *Form) DatePtr(name string) *time.Time {
	s := f.String(name)
	if s == "" {
		return nil
	}
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2/1/2006"} {
		if d, err := time.Parse(layout, s); err == nil {
			return &d
		}
	}
	f.bad(name, "not a date", s)
	return nil
}

// UUID is the identifier chosen in name (a select's value); blank is required.
func (f *Form) UUID(name string) uuid.UUID {
	id := f.UUIDPtr(name)
	if id == nil {
		if f.String(name) == "" {
			f.bad(name, "required", "")
		}
		return uuid.Nil
	}
	return *id
}

// UUIDPtr is the identifier in name, nil when blank.
func (f *Form) UUIDPtr(name string) *uuid.UUID {
	s := f.String(name)
	if s == "" {
		return nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		f.bad(name, "not an identifier", s)
		return nil
	}
	return &id
}

// Err is the fields that could not be read, as the domain's EInvalid error
// (nil when all could).
func (f *Form) Err() error {
	if len(f.fields) == 0 {
		return nil
	}
	return passerelle.Invalid("Some fields could not be read.", f.fields...)
}

// Errors are French messages by field path, to show next to each field.
type Errors map[string]string

// ErrorsOf reads an EInvalid error (the form's or the store's) as French
// messages by field: "Code postal : aucune commune française n'a ce code
// postal". It reports false for any other error, which the page shows as an
// error page instead.
func ErrorsOf(err error) (Errors, bool) {
	var e *passerelle.Error
	if !errors.As(err, &e) || e.Code != passerelle.EInvalid {
		return nil, false
	}
	out := Errors{}
	for _, fe := range e.Fields {
		path := strings.TrimPrefix(fe.Location, "body.")
		msg := Label(path) + " : " + Translate(fe.Message)
		if prev, ok := out[path]; ok {
			msg = prev + " ; " + Translate(fe.Message)
		}
		out[path] = msg
	}
	if len(out) == 0 {
		out[""] = "Certaines informations ne conviennent pas. Vérifiez le formulaire."
	}
	return out, true
}

// FloatPtr is the number in name, with a French decimal comma or a point
// ("17,5"); nil when blank.
func (f *Form) FloatPtr(name string) *float64 {
	s := f.String(name)
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil {
		f.bad(name, "not a number", s)
		return nil
	}
	return &v
}

// Has tells whether the form posted a field name (even blank): a list of
// rows reads until its first missing row.
func (f *Form) Has(name string) bool {
	_, ok := f.values[name]
	return ok
}
