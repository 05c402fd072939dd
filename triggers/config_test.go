package triggers

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/ohcontact/ohcontact"
)

// parse reads the settings of every organisation in TOML text, by code, as
// the configuration file's decoder (cmd/ohcontact) hands them over: keys
// other than code and Config's are its business, and so is naming the
// organisation of a problem.
func parse(t *testing.T, text string) (map[string]Settings, error) {
	t.Helper()
	var file struct {
		Organisations []struct {
			Code string `toml:"code"`
			Config
		} `toml:"organisations"`
	}
	if _, err := toml.Decode(text, &file); err != nil {
		return nil, err
	}
	all := map[string]Settings{}
	var problems []error
	for _, o := range file.Organisations {
		s, err := o.Settings()
		problems = append(problems, err)
		all[o.Code] = s
	}
	return all, errors.Join(problems...)
}

// load is parse of the file at path.
func load(t *testing.T, path string) (map[string]Settings, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parse(t, string(data))
}

func TestDefaults(t *testing.T) {
	s, err := Defaults()
	if err != nil {
		t.Fatal(err)
	}
	r, w := s.Rules, s.Window
	if r.Location.String() != "Europe/London" || w.Location != r.Location {
		t.Errorf("locations %v, %v; want Europe/London", r.Location, w.Location)
	}
	wantDays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}
	if !reflect.DeepEqual(w.Days, wantDays) || w.From != (Clock{9, 0}) || w.Until != (Clock{18, 0}) {
		t.Errorf("window = %v %v–%v, want Monday to Saturday 09:00–18:00", w.Days, w.From, w.Until)
	}
	if r.DueTime != w.From || r.StressAfterWorkingDays != 1 || r.MSKAfterDays != 1 || r.LongTermDays != 28 ||
		!reflect.DeepEqual(r.MSKCodes, []string{"S11", "S12"}) ||
		r.Grace != 72*time.Hour || r.ReminderAfter != 48*time.Hour || r.CloseAfter != 72*time.Hour ||
		!reflect.DeepEqual(r.FollowUpUnanswered, []ohcontact.Trigger{ohcontact.TriggerStress, ohcontact.TriggerLongTerm}) ||
		!reflect.DeepEqual(r.BankHolidays, englandAndWalesBankHolidays) || r.SMSFallbackAfter != 24*time.Hour {
		t.Errorf("rules = %+v", r)
	}
	if s.FoldDiacritics {
		t.Error("texts fold their letters by default, want them kept")
	}
}

func TestSMSFallbackOff(t *testing.T) {
	for _, off := range []string{"0", "off"} {
		all, err := parse(t, "[[organisations]]\ncode = \"T1\"\n[organisations.webchat]\nsms_fallback_after = \""+off+"\"\n")
		if err != nil {
			t.Fatal(err)
		}
		if d := all["T1"].Rules.SMSFallbackAfter; d != 0 {
			t.Errorf("sms_fallback_after = %q: %v, want 0 (never)", off, d)
		}
	}
}

func TestExample(t *testing.T) {
	all, err := load(t, filepath.Join("testdata", "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Fatalf("got %d organisations, want 2", len(all))
	}
	defaults, err := Defaults()
	if err != nil {
		t.Fatal(err)
	}
	if got := all["RX1"]; !reflect.DeepEqual(got, defaults) {
		t.Errorf("RX1 = %+v, want the defaults", got)
	}

	s := all["RQW"]
	loc := london(t)
	want := Settings{
		Rules: Rules{
			Location:               loc,
			DueTime:                Clock{8, 30},
			StressAfterWorkingDays: 0,
			MSKAfterDays:           2,
			MSKCodes:               []string{"S11", "S12", "S28"},
			LongTermDays:           21,
			BankHolidays:           []Date{{2026, time.December, 25}, {2026, time.December, 28}},
			Grace:                  48 * time.Hour,
			ReminderAfter:          24 * time.Hour,
			CloseAfter:             36 * time.Hour,
			FollowUpUnanswered:     []ohcontact.Trigger{ohcontact.TriggerStress, ohcontact.TriggerMSK, ohcontact.TriggerLongTerm},
			SMSFallbackAfter:       12 * time.Hour,
		},
		Window: Window{
			Location: loc,
			Days:     []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
			From:     Clock{8, 30},
			Until:    Clock{17, 0},
		},
		TeamHours: Window{
			Location: loc,
			Days:     []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday},
			From:     Clock{8, 0},
			Until:    Clock{16, 30},
		},
		FoldDiacritics: true,
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("RQW:\n got %+v\nwant %+v", s, want)
	}
}

func TestEmptyListsTurnThingsOff(t *testing.T) {
	all, err := parse(t, "[[organisations]]\ncode = \"T1\"\n[organisations.triggers]\nmsk_codes = []\nfollow_up_unanswered = []\nbank_holidays = []\n")
	if err != nil {
		t.Fatal(err)
	}
	r := all["T1"].Rules
	if len(r.MSKCodes) != 0 || len(r.FollowUpUnanswered) != 0 || len(r.BankHolidays) != 0 {
		t.Errorf("rules = %+v, want no MSK codes, follow-ups or bank holidays", r)
	}
	if due := Plan(Episode{StartsOn: Date{2026, time.March, 2}, EndsOn: Date{2026, time.March, 4}, ReasonCode: "S11"}, r, time.Time{}); len(due) != 0 {
		t.Errorf("Plan with no MSK codes = %+v, want nothing", due)
	}
}

func TestSettingsErrors(t *testing.T) {
	const org = "[[organisations]]\ncode = \"T1\"\n"
	tests := []struct {
		name  string
		toml  string
		wants []string // each must appear in the error
	}{
		{"bad time zone", org + "time_zone = \"Europe/Londn\"\n",
			[]string{`time_zone "Europe/Londn" is not a time zone`}},
		{"the machine's time zone", org + "time_zone = \"Local\"\n",
			[]string{`time_zone "Local" is not a time zone`}},
		{"window problems, all at once", org + "[organisations.send_window]\ndays = [\"mon\", \"funday\"]\nfrom = \"9am\"\nuntil = \"25:00\"\n",
			[]string{
				`send_window.days: "funday" is not a day`,
				`send_window.from: "9am" is not a time of day such as 09:00`,
				`send_window.until: "25:00" is not a time of day such as 09:00`,
			}},
		{"window closes before it opens", org + "[organisations.send_window]\nfrom = \"18:00\"\nuntil = \"09:00\"\n",
			[]string{"send_window: from 18:00 must be before until 09:00"}},
		{"window with no days", org + "[organisations.send_window]\ndays = []\n",
			[]string{"send_window.days is empty"}},
		{"OH hours problems", org + "[organisations.oh_hours]\ndays = [\"weekdays\"]\nfrom = \"17:00\"\nuntil = \"09:00\"\n",
			[]string{
				`oh_hours.days: "weekdays" is not a day`,
				"oh_hours: from 17:00 must be before until 09:00",
			}},
		{"trigger problems, all at once", org + "[organisations.triggers]\n" +
			"stress_after_working_days = -1\nmsk_after_days = 40\nlong_term_days = 0\nmsk_codes = [\"S11\", \"S40\"]\n" +
			"grace = \"3 days\"\nreminder_after = \"-1h\"\nclose_after = \"0s\"\nfollow_up_unanswered = [\"covid\"]\n" +
			"bank_holidays = [\"2026-02-30\", 5]\n",
			[]string{
				"triggers.stress_after_working_days = -1 is out of range (0 to 10)",
				"triggers.msk_after_days = 40 is out of range (0 to 28)",
				"triggers.long_term_days = 0 is out of range (1 to 366)",
				`triggers.msk_codes: "S40" is not an ESR sickness absence reason`,
				`triggers.grace: "3 days" is not a length of time such as 72h or 90m`,
				`triggers.reminder_after: "-1h" is not a length of time`,
				`triggers.close_after: "0s" is not a length of time`,
				`triggers.follow_up_unanswered: "covid" is not a trigger (stress, msk, long_term)`,
				"triggers.bank_holidays: 2026-02-30 is not a real date",
				"triggers.bank_holidays: 5 is not a date such as 2026-12-25",
			}},
		{"a bad fallback time", org + "[organisations.webchat]\nsms_fallback_after = \"a day\"\n",
			[]string{`webchat.sms_fallback_after: "a day" is not a length of time`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse(t, tt.toml)
			if err == nil {
				t.Fatalf("no error; settings %+v", got)
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestNextStaffed checks what someone waiting for a clinician is told: now
// while the OH team is at work, else the next opening, skipping nights,
// weekends and bank holidays.
func TestNextStaffed(t *testing.T) {
	all, err := load(t, filepath.Join("testdata", "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	loc := london(t)
	p := Policy{ByOrganisation: all}
	p.Default, _ = Defaults()
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, loc) }
	tests := []struct {
		name string
		org  string
		t    time.Time
		want time.Time
	}{
		{"at work", "RX1", at(12, 2, 11, 0), at(12, 2, 11, 0)},
		{"evening", "RX1", at(12, 2, 19, 0), at(12, 3, 9, 0)},
		{"Friday night to Monday", "RX1", at(12, 4, 22, 0), at(12, 7, 9, 0)},
		{"Christmas Eve evening to the 29th", "RQW", at(12, 24, 18, 0), at(12, 29, 8, 0)},
		{"Thursday after hours to Monday (no Fridays)", "RQW", at(12, 3, 16, 30), at(12, 7, 8, 0)},
		{"an organisation with no configuration", "ZZZ", at(12, 5, 10, 0), at(12, 7, 9, 0)},
	}
	for _, tt := range tests {
		if got := p.NextStaffed(tt.org, tt.t); !got.Equal(tt.want) {
			t.Errorf("%s: NextStaffed(%s) = %s, want %s", tt.name, tt.t, got, tt.want)
		}
	}
}
