package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
)

// The test vector published with the Standard Webhooks libraries.
func TestSignMatchesTheSpecTestVector(t *testing.T) {
	t.Parallel()
	sig, err := Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	require.NoError(t, err)
	require.Equal(t, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", sig)
}

func TestNewSecret(t *testing.T) {
	t.Parallel()
	s := NewSecret()
	require.True(t, strings.HasPrefix(s, SecretPrefix))
	require.NotEqual(t, s, NewSecret())
	_, err := Sign(s, "id", time.Now(), nil)
	require.NoError(t, err)
}

func TestGuardRefusesInternalAddresses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	strict, dev := Guard{}, Guard{AllowLoopback: true}
	for _, u := range []string{
		"https://127.0.0.1/hook", "http://127.0.0.2:8080/", "https://[::1]/", "https://localhost/hook", "https://LOCALHOST.:443/",
		"https://10.1.2.3/", "https://172.16.0.1/", "https://192.168.1.10/", "https://[fd00::1]/",
		"http://169.254.169.254/latest/meta-data/", "https://[fe80::1]/", "https://0.0.0.0/", "https://[::]/",
		"https://100.64.0.1/", "https://224.0.0.1/", "https://[::ffff:10.0.0.1]/", "https://[::ffff:127.0.0.1]/",
		"https://255.255.255.255/", "https://0.1.2.3/", "https://[64:ff9b::a00:1]/",
	} {
		err := strict.CheckURL(ctx, u)
		require.Error(t, err, u)
		require.Equal(t, passerelle.EInvalid, passerelle.ErrorCode(err), u)
		var perr *passerelle.Error
		require.ErrorAs(t, err, &perr)
		require.Equal(t, "url", perr.Fields[0].Location)
	}
	for _, u := range []string{"ftp://example.org/", "https://user:pw@93.184.215.14/", "/relative", "https://"} {
		require.Error(t, strict.CheckURL(ctx, u), u)
	}
	// Loopback allowed in development; everything else internal still refused.
	for _, u := range []string{"https://127.0.0.1/hook", "http://localhost:8080/", "https://[::1]/"} {
		require.NoError(t, dev.CheckURL(ctx, u), u)
	}
	for _, u := range []string{"https://10.1.2.3/", "http://169.254.169.254/", "https://0.0.0.0/", "https://192.168.0.1/"} {
		require.Error(t, dev.CheckURL(ctx, u), u)
	}
	// A public literal address needs no resolution (and no traffic is sent).
	require.NoError(t, strict.CheckURL(ctx, "https://93.184.215.14/hook"))
	err := strict.CheckURL(ctx, "https://localhost/hook")
	var perr *passerelle.Error
	require.ErrorAs(t, err, &perr)
	require.Contains(t, perr.Message, "refused")
	require.Contains(t, perr.Fields[0].Message, "resolves to")
}

// receiver records the requests it gets.
type receiver struct {
	mu       sync.Mutex
	requests []*recorded
}

type recorded struct {
	header http.Header
	body   []byte
}

func (rc *receiver) start(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.requests = append(rc.requests, &recorded{header: r.Header.Clone(), body: b})
		rc.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (rc *receiver) all() []*recorded {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]*recorded(nil), rc.requests...)
}

func TestSenderChecksAddressesAtConnectTime(t *testing.T) {
	t.Parallel()
	var rc receiver
	srv := rc.start(t)
	ctx := context.Background()
	secret := NewSecret()
	body := []byte(`{"type":"offer.published"}`)
	// Registered as anything, the connection is what is checked: a host name
	// that now resolves to loopback, or the literal address.
	for _, u := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)} {
		_, err := NewSender(Guard{}).Post(ctx, u+"/hook", "msg_1", time.Now(), body, []string{secret})
		require.ErrorIs(t, err, ErrRefusedAddress, u)
	}
	require.Empty(t, rc.all(), "nothing reached the receiver")

	code, err := NewSender(Guard{AllowLoopback: true}).Post(ctx, srv.URL+"/hook", "msg_1", time.Now(), body, []string{secret})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, code)
	require.Len(t, rc.all(), 1)
}

// TestSignaturesVerifiedByStandardWebhooks has the npm standardwebhooks
// package verify what the sender sent, with one secret and during a rotation
// (two signatures, either secret verifies).
func TestSignaturesVerifiedByStandardWebhooks(t *testing.T) {
	t.Parallel()
	modules := npmVerifiers(t)
	var rc receiver
	srv := rc.start(t)
	sender := NewSender(Guard{AllowLoopback: true})
	current, previous := NewSecret(), NewSecret()
	body := []byte(`{"type":"proposal.created","timestamp":"2027-03-02T13:05:00Z","data":{"offer_title":"Apprenti boulanger (H/F)"}}`)
	_, err := sender.Post(context.Background(), srv.URL, "5b0c7d4e-2f7a-4a8e-9a57-0c1d2e3f4a5b", time.Now(), body, []string{current})
	require.NoError(t, err)
	_, err = sender.Post(context.Background(), srv.URL, "5b0c7d4e-2f7a-4a8e-9a57-0c1d2e3f4a5c", time.Now(), body, []string{current, previous})
	require.NoError(t, err)
	reqs := rc.all()
	require.Len(t, reqs, 2)
	require.Len(t, strings.Fields(reqs[1].header.Get("webhook-signature")), 2)

	require.NoError(t, verifyWithNode(t, modules, current, reqs[0]))
	require.Error(t, verifyWithNode(t, modules, previous, reqs[0]), "a wrong secret fails")
	require.NoError(t, verifyWithNode(t, modules, current, reqs[1]))
	require.NoError(t, verifyWithNode(t, modules, previous, reqs[1]), "the previous secret still verifies during a rotation")
	tampered := *reqs[0]
	tampered.body = bytes.Replace(tampered.body, []byte("boulanger"), []byte("pâtissier"), 1)
	require.Error(t, verifyWithNode(t, modules, current, &tampered), "a changed body fails")
}

func verifyWithNode(t *testing.T, modules, secret string, r *recorded) error {
	t.Helper()
	in, err := json.Marshal(map[string]any{"secret": secret, "body": string(r.body), "headers": map[string]string{
		"webhook-id": r.header.Get("webhook-id"), "webhook-timestamp": r.header.Get("webhook-timestamp"),
		"webhook-signature": r.header.Get("webhook-signature")}})
	require.NoError(t, err)
	cmd := exec.CommandContext(t.Context(), "node", filepath.Join(repoRoot(t), "tools", "npm-verify", "verify-webhook.js"))
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	cmd.Stdin = bytes.NewReader(in)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return errors.New(stderr.String())
	}
	var payload map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &payload))
	require.Equal(t, "proposal.created", payload["type"])
	return nil
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "go.mod not found")
		dir = parent
	}
}

var npmOnce sync.Mutex

// npmVerifiers installs tools/npm-verify (pinned by its lock file, whose
// integrity hashes npm checks) into .data/npm-verify, as scripts/stack.sh
// does for the services, and returns its node_modules. A second run reuses
// it while the lock file is unchanged.
func npmVerifiers(t *testing.T) string {
	t.Helper()
	npmOnce.Lock()
	defer npmOnce.Unlock()
	root := repoRoot(t)
	src := filepath.Join(root, "tools", "npm-verify")
	dst := filepath.Join(root, ".data", "npm-verify")
	h := sha256.New()
	for _, f := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		require.NoError(t, err)
		h.Write(b)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if got, err := os.ReadFile(filepath.Join(dst, ".lock.sha256")); err == nil && string(got) == sum {
		return filepath.Join(dst, "node_modules")
	}
	require.NoError(t, os.MkdirAll(dst, 0o755))
	_ = os.Remove(filepath.Join(dst, ".lock.sha256"))
	for _, f := range []string{"package.json", "package-lock.json"} {
		b, _ := os.ReadFile(filepath.Join(src, f))
		require.NoError(t, os.WriteFile(filepath.Join(dst, f), b, 0o644))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dst
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "npm ci in %s (needs Node.js, npm and the registry): %s", dst, out)
	require.NoError(t, os.WriteFile(filepath.Join(dst, ".lock.sha256"), []byte(sum), 0o644))
	return filepath.Join(dst, "node_modules")
}
