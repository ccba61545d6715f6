// Package migrations owns the database schema: the numbered SQL files in this
// folder, embedded in the binary, and River's own migrations, applied together by
// Apply. It must not hold queries: those live in store/.
//
// Files are named NNNN_subject.sql and applied once each, in order, inside one
// transaction per file, under an advisory lock so that concurrent starts are safe.
// A file never changes once it has landed on main; a change is a new file.
package migrations
