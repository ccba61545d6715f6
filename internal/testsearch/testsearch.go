// Package testsearch gives tests a real Meilisearch: the shared server of
// `make test` with an index prefix of their own, or a private server process
// that a test may stop and restart to see how Passerelle copes.
//
// Only tests import it.
package testsearch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Server is a Meilisearch the test talks to.
type Server struct {
	URL       string
	MasterKey string
	// Prefix is unique to the test: index names start with it.
	Prefix string
}

// Shared returns the Meilisearch started by `make test` (MEILI_URL,
// MEILI_MASTER_KEY) with a fresh index prefix.
func Shared(t testing.TB) Server {
	t.Helper()
	url := os.Getenv("MEILI_URL")
	if url == "" {
		t.Fatalf("MEILI_URL is not set: run the tests with `make test`, which starts Meilisearch")
	}
	return Server{URL: url, MasterKey: os.Getenv("MEILI_MASTER_KEY"), Prefix: "t" + randomHex(6) + "_"}
}

// Process is a Meilisearch process owned by one test.
type Process struct {
	Server
	t      testing.TB
	bin    string
	dbPath string
	addr   string
	cmd    *exec.Cmd
}

// Start launches a private Meilisearch (the binary named by MEILI_BIN, which
// `make test` sets) on a free loopback port, stopped when the test ends.
func Start(t testing.TB) *Process {
	t.Helper()
	return StartWithKey(t, "test-master-key-"+randomHex(8))
}

// StartWithKey is Start with the given master key: several servers that one
// client reaches with one key (a shard map spread over servers).
func StartWithKey(t testing.TB, masterKey string) *Process {
	t.Helper()
	bin := os.Getenv("MEILI_BIN")
	if bin == "" {
		t.Fatalf("MEILI_BIN is not set: run the tests with `make test`, which installs Meilisearch and sets it")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testsearch: free port: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := &Process{
		Server: Server{URL: "http://" + addr, MasterKey: masterKey, Prefix: "t" + randomHex(6) + "_"},
		t:      t, bin: bin, dbPath: t.TempDir(), addr: addr,
	}
	p.Restart()
	t.Cleanup(p.Stop)
	return p
}

// Stop kills the process and waits for it; the data stays for Restart.
func (p *Process) Stop() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
	p.cmd = nil
}

// Restart starts the process again on the same port and data, and waits until
// it answers.
func (p *Process) Restart() {
	p.t.Helper()
	p.Stop()
	// The process outlives this call: Stop kills it, not a context.
	cmd := exec.CommandContext(context.Background(), p.bin, "--db-path", p.dbPath, "--http-addr", p.addr,
		"--master-key", p.MasterKey, "--no-analytics", "--env", "development",
		"--max-indexing-memory", "256MiB", "--experimental-reduce-indexing-memory-usage")
	cmd.Dir = p.dbPath
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("testsearch: start %s: %v", p.bin, err)
	}
	p.cmd = cmd
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/health", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-ctx.Done():
			p.t.Fatalf("testsearch: meilisearch at %s did not answer: %v", p.URL, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
