// Package notify owns the outside faces of notifications: email (French
// templates, text and HTML, sent over SMTP) and webhooks (Standard Webhooks
// signatures, an HTTP client that refuses private addresses).
//
// It knows nothing of the database: store/ decides who hears of what and
// jobs/ calls this package to say it. Payloads reach it as plain values.
package notify
