package escalation

import (
	"fmt"
	"os"

	"github.com/BurntSushi/toml"

	"github.com/ohcontact/ohcontact/phone"
)

// LoadOnCall reads, from the service's configuration file
// (OHCONTACT_CONFIG), each organisation's on-call mobile, keyed by
// organisation code:
//
//	[[organisations]]
//	code = "RTD"
//	  [organisations.on_call]
//	  mobile = "+447700900999"
//
// The number is texted whenever a case passes its SLA unclaimed (SLAChecks).
// It must be a mobile number (phone.Mobile), written in any form phone.Mobile
// reads, and is returned in E.164 form; an unknown key in on_call is an error. An organisation without one relies on its
// on-duty clinicians alone.
func LoadOnCall(path string) (map[string]string, error) {
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
		} `toml:"organisations"`
	}
	md, err := toml.Decode(string(data), &file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// A misspelt key would silently leave an organisation without its
	// on-call route.
	for _, k := range md.Undecoded() {
		if len(k) >= 2 && k[0] == "organisations" && k[1] == "on_call" {
			return nil, fmt.Errorf("%s: unknown key %s (on_call has only mobile)", path, k)
		}
	}
	out := map[string]string{}
	for _, o := range file.Organisations {
		if o.OnCall.Mobile == "" {
			continue
		}
		m, err := phone.Mobile(o.OnCall.Mobile)
		if err != nil {
			return nil, fmt.Errorf("%s: organisation %s: on_call.mobile is %w; write it like +447700900999", path, o.Code, err)
		}
		out[o.Code] = m
	}
	return out, nil
}

// MSK is an organisation's physio team settings.
type MSK struct {
	// OnCallMobile is texted whenever a referral passes its SLA without
	// being acted on (E.164); empty for none.
	OnCallMobile string
	// ReferralWorkingDays is the referral SLA; 0 for the default
	// (DefaultReferralWorkingDays).
	ReferralWorkingDays int
}

// LoadMSK reads each organisation's physio team settings, keyed by
// organisation code, from the service's configuration file:
//
//	[[organisations]]
//	code = "RTD"
//	  [organisations.msk]
//	  on_call_mobile = "+447700900998"
//	  referral_sla_working_days = 2
//
// An unknown key in msk, a number that is not a mobile (phone.Mobile) or an SLA outside 1 to
// 10 working days is an error.
func LoadMSK(path string) (map[string]MSK, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var file struct {
		Organisations []struct {
			Code string `toml:"code"`
			MSK  struct {
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
		if len(k) >= 2 && k[0] == "organisations" && k[1] == "msk" {
			return nil, fmt.Errorf("%s: unknown key %s (msk has on_call_mobile and referral_sla_working_days)", path, k)
		}
	}
	out := map[string]MSK{}
	for _, o := range file.Organisations {
		var m MSK
		if v := o.MSK.OnCallMobile; v != "" {
			mobile, err := phone.Mobile(v)
			if err != nil {
				return nil, fmt.Errorf("%s: organisation %s: msk.on_call_mobile is %w; write it like +447700900999", path, o.Code, err)
			}
			m.OnCallMobile = mobile
		}
		if d := o.MSK.WorkingDays; d != nil {
			if *d < 1 || *d > 10 {
				return nil, fmt.Errorf("%s: organisation %s: msk.referral_sla_working_days must be 1 to 10", path, o.Code)
			}
			m.ReferralWorkingDays = *d
		}
		out[o.Code] = m
	}
	return out, nil
}
