package chaos

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// databaseStopped writes (creates organisations through the API, ten a
// second) while PostgreSQL is stopped and started again. Meanwhile the API
// must answer 503 with Retry-After; after, it must recover; and every write
// that got a 2xx must be in the database.
func (r *run) databaseStopped(ctx context.Context) Outcome {
	var (
		mu       sync.Mutex
		ids      []uuid.UUID
		statuses = map[string]int{}
		retry503 int
	)
	write := func(i int) bool {
		a, err := call(ctx, http.MethodPost, r.api.URL+"/v1/organisations", r.fx.admin,
			map[string]any{"kind": "e2c", "name": fmt.Sprintf("Chaos PostgreSQL %d", i), "town": "Caen"})
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			statuses["no answer"]++
			return false
		case a.status == http.StatusServiceUnavailable && a.header.Get("Retry-After") != "":
			retry503++
		}
		statuses[fmt.Sprint(a.status)]++
		if id, err := a.created(); err == nil {
			ids = append(ids, uuid.MustParse(id))
			return true
		}
		return false
	}
	stopAt, startAt := 20, 60
	var recovered bool
	ok := 0
	deadline := time.Now().Add(2 * time.Minute)
	for i := 0; time.Now().Before(deadline); i++ {
		switch i {
		case stopAt:
			if err := r.cfg.Services.Stop(ctx, "postgres"); err != nil {
				return failed("stop postgres: %v", err)
			}
			r.logf("chaos: postgres stopped after %d writes", i)
		case startAt:
			if err := r.cfg.Services.Start(ctx, "postgres"); err != nil {
				return failed("start postgres: %v", err)
			}
			r.logf("chaos: postgres started again after %d writes", i)
		}
		if write(i) {
			ok++
		} else {
			ok = 0
		}
		if i > startAt && ok >= 10 {
			recovered = true
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	var found int
	err := r.pool.QueryRow(ctx, `SELECT count(*) FROM organisations WHERE id = ANY($1)`, ids).Scan(&found)
	if err != nil {
		return failed("count: %v", err)
	}
	var parts []string
	for s, n := range statuses {
		parts = append(parts, fmt.Sprintf("%s×%d", s, n))
	}
	sort.Strings(parts)
	o := Outcome{Lost: len(ids) - found,
		Detail: fmt.Sprintf("answers %s; 503 with Retry-After: %d; %d writes got a 2xx, %d of them in PostgreSQL; recovered: %t",
			strings.Join(parts, " "), retry503, len(ids), found, recovered)}
	unavailable := 0
	for s, n := range statuses {
		if s != "201" {
			unavailable += n
		}
	}
	o.OK = o.Lost == 0 && recovered && retry503 > 0 && retry503 == unavailable
	return o
}
