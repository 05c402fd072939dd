package webchat

import (
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/BurntSushi/toml"
)

// LoadOrigins reads, from the service's configuration file
// (OHCONTACT_CONFIG), the intranet origins each organisation allows to open
// the chat, keyed by organisation code:
//
//	[[organisations]]
//	code = "RTD"
//	  [organisations.widget]
//	  allowed_origins = ["https://intranet.example.nhs.uk"]
//
// The secret that signs identity tokens is not in the file: it comes from
// the environment (OHCONTACT_WIDGET_SECRETS). An organisation with no
// origins or no secret has no web chat.
func LoadOrigins(path string) (map[string][]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var file struct {
		Organisations []struct {
			Code   string `toml:"code"`
			Widget struct {
				AllowedOrigins []string `toml:"allowed_origins"`
			} `toml:"widget"`
		} `toml:"organisations"`
	}
	if _, err := toml.Decode(string(data), &file); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := map[string][]string{}
	for _, o := range file.Organisations {
		for _, origin := range o.Widget.AllowedOrigins {
			clean, err := Origin(origin)
			if err != nil {
				return nil, fmt.Errorf("%s: organisation %s: widget.allowed_origins: %w", path, o.Code, err)
			}
			out[o.Code] = append(out[o.Code], clean)
		}
	}
	return out, nil
}

// Origin returns the origin (scheme://host[:port], lower case) of an http(s)
// URL, as browsers send it in the Origin header.
func Origin(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not an http(s) origin", rawURL)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}
