package escalation

import (
	"fmt"
	"os"

	"github.com/BurntSushi/toml"

	"github.com/ohcontact/ohcontact/phone"
)

// Routes are an organisation's routes for work nobody has picked up, and
// its referral SLA.
type Routes struct {
	// OnCall is texted whenever a case passes its SLA unclaimed
	// (SLAChecks), in E.164 form; empty for none: the organisation relies
	// on its on-duty clinicians alone.
	OnCall string
	// MSKOnCall is texted whenever a referral passes its SLA without being
	// acted on (ReferralSLAChecks); empty for none: the physio worklist's
	// banner alone.
	MSKOnCall string
	// ReferralWorkingDays is the referral SLA; 0 for the default
	// (DefaultReferralWorkingDays).
	ReferralWorkingDays int
}

// LoadRoutes reads each organisation's Routes, keyed by organisation code,
// from the service's configuration file (OHCONTACT_CONFIG):
//
//	[[organisations]]
//	code = "RTD"
//	  [organisations.on_call]
//	  mobile = "+447700900999"
//	  [organisations.msk]
//	  on_call_mobile = "+447700900998"
//	  referral_sla_working_days = 2
//
// Each number must be a mobile (phone.Mobile), written in any form it
// reads, and is returned in E.164 form. An unknown key in on_call or msk
// is an error (a misspelt key would silently leave an organisation without
// its route), as is an SLA outside 1 to 10 working days.
func LoadRoutes(path string) (map[string]Routes, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var file struct {
		Organisations []struct {
			Code   string `toml:"code"`
			OnCall struct {
				Mobile string `toml:"mobile"`
			} `toml:"on_call"`
			MSK struct {
				OnCallMobile string `toml:"on_call_mobile"`
				WorkingDays  *int   `toml:"referral_sla_working_days"`
			} `toml:"msk"`
		} `toml:"organisations"`
	}
	md, err := toml.Decode(string(data), &file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, k := range md.Undecoded() {
		switch {
		case len(k) >= 2 && k[0] == "organisations" && k[1] == "on_call":
			return nil, fmt.Errorf("%s: unknown key %s (on_call has only mobile)", path, k)
		case len(k) >= 2 && k[0] == "organisations" && k[1] == "msk":
			return nil, fmt.Errorf("%s: unknown key %s (msk has on_call_mobile and referral_sla_working_days)", path, k)
		}
	}
	mobile := func(code, key, v string) (string, error) {
		if v == "" {
			return "", nil
		}
		m, err := phone.Mobile(v)
		if err != nil {
			return "", fmt.Errorf("%s: organisation %s: %s is %w; write it like +447700900999", path, code, key, err)
		}
		return m, nil
	}
	out := map[string]Routes{}
	for _, o := range file.Organisations {
		var r Routes
		if r.OnCall, err = mobile(o.Code, "on_call.mobile", o.OnCall.Mobile); err != nil {
			return nil, err
		}
		if r.MSKOnCall, err = mobile(o.Code, "msk.on_call_mobile", o.MSK.OnCallMobile); err != nil {
			return nil, err
		}
		if d := o.MSK.WorkingDays; d != nil {
			if *d < 1 || *d > 10 {
				return nil, fmt.Errorf("%s: organisation %s: msk.referral_sla_working_days must be 1 to 10", path, o.Code)
			}
			r.ReferralWorkingDays = *d
		}
		out[o.Code] = r
	}
	return out, nil
}
