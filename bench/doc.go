// Package bench measures Passerelle against the bare components it is built
// on, side by side in one run on one machine: the performance bars of
// DESIGN.md are ratios (API search vs the same query sent straight to
// Meilisearch, API create vs a bare INSERT + InsertTx + commit) or latencies
// (offer published → visible in search), never absolute numbers that depend on
// the hardware.
//
// It owns the synthetic dataset (deterministic offers on real French towns,
// bulk-loaded with COPY and indexed through the reindex code path), the
// measurements, exact percentiles and the report (a table and JSON). It drives
// Passerelle over HTTP like any client; `passerelle bench` (cmd/passerelle)
// starts the in-process server and gives it a Target.
//
// It must not be imported by Passerelle's serving code, and it asserts
// nothing about timing: tests run it in a small mode to check that every
// measurement runs and produces numbers; whether a bar is met is for the
// report to say.
package bench
