package main

import (
	"bytes"
	"flag"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLoadConfigDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := LoadConfig(func(string) string { return "" })
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:8080", cfg.ListenAddr)
	require.Equal(t, "http://127.0.0.1:7700", cfg.MeiliURL)
	require.Equal(t, 15*time.Second, cfg.ShutdownTimeout)
	require.Empty(t, cfg.SMTPURL, "no SMTP by default: the email channel is off")
	require.Equal(t, 10, cfg.Workers)
}

func TestLoadConfigRejectsBadValues(t *testing.T) {
	t.Parallel()
	for name, value := range map[string]string{
		"MEILI_URL":        "not a url",
		"SHUTDOWN_TIMEOUT": "soon",
		"WORKERS":          "0",
		"LOG_LEVEL":        "loud",
		"LOG_FORMAT":       "xml",
		"SMTP_URL":         "mail.example.org",
	} {
		_, err := LoadConfig(func(k string) string {
			if k == name {
				return value
			}
			return ""
		})
		require.ErrorContains(t, err, name, "a bad %s is refused, naming the variable", name)
	}
}

func TestHelpListsCommandsAndEnvironment(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"--help"}, &out, &errOut, noEnv))
	for _, want := range []string{"serve", "migrate", "openapi", "version", "DATABASE_URL", "MEILI_MASTER_KEY"} {
		require.Contains(t, out.String(), want)
	}
	for name := range commands {
		out.Reset()
		err := run(t.Context(), []string{name, "--help"}, &out, &errOut, noEnv)
		require.ErrorIs(t, err, flag.ErrHelp, "%s --help", name)
		require.Contains(t, out.String(), "Usage: passerelle "+name)
		require.Contains(t, out.String(), "LISTEN_ADDR", "%s --help documents the environment", name)
	}
}

func TestUnknownCommandIsAUsageError(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"frobnicate"}, &out, &errOut, noEnv)
	require.Error(t, err)
	require.Equal(t, 2, exitCode(err))
	require.Contains(t, errOut.String(), "Commands:")
}

// noEnv is an empty environment: every variable takes its default.
func noEnv(string) string { return "" }
