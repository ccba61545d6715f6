package main

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files (openapi/openapi.yaml) from the code")

// TestOpenAPIDocumentIsCommitted keeps openapi/openapi.yaml (3.1) and
// openapi/openapi-3.0.yaml, which integrators read and generate clients from,
// identical to what the code serves.
func TestOpenAPIDocumentIsCommitted(t *testing.T) {
	t.Parallel()
	for path, v30 := range map[string]bool{"../../openapi/openapi.yaml": false, "../../openapi/openapi-3.0.yaml": true} {
		got, err := openAPIDocument(false, v30)
		require.NoError(t, err)
		if *update {
			require.NoError(t, os.WriteFile(path, got, 0o644))
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "%s is missing: run `make openapi`", path)
		if !bytes.Equal(got, want) {
			t.Fatalf("%s differs from the spec the code generates.\n"+
				"Run `make openapi` (or `go test ./cmd/passerelle -run OpenAPI -update`) and commit the result.", path)
		}
	}
}

func TestOpenAPICommandPrintsYAMLAndJSON(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"openapi"}, &out, &errOut, noEnv))
	require.Contains(t, out.String(), "openapi: 3.1.0")
	out.Reset()
	require.NoError(t, run(t.Context(), []string{"openapi", "--json"}, &out, &errOut, noEnv))
	require.Contains(t, out.String(), `"openapi":"3.1.0"`)
	out.Reset()
	require.NoError(t, run(t.Context(), []string{"openapi", "--3.0"}, &out, &errOut, noEnv))
	require.Contains(t, out.String(), "openapi: 3.0.3")
}
