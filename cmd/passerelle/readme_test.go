package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestREADMEDocumentsEveryVariable keeps the README's configuration table in
// step with what the binary reads.
func TestREADMEDocumentsEveryVariable(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, ev := range envVars {
		require.True(t, strings.Contains(string(readme), "| `"+ev.Name+"` |"), "README.md's configuration table lacks %s", ev.Name)
	}
}
