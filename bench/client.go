package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// client sends every request of a run, to Passerelle and to Meilisearch,
// through one keep-alive transport, one request at a time: both sides of a
// measurement pay the same client costs.
type client struct {
	http     *http.Client
	base     string // Passerelle
	meiliURL string
	meiliKey string
}

func newClient(base, meiliURL, meiliKey string) *client {
	return &client{
		http: &http.Client{
			Timeout: 30 * time.Second,
			Transport: &http.Transport{
				MaxIdleConns:        64,
				MaxIdleConnsPerHost: 32,
				IdleConnTimeout:     5 * time.Minute,
				// Neither side compresses: loopback, and the same for both.
				DisableCompression: true,
			},
		},
		base: base, meiliURL: meiliURL, meiliKey: meiliKey,
	}
}

// response is a request's outcome and its latency: from sending to the last
// byte of the body read.
type response struct {
	status int
	header http.Header
	body   []byte
	took   time.Duration
}

func (c *client) do(ctx context.Context, method, url, bearer string, body []byte, headers ...string) (response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return response{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: %w", method, url, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: read body: %w", method, url, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b, took: took}, nil
}

// api calls Passerelle and fails unless it answers want.
func (c *client) api(ctx context.Context, method, path, key string, body any, want int) (response, error) {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return response{}, err
		}
	}
	r, err := c.do(ctx, method, c.base+path, key, raw)
	if err != nil {
		return r, err
	}
	if r.status != want {
		return r, fmt.Errorf("%s %s: status %d, want %d: %s", method, path, r.status, want, truncate(string(r.body), 500))
	}
	return r, nil
}

// meili calls Meilisearch with the master key and fails unless it answers 200.
func (c *client) meili(ctx context.Context, method, path string, body []byte) (response, error) {
	r, err := c.do(ctx, method, c.meiliURL+path, c.meiliKey, body)
	if err != nil {
		return r, err
	}
	if r.status != http.StatusOK {
		return r, fmt.Errorf("meilisearch %s %s: status %d: %s", method, path, r.status, truncate(string(r.body), 500))
	}
	return r, nil
}

// keyRing hands out keys in turn. Each API key has its own rate limit (a
// product rule, not a cost under test): spreading requests over several keys
// keeps every answer a 2xx while the limiter itself stays in the measured
// path.
type keyRing struct {
	keys []string
	next int
}

func (k *keyRing) take() string {
	key := k.keys[k.next%len(k.keys)]
	k.next++
	return key
}

// setup is what the measurements act as, created through the API with an
// admin key.
type setup struct {
	adminKey     string
	organisation uuid.UUID
	advisers     keyRing
	// companies[i] is the key of companyIDs[i].
	companies  keyRing
	companyIDs []uuid.UUID
}

// keysPerRole is enough keys that a measurement never exceeds the default
// per-key rate limit (1,200 a minute, bursts of 100).
const keysPerRole = 24

func (c *client) setup(ctx context.Context, adminKey string, d *Dataset) (*setup, error) {
	s := &setup{adminKey: adminKey}
	r, err := c.api(ctx, http.MethodPost, "/v1/organisations", adminKey,
		map[string]string{"kind": "programme", "name": "Bench — parcours numérique", "town": "Gonesse"}, http.StatusCreated)
	if err != nil {
		return nil, err
	}
	var org struct {
		ID uuid.UUID `json:"id"`
	}
	if err := json.Unmarshal(r.body, &org); err != nil {
		return nil, err
	}
	s.organisation = org.ID
	newKey := func(body map[string]any) (string, error) {
		r, err := c.api(ctx, http.MethodPost, "/v1/api-keys", adminKey, body, http.StatusCreated)
		if err != nil {
			return "", err
		}
		var k struct {
			Key string `json:"key"`
		}
		return k.Key, json.Unmarshal(r.body, &k)
	}
	for i := range keysPerRole {
		key, err := newKey(map[string]any{"name": fmt.Sprintf("bench adviser %d", i), "role": "adviser", "organisation_id": org.ID})
		if err != nil {
			return nil, err
		}
		s.advisers.keys = append(s.advisers.keys, key)
		// Companies spread over the dataset, so over towns and sectors.
		company := d.Companies[i*len(d.Companies)/keysPerRole]
		key, err = newKey(map[string]any{"name": "bench company " + company.Name, "role": "company", "company_id": company.ID})
		if err != nil {
			return nil, err
		}
		s.companies.keys = append(s.companies.keys, key)
		s.companyIDs = append(s.companyIDs, company.ID)
	}
	return s, nil
}
