// Package datakey seals the fields a database dump must not reveal (RQTH,
// health data under GDPR article 9) with AES-256-GCM and keys from the
// environment, and opens them again with any key of the ring, so that keys
// rotate without downtime: a new key seals, the old ones still open.
//
// It holds no key of its own and reads no environment itself: the caller
// parses PASSERELLE_DATA_KEY and PASSERELLE_DATA_KEYS_PREVIOUS with Parse.
package datakey

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// A key is written "ID:BASE64", ID a short name (letters, digits, dot, dash,
// underscore) and BASE64 32 random bytes in standard base64.
var keyID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,40}$`)

// ErrUnknownKey says a value was sealed with a key the ring does not hold.
var ErrUnknownKey = errors.New("datakey: value sealed with a key this process does not have")

// Ring is the current key, which seals, and previous keys, which only open.
type Ring struct {
	current string
	aeads   map[string]cipher.AEAD
}

// Parse builds a ring from the current key and a comma-separated list of
// previous ones (may be empty).
func Parse(current, previous string) (*Ring, error) {
	r := &Ring{aeads: map[string]cipher.AEAD{}}
	id, err := r.add(current)
	if err != nil {
		return nil, fmt.Errorf("PASSERELLE_DATA_KEY: %w", err)
	}
	r.current = id
	for _, k := range strings.Split(previous, ",") {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		if _, err := r.add(k); err != nil {
			return nil, fmt.Errorf("PASSERELLE_DATA_KEYS_PREVIOUS: %w", err)
		}
	}
	return r, nil
}

func (r *Ring) add(spec string) (string, error) {
	id, b64, ok := strings.Cut(strings.TrimSpace(spec), ":")
	if !ok || !keyID.MatchString(id) {
		return "", errors.New(`a key is written "ID:BASE64" (ID of letters, digits, ".", "-", "_")`)
	}
	if _, dup := r.aeads[id]; dup {
		return "", fmt.Errorf("key id %q given twice", id)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != 32 {
		return "", fmt.Errorf("key %q: want 32 bytes in standard base64", id)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return "", fmt.Errorf("key %q: %w", id, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return "", fmt.Errorf("key %q: %w", id, err)
	}
	r.aeads[id] = aead
	return id, nil
}

// Generate returns a new key spec "ID:BASE64" for id.
func Generate(id string) (string, error) {
	if !keyID.MatchString(id) {
		return "", fmt.Errorf("datakey: bad key id %q", id)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("datakey: %w", err)
	}
	return id + ":" + base64.StdEncoding.EncodeToString(raw), nil
}

// CurrentID is the id of the key that seals.
func (r *Ring) CurrentID() string { return r.current }

// Seal encrypts plaintext with the current key. aad binds the ciphertext to
// its place (a row's id and column): copied elsewhere, it does not open.
// The result is the nonce followed by the ciphertext; the caller stores the
// key id beside it.
func (r *Ring) Seal(plaintext, aad []byte) (sealed []byte, id string) {
	aead := r.aeads[r.current]
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails (Go ≥ 1.24)
	return aead.Seal(nonce, nonce, plaintext, aad), r.current
}

// Open decrypts what Seal returned with key id.
func (r *Ring) Open(sealed []byte, id string, aad []byte) ([]byte, error) {
	aead, ok := r.aeads[id]
	if !ok {
		return nil, fmt.Errorf("%w (key id %q)", ErrUnknownKey, id)
	}
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("datakey: sealed value too short")
	}
	n := aead.NonceSize()
	out, err := aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, fmt.Errorf("datakey: open with key %q: %w", id, err)
	}
	return out, nil
}

// Ephemeral returns a ring with one random key named id: for tests and
// throw-away databases, whose sealed values die with the process.
func Ephemeral(id string) *Ring {
	spec, err := Generate(id)
	if err != nil {
		panic(err) // only a bad id, a programming error
	}
	r, err := Parse(spec, "")
	if err != nil {
		panic(err)
	}
	return r
}
