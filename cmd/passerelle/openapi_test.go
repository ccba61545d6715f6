package main

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files (openapi/openapi.yaml) from the code")

const specPath = "../../openapi/openapi.yaml"

// TestOpenAPIDocumentIsCommitted keeps openapi/openapi.yaml, which integrators
// read, identical to what the code serves.
func TestOpenAPIDocumentIsCommitted(t *testing.T) {
	t.Parallel()
	got, err := openAPIDocument(false)
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile(specPath, got, 0o644))
	}
	want, err := os.ReadFile(specPath)
	require.NoError(t, err, "openapi/openapi.yaml is missing: run `make openapi`")
	if !bytes.Equal(got, want) {
		t.Fatalf("openapi/openapi.yaml differs from the spec the code generates.\n" +
			"Run `make openapi` (or `go test ./cmd/passerelle -run OpenAPI -update`) and commit the result.")
	}
}

func TestOpenAPICommandPrintsYAMLAndJSON(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"openapi"}, &out, &errOut, noEnv))
	require.Contains(t, out.String(), "openapi: 3.1.0")
	out.Reset()
	require.NoError(t, run(t.Context(), []string{"openapi", "--json"}, &out, &errOut, noEnv))
	require.Contains(t, out.String(), `"openapi": "3.1.0"`)
}
