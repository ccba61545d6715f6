package main

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/internal/testdb"
)

// TestServeMetricsServer: a metrics listener that cannot be opened fails
// start-up (with the pools closed), and one that runs is shut down with the
// rest, its end checked (startMain's cleanup requires a clean Close).
func TestServeMetricsServer(t *testing.T) {
	t.Parallel()
	busy, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	cfg, err := LoadConfig(func(string) string { return "" })
	require.NoError(t, err)
	cfg.DatabaseURL = testdb.New(t)
	cfg.ListenAddr, cfg.MetricsListenAddr = "127.0.0.1:0", busy.Addr().String()
	m := &Main{Config: cfg, Logger: slog.New(slog.DiscardHandler), Only: OnlyAPI}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = m.Run(ctx)
	require.ErrorContains(t, err, "listen on "+busy.Addr().String())
	require.Nil(t, m.pool, "pools closed after a failed start")
	require.Empty(t, m.Addr(), "the API never listened")

	startMain(t, setupOpts{only: OnlyAPI, config: func(c *Config) { c.MetricsListenAddr = "127.0.0.1:0" }})
}
