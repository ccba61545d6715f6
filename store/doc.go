// Package store is Passerelle's PostgreSQL storage: every query, every
// transaction, and the River jobs a write enqueues in the same transaction
// (InsertTx), so that a change and its consequences commit together.
//
// It applies tenancy from the passerelle.Principal each function takes: another
// tenant's row is simply not found. It returns passerelle.Error codes for what a
// user can act on and wrapped errors for the rest. It must not know about HTTP.
package store
