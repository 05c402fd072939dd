package demo

import (
	"context"
	"fmt"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/signposting"
)

// Directory returns the directory of demo mode: DEMO first, as in
// signposting.Demo, then three fictional foundation trusts of the North
// East and North Cumbria pilot, whose history the demo's pilot month holds.
// Each has its own local services, the region's staff resilience hub, and
// Shout's regional keyword, CALMER. Their phone numbers are from Ofcom's
// drama ranges too (0191 498 0xxx and 01632 960xxx) and their web addresses
// are under .example. Each books its vaccination clinic through its
// intranet (no slot list: DEMO shows that).
func Directory() *signposting.Directory {
	return &signposting.Directory{Organisations: append(signposting.Demo().Organisations,
		nencTrust("DEMO-COQUET", "Coquet Valley NHS Foundation Trust", "Coquet Valley", "coquet-valley",
			[4]string{"0191 498 0201", "0191 498 0202", "0191 498 0203", "0191 498 0204"}),
		nencTrust("DEMO-TEES", "Tees Moorland NHS Foundation Trust", "Tees Moorland", "tees-moorland",
			[4]string{"0191 498 0301", "0191 498 0302", "0191 498 0303", "0191 498 0304"}),
		nencTrust("DEMO-EDEN", "Eden and Solway NHS Foundation Trust", "Eden and Solway", "eden-solway",
			[4]string{"01632 960401", "01632 960402", "01632 960403", "01632 960404"}),
	)}
}

// codes returns the codes of Directory's organisations, in its order.
func codes() []string {
	var out []string
	for _, o := range Directory().Organisations {
		out = append(out, o.Code)
	}
	return out
}

// OnCallMobiles returns the demo organisations' on-call phones by code, in
// Ofcom's drama range like the demo staff: +447700900900 for DEMO, then
// 901, 902 and 903 for the other pilot trusts.
func OnCallMobiles() map[string]string {
	out := map[string]string{}
	for i, code := range codes() {
		out[code] = fmt.Sprintf("+4477009009%02d", i)
	}
	return out
}

// AddTrusts adds the demo's other pilot organisations (those of Directory
// after the first) to dir, creates them in the database and adds their ids
// to ids. Only demo mode without OHCONTACT_CONFIG has them, so that the
// operator commands' built-in directory keeps its one organisation.
func AddTrusts(ctx context.Context, db *postgres.DB, dir *signposting.Directory, ids map[string]int64) error {
	for _, o := range Directory().Organisations {
		if _, ok := dir.Organisation(o.Code); ok {
			continue
		}
		err := postgres.EnsureOrganisation(ctx, db.Pool, ohcontact.Organisation{Code: o.Code, Name: o.Name, GoLive: o.GoLive})
		if err != nil {
			return err
		}
		if ids[o.Code], err = postgres.OrganisationByCode(ctx, db.Pool, o.Code); err != nil {
			return err
		}
		dir.Organisations = append(dir.Organisations, o)
	}
	return nil
}

// nencTrust is a fictional foundation trust of the North East and North
// Cumbria pilot: code, name, a short name for its services, the host name
// of its (fictional) intranet, and the phone numbers of its wellbeing hub,
// money advice, fast-track physiotherapy and OH service. Each has the
// region's staff resilience hub as well.
func nencTrust(code, name, short, host string, phones [4]string) signposting.Organisation {
	review := signposting.BuiltInReviewBy
	lead := short + " OH clinical lead"
	wellbeing := short + " staff wellbeing manager"
	intranet := "https://intranet." + host + ".example/"
	staff := "All " + short + " staff"
	return signposting.Organisation{
		Code:   code,
		Name:   name,
		OHName: short + " Occupational Health",
		Services: append(signposting.NationalServices(lead, "CALMER"),
			signposting.Service{Key: "resilience_hub", Name: "Staff Resilience Hub", Category: signposting.MentalHealth, Phone: "0191 498 0999",
				URL: "https://resilience-hub.nenc.example", Hours: "Mon-Fri 9am-5pm",
				Eligible: "Health and care staff in the North East and North Cumbria", Owner: lead, ReviewBy: review},
			signposting.Service{Key: "wellbeing_hub", Name: short + " Staff Wellbeing Hub", Category: signposting.Wellbeing, Phone: phones[0],
				URL: intranet + "wellbeing", Hours: "Mon-Fri 9am-5pm", Eligible: staff, Owner: wellbeing, ReviewBy: review},
			signposting.Service{Key: "financial_wellbeing", Name: short + " Money Matters", Category: signposting.Financial, Phone: phones[1],
				URL: intranet + "money", Hours: "Mon-Fri 9am-4pm", Eligible: staff, Owner: wellbeing, ReviewBy: review},
			signposting.Service{Key: "moneyhelper", Name: "MoneyHelper", Category: signposting.Financial, Phone: "0800 138 7777",
				URL: "https://www.moneyhelper.org.uk", Hours: "Mon-Fri 8am-6pm",
				Eligible: "Anyone", Owner: wellbeing, ReviewBy: review},
			signposting.Service{Key: "msk_physio", Name: "Fast-track staff physiotherapy", Category: signposting.MSK, Phone: phones[2],
				URL: intranet + "physio", Hours: "Mon-Fri 8am-6pm", Eligible: staff, Owner: lead, ReviewBy: review},
			signposting.Service{Key: "msk_self_care", Name: "NHS back, muscle and joint self-care", Category: signposting.MSK,
				URL: "https://www.nhs.uk/conditions/back-pain/", Hours: "Online",
				Eligible: "Anyone", Owner: lead, ReviewBy: review},
			signposting.Service{Key: "oh_callback", Name: short + " Occupational Health", Category: signposting.OH, Phone: phones[3],
				URL: intranet + "oh", Hours: "Mon-Fri 8:30am-4:30pm", Eligible: staff, Owner: lead, ReviewBy: review},
		),
		Vaccination: &signposting.Vaccination{Clinic: short + " Staff Clinic", Place: "OH Department, " + short + " Hospital",
			Hours: "Mon-Fri 8:30am-4pm", BookingURL: intranet + "vaccination"},
		NewStarters: &signposting.NewStarters{QuestionnaireURL: intranet + "starter"},
	}
}
