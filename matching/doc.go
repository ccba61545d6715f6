// Package matching is Passerelle's domain core: given a trainee's profile and
// offers, it returns the eligible offers with a score from 0 to 100 and the reasons
// behind it, deterministically.
//
// It is pure Go: no I/O, no clock (the caller passes "now"), no database, no
// logging, and it imports nothing of the project that does. The engine itself
// arrives with the matching issue; this package marks its place in the layout.
package matching
