package escalation

import (
	"errors"
	"fmt"

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

// OnCallConfig is an organisation's [organisations.on_call] table in the
// service's configuration file (OHCONTACT_CONFIG), and MSKConfig its
// [organisations.msk] table:
//
//	[[organisations]]
//	code = "RTD"
//	  [organisations.on_call]
//	  mobile = "+447700900999"
//	  [organisations.msk]
//	  on_call_mobile = "+447700900998"
//	  referral_sla_working_days = 2
//
// Both tables are optional; NewRoutes reads them.
type OnCallConfig struct {
	Mobile string `toml:"mobile"`
}

// MSKConfig is an organisation's [organisations.msk] table; see
// OnCallConfig.
type MSKConfig struct {
	OnCallMobile string `toml:"on_call_mobile"`
	WorkingDays  *int   `toml:"referral_sla_working_days"`
}

// NewRoutes returns the Routes an organisation's on_call and msk tables
// give. Each number must be a mobile (phone.Mobile), written in any form it
// reads, and is returned in E.164 form; the SLA must be 1 to 10 working
// days. Every problem is reported (errors.Join), each naming its key.
func NewRoutes(onCall OnCallConfig, msk MSKConfig) (Routes, error) {
	var problems []error
	mobile := func(key, v string) string {
		if v == "" {
			return ""
		}
		m, err := phone.Mobile(v)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s is %w; write it like +447700900999", key, err))
		}
		return m
	}
	r := Routes{OnCall: mobile("on_call.mobile", onCall.Mobile), MSKOnCall: mobile("msk.on_call_mobile", msk.OnCallMobile)}
	if d := msk.WorkingDays; d != nil {
		if *d < 1 || *d > 10 {
			problems = append(problems, errors.New("msk.referral_sla_working_days must be 1 to 10"))
		}
		r.ReferralWorkingDays = *d
	}
	if err := errors.Join(problems...); err != nil {
		return Routes{}, err
	}
	return r, nil
}
