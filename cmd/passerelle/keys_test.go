package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/internal/testdb"
)

// TestKeysCommandBootstrapsTheFirstAdmin runs what `make run` runs on a fresh
// database: migrate, create an admin key, use it, list it, revoke it.
func TestKeysCommandBootstrapsTheFirstAdmin(t *testing.T) {
	t.Parallel()
	tm := startMain(t, setupOpts{})
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return tm.Config.DatabaseURL
		}
		return ""
	}
	ctx := context.Background()
	var out, errOut bytes.Buffer
	require.NoError(t, run(ctx, []string{"keys", "create", "--role", "admin", "--name", "bootstrap", "--quiet"}, &out, &errOut, env))
	key := strings.TrimSpace(out.String())
	require.Regexp(t, `^psl_[0-9a-f]{16}_[A-Za-z0-9_-]{32}$`, key)

	resp, body := tm.do(t, http.MethodGet, "/v1/organisations", nil, "Authorization", "Bearer "+key)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))

	out.Reset()
	require.NoError(t, run(ctx, []string{"keys", "list"}, &out, &errOut, env))
	require.Contains(t, out.String(), "bootstrap")
	id := strings.Fields(strings.Split(out.String(), "\n")[1])[0]

	out.Reset()
	require.NoError(t, run(ctx, []string{"keys", "revoke", id}, &out, &errOut, env))
	require.Contains(t, out.String(), "Revoked key "+id)
	resp, body = tm.do(t, http.MethodGet, "/v1/organisations", nil, "Authorization", "Bearer "+key)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "revocation is effective on the next request")
	problem(t, resp, body)

	// A bad role is refused with the field named.
	err := run(ctx, []string{"keys", "create", "--role", "superuser"}, &out, &errOut, env)
	require.ErrorContains(t, err, "role: ")
}

func TestMigrateCommandIsIdempotent(t *testing.T) {
	t.Parallel()
	url := testdb.New(t) // already migrated from the template
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"migrate"}, &out, &errOut, env))
	require.Equal(t, "migrate: database already up to date\n", out.String())
}

// TestServeAppliesTheConfiguredRateLimit: RATE_LIMIT_* reach the API.
func TestServeAppliesTheConfiguredRateLimit(t *testing.T) {
	t.Parallel()
	tm := startMain(t, setupOpts{config: func(c *Config) { c.RateLimitPerMin, c.RateLimitBurst = 60, 2 }})
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return tm.Config.DatabaseURL
		}
		return ""
	}
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"keys", "create", "--role", "admin", "--quiet"}, &out, &errOut, env))
	auth := []string{"Authorization", "Bearer " + strings.TrimSpace(out.String())}
	for range 2 {
		resp, body := tm.do(t, http.MethodGet, "/v1/organisations", nil, auth...)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	}
	resp, body := tm.do(t, http.MethodGet, "/v1/organisations", nil, auth...)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, string(body))
	require.NotEmpty(t, resp.Header.Get("Retry-After"))
	require.Contains(t, resp.Header.Get("RateLimit-Policy"), "q=60")
	problem(t, resp, body)
}
