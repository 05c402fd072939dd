package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ohcontact/ohcontact/retention"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	const db = "postgres://localhost/ohcontact"
	const sid = "AC0123456789abcdef0123456789abcdef"
	tests := []struct {
		name    string
		env     map[string]string
		wantErr []string // substrings of the error; none means valid
		check   func(t *testing.T, c Config)
	}{
		{
			name: "defaults",
			env:  map[string]string{"DATABASE_URL": db},
			check: func(t *testing.T, c Config) {
				if c.HTTPAddr != "127.0.0.1:8080" || c.PublicBaseURL != "http://127.0.0.1:8080" || !c.Twilio.Simulated() || c.Twilio.SendRate != 10 {
					t.Errorf("defaults = %+v", c)
				}
			},
		},
		{name: "no database", env: map[string]string{}, wantErr: []string{"DATABASE_URL is not set"}},
		{
			name: "web chat limits",
			env: map[string]string{"DATABASE_URL": db, "WEBCHAT_MAX_CONNECTIONS": "5", "WEBCHAT_NEW_CHATS_PER_HOUR": "30",
				"OHCONTACT_TRUSTED_PROXY_HEADER": "X-Forwarded-For"},
			check: func(t *testing.T, c Config) {
				if w := c.WebChat; w.MaxConnections != 5 || w.NewChatsPerHour != 30 || w.TrustedProxyHeader != "X-Forwarded-For" {
					t.Errorf("web chat limits = %+v", w)
				}
			},
		},
		{
			name: "web chat limits invalid",
			env: map[string]string{"DATABASE_URL": db, "WEBCHAT_MAX_CONNECTIONS": "0", "WEBCHAT_NEW_CHATS_PER_HOUR": "many",
				"OHCONTACT_TRUSTED_PROXY_HEADER": "X Forwarded"},
			wantErr: []string{"WEBCHAT_MAX_CONNECTIONS", "WEBCHAT_NEW_CHATS_PER_HOUR", "OHCONTACT_TRUSTED_PROXY_HEADER"},
		},
		{
			name:    "several problems reported together",
			env:     map[string]string{"DATABASE_URL": db, "HTTP_ADDR": "8080", "PUBLIC_BASE_URL": "ftp://x", "LOG_LEVEL": "loud"},
			wantErr: []string{"HTTP_ADDR", "PUBLIC_BASE_URL", "LOG_LEVEL"},
		},
		{name: "pool size not a number", env: map[string]string{"DATABASE_URL": db, "DATABASE_MAX_CONNS": "lots"}, wantErr: []string{"DATABASE_MAX_CONNS"}},
		{
			name:    "twilio token without account",
			env:     map[string]string{"DATABASE_URL": db, "TWILIO_AUTH_TOKEN": "x"},
			wantErr: []string{"TWILIO_ACCOUNT_SID is not set"},
		},
		{
			name:    "twilio account without token or sender",
			env:     map[string]string{"DATABASE_URL": db, "TWILIO_ACCOUNT_SID": sid},
			wantErr: []string{"TWILIO_AUTH_TOKEN", "TWILIO_FROM"},
		},
		{
			name:    "twilio sender not E.164",
			env:     map[string]string{"DATABASE_URL": db, "TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": "tok-secret-123", "TWILIO_FROM": "07700900123"},
			wantErr: []string{"E.164"},
		},
		{
			name: "twilio with messaging service",
			env: map[string]string{"DATABASE_URL": db, "TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": "t",
				"TWILIO_MESSAGING_SERVICE_SID": "MG0123456789abcdef0123456789abcdef", "PUBLIC_BASE_URL": "https://oh.example.nhs.uk/"},
			check: func(t *testing.T, c Config) {
				if c.Twilio.Simulated() || c.PublicBaseURL != "https://oh.example.nhs.uk" {
					t.Errorf("config = %+v", c)
				}
			},
		},
		{
			name:    "twilio token with characters twilio-go refuses",
			env:     map[string]string{"DATABASE_URL": db, "TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": "tok-secret-123", "TWILIO_FROM": "+447700900999"},
			wantErr: []string{"letters and digits"},
		},
		{
			name: "sending rate",
			env:  map[string]string{"DATABASE_URL": db, "TWILIO_SEND_RATE": "2.5"},
			check: func(t *testing.T, c Config) {
				if c.Twilio.SendRate != 2.5 {
					t.Errorf("SendRate = %v, want 2.5", c.Twilio.SendRate)
				}
			},
		},
		{name: "sending rate of zero", env: map[string]string{"DATABASE_URL": db, "TWILIO_SEND_RATE": "0"}, wantErr: []string{"TWILIO_SEND_RATE"}},
		{
			name: "widget secrets",
			env:  map[string]string{"DATABASE_URL": db, "OHCONTACT_WIDGET_SECRETS": "RX1=0123456789abcdef0123456789abcdef, RX2=fedcba9876543210fedcba9876543210"},
			check: func(t *testing.T, c Config) {
				if len(c.WidgetSecrets) != 2 || string(c.WidgetSecrets["RX2"]) != "fedcba9876543210fedcba9876543210" {
					t.Errorf("WidgetSecrets = %q", c.WidgetSecrets)
				}
			},
		},
		{name: "short widget secret", env: map[string]string{"DATABASE_URL": db, "OHCONTACT_WIDGET_SECRETS": "RX1=short"}, wantErr: []string{"shorter than 32"}},
		{name: "missing config file", env: map[string]string{"DATABASE_URL": db, "OHCONTACT_CONFIG": "/nonexistent/oh.toml"}, wantErr: []string{"OHCONTACT_CONFIG"}},
		{
			name: "metrics defaults: this machine only, no token",
			env:  map[string]string{"DATABASE_URL": db},
			check: func(t *testing.T, c Config) {
				if fmt.Sprint(c.Metrics.Allow) != "[127.0.0.1/32 ::1/128]" || c.Metrics.Token != "" {
					t.Errorf("Metrics = %+v", c.Metrics)
				}
			},
		},
		{
			name: "metrics networks and token",
			env: map[string]string{"DATABASE_URL": db, "METRICS_ALLOW": "10.20.0.0/16, 10.30.1.7/32,fd00::/8, 192.168.1.1/24",
				"METRICS_TOKEN": "0123456789abcdef0123456789abcdef"},
			check: func(t *testing.T, c Config) {
				if fmt.Sprint(c.Metrics.Allow) != "[10.20.0.0/16 10.30.1.7/32 fd00::/8 192.168.1.0/24]" || c.Metrics.Token != "0123456789abcdef0123456789abcdef" {
					t.Errorf("Metrics = %+v", c.Metrics)
				}
			},
		},
		{name: "metrics network without a prefix length", env: map[string]string{"DATABASE_URL": db, "METRICS_ALLOW": "10.20.0.5"}, wantErr: []string{"METRICS_ALLOW", "10.20.0.5"}},
		{name: "metrics network not an address", env: map[string]string{"DATABASE_URL": db, "METRICS_ALLOW": "127.0.0.1/32,prometheus.internal/32"}, wantErr: []string{"METRICS_ALLOW", "prometheus.internal"}},
		{name: "short metrics token", env: map[string]string{"DATABASE_URL": db, "METRICS_TOKEN": "tok-secret-123"}, wantErr: []string{"METRICS_TOKEN is shorter than 32"}},
		{
			name: "retention defaults",
			env:  map[string]string{"DATABASE_URL": db},
			check: func(t *testing.T, c Config) {
				if c.Retention != (retention.Policy{PersonalDataMonths: 18, CaseMonths: 72, AuditMonths: 96}) {
					t.Errorf("Retention = %+v", c.Retention)
				}
			},
		},
		{
			name: "retention periods",
			env:  map[string]string{"DATABASE_URL": db, "RETENTION_PERSONAL_DATA": "24mo", "RETENTION_CASES": "8y", "RETENTION_AUDIT": "10y"},
			check: func(t *testing.T, c Config) {
				if c.Retention != (retention.Policy{PersonalDataMonths: 24, CaseMonths: 96, AuditMonths: 120}) {
					t.Errorf("Retention = %+v", c.Retention)
				}
			},
		},
		{
			name:    "retention periods without a unit, or zero, or too long",
			env:     map[string]string{"DATABASE_URL": db, "RETENTION_PERSONAL_DATA": "18", "RETENTION_CASES": "0y", "RETENTION_AUDIT": "101y"},
			wantErr: []string{`RETENTION_PERSONAL_DATA="18"`, `RETENTION_CASES="0y"`, `RETENTION_AUDIT="101y"`},
		},
		{
			name: "trusted proxy header",
			env:  map[string]string{"DATABASE_URL": db, "OHCONTACT_TRUSTED_PROXY_HEADER": "x-forwarded-for"},
			check: func(t *testing.T, c Config) {
				if c.TrustedProxyHeader != "X-Forwarded-For" {
					t.Errorf("TrustedProxyHeader = %q, want X-Forwarded-For", c.TrustedProxyHeader)
				}
			},
		},
		{name: "trusted proxy header not a name", env: map[string]string{"DATABASE_URL": db, "OHCONTACT_TRUSTED_PROXY_HEADER": "X-Forwarded-For: 1.2.3.4"}, wantErr: []string{"OHCONTACT_TRUSTED_PROXY_HEADER"}},
		{name: "retention in days", env: map[string]string{"DATABASE_URL": db, "RETENTION_PERSONAL_DATA": "540d"}, wantErr: []string{"RETENTION_PERSONAL_DATA"}},
		{
			name:    "audit trail kept less long than cases",
			env:     map[string]string{"DATABASE_URL": db, "RETENTION_CASES": "10y"},
			wantErr: []string{"RETENTION_AUDIT (96 months) is shorter than RETENTION_CASES (120 months)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := loadConfig(func(k string) string { return tt.env[k] })
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if tt.check != nil {
					tt.check(t, cfg)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one mentioning %q", tt.wantErr)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if tok := tt.env["TWILIO_AUTH_TOKEN"]; len(tok) > 3 && strings.Contains(err.Error(), tok) {
				t.Errorf("error echoes the auth token: %q", err)
			}
			if tok := tt.env["METRICS_TOKEN"]; len(tok) > 3 && strings.Contains(err.Error(), tok) {
				t.Errorf("error echoes the metrics token: %q", err)
			}
		})
	}
}
