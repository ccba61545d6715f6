package api

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/passerelle-dev/passerelle/search"
)

// securityScheme is the name of the bearer scheme in the spec.
const securityScheme = "bearer"

type healthOutput struct {
	Body struct {
		Status string `json:"status" example:"ok" doc:"Always ok: the process is alive."`
	}
}

// Readiness is what /readyz says about each dependency.
type Readiness struct {
	Status string               `json:"status" enum:"ready,unavailable" doc:"ready when every dependency answers."`
	Checks map[string]string    `json:"checks" doc:"Each dependency (postgres, meilisearch): ok or down. Why it is down is logged."`
	Shards []search.ShardStatus `json:"shards,omitempty" doc:"Each offer search shard: its health (a shard whose server is down makes the service unavailable), documents and indexing lag."`
}

type readyOutput struct {
	Status     int
	RetryAfter string `header:"Retry-After"`
	Body       Readiness
}

// readyTimeout bounds each dependency check, so /readyz answers even when a
// dependency hangs.
const readyTimeout = 2 * time.Second

func (s *Server) registerHealth() {
	huma.Register(s.api, huma.Operation{
		OperationID: "healthz",
		Method:      http.MethodGet,
		Path:        "/healthz",
		Summary:     "Liveness: the process is alive",
		Tags:        []string{"Operations"},
		Security:    []map[string][]string{},
	}, func(ctx context.Context, _ *struct{}) (*healthOutput, error) {
		out := &healthOutput{}
		out.Body.Status = "ok"
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "readyz",
		Method:      http.MethodGet,
		Path:        "/readyz",
		Summary:     "Readiness: PostgreSQL and Meilisearch answer",
		Description: "200 when every dependency answers; 503 naming those that do not.",
		Tags:        []string{"Operations"},
		Security:    []map[string][]string{},
		Responses: map[string]*huma.Response{
			"503": {Description: "A dependency is down; the body names it."},
		},
	}, func(ctx context.Context, _ *struct{}) (*readyOutput, error) {
		return s.readiness(ctx), nil
	})
}

func (s *Server) readiness(ctx context.Context) *readyOutput {
	checks := map[string]func(context.Context) error{}
	if s.deps.Store != nil {
		checks["postgres"] = s.deps.Store.Ping
	}
	if s.deps.Search != nil {
		checks["meilisearch"] = s.deps.Search.Healthy
	}
	out := &readyOutput{Status: http.StatusOK, Body: Readiness{Status: "ready", Checks: map[string]string{}}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, check := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, readyTimeout)
			defer cancel()
			err := check(cctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				out.Status = http.StatusServiceUnavailable
				out.Body.Status = "unavailable"
				out.Body.Checks[name] = "down" // details go to the log, not to an unauthenticated caller
				loggerFrom(ctx).Warn("dependency down", "dependency", name, "error", err)
				return
			}
			out.Body.Checks[name] = "ok"
		}()
	}
	wg.Wait()
	if s.deps.SearchShards != nil && out.Body.Checks["meilisearch"] == "ok" && out.Body.Checks["postgres"] == "ok" {
		cctx, cancel := context.WithTimeout(ctx, readyTimeout)
		shards, err := s.deps.SearchShards(cctx)
		cancel()
		if err != nil {
			loggerFrom(ctx).Warn("search shards unknown", "error", err)
		}
		for _, sh := range shards {
			if sh.Status == search.ShardDown {
				out.Status, out.Body.Status = http.StatusServiceUnavailable, "unavailable"
			}
		}
		out.Body.Shards = shards
	}
	if out.Status != http.StatusOK {
		out.RetryAfter = "5"
	}
	return out
}
