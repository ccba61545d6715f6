package search

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/passerelle-dev/passerelle/search/shard"
)

// Client is the Meilisearch servers holding the offer shards, the prefix of
// the index names this deployment (or test) owns, and where the shard map
// comes from.
type Client struct {
	// servers are the Meilisearch servers by the name the shard map gives
	// them: "" is the default one (MEILI_URL), any other name is the
	// server's base URL, reached with the same key.
	servers map[string]meilisearch.ServiceManager
	apiKey  string
	prefix  string

	source   ShardSource
	national bool

	mu       sync.Mutex
	shardMap shard.Map
	loadedAt time.Time
	// existing holds the indexes known to exist, per server ("server/uid"),
	// and when they were listed: a search skips the cells without an index
	// (no offer was ever written there).
	existing  map[string]bool
	listedAt  time.Time
	ensured   map[string]bool // indexes whose settings this process applied
	mapLoaded bool

	// TaskTimeout bounds how long a write waits for its Meilisearch task.
	TaskTimeout time.Duration
	// MapTTL is how long a loaded shard map (and the list of indexes) is
	// used before it is read again.
	MapTTL time.Duration
}

// ShardSource gives the current shard map (store.Store, through an adapter
// in cmd/, reads it from PostgreSQL).
type ShardSource interface {
	ShardMap(ctx context.Context) ([]shard.Cell, error)
}

// staticSource is a fixed map: the initial one, for clients without a
// database (tests of this package, tools).
type staticSource []shard.Cell

func (s staticSource) ShardMap(context.Context) ([]shard.Cell, error) { return s, nil }

func newMeili(url, apiKey string) meilisearch.ServiceManager {
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
	return meilisearch.New(url,
		meilisearch.WithAPIKey(apiKey),
		meilisearch.WithCustomClient(httpClient),
		// Retries belong to River jobs, which back off; a request retried
		// here would only hold an API call open longer.
		meilisearch.WithCustomRetries(nil, 0),
	)
}

// New connects to the Meilisearch at url (the default server). prefix is
// prepended to every index name, so that tests and deployments can share one
// server. Until SetShardSource, the shard map is the initial one (départements,
// remote, elsewhere and national cells).
func New(url, apiKey, prefix string) *Client {
	return &Client{
		servers:     map[string]meilisearch.ServiceManager{"": newMeili(url, apiKey)},
		apiKey:      apiKey,
		prefix:      prefix,
		source:      staticSource(shard.Initial(true)),
		national:    true,
		existing:    map[string]bool{},
		ensured:     map[string]bool{},
		TaskTimeout: 30 * time.Second,
		MapTTL:      2 * time.Second,
	}
}

// Servers lists the servers of the shard map, the default ("") first.
func (c *Client) Servers(ctx context.Context) []string {
	out := []string{""}
	if m, err := c.Map(ctx); err == nil {
		for _, cell := range m.Cells {
			if !slices.Contains(out, cell.Server) {
				out = append(out, cell.Server)
			}
		}
	}
	slices.Sort(out)
	return out
}

// SetShardSource makes the client read the shard map from src (with
// MapTTL), instead of the initial map.
func (c *Client) SetShardSource(src ShardSource) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.source, c.mapLoaded = src, false
}

// SetStaticMap fixes the shard map (tests, the bench's comparisons).
func (c *Client) SetStaticMap(cells []shard.Cell) { c.SetShardSource(staticSource(cells)) }

// Prefix is the prefix of every index name.
func (c *Client) Prefix() string { return c.prefix }

// IndexName returns the full name of the index called name.
func (c *Client) IndexName(name string) string { return c.prefix + name }

// Map returns the shard map, read again from its source once MapTTL has
// passed. A source that fails keeps the last map (a map was loaded before)
// or fails the call.
func (c *Client) Map(ctx context.Context) (shard.Map, error) {
	c.mu.Lock()
	if c.mapLoaded && time.Since(c.loadedAt) < c.MapTTL {
		m := c.shardMap
		c.mu.Unlock()
		return m, nil
	}
	src := c.source
	c.mu.Unlock()
	cells, err := src.ShardMap(ctx)
	if err == nil && len(cells) == 0 {
		err = fmt.Errorf("empty shard map")
	}
	var m shard.Map
	if err == nil {
		m, err = shard.NewMap(cells)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		if c.mapLoaded {
			return c.shardMap, nil
		}
		return shard.Map{}, fmt.Errorf("search: shard map: %w", err)
	}
	c.shardMap, c.loadedAt, c.mapLoaded = m, time.Now(), true
	return m, nil
}

// forget makes the next call read the map and list the indexes again (after
// a search named an index that no longer exists: a reindex swapped the map).
func (c *Client) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mapLoaded = false
	c.listedAt = time.Time{}
}

func (c *Client) server(name string) (meilisearch.ServiceManager, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.servers[name]
	if !ok {
		if !strings.HasPrefix(name, "http://") && !strings.HasPrefix(name, "https://") {
			return nil, fmt.Errorf("search: the shard map names server %q: want a base URL (http://host:port)", name)
		}
		s = newMeili(name, c.apiKey)
		c.servers[name] = s
	}
	return s, nil
}

func existKey(server, uid string) string { return server + "/" + uid }

// exists reports which of cells have an index, listing each server's indexes
// again once MapTTL has passed.
func (c *Client) exists(ctx context.Context, cells []shard.Cell) ([]shard.Cell, error) {
	c.mu.Lock()
	fresh := time.Since(c.listedAt) < c.MapTTL
	c.mu.Unlock()
	if !fresh {
		found := map[string]bool{}
		for _, name := range c.Servers(ctx) {
			s, err := c.server(name)
			if err != nil {
				return nil, err
			}
			for offset := int64(0); ; offset += 1000 {
				res, err := s.ListIndexesWithContext(ctx, &meilisearch.IndexesQuery{Limit: 1000, Offset: offset})
				if err != nil {
					return nil, fmt.Errorf("search: list indexes: %w", classify(err))
				}
				for _, idx := range res.Results {
					if strings.HasPrefix(idx.UID, c.prefix) {
						found[existKey(name, idx.UID)] = true
					}
				}
				if int64(len(res.Results)) < 1000 {
					break
				}
			}
		}
		c.mu.Lock()
		c.existing, c.listedAt = found, time.Now()
		c.mu.Unlock()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]shard.Cell, 0, len(cells))
	for _, cell := range cells {
		if c.existing[existKey(cell.Server, c.IndexName(cell.Index))] {
			out = append(out, cell)
		}
	}
	return out, nil
}

// Healthy reports whether every Meilisearch server of the shard map answers
// its health check.
func (c *Client) Healthy(ctx context.Context) error {
	for _, name := range c.Servers(ctx) {
		s, err := c.server(name)
		if err != nil {
			return err
		}
		h, err := s.HealthWithContext(ctx)
		if err != nil {
			return fmt.Errorf("search: health of server %q: %w", name, err)
		}
		if h.Status != "available" {
			return fmt.Errorf("search: health of server %q: status %q", name, h.Status)
		}
	}
	return nil
}

// DeleteIndexes deletes, on every server, every index whose name starts
// with this client's prefix (tests clean up with it). It refuses an empty
// prefix, which would name every index of the server.
func (c *Client) DeleteIndexes(ctx context.Context) error {
	if c.prefix == "" {
		return fmt.Errorf("search: delete indexes: refusing without a prefix")
	}
	for _, name := range c.Servers(ctx) {
		s, err := c.server(name)
		if err != nil {
			return err
		}
		res, err := s.ListIndexesWithContext(ctx, &meilisearch.IndexesQuery{Limit: 10_000})
		if err != nil {
			return fmt.Errorf("search: delete indexes: %w", classify(err))
		}
		for _, idx := range res.Results {
			if strings.HasPrefix(idx.UID, c.prefix) {
				if _, err := s.DeleteIndexWithContext(ctx, idx.UID); err != nil {
					return fmt.Errorf("search: delete index %s: %w", idx.UID, classify(err))
				}
			}
		}
	}
	c.mu.Lock()
	c.ensured, c.existing, c.listedAt = map[string]bool{}, map[string]bool{}, time.Time{}
	c.mu.Unlock()
	return nil
}
