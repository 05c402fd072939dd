package escalation

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadRoutes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file string
		want       Routes // RX1's
		wantErr    string
	}{
		{name: "one of two organisations", file: `
[[organisations]]
code = "RX1"
  [organisations.on_call]
  mobile = "+447700900900"
[[organisations]]
code = "RX2"
`, want: Routes{OnCall: "+447700900900"}},
		{name: "national form", file: `
[[organisations]]
code = "RX1"
  [organisations.on_call]
  mobile = "07700 900900"
`, want: Routes{OnCall: "+447700900900"}},
		{name: "physio team", file: `
[[organisations]]
code = "RX1"
  [organisations.msk]
  on_call_mobile = "07700 900998"
  referral_sla_working_days = 3
`, want: Routes{MSKOnCall: "+447700900998", ReferralWorkingDays: 3}},
		{name: "referral SLA out of range", file: `
[[organisations]]
code = "RX1"
  [organisations.msk]
  referral_sla_working_days = 0
`, wantErr: "msk.referral_sla_working_days must be 1 to 10"},
		{name: "MSK landline", file: `
[[organisations]]
code = "RX1"
  [organisations.msk]
  on_call_mobile = "020 7946 0000"
`, wantErr: "organisation RX1: msk.on_call_mobile is not a mobile number"},
		{name: "misspelt MSK key", file: `
[[organisations]]
code = "RX1"
  [organisations.msk]
  referral_sla_days = 2
`, wantErr: "unknown key organisations.msk.referral_sla_days"},
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
			got, err := LoadRoutes(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("LoadRoutes = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got["RX1"] != tt.want || got["RX2"] != (Routes{}) {
				t.Fatalf("LoadRoutes = %v, %v, want RX1 %+v and RX2 none", got, err, tt.want)
			}
		})
	}
}
