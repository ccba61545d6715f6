package search

import (
	"context"
	"time"

	"github.com/passerelle-dev/passerelle/search/shard"
)

// PendingChange is an offer change not yet written to the shards, with where
// its offer is now and where its document may be (for the per-shard lag).
type PendingChange struct {
	QueuedAt    time.Time
	Found       bool // the offer still exists
	Point       shard.Point
	INSEE       string
	FullyRemote bool
	Shards      []string // cells its document may be in now
}

// Shard states.
const (
	ShardOK    = "ok"
	ShardEmpty = "empty"
	ShardDown  = "down"
)

// ShardStates lists the states a shard reports.
var ShardStates = []string{ShardOK, ShardEmpty, ShardDown}

// ShardStatus is one shard's health and lag.
type ShardStatus struct {
	Shard  string `json:"shard" example:"95"`
	Index  string `json:"index" example:"offers_95"`
	Server string `json:"server,omitempty" doc:"The Meilisearch server holding the shard; empty for MEILI_URL."`
	// Status is ok (the index answers), empty (no offer was ever written
	// there: no index yet) or down (its server does not answer).
	Status     string  `json:"status" enum:"ok,empty,down"`
	Documents  int64   `json:"documents"`
	Pending    int     `json:"pending" doc:"Offer changes waiting to be written to this shard."`
	LagSeconds float64 `json:"lag_seconds" doc:"Age of the oldest of those changes; 0 when none."`
}

// ShardStatuses reports every shard of the map: whether its server answers,
// its documents, and the changes pending for it (to write there, or to
// delete from there).
func (c *Client) ShardStatuses(ctx context.Context, pending []PendingChange) ([]ShardStatus, error) {
	m, err := c.Map(ctx)
	if err != nil {
		return nil, err
	}
	docs := map[string]int64{} // server/uid → documents
	down := map[string]bool{}
	for _, name := range c.Servers(ctx) {
		s, err := c.server(name)
		if err == nil {
			stats, serr := s.GetStatsWithContext(ctx, nil)
			if serr == nil {
				for uid, st := range stats.Indexes {
					docs[existKey(name, uid)] = st.NumberOfDocuments
				}
				continue
			}
		}
		down[name] = true
	}
	now := time.Now()
	type lag struct {
		n      int
		oldest time.Time
	}
	lags := map[string]*lag{}
	touch := func(id string, at time.Time) {
		l := lags[id]
		if l == nil {
			l = &lag{oldest: at}
			lags[id] = l
		}
		l.n++
		if at.Before(l.oldest) {
			l.oldest = at
		}
	}
	national, hasNational := m.National()
	for _, p := range pending {
		seen := map[string]bool{}
		if p.Found {
			id := m.Place(p.Point, p.INSEE, p.FullyRemote).ID
			seen[id] = true
			touch(id, p.QueuedAt)
		}
		for _, id := range p.Shards {
			if !seen[id] {
				seen[id] = true
				touch(id, p.QueuedAt)
			}
		}
		if hasNational {
			touch(national.ID, p.QueuedAt)
		}
	}
	out := make([]ShardStatus, 0, len(m.Cells))
	for _, cell := range m.Cells {
		st := ShardStatus{Shard: cell.ID, Index: c.IndexName(cell.Index), Server: cell.Server, Status: ShardOK}
		n, ok := docs[existKey(cell.Server, st.Index)]
		switch {
		case down[cell.Server]:
			st.Status = ShardDown
		case !ok:
			st.Status = ShardEmpty
		default:
			st.Documents = n
		}
		if l := lags[cell.ID]; l != nil {
			st.Pending, st.LagSeconds = l.n, now.Sub(l.oldest).Seconds()
		}
		out = append(out, st)
	}
	return out, nil
}
