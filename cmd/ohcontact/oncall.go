package main

import (
	"fmt"
	"log/slog"

	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/signposting"
)

// demoOnCallMobiles numbers the demo organisations' on-call phones, in
// Ofcom's drama range like the demo staff: +447700900900 for DEMO, then
// 901, 902 and 903 for the other pilot trusts.
const demoOnCallMobiles = "+4477009009%02d"

// onCallRoutes returns each organisation's on-call route by organisation
// id: OHCONTACT_CONFIG's [organisations.on_call], or, in demo mode with no
// file, the demo organisations' numbers. An organisation with
// none is logged at start-up: its unclaimed cases reach only the
// clinicians on duty.
func onCallRoutes(cfg Config, dir *signposting.Directory, orgIDs map[string]int64, demo bool, log *slog.Logger) (map[int64]escalation.OnCall, error) {
	mobiles := map[string]string{}
	if cfg.ConfigFile != "" {
		var err error
		if mobiles, err = escalation.LoadOnCall(cfg.ConfigFile); err != nil {
			return nil, fmt.Errorf("OHCONTACT_CONFIG: %w", err)
		}
	}
	if demo && cfg.ConfigFile == "" {
		for i, code := range signposting.DemoCodes() {
			mobiles[code] = fmt.Sprintf(demoOnCallMobiles, i)
		}
	}
	routes := map[int64]escalation.OnCall{}
	for _, o := range dir.Organisations {
		m, ok := mobiles[o.Code]
		if !ok {
			log.Warn("organisation has no on-call number: cases past their SLA alert on-duty clinicians only", "organisation", o.Code)
			continue
		}
		routes[orgIDs[o.Code]] = escalation.OnCall{Code: o.Code, Mobile: m}
	}
	return routes, nil
}

// mskSettings returns, by organisation id, each organisation's referral
// SLA in working days and its MSK on-call route (OHCONTACT_CONFIG's
// [organisations.msk]). An organisation without an MSK on-call number
// relies on the physio worklist's banner alone.
func mskSettings(cfg Config, dir *signposting.Directory, orgIDs map[string]int64) (map[int64]int, map[int64]escalation.OnCall, error) {
	settings := map[string]escalation.MSK{}
	if cfg.ConfigFile != "" {
		var err error
		if settings, err = escalation.LoadMSK(cfg.ConfigFile); err != nil {
			return nil, nil, fmt.Errorf("OHCONTACT_CONFIG: %w", err)
		}
	}
	days, routes := map[int64]int{}, map[int64]escalation.OnCall{}
	for _, o := range dir.Organisations {
		s := settings[o.Code]
		if s.ReferralWorkingDays != 0 {
			days[orgIDs[o.Code]] = s.ReferralWorkingDays
		}
		if s.OnCallMobile != "" {
			routes[orgIDs[o.Code]] = escalation.OnCall{Code: o.Code, Mobile: s.OnCallMobile}
		}
	}
	return days, routes, nil
}
