package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestServeMountsConsole: a serving process has the console beside the API,
// / sends browsers to it, and the API's paths stay the API's; a worker-only
// process serves no console.
func TestServeMountsConsole(t *testing.T) {
	t.Parallel()
	tm := startMain(t, setupOpts{})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, tm.BaseURL+"/", nil)
	require.NoError(t, err)
	resp, err := client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.Equal(t, "/console/", resp.Header.Get("Location"))

	resp, body := tm.do(t, http.MethodGet, "/console/signin", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), `<html lang="fr">`)
	resp, _ = tm.do(t, http.MethodGet, "/healthz", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp, body = tm.do(t, http.MethodGet, "/v1/no-such-route", nil)
	problem(t, resp, body)

	worker := startMain(t, setupOpts{only: OnlyWorker})
	resp, _ = worker.do(t, http.MethodGet, "/console/signin", nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}
