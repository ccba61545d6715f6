package webtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/chromedp/chromedp"
)

// axeTags are the rules checked: WCAG 2.1 levels A and AA, the level France's
// RGAA builds on.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

var axeSource = sync.OnceValues(func() (string, error) {
	path := os.Getenv("AXE_JS")
	if path == "" {
		root, err := repoRoot()
		if err != nil {
			return "", err
		}
		path = filepath.Join(root, ".data", "npm", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(filepath.Clean(path))
	if err != nil {
		return "", fmt.Errorf("webtest: axe-core (tools/npm, installed by scripts/stack.sh into .data/npm; or AXE_JS): %w", err)
	}
	return string(b), nil
})

// repoRoot is the module's root, found from the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("webtest: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// violation is what axe reports of one broken rule.
type violation struct {
	ID    string   `json:"id"`
	Help  string   `json:"help"`
	Nodes []string `json:"nodes"`
}

// Axe runs axe-core on the current page and fails the test on any WCAG 2.1
// A or AA violation, printing each with the elements at fault.
func (e *Env) Axe() {
	e.T.Helper()
	src, err := axeSource()
	if err != nil {
		e.T.Fatal(err)
	}
	tags, _ := json.Marshal(axeTags)
	e.Do(chromedp.Evaluate[chromedp.Void](src))
	raw := Run(e, chromedp.Evaluate[[]byte](`axe.run(document, {runOnly: {type: "tag", values: `+string(tags)+`}})
		.then(r => r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.html)})))`,
		chromedp.EvalAwaitPromise))
	var vs []violation
	if err := json.Unmarshal(raw, &vs); err != nil {
		e.T.Fatalf("webtest: axe result: %v", err)
	}
	if len(vs) > 0 {
		var b strings.Builder
		for _, v := range vs {
			fmt.Fprintf(&b, "\n- %s: %s\n    %s", v.ID, v.Help, strings.Join(v.Nodes, "\n    "))
		}
		e.T.Fatalf("axe: %d WCAG 2.1 AA violations on %s:%s", len(vs), e.Path(), b.String())
	}
}
