package docsui

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
)

// The vendored files are written by scripts/update-docsui.sh; do not edit them by hand.
//
//go:embed assets
var assetFS embed.FS

// Names of the entry points of the bundle, under assets/.
const (
	scriptAsset = "web-components.min.js"
	styleAsset  = "styles.min.css"
)

// assetTypes maps file extensions to Content-Type. A fixed table, rather than
// mime.TypeByExtension, so that the answer does not depend on the host's
// /etc/mime.types.
var assetTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".txt": "text/plain; charset=utf-8",
	"":     "text/plain; charset=utf-8", // LICENSE, VERSION
}

// asset is one embedded file, with its gzip form made on first use.
type asset struct {
	body        []byte
	contentType string
	etag        string

	gzipOnce sync.Once
	gzipBody []byte // nil when compression does not pay
}

func (a *asset) gzipped() []byte {
	a.gzipOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(a.body) // writes to a bytes.Buffer cannot fail
		_ = zw.Close()
		if buf.Len() < len(a.body)*9/10 {
			a.gzipBody = buf.Bytes()
		}
	})
	return a.gzipBody
}

var (
	loadOnce sync.Once
	assets   map[string]*asset // by file name under assets/
	version  string            // the bundle's version, from assets/VERSION
)

// loadAssets indexes the embedded files. It panics if the embedded tree is
// malformed, which can only happen when assets/ was edited by hand.
func loadAssets() {
	loadOnce.Do(func() {
		assets = map[string]*asset{}
		entries, err := fs.ReadDir(assetFS, "assets")
		if err != nil {
			panic(fmt.Sprintf("docsui: read embedded assets: %v", err))
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			body, err := assetFS.ReadFile("assets/" + e.Name())
			if err != nil {
				panic(fmt.Sprintf("docsui: read embedded %s: %v", e.Name(), err))
			}
			ct, ok := assetTypes[path.Ext(e.Name())]
			if !ok {
				ct = "application/octet-stream"
			}
			sum := sha256.Sum256(body)
			assets[e.Name()] = &asset{
				body:        body,
				contentType: ct,
				etag:        base64.RawURLEncoding.EncodeToString(sum[:16]),
			}
		}
		for _, name := range []string{scriptAsset, styleAsset, "VERSION"} {
			if assets[name] == nil {
				panic("docsui: embedded assets lack " + name + "; run scripts/update-docsui.sh")
			}
		}
		version = versionField(assets["VERSION"].body)
		if version == "" {
			panic("docsui: assets/VERSION has no version line; run scripts/update-docsui.sh")
		}
	})
}

// versionField returns the value of the "version=" line of a VERSION file.
func versionField(b []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "version="); ok {
			return v
		}
	}
	return ""
}
