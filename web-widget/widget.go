// Package widget serves the intranet web-chat widget, widget.js, and the
// mock intranet page demo mode shows it on.
//
// widget.js is plain JavaScript committed as source (no build step); the
// server puts the widget's words in every language into it when it starts
// (Script). An intranet page embeds it with
//
//	<script src="https://OHCONTACT/widget.js" data-org="CODE" data-token="OPTIONAL_IDENTITY_TOKEN" data-lang="OPTIONAL_LANG" async></script>
//
// and it talks to the websocket at /ws/chat beside it (package webchat).
package widget

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/ohcontact/ohcontact/locales"
)

//go:embed widget.js
var source []byte

//go:embed intranet.html
var intranetHTML string

var intranetPage = template.Must(template.New("intranet.html").Parse(intranetHTML))

// wordsMark is where widget.js takes its words: Script puts them there.
const wordsMark = "/*ohcontact:words*/{}"

// Script returns widget.js as served: its source with the widget's words
// in every language of the locale files built in, so that one home holds
// every translation. The words are the "widget_" messages without the
// prefix, {{.Field}} placeholders left for the widget to fill, a plural
// message as its CLDR forms ({"one": …, "other": …}); and "notice", the
// 24/7 notice the widget shows until the server sends the organisation's,
// which notice gives for a language.
func Script(notice func(lang string) string) ([]byte, error) {
	words := map[string]map[string]any{}
	for _, lang := range locales.Languages {
		data, err := locales.File(lang)
		if err != nil {
			return nil, err
		}
		mf, err := i18n.ParseMessageFileBytes(data, lang+".toml", map[string]i18n.UnmarshalFunc{"toml": toml.Unmarshal})
		if err != nil {
			return nil, fmt.Errorf("widget: %w", err)
		}
		w := map[string]any{}
		for _, m := range mf.Messages {
			id, ok := strings.CutPrefix(m.ID, "widget_")
			switch {
			case !ok || id == "notice":
			case m.One != "" || m.Few != "" || m.Many != "":
				forms := map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other}
				for k, v := range forms {
					if v == "" {
						delete(forms, k)
					}
				}
				w[id] = forms
			default:
				w[id] = m.Other
			}
		}
		w["notice"] = notice(lang)
		words[lang] = w
	}
	js, err := json.Marshal(words)
	if err != nil {
		return nil, fmt.Errorf("widget: %w", err)
	}
	if bytes.Count(source, []byte(wordsMark)) != 1 {
		return nil, fmt.Errorf("widget: widget.js has no single %s", wordsMark)
	}
	return bytes.Replace(source, []byte(wordsMark), js, 1), nil
}

// Handler returns the handler for GET (and HEAD) /widget.js, wherever it is
// mounted: script (from Script) as text/javascript, gzipped when the client
// accepts it, with a strong ETag per encoding (If-None-Match gets 304 Not
// Modified) and five minutes of public caching, so a new version reaches
// intranet pages within minutes of a deploy.
func Handler(script []byte) http.Handler {
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression) // the level is valid
	zw.Write(script)
	zw.Close()
	sum := sha256.Sum256(script)
	tag := hex.EncodeToString(sum[:16])
	return &scriptHandler{
		plain:     script,
		gzipped:   gz.Bytes(),
		plainETag: `"` + tag + `"`,
		gzipETag:  `"` + tag + `-gzip"`,
	}
}

type scriptHandler struct {
	plain, gzipped      []byte
	plainETag, gzipETag string
}

func (s *scriptHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("X-Content-Type-Options", "nosniff")
	// Intranet pages on other origins load it; this keeps working for
	// those that set Cross-Origin-Embedder-Policy.
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	h.Add("Vary", "Accept-Encoding")
	body, etag := s.plain, s.plainETag
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, etag = s.gzipped, s.gzipETag
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	// ServeContent answers If-None-Match, HEAD and ranges.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether an Accept-Encoding header value allows gzip:
// it names gzip, or * without naming gzip, without q=0.
func acceptsGzip(header string) bool {
	gzipOK, starOK := -1, -1 // -1 not named, 0 refused, 1 accepted
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		ok := 1
		if q, found := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); found && strings.Trim(q, "0.") == "" {
			ok = 0
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "gzip":
			gzipOK = ok
		case "*":
			starOK = ok
		}
	}
	if gzipOK >= 0 {
		return gzipOK == 1
	}
	return starOK == 1
}

// IntranetData is what the mock intranet page shows.
type IntranetData struct {
	OrgCode string // data-org of the widget's script tag
	OrgName string // the trust's name, in the page's header
	// WidgetSrc is the widget's URL, e.g. "/widget.js" or
	// "http://127.0.0.1:8080/widget.js".
	WidgetSrc string
	// Token is the identity token for data-token; empty browses
	// anonymously.
	Token     string
	StaffName string // who is signed in, when SignedIn
	SignedIn  bool
	// SwitchURL is the page's own path, without a query: the switch links
	// add ?as=staff or ?as=anonymous.
	SwitchURL string
	// Lang is the widget's data-lang, the language its own words start
	// in (en-GB, cy or pl); empty leaves them to the page's lang.
	Lang string
}

// RenderIntranet writes the mock intranet page for demo mode
// (/demo/intranet): a plain NHS trust intranet page with a switch between
// signed in and anonymous, and the widget's script tag (with data-lang when
// Lang is set). The caller sets
// Content-Type to text/html and, because the page carries a single-use
// token, Cache-Control: no-store.
func RenderIntranet(w io.Writer, d IntranetData) error {
	return intranetPage.Execute(w, d)
}
