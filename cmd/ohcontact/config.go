package main

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/ohcontact/ohcontact/channels/sms"
	"github.com/ohcontact/ohcontact/channels/webchat"
	"github.com/ohcontact/ohcontact/metrics"
	"github.com/ohcontact/ohcontact/phone"
	"github.com/ohcontact/ohcontact/retention"
)

// Config is the service's configuration, read from the environment, and
// the file OHCONTACT_CONFIG names, once in main and passed down. README.md
// has the table of variables.
type Config struct {
	DatabaseURL      string // DATABASE_URL
	DatabaseMaxConns int32  // DATABASE_MAX_CONNS
	HTTPAddr         string // HTTP_ADDR
	PublicBaseURL    string // PUBLIC_BASE_URL, without a trailing slash
	LogLevel         slog.Level

	// InboundBatches is how many transactions of inbound messages run at
	// once (INBOUND_BATCHES); 0 means one per CPU (dialogs.Runner.Batches).
	InboundBatches int

	// Twilio is how texts are sent (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
	// TWILIO_FROM, TWILIO_MESSAGING_SERVICE_SID, TWILIO_API_BASE_URL,
	// TWILIO_SEND_RATE).
	Twilio sms.TwilioConfig

	// WidgetSecrets are the per-organisation secrets that sign web chat
	// identity tokens and sessions, by organisation code
	// (OHCONTACT_WIDGET_SECRETS="RTD=…,RX1=…").
	WidgetSecrets map[string][]byte

	// ConfigFile is the path of the organisations, signposting and trigger
	// rules file (OHCONTACT_CONFIG); empty means the built-in demo
	// organisation.
	ConfigFile string
	// File is ConfigFile decoded, once, here; its zero value without one.
	File configFile

	// Metrics says who may read GET /metrics: the networks in METRICS_ALLOW
	// and holders of METRICS_TOKEN.
	Metrics metrics.Access

	// Retention is how long records are kept (RETENTION_PERSONAL_DATA,
	// RETENTION_CASES, RETENTION_AUDIT).
	Retention retention.Policy

	// WebChat bounds what one web chat client may do on one instance
	// (WEBCHAT_MAX_CONNECTIONS, WEBCHAT_NEW_CHATS_PER_HOUR); its
	// TrustedProxyHeader is TrustedProxyHeader.
	WebChat webchat.Limits
	// TrustedProxyHeader names the header in which the reverse proxy in
	// front of the service puts the client's address, last
	// (OHCONTACT_TRUSTED_PROXY_HEADER, X-Forwarded-For say); empty: the
	// console's sign-in throttles and the web chat's client limits count
	// per peer address and believe no header.
	TrustedProxyHeader string
}

// defaultSendRate is Twilio's usual rate for a UK long code; a Messaging
// Service with several numbers or a short code allows more.
const defaultSendRate = 10

// defaultMetricsAllow is who may read /metrics unless METRICS_ALLOW says
// otherwise: this machine only.
const defaultMetricsAllow = "127.0.0.1/32,::1/128"

var (
	twilioSID    = regexp.MustCompile(`^AC[0-9a-f]{32}$`)
	twilioMGSID  = regexp.MustCompile(`^MG[0-9a-f]{32}$`)
	alphanumeric = regexp.MustCompile(`^[0-9A-Za-z]+$`)
	headerName   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,63}$`)
	// retentionPeriod is a whole number of months ("18mo") or years ("6y").
	retentionPeriod = regexp.MustCompile(`^([1-9][0-9]{0,3})(mo|y)$`)
)

// loadConfig reads the configuration from getenv, and the file
// OHCONTACT_CONFIG names (readConfigFile), and validates it. Every problem
// is reported at once, each naming its variable or its place in the file.
func loadConfig(getenv func(string) string) (Config, error) {
	cfg := Config{
		DatabaseURL:   getenv("DATABASE_URL"),
		HTTPAddr:      cmp.Or(getenv("HTTP_ADDR"), "127.0.0.1:8080"),
		PublicBaseURL: strings.TrimSuffix(getenv("PUBLIC_BASE_URL"), "/"),
		ConfigFile:    getenv("OHCONTACT_CONFIG"),
		Twilio: sms.TwilioConfig{
			AccountSID:          getenv("TWILIO_ACCOUNT_SID"),
			AuthToken:           getenv("TWILIO_AUTH_TOKEN"),
			From:                getenv("TWILIO_FROM"),
			MessagingServiceSID: getenv("TWILIO_MESSAGING_SERVICE_SID"),
			APIBaseURL:          strings.TrimSuffix(getenv("TWILIO_API_BASE_URL"), "/"),
			SendRate:            defaultSendRate,
		},
		Metrics:   metrics.Access{Token: getenv("METRICS_TOKEN")},
		Retention: retention.DefaultPolicy,
	}
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }

	if cfg.DatabaseURL == "" {
		bad("DATABASE_URL is not set (a PostgreSQL URL such as postgres://user@host:5432/ohcontact)")
	}
	if v := getenv("DATABASE_MAX_CONNS"); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 1 || n > 1000 {
			bad("DATABASE_MAX_CONNS=%q is not a whole number from 1 to 1000", v)
		}
		cfg.DatabaseMaxConns = int32(n)
	}
	if v := getenv("INBOUND_BATCHES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			bad("INBOUND_BATCHES=%q is not a whole number from 1 to 100", v)
		}
		cfg.InboundBatches = n
	}
	if _, _, err := net.SplitHostPort(cfg.HTTPAddr); err != nil {
		bad("HTTP_ADDR=%q is not host:port", cfg.HTTPAddr)
	}
	if cfg.PublicBaseURL == "" {
		cfg.PublicBaseURL = "http://" + cfg.HTTPAddr
	} else if !isHTTPURL(cfg.PublicBaseURL) {
		bad("PUBLIC_BASE_URL=%q is not an http(s) URL", cfg.PublicBaseURL)
	}
	if v := getenv("OHCONTACT_TRUSTED_PROXY_HEADER"); v != "" {
		if !headerName.MatchString(v) {
			bad("OHCONTACT_TRUSTED_PROXY_HEADER=%q is not a header name (such as X-Forwarded-For)", v)
		}
		cfg.TrustedProxyHeader = http.CanonicalHeaderKey(v)
		cfg.WebChat.TrustedProxyHeader = cfg.TrustedProxyHeader
	}
	if err := cfg.LogLevel.UnmarshalText([]byte(cmp.Or(getenv("LOG_LEVEL"), "info"))); err != nil {
		bad("LOG_LEVEL=%q is not one of debug, info, warn, error", getenv("LOG_LEVEL"))
	}
	cfg.WidgetSecrets = map[string][]byte{}
	for _, pair := range strings.Split(getenv("OHCONTACT_WIDGET_SECRETS"), ",") {
		code, secret, ok := strings.Cut(strings.TrimSpace(pair), "=")
		switch {
		case pair == "":
		case !ok || code == "":
			bad("OHCONTACT_WIDGET_SECRETS: an entry is not CODE=SECRET")
		case len(secret) < 32:
			bad("OHCONTACT_WIDGET_SECRETS: the secret for %s is shorter than 32 characters", code)
		default:
			cfg.WidgetSecrets[code] = []byte(secret)
		}
	}
	if cfg.ConfigFile != "" {
		var err error
		var unreadable *fs.PathError
		if cfg.File, err = readConfigFile(cfg.ConfigFile); errors.As(err, &unreadable) {
			bad("OHCONTACT_CONFIG=%q cannot be read: %v", cfg.ConfigFile, err)
		} else {
			problems = append(problems, each("OHCONTACT_CONFIG: ", err)...)
		}
	}
	for _, network := range strings.Split(cmp.Or(getenv("METRICS_ALLOW"), defaultMetricsAllow), ",") {
		network = strings.TrimSpace(network)
		if network == "" {
			continue
		}
		p, err := netip.ParsePrefix(network)
		if err != nil {
			bad("METRICS_ALLOW: %q is not a network in CIDR notation (such as 10.20.0.0/16, or 10.20.0.5/32 for one address)", network)
			continue
		}
		cfg.Metrics.Allow = append(cfg.Metrics.Allow, p.Masked())
	}
	if t := cfg.Metrics.Token; t != "" && len(t) < 32 {
		bad("METRICS_TOKEN is shorter than 32 characters")
	}
	for _, r := range []struct {
		name   string
		months *int
	}{
		{"RETENTION_PERSONAL_DATA", &cfg.Retention.PersonalDataMonths},
		{"RETENTION_CASES", &cfg.Retention.CaseMonths},
		{"RETENTION_AUDIT", &cfg.Retention.AuditMonths},
	} {
		v := getenv(r.name)
		if v == "" {
			continue
		}
		n, ok := parseMonths(v)
		if !ok {
			bad("%s=%q is not a period such as 18mo or 6y (whole months or years, 1 month to 100 years)", r.name, v)
			continue
		}
		*r.months = n
	}
	if ret := cfg.Retention; ret.AuditMonths < ret.CaseMonths {
		bad("RETENTION_AUDIT (%d months) is shorter than RETENTION_CASES (%d months): a case's audit trail would go before the case",
			ret.AuditMonths, ret.CaseMonths)
	}

	for _, l := range []struct {
		name string
		n    *int
	}{
		{"WEBCHAT_MAX_CONNECTIONS", &cfg.WebChat.MaxConnections},
		{"WEBCHAT_NEW_CHATS_PER_HOUR", &cfg.WebChat.NewChatsPerHour},
	} {
		if v := getenv(l.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 100000 {
				bad("%s=%q is not a whole number from 1 to 100000", l.name, v)
			}
			*l.n = n
		}
	}

	tw := cfg.Twilio
	switch {
	case tw.AccountSID == "" && (tw.AuthToken != "" || tw.From != "" || tw.MessagingServiceSID != ""):
		bad("TWILIO_ACCOUNT_SID is not set but other TWILIO_ variables are: set it, or unset them all to use the phone simulator")
	case tw.AccountSID != "":
		if !twilioSID.MatchString(tw.AccountSID) {
			bad("TWILIO_ACCOUNT_SID is not an account SID (AC followed by 32 hex digits)")
		}
		if tw.AuthToken == "" {
			bad("TWILIO_AUTH_TOKEN is not set (needed to send SMS and to check Twilio's webhook signatures)")
		} else if !alphanumeric.MatchString(tw.AuthToken) {
			bad("TWILIO_AUTH_TOKEN has characters other than letters and digits (twilio-go refuses such tokens)")
		}
		switch {
		case tw.From == "" && tw.MessagingServiceSID == "":
			bad("set TWILIO_FROM (a number in E.164) or TWILIO_MESSAGING_SERVICE_SID")
		case tw.From != "" && tw.MessagingServiceSID != "":
			bad("set only one of TWILIO_FROM and TWILIO_MESSAGING_SERVICE_SID")
		case tw.From != "" && !phone.IsE164(tw.From):
			bad("TWILIO_FROM is not a phone number in E.164 (such as +447700900123)")
		case tw.From != "":
			if _, err := phone.Parse(tw.From); err != nil {
				bad("TWILIO_FROM is %v", err)
			}
		case tw.MessagingServiceSID != "" && !twilioMGSID.MatchString(tw.MessagingServiceSID):
			bad("TWILIO_MESSAGING_SERVICE_SID is not a Messaging Service SID (MG followed by 32 hex digits)")
		}
	}
	if v := getenv("TWILIO_SEND_RATE"); v != "" {
		rate, err := strconv.ParseFloat(v, 64)
		if err != nil || !(rate >= 0.01 && rate <= 1000) {
			bad("TWILIO_SEND_RATE=%q is not a number of texts a second from 0.01 to 1000", v)
		}
		cfg.Twilio.SendRate = rate
	}
	if tw.APIBaseURL != "" && !isHTTPURL(tw.APIBaseURL) {
		bad("TWILIO_API_BASE_URL=%q is not an http(s) URL", tw.APIBaseURL)
	}
	return cfg, errors.Join(problems...)
}

// parseMonths reads a retention period, "18mo" or "6y", as months. It
// reports false for anything else, and for more than 100 years.
func parseMonths(v string) (int, bool) {
	m := retentionPeriod.FindStringSubmatch(v)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	if m[2] == "y" {
		n *= 12
	}
	return n, n <= 1200
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
