// Package reference holds French reference identifiers and data: the checks
// of SIRET, SIREN and NAF codes, the ROME job nomenclature and places.
//
// It is pure: no I/O, no database, no network; its data is embedded in the
// binary. Callers turn its errors into field errors of their own requests.
package reference
