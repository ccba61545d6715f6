package jobs

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/search/shard"
	"github.com/passerelle-dev/passerelle/store"
)

// ShardStatuses reports each search shard's health, documents and lag (the
// offer changes pending for it), for /readyz and /metrics.
func ShardStatuses(ctx context.Context, st *store.Store, sc *search.Client) ([]search.ShardStatus, error) {
	rows, err := st.PendingByOffer(ctx)
	if err != nil {
		return nil, err
	}
	pending := make([]search.PendingChange, len(rows))
	for i, p := range rows {
		pending[i] = search.PendingChange{QueuedAt: p.QueuedAt, Found: p.Found, Point: shard.Point{Lat: p.Lat, Lon: p.Lon},
			INSEE: p.INSEE, FullyRemote: p.Remote == store.RemoteFull, Shards: p.Shards}
	}
	return sc.ShardStatuses(ctx, pending)
}

// ShardCollector exports each shard's health, documents and lag at scrape
// time, read from PostgreSQL and Meilisearch so every process reports the
// same.
type ShardCollector struct {
	st                     *store.Store
	sc                     *search.Client
	up, docs, pending, lag *prometheus.Desc
}

// NewShardCollector returns a collector over the shards of sc's map.
func NewShardCollector(st *store.Store, sc *search.Client) *ShardCollector {
	labels := []string{"shard", "server"}
	return &ShardCollector{st: st, sc: sc,
		up:      prometheus.NewDesc("passerelle_search_shard_up", "1 when the shard's index answers (or has no offer yet), 0 when its server is down.", labels, nil),
		docs:    prometheus.NewDesc("passerelle_search_shard_documents", "Documents in the shard's index.", labels, nil),
		pending: prometheus.NewDesc("passerelle_search_shard_pending_changes", "Offer changes waiting to be written to the shard.", labels, nil),
		lag:     prometheus.NewDesc("passerelle_search_shard_lag_seconds", "Age of the oldest offer change waiting for the shard; 0 when none.", labels, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *ShardCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.up
	ch <- c.docs
	ch <- c.pending
	ch <- c.lag
}

// Collect implements prometheus.Collector.
func (c *ShardCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	statuses, err := ShardStatuses(ctx, c.st, c.sc)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.up, err)
		return
	}
	for _, s := range statuses {
		up := 1.0
		if s.Status == search.ShardDown {
			up = 0
		}
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up, s.Shard, s.Server)
		ch <- prometheus.MustNewConstMetric(c.docs, prometheus.GaugeValue, float64(s.Documents), s.Shard, s.Server)
		ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(s.Pending), s.Shard, s.Server)
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, s.LagSeconds, s.Shard, s.Server)
	}
}
