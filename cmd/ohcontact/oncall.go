package main

import (
	"log/slog"

	"github.com/ohcontact/ohcontact/demo"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/signposting"
)

// routes returns each organisation's routes and referral SLA, by code:
// OHCONTACT_CONFIG's (escalation.NewRoutes), or, in demo mode with no file,
// the demo organisations' on-call numbers.
func routes(cfg Config, demoMode bool) map[string]escalation.Routes {
	byCode := map[string]escalation.Routes{}
	if cfg.ConfigFile != "" {
		byCode = cfg.File.Routes
	} else if demoMode {
		for code, mobile := range demo.OnCallMobiles() {
			byCode[code] = escalation.Routes{OnCall: mobile}
		}
	}
	return byCode
}

// onCallRoutes returns each organisation's on-call route for cases by
// organisation id. An organisation with none is logged at start-up: its
// unclaimed cases reach only the clinicians on duty.
func onCallRoutes(byCode map[string]escalation.Routes, dir *signposting.Directory, orgIDs map[string]int64, log *slog.Logger) map[int64]escalation.OnCall {
	out := map[int64]escalation.OnCall{}
	for _, o := range dir.Organisations {
		m := byCode[o.Code].OnCall
		if m == "" {
			log.Warn("organisation has no on-call number: cases past their SLA alert on-duty clinicians only", "organisation", o.Code)
			continue
		}
		out[orgIDs[o.Code]] = escalation.OnCall{Code: o.Code, Mobile: m}
	}
	return out
}

// mskSettings returns, by organisation id, each organisation's referral
// SLA in working days (where it sets one) and its MSK on-call route. An
// organisation without an MSK on-call number relies on the physio
// worklist's banner alone.
func mskSettings(byCode map[string]escalation.Routes, dir *signposting.Directory, orgIDs map[string]int64) (map[int64]int, map[int64]escalation.OnCall) {
	days, out := map[int64]int{}, map[int64]escalation.OnCall{}
	for _, o := range dir.Organisations {
		r := byCode[o.Code]
		if r.ReferralWorkingDays != 0 {
			days[orgIDs[o.Code]] = r.ReferralWorkingDays
		}
		if r.MSKOnCall != "" {
			out[orgIDs[o.Code]] = escalation.OnCall{Code: o.Code, Mobile: r.MSKOnCall}
		}
	}
	return days, out
}
