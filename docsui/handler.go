package docsui

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// contentSecurityPolicy is sent with the page. It allows loads from this
// origin only, so a page that renders is a page that works offline.
//   - script-src 'self': the bundle is one file and the page has no inline
//     script. Elements would load mermaid from a CDN for mermaid diagrams in
//     descriptions; that load is refused and the diagram stays as code.
//   - style-src 'unsafe-inline': the bundle injects a <style> element at run
//     time (Font Awesome's rules for its inline SVG icons) and sets style
//     attributes; without it the icons are drawn at the wrong size.
//   - img-src data: blob: and font-src data:: icons inlined in the bundle, and
//     images returned by "Try it" requests.
//   - connect-src 'self': the OpenAPI document and "Try it" requests to this
//     server.
const contentSecurityPolicy = "default-src 'none'; " +
	"script-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; " +
	"font-src 'self' data:; " +
	"connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// assetMaxAge is how long browsers keep an asset. Asset URLs carry the bundle
// version, so a new version is a new URL and a long life is safe.
const assetMaxAge = 365 * 24 * time.Hour

// The page is the only HTML: no inline script, everything from prefix. Asset
// paths are absolute because the page answers both prefix and prefix/. The
// hash router keeps Elements' navigation inside the fragment, so the server
// needs no route per operation.
var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
<link rel="stylesheet" href="{{.Prefix}}/assets/` + styleAsset + `?v={{.Version}}">
<script src="{{.Prefix}}/assets/` + scriptAsset + `?v={{.Version}}"></script>
</head>
<body style="margin:0">
<elements-api apiDescriptionUrl="{{.SpecURL}}" router="hash" layout="sidebar" tryItCredentialsPolicy="same-origin" style="display:block;height:100vh"></elements-api>
</body>
</html>
`))

// Handler serves the API reference UI under prefix (e.g. "/docs"), rendering
// the OpenAPI document found at specURL (e.g. "/openapi.json").
//
// It answers GET and HEAD for prefix and prefix/ (the HTML page) and for
// prefix/assets/NAME (the embedded bundle, gzip-compressed when the client
// accepts it); any other path answers 404. Mount it on both prefix and
// prefix/ of a ServeMux.
func Handler(prefix, specURL, title string) http.Handler {
	loadAssets()
	prefix = strings.TrimRight(prefix, "/")

	var buf bytes.Buffer
	err := pageTemplate.Execute(&buf, struct {
		Prefix, SpecURL, Title, Version string
	}{prefix, specURL, title, version})
	if err != nil {
		// The template and its data are fixed strings: this is a programming error.
		panic("docsui: render page: " + err.Error())
	}
	sum := sha256.Sum256(buf.Bytes())
	return &handler{
		prefix:   prefix,
		page:     buf.Bytes(),
		pageETag: `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`,
	}
}

type handler struct {
	prefix   string
	page     []byte
	pageETag string
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, h.prefix)
	switch {
	case !ok:
		http.NotFound(w, r)
	case rest == "" || rest == "/":
		if allowRead(w, r) {
			h.servePage(w, r)
		}
	case strings.HasPrefix(rest, "/assets/"):
		name := strings.TrimPrefix(rest, "/assets/")
		a := assets[name]
		if a == nil || strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		if allowRead(w, r) {
			serveAsset(w, r, a)
		}
	default:
		http.NotFound(w, r)
	}
}

// allowRead answers 405 to anything but GET and HEAD, and reports whether the
// request may go on.
func allowRead(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
	return false
}

func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-cache") // revalidate, so a new bundle version is picked up
	hd.Set("ETag", h.pageETag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(h.page))
}

func serveAsset(w http.ResponseWriter, r *http.Request, a *asset) {
	hd := w.Header()
	hd.Set("Content-Type", a.contentType)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(assetMaxAge/time.Second))+", immutable")
	hd.Add("Vary", "Accept-Encoding")
	body, etag := a.body, `"`+a.etag+`"`
	if acceptsGzip(r) {
		if gz := a.gzipped(); gz != nil {
			body, etag = gz, `"`+a.etag+`-gz"`
			hd.Set("Content-Encoding", "gzip")
		}
	}
	hd.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether the Accept-Encoding header lists gzip without q=0.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
				continue
			}
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
