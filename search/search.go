package search

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/meilisearch/meilisearch-go"
)

// Client is a Meilisearch server and the prefix of the index names this
// deployment (or test) owns.
type Client struct {
	meili  meilisearch.ServiceManager
	prefix string
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
		prefix: prefix,
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
