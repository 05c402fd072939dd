package webchat

import (
	"fmt"
	"net/url"
	"strings"
)

// WidgetConfig is an organisation's [organisations.widget] table in the
// service's configuration file (OHCONTACT_CONFIG): the intranet origins
// allowed to open its chat.
//
//	[[organisations]]
//	code = "RTD"
//	  [organisations.widget]
//	  allowed_origins = ["https://intranet.example.nhs.uk"]
//
// The secret that signs identity tokens is not in the file: it comes from
// the environment (OHCONTACT_WIDGET_SECRETS). An organisation with no
// origins or no secret has no web chat.
type WidgetConfig struct {
	AllowedOrigins []string `toml:"allowed_origins"`
}

// Origins returns the allowed origins, each as Origin gives it, or an error
// naming the key and the first that is not an http(s) origin.
func (c WidgetConfig) Origins() ([]string, error) {
	var out []string
	for _, origin := range c.AllowedOrigins {
		clean, err := Origin(origin)
		if err != nil {
			return nil, fmt.Errorf("widget.allowed_origins: %w", err)
		}
		out = append(out, clean)
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
