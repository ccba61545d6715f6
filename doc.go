// Package passerelle holds the vocabulary every layer of Passerelle shares: the
// error codes domain code returns and that the API translates, once, into RFC 9457
// problem details.
//
// It must stay tiny and import nothing of the project: storage lives in store/,
// HTTP in api/, background work in jobs/, the Meilisearch index in search/ and the
// pure matching engine in matching/. cmd/passerelle wires them together.
package passerelle
