package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

func TestFrenchDates(t *testing.T) {
	require.Equal(t, "2 décembre 2026", frDate(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)))
	require.Equal(t, "1er août 2027", frDate(time.Date(2027, 8, 1, 0, 0, 0, 0, time.UTC)))
	// An instant is dated on the Paris calendar: 23:30 UTC on 31 December is
	// already the new year in Paris.
	require.Equal(t, "1er janvier 2027 à 0 h 30", frDateTime(time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)))
	require.Empty(t, frDate(time.Time{}))
	require.Equal(t, "1 jour", plural(1, "jour", "jours"))
	require.Equal(t, "3 jours", plural(3, "jour", "jours"))
	now := time.Date(2026, 12, 2, 22, 0, 0, 0, time.UTC) // 23:00 in Paris
	require.Equal(t, 1, daysLeft(now, now.Add(2*time.Hour)), "past midnight in Paris is tomorrow")
	require.Equal(t, 14, daysLeft(now, now.Add(14*24*time.Hour)))
}

func TestPager(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/console/trainees?status=active", nil)
	pg, err := readPager(r, "trainees")
	require.NoError(t, err)
	require.True(t, pg.First)
	require.Equal(t, pageSize, pg.Page.Limit)
	require.Nil(t, pg.Page.After)
	require.Empty(t, pg.Next(r, nil).Link, "the last page links nowhere")

	next := &store.Cursor{UpdatedAt: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC), ID: uuid.New()}
	link := pg.Next(r, next).Link
	r2 := httptest.NewRequest(http.MethodGet, link, nil)
	require.Equal(t, "active", r2.URL.Query().Get("status"), "filters are kept")
	pg2, err := readPager(r2, "trainees")
	require.NoError(t, err)
	require.False(t, pg2.First)
	require.Equal(t, next.ID, pg2.Page.After.ID)

	// Another list's cursor, or a garbled one, is a bad request.
	_, err = readPager(r2, "proposals")
	require.Equal(t, passerelle.EBadRequest, passerelle.ErrorCode(err))
}
