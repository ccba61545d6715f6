package matching

import (
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	start := date(2026, 3, 16) // the fixture offer's first day
	apprenticeship := func(o *Offer) {
		o.Kind, o.MinAge, o.MaxAge, o.OpenToMinors = "apprenticeship", 16, 29, true
	}
	for _, tc := range []struct {
		name string
		edit func(*Trainee, *Offer)
		want Rule
	}{
		{"the fixture is eligible", func(*Trainee, *Offer) {}, ""},

		{"kind not wanted", func(t *Trainee, _ *Offer) { t.WantedKinds = []string{"apprenticeship", "job"} }, RuleKind},
		{"kind wanted", func(t *Trainee, _ *Offer) { t.WantedKinds = []string{"job", "internship"} }, ""},
		{"kinds compared exactly", func(t *Trainee, _ *Offer) { t.WantedKinds = []string{"Internship"} }, RuleKind},
		{"the first failing rule is reported", func(t *Trainee, o *Offer) {
			t.WantedKinds, o.Status, o.PositionsLeft = []string{"job"}, "draft", 0
		}, RuleKind},

		{"draft", func(_ *Trainee, o *Offer) { o.Status = "draft" }, RuleStatus},
		{"paused", func(_ *Trainee, o *Offer) { o.Status = "paused" }, RuleStatus},
		{"filled", func(_ *Trainee, o *Offer) { o.Status = "filled" }, RuleStatus},

		{"no positions left", func(_ *Trainee, o *Offer) { o.PositionsLeft = 0 }, RulePositions},
		{"negative positions left", func(_ *Trainee, o *Offer) { o.PositionsLeft = -2 }, RulePositions},

		{"expires now", func(_ *Trainee, o *Offer) { o.ExpiresAt = now }, RuleExpired},
		{"expired a second ago", func(_ *Trainee, o *Offer) { o.ExpiresAt = now.Add(-time.Second) }, RuleExpired},
		{"expires in a second", func(_ *Trainee, o *Offer) { o.ExpiresAt = now.Add(time.Second) }, ""},
		{"no expiry", func(_ *Trainee, o *Offer) { o.ExpiresAt = time.Time{} }, ""},

		{"beyond the radius", func(_ *Trainee, o *Offer) { o.Location = meaux }, RuleDistance},
		{"within a wider radius", func(t *Trainee, o *Offer) { o.Location, t.RadiusKm = meaux, 41 }, ""},
		{"partly remote is not remote", func(_ *Trainee, o *Offer) { o.Location, o.Remote = dijon, "partial" }, RuleDistance},
		{"fully remote ignores the distance", func(_ *Trainee, o *Offer) { o.Location, o.Remote = dijon, "full" }, ""},
		{"fully remote with no location", func(_ *Trainee, o *Offer) { o.Location, o.Remote = Point{}, "full" }, ""},
		{"zero radius, same place", func(t *Trainee, o *Offer) { t.RadiusKm, o.Location = 0, paris }, ""},
		{"zero radius, elsewhere", func(t *Trainee, _ *Offer) { t.RadiusKm = 0 }, RuleDistance},

		{"available from the offer's last day", func(t *Trainee, _ *Offer) {
			t.Availability = []Window{{From: date(2026, 6, 30), To: date(2026, 8, 31)}}
		}, ""},
		{"available from the day after the offer", func(t *Trainee, _ *Offer) {
			t.Availability = []Window{{From: date(2026, 7, 1)}}
		}, RuleAvailability},
		{"available until the offer's first day, late that evening", func(t *Trainee, _ *Offer) {
			t.Availability = []Window{{From: date(2026, 3, 1), To: start.Add(23 * time.Hour)}}
		}, ""},
		{"available until the day before the offer", func(t *Trainee, _ *Offer) {
			t.Availability = []Window{{From: date(2026, 3, 1), To: date(2026, 3, 15)}}
		}, RuleAvailability},
		{"one window of several overlaps", func(t *Trainee, _ *Offer) {
			t.Availability = []Window{{To: date(2026, 3, 12)}, {From: date(2026, 9, 1)}, {From: date(2026, 5, 1), To: date(2026, 5, 2)}}
		}, ""},
		{"a window in the past overlaps a past offer but counts for nothing", func(t *Trainee, o *Offer) {
			o.Start, o.End = date(2026, 1, 5), date(2026, 2, 27)
			t.Availability = []Window{{From: date(2026, 1, 1), To: date(2026, 2, 1)}}
		}, RuleAvailability},
		{"an offer that ended yesterday", func(_ *Trainee, o *Offer) { o.Start, o.End = date(2026, 1, 5), date(2026, 3, 9) }, RuleAvailability},
		{"an offer that ends today", func(_ *Trainee, o *Offer) { o.Start, o.End = date(2026, 1, 5), date(2026, 3, 10) }, ""},
		{"an offer with no start is from now, open-ended", func(t *Trainee, o *Offer) {
			o.Start, o.End = time.Time{}, time.Time{}
			t.Availability = []Window{{From: date(2027, 1, 1), To: date(2027, 1, 1)}}
		}, ""},
		{"available until today, offer as soon as possible", func(t *Trainee, o *Offer) {
			o.Start = time.Time{}
			t.Availability = []Window{{From: date(2026, 2, 1), To: date(2026, 3, 10)}}
		}, ""},
		{"available until yesterday", func(t *Trainee, o *Offer) {
			o.Start = time.Time{}
			t.Availability = []Window{{From: date(2026, 2, 1), To: date(2026, 3, 9)}}
		}, RuleAvailability},
		{"a window ending before it starts", func(t *Trainee, _ *Offer) {
			t.Availability = []Window{{From: date(2026, 4, 1), To: date(2026, 3, 20)}}
		}, RuleAvailability},

		{"more hours than the trainee can work", func(t *Trainee, _ *Offer) { t.MaxWeeklyHours = 20 }, RuleWeeklyHours},
		{"as many hours as the trainee can work", func(t *Trainee, _ *Offer) { t.MaxWeeklyHours = 35 }, ""},
		{"offer hours not set", func(t *Trainee, o *Offer) { t.MaxWeeklyHours, o.WeeklyHours = 20, 0 }, ""},

		{"apprenticeship at 15", func(t *Trainee, o *Offer) { apprenticeship(o); t.BirthDate = bornAged(16, start).AddDate(0, 0, 1) }, RuleAge},
		{"apprenticeship at 16", func(t *Trainee, o *Offer) { apprenticeship(o); t.BirthDate = bornAged(16, start) }, ""},
		{"apprenticeship at 15 now, 16 on its first day", func(t *Trainee, o *Offer) {
			apprenticeship(o)
			t.BirthDate = bornAged(16, date(2026, 3, 12))
		}, ""},
		{"apprenticeship at 29, the day before 30", func(t *Trainee, o *Offer) {
			apprenticeship(o)
			t.BirthDate = bornAged(30, start).AddDate(0, 0, 1)
		}, ""},
		{"apprenticeship at 30", func(t *Trainee, o *Offer) { apprenticeship(o); t.BirthDate = bornAged(30, start) }, RuleAge},
		{"apprenticeship at 30 with RQTH", func(t *Trainee, o *Offer) {
			apprenticeship(o)
			t.BirthDate, t.RQTH = bornAged(30, start), true
		}, ""},
		{"apprenticeship at 52 with RQTH", func(t *Trainee, o *Offer) {
			apprenticeship(o)
			t.BirthDate, t.RQTH = bornAged(52, start), true
		}, ""},
		{"apprenticeship at 15 with RQTH", func(t *Trainee, o *Offer) {
			apprenticeship(o)
			t.BirthDate, t.RQTH = bornAged(15, start), true
		}, RuleAge},
		{"apprenticeship with no age bounds of its own still 16–29", func(t *Trainee, o *Offer) {
			apprenticeship(o)
			o.MinAge, o.MaxAge, t.BirthDate = 0, 0, bornAged(31, start)
		}, RuleAge},
		{"apprenticeship up to 25, at 27", func(t *Trainee, o *Offer) {
			apprenticeship(o)
			o.MaxAge, t.BirthDate = 25, bornAged(27, start)
		}, RuleAge},
		{"apprenticeship up to 25, at 27 with RQTH", func(t *Trainee, o *Offer) {
			apprenticeship(o)
			o.MaxAge, t.BirthDate, t.RQTH = 25, bornAged(27, start), true
		}, ""},
		{"apprenticeship up to 35 is up to 29", func(t *Trainee, o *Offer) {
			apprenticeship(o)
			o.MaxAge, t.BirthDate = 35, bornAged(31, start)
		}, RuleAge},
		{"apprenticeship from 18, at 17", func(t *Trainee, o *Offer) {
			apprenticeship(o)
			o.MinAge, t.BirthDate = 18, bornAged(17, start)
		}, RuleAge},
		{"job up to 25, at 27 with RQTH: the exception is the apprenticeship's", func(t *Trainee, o *Offer) {
			o.Kind, o.MaxAge, t.BirthDate, t.RQTH = "job", 25, bornAged(27, start), true
		}, RuleAge},
		{"job from 18, at 17", func(t *Trainee, o *Offer) {
			o.Kind, o.MinAge, o.OpenToMinors, t.BirthDate = "job", 18, true, bornAged(17, start)
		}, RuleAge},
		{"age at now when the offer has no start", func(t *Trainee, o *Offer) {
			apprenticeship(o)
			o.Start, t.BirthDate = time.Time{}, bornAged(30, date(2026, 3, 11))
		}, ""},
		{"born on 29 February 1996, still 29 on 28 February 2026", func(t *Trainee, o *Offer) {
			apprenticeship(o)
			o.Start, o.End, t.BirthDate = date(2026, 2, 28), date(2027, 2, 27), date(1996, 2, 29)
		}, ""},
		{"born on 29 February 1996, 30 on 1 March 2026", func(t *Trainee, o *Offer) {
			apprenticeship(o)
			o.Start, t.BirthDate = date(2026, 3, 1), date(1996, 2, 29)
			o.End = date(2027, 2, 27)
		}, RuleAge},
		{"unknown birth date and an age bound", func(t *Trainee, o *Offer) {
			o.Kind, o.MaxAge, o.OpenToMinors, t.BirthDate = "job", 25, true, time.Time{}
		}, RuleAge},
		{"unknown birth date, apprenticeship with RQTH", func(t *Trainee, o *Offer) {
			apprenticeship(o)
			t.BirthDate, t.RQTH = time.Time{}, true
		}, RuleAge},
		{"unknown birth date, no bound, open to minors", func(t *Trainee, o *Offer) { o.OpenToMinors, t.BirthDate = true, time.Time{} }, ""},
		{"unknown birth date counts as a minor", func(t *Trainee, _ *Offer) { t.BirthDate = time.Time{} }, RuleMinor},

		{"minor on an offer closed to minors", func(t *Trainee, _ *Offer) { t.BirthDate = bornAged(17, start) }, RuleMinor},
		{"minor on an offer open to minors", func(t *Trainee, o *Offer) { o.OpenToMinors, t.BirthDate = true, bornAged(17, start) }, ""},
		{"18 on the offer's first day", func(t *Trainee, _ *Offer) { t.BirthDate = bornAged(18, start) }, ""},
		{"18 the day after the offer's first day", func(t *Trainee, _ *Offer) { t.BirthDate = bornAged(18, start).AddDate(0, 0, 1) }, RuleMinor},
		{"16-year-old apprentice, offer closed to minors", func(t *Trainee, o *Offer) {
			apprenticeship(o)
			o.OpenToMinors, t.BirthDate = false, bornAged(16, start)
		}, RuleMinor},

		{"dismissed before", func(t *Trainee, o *Offer) { t.Excluded = map[uuid.UUID]bool{o.ID: true} }, RuleExcluded},
		{"another offer dismissed", func(t *Trainee, _ *Offer) { t.Excluded = map[uuid.UUID]bool{uuid.New(): true} }, ""},
		{"an exclusion set to false", func(t *Trainee, o *Offer) { t.Excluded = map[uuid.UUID]bool{o.ID: false} }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tr, o := fixture()
			tc.edit(&tr, &o)
			require.Equal(t, tc.want, Check(tr, o, now))
			// MatchAll and the index apply the same rules.
			all := MatchAll(tr, []Offer{o}, now, Options{})
			requireSameMatches(t, all, NewIndex([]Offer{o}).Match(tr, now, Options{}))
			if tc.want == "" {
				require.Len(t, all, 1)
				require.Equal(t, Score(tr, o, now), all[0])
			} else {
				require.Empty(t, all)
			}
		})
	}
}

func TestCheckDaysInTheirOwnZone(t *testing.T) {
	t.Parallel()
	paris, err := time.LoadLocation("Europe/Paris") // time/tzdata is linked into the test
	require.NoError(t, err)
	tr, o := fixture()
	o.Start, o.End = time.Time{}, date(2026, 3, 10)
	// 00:30 in Paris on the 11th is still the 10th in UTC.
	late := time.Date(2026, 3, 11, 0, 30, 0, 0, paris)
	require.Equal(t, RuleAvailability, Check(tr, o, late))
	require.Equal(t, Rule(""), Check(tr, o, late.UTC()))
}
