// Package shard decides, without any I/O, which search index holds an offer
// and which indexes a search must query.
//
// Meilisearch rewrites an index's whole geographic R-tree on every indexing
// batch, at a cost that grows with the index, so no index holding `_geo` may
// grow large. Offers with a place live in one index per geographic cell: a
// French département first (overseas included), split into finer rectangles
// when it passes a size bound. Fully remote offers have their own index,
// points outside every département's rectangle another ("elsewhere"), and a
// national index without `_geo` may serve searches without a point.
//
// The map of cells lives in PostgreSQL (store/) and is passed in here; this
// package only computes with it. Its guarantee, property-tested: every offer
// within a search's radius lives in a cell the search queries.
package shard
