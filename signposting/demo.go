package signposting

import "time"

// DemoCode is the code of the built-in demo organisation.
const DemoCode = "DEMO"

// demoReviewBy is the review-by date of every built-in entry.
var demoReviewBy = time.Date(2027, time.June, 30, 0, 0, 0, 0, time.UTC)

// Demo returns the built-in directory: one organisation, DEMO, with the
// national crisis entries from DOMAIN.md and plausible local entries. Local
// phone numbers are from Ofcom's range reserved for drama (0191 498 0xxx),
// so nobody real is called from a demo.
func Demo() *Directory {
	return &Directory{Organisations: []Organisation{demoTrust()}}
}

// DemoPilot returns the directory of demo mode: DEMO first, as in Demo,
// then three fictional foundation trusts of the North East and North
// Cumbria pilot, whose history the demo's pilot month holds. Each has its
// own local services, the region's staff resilience hub, and Shout's
// regional keyword, CALMER. Their phone numbers are from Ofcom's drama
// ranges too (0191 498 0xxx and 01632 960xxx) and their web addresses are
// under .example.
func DemoPilot() *Directory {
	return &Directory{Organisations: []Organisation{
		demoTrust(),
		nencTrust("DEMO-COQUET", "Coquet Valley NHS Foundation Trust", "Coquet Valley", "coquet-valley",
			[4]string{"0191 498 0201", "0191 498 0202", "0191 498 0203", "0191 498 0204"}),
		nencTrust("DEMO-TEES", "Tees Moorland NHS Foundation Trust", "Tees Moorland", "tees-moorland",
			[4]string{"0191 498 0301", "0191 498 0302", "0191 498 0303", "0191 498 0304"}),
		nencTrust("DEMO-EDEN", "Eden and Solway NHS Foundation Trust", "Eden and Solway", "eden-solway",
			[4]string{"01632 960401", "01632 960402", "01632 960403", "01632 960404"}),
	}}
}

// DemoCodes returns the codes of DemoPilot's organisations, in its order.
func DemoCodes() []string {
	var codes []string
	for _, o := range DemoPilot().Organisations {
		codes = append(codes, o.Code)
	}
	return codes
}

// nationalEntries are the entries every built-in organisation shares: the
// crisis lines (Shout with keyword) and the national mental-health and
// money services. lead owns them.
func nationalEntries(lead, shout string) []Service {
	review := demoReviewBy
	return []Service{
		{Key: KeyEmergency, Name: "Emergency services", Category: Crisis, Phone: "999",
			Hours: "24/7", Eligible: "Anyone in immediate danger", Owner: lead, ReviewBy: review},
		{Key: KeyNHS111, Name: "NHS 111 mental health", Category: Crisis, Phone: "111", PhoneOption: 2,
			URL: "https://111.nhs.uk", Hours: "24/7", Eligible: "Anyone in England", Owner: lead, ReviewBy: review},
		{Key: KeySamaritans, Name: "Samaritans", Category: Crisis, Phone: "116 123",
			URL: "https://www.samaritans.org", Hours: "24/7, free", Eligible: "Anyone", Owner: lead, ReviewBy: review},
		{Key: KeyShout, Name: "Shout", Category: Crisis, SMSKeyword: shout, SMSNumber: "85258",
			URL: "https://giveusashout.org", Hours: "24/7, free", Eligible: "Anyone", Owner: lead, ReviewBy: review},
		{Key: "practitioner_health", Name: "NHS Practitioner Health", Category: MentalHealth, Phone: "0300 0303 300",
			URL: "https://www.practitionerhealth.nhs.uk", Hours: "Mon-Fri 8am-8pm, Sat 8am-2pm",
			Eligible: "Doctors and dentists; see the website for other roles", Owner: lead, ReviewBy: review},
		{Key: "talking_therapies", Name: "NHS Talking Therapies (self-referral)", Category: MentalHealth,
			URL: "https://www.nhs.uk/service-search/mental-health/find-an-nhs-talking-therapies-service", Hours: "Mon-Fri",
			Eligible: "Anyone registered with a GP in England", Owner: lead, ReviewBy: review},
	}
}

// demoTrust is DEMO, the organisation the demo staff work for.
func demoTrust() Organisation {
	review := demoReviewBy
	const lead = "Demo OH clinical lead"
	const wellbeing = "Demo staff wellbeing manager"
	return Organisation{
		Code:   DemoCode,
		Name:   "Demo NHS Foundation Trust",
		OHName: "Demo Trust Occupational Health",
		Services: append(nationalEntries(lead, "SHOUT"),
			Service{Key: "wellbeing_hub", Name: "Demo Staff Wellbeing Hub", Category: Wellbeing, Phone: "0191 498 0123",
				URL: "https://intranet.demo-trust.example/wellbeing", Hours: "Mon-Fri 9am-5pm",
				Eligible: "All Demo Trust staff", Owner: wellbeing, ReviewBy: review},
			Service{Key: "financial_wellbeing", Name: "Demo Trust Financial Wellbeing", Category: Financial, Phone: "0191 498 0456",
				URL: "https://intranet.demo-trust.example/money", Hours: "Mon-Fri 9am-5pm",
				Eligible: "All Demo Trust staff", Owner: wellbeing, ReviewBy: review},
			Service{Key: "moneyhelper", Name: "MoneyHelper", Category: Financial, Phone: "0800 138 7777",
				URL: "https://www.moneyhelper.org.uk", Hours: "Mon-Fri 8am-6pm",
				Eligible: "Anyone", Owner: wellbeing, ReviewBy: review},
			Service{Key: "msk_physio", Name: "Fast-track staff physiotherapy", Category: MSK, Phone: "0191 498 0789",
				URL: "https://intranet.demo-trust.example/physio", Hours: "Mon-Fri 8am-6pm",
				Eligible: "All Demo Trust staff", Owner: lead, ReviewBy: review},
			Service{Key: "msk_self_care", Name: "NHS back, muscle and joint self-care", Category: MSK,
				URL: "https://www.nhs.uk/conditions/back-pain/", Hours: "Online",
				Eligible: "Anyone", Owner: lead, ReviewBy: review},
			Service{Key: "oh_callback", Name: "Demo Trust Occupational Health", Category: OH, Phone: "0191 498 0321",
				URL: "https://intranet.demo-trust.example/oh", Hours: "Mon-Fri 8:30am-4:30pm",
				Eligible: "All Demo Trust staff", Owner: lead, ReviewBy: review},
		),
	}
}

// nencTrust is a fictional foundation trust of the North East and North
// Cumbria pilot: code, name, a short name for its services, the host name
// of its (fictional) intranet, and the phone numbers of its wellbeing hub,
// money advice, fast-track physiotherapy and OH service. Each has the
// region's staff resilience hub as well.
func nencTrust(code, name, short, host string, phones [4]string) Organisation {
	review := demoReviewBy
	lead := short + " OH clinical lead"
	wellbeing := short + " staff wellbeing manager"
	intranet := "https://intranet." + host + ".example/"
	staff := "All " + short + " staff"
	return Organisation{
		Code:   code,
		Name:   name,
		OHName: short + " Occupational Health",
		Services: append(nationalEntries(lead, "CALMER"),
			Service{Key: "resilience_hub", Name: "Staff Resilience Hub", Category: MentalHealth, Phone: "0191 498 0999",
				URL: "https://resilience-hub.nenc.example", Hours: "Mon-Fri 9am-5pm",
				Eligible: "Health and care staff in the North East and North Cumbria", Owner: lead, ReviewBy: review},
			Service{Key: "wellbeing_hub", Name: short + " Staff Wellbeing Hub", Category: Wellbeing, Phone: phones[0],
				URL: intranet + "wellbeing", Hours: "Mon-Fri 9am-5pm", Eligible: staff, Owner: wellbeing, ReviewBy: review},
			Service{Key: "financial_wellbeing", Name: short + " Money Matters", Category: Financial, Phone: phones[1],
				URL: intranet + "money", Hours: "Mon-Fri 9am-4pm", Eligible: staff, Owner: wellbeing, ReviewBy: review},
			Service{Key: "moneyhelper", Name: "MoneyHelper", Category: Financial, Phone: "0800 138 7777",
				URL: "https://www.moneyhelper.org.uk", Hours: "Mon-Fri 8am-6pm",
				Eligible: "Anyone", Owner: wellbeing, ReviewBy: review},
			Service{Key: "msk_physio", Name: "Fast-track staff physiotherapy", Category: MSK, Phone: phones[2],
				URL: intranet + "physio", Hours: "Mon-Fri 8am-6pm", Eligible: staff, Owner: lead, ReviewBy: review},
			Service{Key: "msk_self_care", Name: "NHS back, muscle and joint self-care", Category: MSK,
				URL: "https://www.nhs.uk/conditions/back-pain/", Hours: "Online",
				Eligible: "Anyone", Owner: lead, ReviewBy: review},
			Service{Key: "oh_callback", Name: short + " Occupational Health", Category: OH, Phone: phones[3],
				URL: intranet + "oh", Hours: "Mon-Fri 8:30am-4:30pm", Eligible: staff, Owner: lead, ReviewBy: review},
		),
	}
}
