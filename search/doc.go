// Package search owns the Meilisearch side of Passerelle: the client, the index
// names, their settings and (with the offers issue) the document mapping and the
// filters built from an allow-list.
//
// PostgreSQL is the source of truth: this package is written to from River jobs
// and read by the API; it never decides what exists. It must not import api/ or
// store/.
package search
