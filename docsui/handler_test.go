package docsui

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
)

const (
	testPrefix  = "/docs"
	testSpecURL = "/openapi.json"
)

// get serves one request through a fresh handler and returns the recorded response.
func get(t *testing.T, method, target string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	Handler(testPrefix, testSpecURL, "Passerelle <API>").ServeHTTP(rec, req)
	return rec.Result()
}

func readBody(t *testing.T, res *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return b
}

// attrURLs returns the values of every src and href attribute in page.
var attrRE = regexp.MustCompile(`(?i)\b(?:src|href)\s*=\s*"([^"]*)"`)

func attrURLs(page string) []string {
	var urls []string
	for _, m := range attrRE.FindAllStringSubmatch(page, -1) {
		urls = append(urls, m[1])
	}
	return urls
}

func TestPage(t *testing.T) {
	t.Parallel()
	for _, target := range []string{"/docs", "/docs/"} {
		t.Run(target, func(t *testing.T) {
			t.Parallel()
			res := get(t, http.MethodGet, target, nil)
			body := string(readBody(t, res))
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200", res.StatusCode)
			}
			if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			for _, want := range []string{
				`<script src="/docs/assets/web-components.min.js?v=` + version + `"></script>`,
				`<link rel="stylesheet" href="/docs/assets/styles.min.css?v=` + version + `">`,
				`<elements-api apiDescriptionUrl="/openapi.json"`,
				`<title>Passerelle &lt;API&gt;</title>`, // title is escaped
			} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %s\npage:\n%s", want, body)
				}
			}
		})
	}
}

func TestPageLoadsNothingRemote(t *testing.T) {
	t.Parallel()
	res := get(t, http.MethodGet, "/docs", nil)
	body := string(readBody(t, res))

	if strings.Contains(body, "http://") || strings.Contains(body, "https://") || strings.Contains(body, `"//`) {
		t.Errorf("page contains an absolute or scheme-relative URL:\n%s", body)
	}
	urls := attrURLs(body)
	if len(urls) < 2 {
		t.Fatalf("found %d src/href attributes, want the script and the stylesheet", len(urls))
	}
	for _, u := range urls {
		if !strings.HasPrefix(u, testPrefix+"/assets/") {
			t.Errorf("src/href %q is not an embedded asset", u)
		}
	}
	if n := strings.Count(body, "<script"); n != strings.Count(body, "<script src=") {
		t.Errorf("page has an inline script; the CSP forbids it:\n%s", body)
	}

	csp := res.Header.Get("Content-Security-Policy")
	directives := map[string]string{}
	for d := range strings.SplitSeq(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	if directives["default-src"] != "'none'" {
		t.Errorf("default-src = %q, want 'none'", directives["default-src"])
	}
	for _, name := range []string{"script-src", "style-src", "img-src", "font-src", "connect-src"} {
		value, ok := directives[name]
		if !ok {
			t.Errorf("CSP %q lacks %s", csp, name)
			continue
		}
		for src := range strings.FieldsSeq(value) {
			switch src {
			case "'self'", "'unsafe-inline'", "data:", "blob:":
			default:
				t.Errorf("%s allows %s, which may load from elsewhere", name, src)
			}
		}
	}
	if strings.Contains(directives["script-src"], "unsafe") {
		t.Errorf("script-src = %q, want no unsafe-inline or unsafe-eval", directives["script-src"])
	}
}

func TestPageAssetsServed(t *testing.T) {
	t.Parallel()
	page := string(readBody(t, get(t, http.MethodGet, "/docs", nil)))
	wantType := map[string]string{
		".js":  "text/javascript; charset=utf-8",
		".css": "text/css; charset=utf-8",
	}
	for _, u := range attrURLs(page) {
		t.Run(u, func(t *testing.T) {
			t.Parallel()
			res := get(t, http.MethodGet, u, nil)
			body := readBody(t, res)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200", res.StatusCode)
			}
			name := strings.TrimPrefix(strings.Split(u, "?")[0], "/docs/assets/")
			ext := name[strings.LastIndex(name, "."):]
			if got := res.Header.Get("Content-Type"); got != wantType[ext] {
				t.Errorf("Content-Type = %q, want %q", got, wantType[ext])
			}
			want, err := assetFS.ReadFile("assets/" + name)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(body, want) {
				t.Errorf("body (%d bytes) differs from the embedded file (%d bytes)", len(body), len(want))
			}
			if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
				t.Errorf("Cache-Control = %q, want a year", cc)
			}
			if res.Header.Get("ETag") == "" {
				t.Error("no ETag")
			}
		})
	}
}

func TestAssetGzipAndRevalidation(t *testing.T) {
	t.Parallel()
	const target = "/docs/assets/" + scriptAsset
	res := get(t, http.MethodGet, target, http.Header{"Accept-Encoding": {"br, gzip"}})
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", res.Header.Get("Content-Encoding"))
	}
	if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("Vary = %q, want Accept-Encoding", res.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := assetFS.ReadFile("assets/" + scriptAsset); !bytes.Equal(plain, want) {
		t.Errorf("gunzipped body (%d bytes) differs from the embedded file (%d bytes)", len(plain), len(want))
	}

	res = get(t, http.MethodGet, target, http.Header{"Accept-Encoding": {"gzip;q=0"}})
	if res.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0: Content-Encoding = %q, want none", res.Header.Get("Content-Encoding"))
	}
	etag := res.Header.Get("ETag")
	res = get(t, http.MethodGet, target, http.Header{"If-None-Match": {etag}})
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match %s: status = %d, want 304", etag, res.StatusCode)
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	for _, target := range []string{
		"/docs/nope",
		"/docs/assets/",
		"/docs/assets/missing.js",
		"/docs/assets/../handler.go",
		"/docs/assets/x/" + scriptAsset,
		"/docsx",
		"/other",
	} {
		res := get(t, http.MethodGet, target, nil)
		body := readBody(t, res)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status = %d, want 404", target, res.StatusCode)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("GET %s: Content-Type = %q, want text/plain", target, ct)
		}
		if bytes.Contains(body, []byte("<")) {
			t.Errorf("GET %s: body %q is not plain", target, body)
		}
	}
}

func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	res := get(t, http.MethodPost, "/docs", nil)
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /docs: status = %d, want 405", res.StatusCode)
	}
	if res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("Allow = %q", res.Header.Get("Allow"))
	}
	if res := get(t, http.MethodHead, "/docs/assets/"+styleAsset, nil); res.StatusCode != http.StatusOK {
		t.Errorf("HEAD asset: status = %d, want 200", res.StatusCode)
	}
}

func TestPrefixWithTrailingSlash(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	Handler("/reference/", testSpecURL, "x").ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/reference", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `src="/reference/assets/`) {
		t.Errorf("status %d, page:\n%s", rec.Code, rec.Body.String())
	}
}

// TestEmbeddedBundle guards against a truncated or placeholder bundle, and
// against the script and assets/VERSION disagreeing on what is vendored.
func TestEmbeddedBundle(t *testing.T) {
	t.Parallel()
	loadAssets()
	js := assets[scriptAsset].body
	if len(js) < 1<<20 {
		t.Errorf("%s is %d bytes; the Elements bundle is about 2 MB", scriptAsset, len(js))
	}
	if !bytes.Contains(js, []byte(`customElements.define("elements-api"`)) {
		t.Errorf("%s does not define the elements-api custom element", scriptAsset)
	}
	if css := assets[styleAsset].body; len(css) < 100<<10 || !bytes.Contains(css, []byte(".sl-")) {
		t.Errorf("%s (%d bytes) does not look like the Elements stylesheet", styleAsset, len(css))
	}
	if lic := assets["LICENSE"]; lic == nil || !bytes.Contains(lic.body, []byte("Apache License")) {
		t.Error("assets/LICENSE is missing or not the Apache licence")
	}

	script, err := os.ReadFile("../scripts/update-docsui.sh")
	if err != nil {
		t.Fatal(err)
	}
	vf := string(assets["VERSION"].body)
	for _, key := range []string{"name", "version", "integrity"} {
		m := regexp.MustCompile(`(?m)^` + key + `=(.+)$`).FindStringSubmatch(vf)
		if m == nil {
			t.Errorf("assets/VERSION lacks %s", key)
			continue
		}
		if !strings.Contains(string(script), strings.ToUpper(key)+"='"+m[1]+"'") {
			t.Errorf("scripts/update-docsui.sh does not pin %s=%s as assets/VERSION does", key, m[1])
		}
	}
}
