package web

import (
	"fmt"
	"time"
	_ "time/tzdata" // French dates everywhere, even without a system zoneinfo
)

// Paris is the time zone dates are shown in.
var Paris = mustLoad("Europe/Paris")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // the time zone database is linked in (time/tzdata in main)
	}
	return loc
}

var frMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}

// frDate writes a date the French way: "2 décembre 2026" ("1er" for the
// first). A calendar date (midnight UTC, as pgx reads a date column) is shown
// as is; an instant is shown on the Paris calendar.
func frDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if t.Hour() != 0 || t.Minute() != 0 || t.Location() != time.UTC {
		t = t.In(Paris)
	}
	day := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, frMonths[t.Month()-1], t.Year())
}

// frDateTime adds the Paris time: "2 décembre 2026 à 14 h 05".
func frDateTime(t time.Time) string {
	t = t.In(Paris)
	return fmt.Sprintf("%s à %d h %02d", frDate(t), t.Hour(), t.Minute())
}

// plural picks the singular or plural word for n: {{plural 3 "jour" "jours"}}.
func plural(n int, one, many string) string {
	if n == 1 || n == 0 || n == -1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// daysLeft counts whole days from now until t, by the Paris calendar.
func daysLeft(now, t time.Time) int {
	a := now.In(Paris)
	b := t.In(Paris)
	da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}
