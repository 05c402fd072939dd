package signposting

import "time"

// DemoCode is the code of the built-in demo organisation.
const DemoCode = "DEMO"

// BuiltInReviewBy is the review-by date of every built-in entry: Demo's,
// and demo mode's pilot trusts'.
var BuiltInReviewBy = time.Date(2027, time.June, 30, 0, 0, 0, 0, time.UTC)

// Demo returns the built-in directory: one organisation, DEMO, with the
// national crisis entries from DOMAIN.md and plausible local entries. Local
// phone numbers are from Ofcom's range reserved for drama (0191 498 0xxx),
// so nobody real is called from a demo.
func Demo() *Directory {
	return &Directory{Organisations: []Organisation{demoTrust()}}
}

// NationalServices returns the entries every built-in organisation shares
// (Demo's and demo mode's pilot trusts'): the crisis lines (Shout with
// keyword shout) and the national mental-health services, owned by lead and
// due for review by BuiltInReviewBy.
func NationalServices(lead, shout string) []Service {
	review := BuiltInReviewBy
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
	review := BuiltInReviewBy
	const lead = "Demo OH clinical lead"
	const wellbeing = "Demo staff wellbeing manager"
	return Organisation{
		Code:   DemoCode,
		Name:   "Demo NHS Foundation Trust",
		OHName: "Demo Trust Occupational Health",
		Services: append(NationalServices(lead, "SHOUT"),
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
		Vaccination: &Vaccination{Clinic: "Staff Vaccination Clinic", Place: "Education Centre, Demo General Hospital",
			Hours: "Mon-Fri 8am-4pm", BookingURL: "https://intranet.demo-trust.example/vaccination",
			Slots: []string{"Mon 23/11 08:00-12:00", "Wed 25/11 12:00-16:00", "Fri 27/11 08:00-12:00"}},
		NewStarters: &NewStarters{QuestionnaireURL: "https://oh.demo-trust.example/starter"},
	}
}
