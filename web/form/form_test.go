package form

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
)

func post(values url.Values) *Form {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(values.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return Read(r)
}

func TestReadFillsInputAndCollectsErrors(t *testing.T) {
	f := post(url.Values{"name": {"  Promo 2027 "}, "start_date": {"02/12/2026"}, "capacity": {"douze"},
		"end_date": {"pas une date"}, "skills": {"a", " ", "b"}})
	require.Equal(t, "Promo 2027", f.String("name"))
	require.Equal(t, time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), f.Date("start_date"))
	require.Equal(t, 0, f.Int("capacity"))
	require.Nil(t, f.DatePtr("end_date"))
	require.Equal(t, []string{"a", "b"}, f.Strings("skills"))
	require.Equal(t, uuid.Nil, f.UUID("cohort_id"))

	errs, ok := ErrorsOf(f.Err())
	require.True(t, ok)
	require.Equal(t, Errors{
		"capacity":  "Capacité : doit être un nombre entier",
		"end_date":  "Date de fin : doit être une date (jj/mm/aaaa)",
		"cohort_id": "Promotion : obligatoire",
	}, errs)
}

func TestErrorsOfStoreErrors(t *testing.T) {
	err := passerelle.Invalid("bad", passerelle.FieldError{Location: "profile.home_postal_code",
		Message: "no French commune has this postal code (see GET /v1/reference/places)"},
		passerelle.FieldError{Location: "profile.skills[2].rome_code", Message: "must be one of a, b"},
		passerelle.FieldError{Location: "body.siret", Message: "checksum of 12345678901234 is wrong"})
	errs, ok := ErrorsOf(err)
	require.True(t, ok)
	require.Equal(t, Errors{
		"profile.home_postal_code":    "Code postal : aucune commune française n'a ce code postal",
		"profile.skills[2].rome_code": "Compétences : doit être l'une des valeurs : a, b",
		"siret":                       "SIRET : " + Fallback,
	}, errs)

	_, ok = ErrorsOf(passerelle.Errorf(passerelle.ENotFound, "nope"))
	require.False(t, ok, "only invalid input is shown next to fields")
}

// TestReadRefusesNULAndInvalidUTF8 applies the API's text rule to posted
// forms: the value at fault is reported by field, in French, and dropped.
func TestReadRefusesNULAndInvalidUTF8(t *testing.T) {
	t.Parallel()
	f := post(url.Values{"name": {"Mia\x00"}, "town": {"Gon\xffesse"}, "ok": {"Évry"}})
	require.Empty(t, f.String("name"))
	require.Empty(t, f.String("town"))
	require.Equal(t, "Évry", f.String("ok"))
	errs, ok := ErrorsOf(f.Err())
	require.True(t, ok)
	require.Contains(t, errs["name"], "caractère nul")
	require.Contains(t, errs["town"], "UTF-8")
	require.NotContains(t, errs, "ok")
}
