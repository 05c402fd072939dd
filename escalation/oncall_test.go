package escalation

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadOnCall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file string
		want       map[string]string
		wantErr    string
	}{
		{name: "one of two organisations", file: `
[[organisations]]
code = "RX1"
  [organisations.on_call]
  mobile = "+447700900900"
[[organisations]]
code = "RX2"
`, want: map[string]string{"RX1": "+447700900900"}},
		{name: "national form", file: `
[[organisations]]
code = "RX1"
  [organisations.on_call]
  mobile = "07700 900900"
`, want: map[string]string{"RX1": "+447700900900"}},
		{name: "impossible number", file: `
[[organisations]]
code = "RX1"
  [organisations.on_call]
  mobile = "+1 (555) 123"
`, wantErr: "organisation RX1: on_call.mobile is not a real phone number"},
		{name: "landline", file: `
[[organisations]]
code = "RX1"
  [organisations.on_call]
  mobile = "020 7946 0000"
`, wantErr: "organisation RX1: on_call.mobile is not a mobile number"},
		{name: "misspelt key", file: `
[[organisations]]
code = "RX1"
  [organisations.on_call]
  mobil = "+447700900900"
`, wantErr: "unknown key organisations.on_call.mobil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "ohcontact.toml")
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := LoadOnCall(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("LoadOnCall = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(got) != len(tt.want) || got["RX1"] != tt.want["RX1"] {
				t.Fatalf("LoadOnCall = %v, %v, want %v", got, err, tt.want)
			}
		})
	}
}
