package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/bench"
	"github.com/passerelle-dev/passerelle/internal/testdb"
	"github.com/passerelle-dev/passerelle/internal/testsearch"
)

// TestBenchSmallRunsEveryMeasurement is the smoke test of `passerelle bench`:
// in --small mode, against the test services, every measurement runs and
// gives numbers, the table is printed and the JSON report written. It asserts
// nothing about timing: the bars are for `make bench` to judge.
func TestBenchSmallRunsEveryMeasurement(t *testing.T) {
	t.Parallel()
	server := testdb.AdminURL(t) // a role that may create databases
	meili := testsearch.Shared(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	database := "bench_t" + hex.EncodeToString(b[:])
	prefix := meili.Prefix + "bench_"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		require.NoError(t, bench.DropDatabase(ctx, server, database))
		req, err := http.NewRequestWithContext(ctx, http.MethodDelete, meili.URL+"/indexes/"+prefix+"offers", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+meili.MasterKey)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	})
	// Notifications go to the stack's maildev, where the bench counts them.
	env := map[string]string{"DATABASE_URL": server, "MEILI_URL": meili.URL, "MEILI_MASTER_KEY": meili.MasterKey, "LOG_LEVEL": "warn",
		"SMTP_URL": os.Getenv("SMTP_URL")}
	out := filepath.Join(t.TempDir(), "report.json")
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"bench", "--small", "--out", out, "--database", database, "--index-prefix", prefix, "--maildev", os.Getenv("MAILDEV_URL")},
		&stdout, &stderr, func(k string) string { return env[k] })
	require.NoError(t, err, "stderr:\n%s", stderr.String())

	raw, err := os.ReadFile(out)
	require.NoError(t, err)
	var rep bench.Report
	require.NoError(t, json.Unmarshal(raw, &rep))
	require.Equal(t, 2000, rep.Dataset.Offers)
	require.Positive(t, rep.Dataset.Companies)
	require.Positive(t, rep.Machine.NumCPU)
	require.NotEmpty(t, rep.Machine.GoVersion)

	info := map[string]bench.Info{}
	for _, i := range rep.Info {
		info[i.Name] = i
	}
	require.Equal(t, 2000, info["build_index"].Items, "every offer indexed through the reindex path")
	require.Positive(t, info["load_postgres"].Seconds)

	got := map[string]bench.Measurement{}
	for _, m := range rep.Measurements {
		got[m.Name] = m
	}
	for _, name := range bench.Names {
		m, ok := got[name]
		require.True(t, ok, "measurement %s missing", name)
		require.NotEmpty(t, m.Bar)
		sides := []bench.Side{m.A}
		if m.B != nil {
			sides = append(sides, *m.B)
			require.Positive(t, m.Ratio, name)
		}
		for _, s := range sides {
			require.Positive(t, s.N, "%s: %s", name, s.Name)
			require.Positive(t, s.P50, "%s: %s", name, s.Name)
			require.GreaterOrEqual(t, s.P95, s.P50, "%s: %s", name, s.Name)
			require.GreaterOrEqual(t, s.P99, s.P95, "%s: %s", name, s.Name)
		}
		require.Contains(t, stdout.String(), name, "the table shows every measurement")
	}
	require.Contains(t, stdout.String(), "RATIO")
	require.Contains(t, stderr.String(), "bench: search_api_vs_meili", "progress is shown while it runs")
}

func TestBenchRefusesUnknownMeasurement(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"bench", "--only", "nonsense"}, &stdout, &stderr, noEnv)
	require.ErrorContains(t, err, `unknown measurement "nonsense"`)
	require.Equal(t, 2, exitCode(err), "a usage error")
}
