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
		require.Contains(t, tableRows(string(readme)), "| `"+ev.Name+"` |", "README.md's configuration table lacks %s", ev.Name)
	}
}

// tableRows keeps the lines of a Markdown table, to keep failure messages short.
func tableRows(md string) string {
	var rows []string
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| `") {
			rows = append(rows, line)
		}
	}
	return strings.Join(rows, "\n")
}
