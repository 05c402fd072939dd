// Package signposting holds the service directory of each organisation: the
// crisis lines, mental-health, wellbeing, financial, MSK and OH services that
// flows point staff to. Every entry has an owner and a review-by date, because
// a stale phone number given to someone in crisis is a clinical hazard.
//
// # Configuration file
//
// The directory is part of the TOML file named by OHCONTACT_CONFIG, which is
// decoded once, for every package, by cmd/ohcontact (it refuses unknown
// keys). The file holds one [[organisations]] table per organisation; these
// are the keys of Organisation and Service, which this package owns and
// checks (Directory.Validate):
//
//	[[organisations]]
//	code    = "RTD"                               # as in the organisations table: letters, digits, _ and -
//	name    = "Example NHS Foundation Trust"
//	oh_name = "Example Trust Occupational Health" # how texts name the OH service; short, GSM-7
//	go_live = 2026-05-01                          # optional TOML date: the pilot's first day (the dashboard compares before and after)
//
//	  [[organisations.services]]
//	  key          = "samaritans"      # stable id: a-z, 0-9, _ (recorded in signposts)
//	  name         = "Samaritans"
//	  category     = "crisis"          # crisis, mental_health, wellbeing, financial, msk, oh
//	  phone        = "116 123"         # UK number: 999, 111, 116xxx, 0xxxxxxxxx(x) or +44...
//	  phone_option = 0                 # menu option to choose after dialling (NHS 111: 2)
//	  sms_keyword  = ""                # text KEYWORD ...
//	  sms_number   = ""                # ... to this short code (Shout: SHOUT to 85258)
//	  url          = "https://www.samaritans.org"
//	  hours        = "24/7"
//	  eligible     = "Anyone"
//	  owner        = "OH clinical lead" # who keeps the entry correct
//	  review_by    = 2027-06-30         # TOML date; warned about once past
//
//	  [organisations.vaccination]          # optional: the clinic a vaccination campaign invites to
//	  clinic      = "Staff Vaccination Clinic" # 1 to 40 characters, as texts name it
//	  place       = "Education Centre, Ground Floor" # 1 to 60 characters: where it is
//	  hours       = "Mon-Fri 8am-4pm"  # 1 to 40 characters: when it is open
//	  booking_url = "https://intranet.example/flu" # optional: where staff book (http or https)
//	  slots       = ["Tue 24/11 09:00-12:00", "Thu 26/11 13:00-16:00"] # optional: up to 9 times, 1 to 40 characters each
//
//	  [organisations.new_starters]         # optional: welcomes new starters from HR's starts_on
//	  questionnaire_url = "https://oh.example/starter" # the OH health questionnaire (http or https, at most 100 characters)
//	  days_before       = 7            # optional, 1 to 60: how many days before the first day the welcome goes (default 7)
//	  remind_after_days = 3            # optional, 1 to 14: days without a reply before the one reminder, and again before the worklist (default 3)
//
//	  # the same organisation table holds other packages' parts, e.g.
//	  # [organisations.send_window] and [organisations.triggers] (see package triggers)
//
// Every organisation must have the four crisis entries the crisis message is
// built from, with these keys and category "crisis": "emergency" (999),
// "nhs111" (111, option 2), "samaritans" (116 123) and "shout" (a text
// keyword and short code: SHOUT to 85258, or CALMER in the North East and
// North Cumbria), and one entry with category "oh" (the OH service's own
// contact details). testdata/example.toml is a complete example.
//
// The new_starters section turns on new starters' welcomes for the
// organisation: without it a starts_on from HR plans nothing.
//
// The vaccination section is needed only by an organisation that runs
// vaccination campaigns (the dialogs package's vaccination flow refuses to
// start without it). It needs booking_url or slots, or both: with slots the
// flow offers them as a numbered list and records the one chosen; with only
// a booking_url it gives the link. Slots are shown as written, in every
// language, so write them as day/month and 24-hour times ("Tue 24/11
// 09:00-12:00"), and remove past ones when the file is next deployed.
package signposting

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Category is the kind of help a service gives. The values are stored in
// signposts.category.
type Category string

const (
	Crisis       Category = "crisis"
	MentalHealth Category = "mental_health"
	Wellbeing    Category = "wellbeing"
	Financial    Category = "financial"
	MSK          Category = "msk"
	OH           Category = "oh"
)

// Categories lists every category in display order.
var Categories = []Category{Crisis, MentalHealth, Wellbeing, Financial, MSK, OH}

// Keys of the crisis entries every organisation must have.
const (
	KeyEmergency  = "emergency"
	KeyNHS111     = "nhs111"
	KeySamaritans = "samaritans"
	KeyShout      = "shout"
)

// CrisisKeys lists the crisis entries every organisation must have, in the
// order the crisis message gives them.
var CrisisKeys = []string{KeyEmergency, KeyNHS111, KeySamaritans, KeyShout}

// Service is one entry of an organisation's directory.
type Service struct {
	Key         string   `toml:"key"`
	Name        string   `toml:"name"`
	Category    Category `toml:"category"`
	Phone       string   `toml:"phone"`
	PhoneOption int      `toml:"phone_option"`
	SMSKeyword  string   `toml:"sms_keyword"`
	SMSNumber   string   `toml:"sms_number"`
	URL         string   `toml:"url"`
	Hours       string   `toml:"hours"`
	Eligible    string   `toml:"eligible"`
	Owner       string   `toml:"owner"`
	// ReviewBy is the date by which the owner must check the entry. Only its
	// calendar date counts.
	ReviewBy time.Time `toml:"review_by"`
}

// Organisation is one organisation's name and directory: the keys of an
// [[organisations]] table this package owns.
type Organisation struct {
	Code string `toml:"code"`
	Name string `toml:"name"`
	// OHName is how texts name the OH service ("This is OHName").
	OHName string `toml:"oh_name"`
	// GoLive is the first day of the organisation's pilot (a TOML date,
	// go_live = 2026-05-01), read by the pilot dashboard's before-and-after
	// comparison; zero when not said.
	GoLive   time.Time `toml:"go_live"`
	Services []Service `toml:"services"`
	// Vaccination is the clinic the organisation's vaccination campaigns
	// invite to; nil when it runs none.
	Vaccination *Vaccination `toml:"vaccination"`
	// NewStarters is how the organisation welcomes new starters; nil when
	// it does not.
	NewStarters *NewStarters `toml:"new_starters"`
}

// NewStarters is an organisation's welcome for new starters: the link to
// its OH health questionnaire and when to text. Use the methods for the
// days: they apply the defaults.
type NewStarters struct {
	QuestionnaireURL   string `toml:"questionnaire_url"`
	DaysBeforeSetting  *int   `toml:"days_before"`
	RemindAfterSetting *int   `toml:"remind_after_days"`
}

// Defaults and bounds of a new_starters section's days.
const (
	DefaultDaysBefore      = 7
	DefaultRemindAfterDays = 3
	maxDaysBefore          = 60
	maxRemindAfterDays     = 14
)

// DaysBefore returns how many days before the first day the welcome goes.
func (n *NewStarters) DaysBefore() int { return orDefault(n.DaysBeforeSetting, DefaultDaysBefore) }

// RemindAfterDays returns how many days without a reply come before the
// one reminder, and again before the worklist.
func (n *NewStarters) RemindAfterDays() int {
	return orDefault(n.RemindAfterSetting, DefaultRemindAfterDays)
}

func orDefault(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

// validate returns the problems of a new_starters section, each starting
// with where.
func (n *NewStarters) validate(where string) []error {
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(where+": "+format, args...)) }
	if !httpURL(n.QuestionnaireURL) {
		bad("questionnaire_url %q is not an http(s) URL of at most 100 characters", n.QuestionnaireURL)
	}
	if d := n.DaysBefore(); d < 1 || d > maxDaysBefore {
		bad("days_before %d must be 1 to %d", d, maxDaysBefore)
	}
	if d := n.RemindAfterDays(); d < 1 || d > maxRemindAfterDays {
		bad("remind_after_days %d must be 1 to %d", d, maxRemindAfterDays)
	}
	return problems
}

// httpURL reports whether s is an http or https URL of at most 100
// characters, as a text may carry.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(s) <= 100
}

// Vaccination is an organisation's staff vaccination clinic, as the
// vaccination flow's texts give it.
type Vaccination struct {
	Clinic     string `toml:"clinic"`
	Place      string `toml:"place"`
	Hours      string `toml:"hours"`
	BookingURL string `toml:"booking_url"`
	// Slots are clinic times a person may choose by number, as shown;
	// none means the flow gives BookingURL instead.
	Slots []string `toml:"slots"`
}

// MaxSlots is the most clinic times a vaccination section may list: each
// is chosen by one digit.
const MaxSlots = 9

// Directory is the signposting directory of every organisation. It is
// valid once Validate says so.
type Directory struct {
	Organisations []Organisation `toml:"organisations"`
}

// Organisation returns the organisation with code, or false.
func (d *Directory) Organisation(code string) (*Organisation, bool) {
	if d == nil {
		return nil, false
	}
	for i := range d.Organisations {
		if d.Organisations[i].Code == code {
			return &d.Organisations[i], true
		}
	}
	return nil, false
}

// Service returns the entry with key, or false.
func (o *Organisation) Service(key string) (Service, bool) {
	for _, s := range o.Services {
		if s.Key == key {
			return s, true
		}
	}
	return Service{}, false
}

// ByCategory returns the entries of category c in directory order.
func (o *Organisation) ByCategory(c Category) []Service {
	var out []Service
	for _, s := range o.Services {
		if s.Category == c {
			out = append(out, s)
		}
	}
	return out
}

var (
	orgCodeRE    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)
	keyRE        = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)
	phoneRE      = regexp.MustCompile(`^(999|111|116[0-9]{3}|0[1-9][0-9]{8,9}|\+44[1-9][0-9]{8,9})$`)
	smsNumberRE  = regexp.MustCompile(`^[0-9]{5,6}$`)
	smsKeywordRE = regexp.MustCompile(`^[A-Z0-9]{2,20}$`)
)

// Validate checks every organisation and entry and reports all problems at
// once, each naming its organisation and entry.
func (d *Directory) Validate() error {
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }
	if len(d.Organisations) == 0 {
		bad("no [[organisations]]")
	}
	seenOrg := map[string]bool{}
	for i, o := range d.Organisations {
		org := o.Code
		if org == "" {
			org = fmt.Sprintf("#%d", i+1)
		}
		where := "organisation " + org
		switch {
		case !orgCodeRE.MatchString(o.Code):
			bad("%s: code %q must be 1 to 32 letters, digits, _ or -, starting with a letter or digit", where, o.Code)
		case seenOrg[o.Code]:
			bad("%s: code is used twice", where)
		}
		seenOrg[o.Code] = true
		if strings.TrimSpace(o.Name) == "" {
			bad("%s: name is empty", where)
		}
		if strings.TrimSpace(o.OHName) == "" {
			bad("%s: oh_name is empty (how texts name the OH service)", where)
		}
		seen := map[string]bool{}
		for j, s := range o.Services {
			key := s.Key
			if key == "" {
				key = fmt.Sprintf("#%d", j+1)
			}
			w := fmt.Sprintf("%s, service %s", where, key)
			switch {
			case !keyRE.MatchString(s.Key):
				bad("%s: key %q must be 1 to 40 of a-z, 0-9 and _", w, s.Key)
			case seen[s.Key]:
				bad("%s: key is used twice", w)
			}
			seen[s.Key] = true
			if strings.TrimSpace(s.Name) == "" || len(s.Name) > 100 {
				bad("%s: name must be 1 to 100 characters", w)
			}
			if !slices.Contains(Categories, s.Category) {
				bad("%s: category %q is not one of crisis, mental_health, wellbeing, financial, msk, oh", w, s.Category)
			}
			if s.Phone == "" && s.SMSNumber == "" && s.URL == "" {
				bad("%s: give at least one of phone, sms_number or url", w)
			}
			if s.Phone != "" && !phoneRE.MatchString(strings.ReplaceAll(s.Phone, " ", "")) {
				bad("%s: phone %q is not a UK number (999, 111, 116 xxx, 0xxxx xxxxxx or +44...)", w, s.Phone)
			}
			if s.PhoneOption < 0 || s.PhoneOption > 9 || (s.PhoneOption > 0 && s.Phone == "") {
				bad("%s: phone_option must be 1 to 9 and needs a phone", w)
			}
			if (s.SMSKeyword == "") != (s.SMSNumber == "") {
				bad("%s: sms_keyword and sms_number go together", w)
			} else if s.SMSNumber != "" {
				if !smsNumberRE.MatchString(s.SMSNumber) {
					bad("%s: sms_number %q is not a 5 or 6 digit short code", w, s.SMSNumber)
				}
				if !smsKeywordRE.MatchString(s.SMSKeyword) {
					bad("%s: sms_keyword %q must be 2 to 20 capital letters or digits", w, s.SMSKeyword)
				}
			}
			if s.URL != "" {
				if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
					bad("%s: url %q is not an http(s) URL", w, s.URL)
				}
			}
			if strings.TrimSpace(s.Owner) == "" {
				bad("%s: owner is empty (who keeps this entry correct)", w)
			}
			if s.ReviewBy.IsZero() {
				bad("%s: review_by is missing (a date such as 2027-06-30)", w)
			}
		}
		for _, k := range CrisisKeys {
			s, ok := o.Service(k)
			switch {
			case !ok:
				bad("%s: missing crisis entry %q (every organisation needs %s)", where, k, strings.Join(CrisisKeys, ", "))
			case s.Category != Crisis:
				bad("%s, service %s: category must be crisis", where, k)
			}
		}
		if s, ok := o.Service(KeyShout); ok && s.SMSNumber == "" {
			bad("%s, service %s: needs sms_keyword and sms_number", where, KeyShout)
		}
		if s, ok := o.Service(KeyEmergency); ok && s.Phone == "" {
			bad("%s, service %s: needs a phone", where, KeyEmergency)
		}
		if s, ok := o.Service(KeyNHS111); ok && s.Phone == "" {
			bad("%s, service %s: needs a phone", where, KeyNHS111)
		}
		if s, ok := o.Service(KeySamaritans); ok && s.Phone == "" {
			bad("%s, service %s: needs a phone", where, KeySamaritans)
		}
		if len(o.ByCategory(OH)) == 0 {
			bad("%s: no entry with category oh (the OH service's own contact details)", where)
		}
		if v := o.Vaccination; v != nil {
			problems = append(problems, v.validate(where+", vaccination")...)
		}
		if n := o.NewStarters; n != nil {
			problems = append(problems, n.validate(where+", new_starters")...)
		}
	}
	return errors.Join(problems...)
}

// validate returns the problems of a vaccination section, each starting
// with where.
func (v *Vaccination) validate(where string) []error {
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(where+": "+format, args...)) }
	text := func(key, val string, most int) {
		if n := len([]rune(strings.TrimSpace(val))); n == 0 || len([]rune(val)) > most {
			bad("%s must be 1 to %d characters", key, most)
		}
	}
	text("clinic", v.Clinic, 40)
	text("place", v.Place, 60)
	text("hours", v.Hours, 40)
	if v.BookingURL != "" {
		if !httpURL(v.BookingURL) {
			bad("booking_url %q is not an http(s) URL of at most 100 characters", v.BookingURL)
		}
	}
	if v.BookingURL == "" && len(v.Slots) == 0 {
		bad("give booking_url or slots (or both): how staff book")
	}
	if len(v.Slots) > MaxSlots {
		bad("%d slots: at most %d (each is chosen by one digit)", len(v.Slots), MaxSlots)
	}
	for i, s := range v.Slots {
		if n := len([]rune(strings.TrimSpace(s))); n == 0 || len([]rune(s)) > 40 || strings.Contains(s, "\n") {
			bad("slot %d (%q) must be one line of 1 to 40 characters", i+1, s)
		}
		if slices.Contains(v.Slots[:i], s) {
			bad("slot %d (%q) is listed twice", i+1, s)
		}
	}
	return problems
}

// Warnings returns one line for each entry whose review-by date is before
// today's date, naming the organisation, entry and owner. Only calendar dates
// are compared.
func (d *Directory) Warnings(today time.Time) []string {
	t := civil(today)
	var out []string
	for _, o := range d.Organisations {
		for _, s := range o.Services {
			if !s.ReviewBy.IsZero() && civil(s.ReviewBy) < t {
				out = append(out, fmt.Sprintf("organisation %s, service %s: review_by %s has passed; ask %s to check the entry",
					o.Code, s.Key, civil(s.ReviewBy), s.Owner))
			}
		}
	}
	return out
}

// civil returns t's calendar date as YYYY-MM-DD, which sorts as dates do.
func civil(t time.Time) string { return t.Format(time.DateOnly) }
