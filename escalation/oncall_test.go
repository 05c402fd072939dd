package escalation

import (
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// TestNewRoutes reads each organisation's on_call and msk tables as the
// configuration file's decoder (cmd/ohcontact) hands them over; unknown
// keys, and naming the organisation, are its business.
func TestNewRoutes(t *testing.T) {
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
`, wantErr: "msk.on_call_mobile is not a mobile number"},
		{name: "impossible number", file: `
[[organisations]]
code = "RX1"
  [organisations.on_call]
  mobile = "+1 (555) 123"
`, wantErr: "on_call.mobile is not a real phone number"},
		{name: "landline", file: `
[[organisations]]
code = "RX1"
  [organisations.on_call]
  mobile = "020 7946 0000"
`, wantErr: "on_call.mobile is not a mobile number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var file struct {
				Organisations []struct {
					Code   string       `toml:"code"`
					OnCall OnCallConfig `toml:"on_call"`
					MSK    MSKConfig    `toml:"msk"`
				} `toml:"organisations"`
			}
			if _, err := toml.Decode(tt.file, &file); err != nil {
				t.Fatal(err)
			}
			got := map[string]Routes{}
			var err error
			for _, o := range file.Organisations {
				if got[o.Code], err = NewRoutes(o.OnCall, o.MSK); err != nil {
					break
				}
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NewRoutes = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got["RX1"] != tt.want || got["RX2"] != (Routes{}) {
				t.Fatalf("NewRoutes = %v, %v, want RX1 %+v and RX2 none", got, err, tt.want)
			}
		})
	}
}
