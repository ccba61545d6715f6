// Package docsui owns the embedded API reference UI served at /docs: the
// vendored Stoplight Elements bundle in assets/ (refreshed only by
// scripts/update-docsui.sh), the HTML page that loads it and the HTTP handler
// that serves both.
//
// Everything the browser needs comes from this binary, so the reference works
// without internet access; the page's Content-Security-Policy forbids loads
// from any other origin. The package knows nothing of the API itself: it is
// given the URL of the OpenAPI document, and it must not import other
// Passerelle packages.
package docsui
