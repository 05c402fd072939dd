package console

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"
)

// asset is an embedded file served under /console/static/. Browsers
// revalidate it (ETag) rather than keep a stale copy after an upgrade.
type asset struct {
	name, contentType, etag string
	body                    []byte
}

func newAsset(name, contentType string) asset {
	body, _ := files.ReadFile("static/" + name) // embedded with the binary, so always there
	sum := sha256.Sum256(body)
	return asset{name: name, contentType: contentType, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, body: body}
}

var (
	stylesheet = newAsset("console.css", "text/css; charset=utf-8")
	// script is the queue and case pages' live updates and the campaign
	// page's progress; every page works without it.
	script = newAsset("console.js", "text/javascript; charset=utf-8")
)

// serve handles GET /console/static/NAME.
func (a asset) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", a.etag)
	w.Header().Set("Content-Type", a.contentType)
	http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(a.body))
}
