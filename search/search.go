package search

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/meilisearch/meilisearch-go"
)

// Client is a Meilisearch server and the prefix of the index names this
// deployment (or test) owns.
type Client struct {
	meili  meilisearch.ServiceManager
	prefix string

	// offersReady is set once this process has created the offers index and
	// applied its settings: documents are only written after that.
	offersReady atomic.Bool
	// TaskTimeout bounds how long a write waits for its Meilisearch task.
	TaskTimeout time.Duration
}

// New connects to the Meilisearch at url. prefix is prepended to every index
// name, so that tests and deployments can share one server.
func New(url, apiKey, prefix string) *Client {
	httpClient := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        64,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
			// Meilisearch sits next to us: compressing its answers costs more
			// CPU time than the bytes save (it tripled search latency in the
			// bench).
			DisableCompression: true,
		},
	}
	return &Client{
		meili: meilisearch.New(url,
			meilisearch.WithAPIKey(apiKey),
			meilisearch.WithCustomClient(httpClient),
			// Retries belong to River jobs, which back off; a request retried
			// here would only hold an API call open longer.
			meilisearch.WithCustomRetries(nil, 0),
		),
		prefix:      prefix,
		TaskTimeout: 30 * time.Second,
	}
}

// IndexName returns the full name of the index called name.
func (c *Client) IndexName(name string) string { return c.prefix + name }

// Healthy reports whether Meilisearch answers its health check.
func (c *Client) Healthy(ctx context.Context) error {
	h, err := c.meili.HealthWithContext(ctx)
	if err != nil {
		return fmt.Errorf("search: health: %w", err)
	}
	if h.Status != "available" {
		return fmt.Errorf("search: health: status %q", h.Status)
	}
	return nil
}

// DeleteIndexes deletes every index whose name starts with this client's
// prefix (tests clean up with it). It refuses an empty prefix, which would
// name every index of the server.
func (c *Client) DeleteIndexes(ctx context.Context) error {
	if c.prefix == "" {
		return fmt.Errorf("search: delete indexes: refusing without a prefix")
	}
	res, err := c.meili.ListIndexesWithContext(ctx, &meilisearch.IndexesQuery{Limit: 1000})
	if err != nil {
		return fmt.Errorf("search: delete indexes: %w", classify(err))
	}
	// The offers index by name too: its creation may still be queued, and a
	// deletion queued after it removes it all the same.
	names := []string{c.IndexName(IndexOffers)}
	for _, idx := range res.Results {
		if strings.HasPrefix(idx.UID, c.prefix) && idx.UID != names[0] {
			names = append(names, idx.UID)
		}
	}
	for _, name := range names {
		if _, err := c.meili.DeleteIndexWithContext(ctx, name); err != nil {
			return fmt.Errorf("search: delete index %s: %w", name, classify(err))
		}
	}
	c.offersReady.Store(false)
	return nil
}
