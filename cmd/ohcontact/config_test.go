package main

import (
	"strings"
	"testing"
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
		})
	}
}
