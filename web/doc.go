// Package web is the advisers' console: pages rendered on the server, in
// French, that work without JavaScript. It sits beside api/ and calls the
// same store functions with a passerelle.Principal built from the session,
// so no rule (validation, state machine, tenancy) is written twice.
//
// Layout (after miniflux's internal/ui): routes.go lists every route; one file
// per page or action, named for it (today.go, signin_show.go,
// signin_send.go…); templates/ holds one html/template per page, rendered
// inside templates/layout.html; static/ the hand-written CSS; session/ the
// cookie and its PostgreSQL session; form/ reads posted forms into the
// store's input types and speaks store errors in French. docs/console.md says
// how to add a page.
//
// This package must not build SQL, decide tenancy or validate input itself.
package web
