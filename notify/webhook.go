package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/passerelle-dev/passerelle"
)

// Webhooks follow the Standard Webhooks specification
// (https://www.standardwebhooks.com): each request carries webhook-id,
// webhook-timestamp and webhook-signature, "v1,<base64 HMAC-SHA256 of
// id.timestamp.body>" keyed with the endpoint's secret, "whsec_<base64>". While
// a rotated secret is still valid the header holds both signatures, separated
// by a space.

// SecretPrefix starts every webhook secret.
const SecretPrefix = "whsec_"

// NewSecret returns a fresh endpoint secret: 32 random bytes.
func NewSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return SecretPrefix + base64.StdEncoding.EncodeToString(b[:])
}

// Sign returns the v1 signature of a message under secret.
func Sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil {
		return "", fmt.Errorf("notify: webhook secret is not base64: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%d.", msgID, ts.Unix())
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// SignatureHeader is the webhook-signature value: one signature per secret.
func SignatureHeader(secrets []string, msgID string, ts time.Time, body []byte) (string, error) {
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		sig, err := Sign(s, msgID, ts, body)
		if err != nil {
			return "", err
		}
		sigs = append(sigs, sig)
	}
	return strings.Join(sigs, " "), nil
}

// Guard refuses webhook URLs and connections aimed at addresses inside the
// network Passerelle runs in (SSRF): loopback, private, link-local,
// unspecified, multicast, carrier-grade NAT and a few other special ranges.
// AllowLoopback lets loopback through, for development and tests.
type Guard struct {
	AllowLoopback bool
	// Resolver resolves host names at registration; nil is net.DefaultResolver.
	Resolver *net.Resolver
}

var specialPrefixes = []struct {
	prefix netip.Prefix
	name   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "\"this network\""},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("64:ff9b::/96"), "NAT64"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "NAT64"},
}

// refusal says why ip may not be reached, "" when it may.
func (g Guard) refusal(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback():
		if g.AllowLoopback {
			return ""
		}
		return "loopback"
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsPrivate():
		return "private"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "link-local"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	case ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "broadcast"
	}
	for _, p := range specialPrefixes {
		if p.prefix.Contains(ip) {
			return p.name
		}
	}
	return ""
}

func invalidURL(msg string, value string) error {
	return passerelle.Invalid("The webhook URL is refused: "+msg,
		passerelle.FieldError{Location: "url", Message: msg, Value: value})
}

// CheckURL checks a webhook URL at registration: http or https, no user
// information, and a host that is, or resolves only to, addresses the guard
// lets through. It answers EInvalid errors naming body.url.
func (g Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return invalidURL("it must be an absolute http or https URL.", raw)
	}
	if u.User != nil {
		return invalidURL("credentials in the URL are not accepted; authenticate requests with the signature.", raw)
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if why := g.refusal(ip); why != "" {
			return invalidURL(fmt.Sprintf("%s is a %s address, which webhooks may not reach.", ip, why), raw)
		}
		return nil
	}
	r := g.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return invalidURL(fmt.Sprintf("the host %s does not resolve.", host), raw)
	}
	for _, ip := range addrs {
		if why := g.refusal(ip); why != "" {
			return invalidURL(fmt.Sprintf("the host %s resolves to %s, a %s address, which webhooks may not reach.", host, ip.Unmap(), why), raw)
		}
	}
	return nil
}

// ErrRefusedAddress is returned when a connection is aimed at an address the
// guard refuses (the host's DNS answer changed since registration, say).
var ErrRefusedAddress = errors.New("notify: webhook address refused")

// control checks, at connect time, the address actually dialled: what a host
// name resolves to now, not what it resolved to at registration.
func (g Guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrRefusedAddress, address)
	}
	if why := g.refusal(ap.Addr()); why != "" {
		return fmt.Errorf("%w: %s is a %s address", ErrRefusedAddress, ap.Addr(), why)
	}
	return nil
}

// WebhookTimeout bounds one webhook request, connection included.
const WebhookTimeout = 10 * time.Second

// Sender posts webhooks.
type Sender struct {
	client *http.Client
}

// NewSender returns a sender whose connections pass guard's check. It uses
// no proxy (a proxy would connect on its behalf, past the check) and follows
// no redirect: a 3xx is an answer, and a failure.
func NewSender(guard Guard) *Sender {
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: guard.control}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: WebhookTimeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
	}
	return &Sender{client: &http.Client{
		Transport:     transport,
		Timeout:       WebhookTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Post sends one webhook request signed with secrets and returns the
// response's status (0 when none came).
func (s *Sender) Post(ctx context.Context, rawURL, msgID string, ts time.Time, body []byte, secrets []string) (int, error) {
	sig, err := SignatureHeader(secrets, msgID, ts, body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Passerelle-Webhooks/1")
	req.Header.Set("webhook-id", msgID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	// The status is the answer; the body is drained (bounded) so the
	// connection is reused, and a failed close changes nothing of it.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}
