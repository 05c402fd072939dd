package console

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"
)

var (
	stylesheet, _ = files.ReadFile("static/console.css")
	stylesheetTag = func() string {
		sum := sha256.Sum256(stylesheet)
		return `"` + hex.EncodeToString(sum[:8]) + `"`
	}()
)

// showStylesheet handles GET /console/static/console.css. Browsers
// revalidate it (ETag) rather than keep a stale copy after an upgrade.
func (c *Console) showStylesheet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", stylesheetTag)
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	http.ServeContent(w, r, "console.css", time.Time{}, bytes.NewReader(stylesheet))
}
