package signposting

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

// parse decodes a directory from TOML text and validates it. Unknown keys
// are the configuration file's decoder's business (cmd/ohcontact), not
// this package's.
func parse(t *testing.T, text string) (*Directory, error) {
	t.Helper()
	var d Directory
	if _, err := toml.Decode(text, &d); err != nil {
		t.Fatalf("not TOML: %v", err)
	}
	return &d, d.Validate()
}

func TestDemoIsValid(t *testing.T) {
	d := Demo()
	if err := d.Validate(); err != nil {
		t.Fatalf("demo directory: %v", err)
	}
	o, ok := d.Organisation(DemoCode)
	if !ok {
		t.Fatal("no DEMO organisation")
	}
	for _, c := range Categories {
		if len(o.ByCategory(c)) == 0 {
			t.Errorf("demo directory has no %s entry", c)
		}
	}
	want := map[string]string{KeyEmergency: "999", KeyNHS111: "111", KeySamaritans: "116 123", "practitioner_health": "0300 0303 300"}
	for k, phone := range want {
		if s, _ := o.Service(k); s.Phone != phone {
			t.Errorf("%s phone = %q, want %q", k, s.Phone, phone)
		}
	}
	if s, _ := o.Service(KeyNHS111); s.PhoneOption != 2 {
		t.Errorf("nhs111 option = %d, want 2", s.PhoneOption)
	}
	if s, _ := o.Service(KeyShout); s.SMSKeyword != "SHOUT" || s.SMSNumber != "85258" {
		t.Errorf("shout = %s to %s, want SHOUT to 85258", s.SMSKeyword, s.SMSNumber)
	}
}

func TestExample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := parse(t, string(data))
	if err != nil {
		t.Fatal(err)
	}
	o, ok := d.Organisation("RX1")
	if !ok {
		t.Fatal("no RX1")
	}
	s, ok := o.Service(KeyShout)
	if !ok || s.SMSKeyword != "CALMER" {
		t.Errorf("shout = %+v, want keyword CALMER", s)
	}
	if got := s.ReviewBy.Format(time.DateOnly); got != "2027-06-30" {
		t.Errorf("review_by = %s", got)
	}
	if got := o.GoLive.Format(time.DateOnly); got != "2026-05-01" {
		t.Errorf("go_live = %s, want 2026-05-01", got)
	}
	if v := o.Vaccination; v == nil || v.Clinic != "Staff Vaccination Clinic" || len(v.Slots) != 2 {
		t.Errorf("vaccination = %+v, want the staff clinic with 2 slots", v)
	}
	if _, ok := d.Organisation("NOPE"); ok {
		t.Error("found an organisation that is not there")
	}
}

// minimal returns a valid organisation table with the required entries,
// followed by extra TOML.
func minimal(extra string) string {
	var b strings.Builder
	b.WriteString("[[organisations]]\ncode = \"T1\"\nname = \"Test Trust\"\noh_name = \"Test OH\"\n")
	entry := func(key, cat, fields string) {
		b.WriteString("[[organisations.services]]\nkey = \"" + key + "\"\nname = \"" + key + "\"\ncategory = \"" + cat + "\"\n" +
			fields + "owner = \"Lead\"\nreview_by = 2027-01-31\n")
	}
	entry("emergency", "crisis", "phone = \"999\"\n")
	entry("nhs111", "crisis", "phone = \"111\"\nphone_option = 2\n")
	entry("samaritans", "crisis", "phone = \"116 123\"\n")
	entry("shout", "crisis", "sms_keyword = \"SHOUT\"\nsms_number = \"85258\"\n")
	entry("oh", "oh", "phone = \"0191 498 0000\"\n")
	b.WriteString(extra)
	return b.String()
}

func TestValidateErrors(t *testing.T) {
	tests := []struct {
		name  string
		toml  string
		wants []string // each must appear in the error
	}{
		{"valid", minimal(""), nil},
		{"no organisations", "", []string{"no [[organisations]]"}},
		{"missing crisis entries", "[[organisations]]\ncode = \"T2\"\nname = \"T\"\noh_name = \"T OH\"\n",
			[]string{`organisation T2: missing crisis entry "emergency"`, `missing crisis entry "shout"`, "no entry with category oh"}},
		{"bad phone", minimal("[[organisations.services]]\nkey = \"x\"\nname = \"X\"\ncategory = \"wellbeing\"\nphone = \"12345\"\nowner = \"L\"\nreview_by = 2027-01-01\n"),
			[]string{`organisation T1, service x: phone "12345" is not a UK number`}},
		{"bad category", minimal("[[organisations.services]]\nkey = \"x\"\nname = \"X\"\ncategory = \"spiritual\"\nurl = \"https://x.example\"\nowner = \"L\"\nreview_by = 2027-01-01\n"),
			[]string{`organisation T1, service x: category "spiritual" is not one of`}},
		{"missing owner and review date", minimal("[[organisations.services]]\nkey = \"x\"\nname = \"X\"\ncategory = \"msk\"\nurl = \"https://x.example\"\n"),
			[]string{"organisation T1, service x: owner is empty", "organisation T1, service x: review_by is missing"}},
		{"no contact details", minimal("[[organisations.services]]\nkey = \"x\"\nname = \"X\"\ncategory = \"msk\"\nowner = \"L\"\nreview_by = 2027-01-01\n"),
			[]string{"service x: give at least one of phone, sms_number or url"}},
		{"duplicate key", minimal("[[organisations.services]]\nkey = \"oh\"\nname = \"X\"\ncategory = \"oh\"\nphone = \"999\"\nowner = \"L\"\nreview_by = 2027-01-01\n"),
			[]string{"service oh: key is used twice"}},
		{"bad url and sms", minimal("[[organisations.services]]\nkey = \"x\"\nname = \"X\"\ncategory = \"wellbeing\"\nurl = \"ftp://x\"\nsms_keyword = \"talk\"\nsms_number = \"85\"\nowner = \"L\"\nreview_by = 2027-01-01\n"),
			[]string{`url "ftp://x" is not an http(s) URL`, `sms_number "85" is not`, `sms_keyword "talk" must be`}},
		{"a vaccination clinic", minimal("[organisations.vaccination]\nclinic = \"Flu clinic\"\nplace = \"OH, Level 1\"\nhours = \"Mon-Fri 9-4\"\nslots = [\"Mon 23/11 09:00\"]\n"), nil},
		{"a vaccination clinic with no way to book", minimal("[organisations.vaccination]\nclinic = \"Flu clinic\"\nplace = \"OH\"\nhours = \"Mon-Fri\"\n"),
			[]string{"organisation T1, vaccination: give booking_url or slots (or both): how staff book"}},
		{"a vaccination clinic's bad values", minimal("[organisations.vaccination]\nclinic = \" \"\nplace = \"OH\"\nhours = \"Mon-Fri\"\n" +
			"booking_url = \"ftp://x\"\nslots = [\"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\", \"\"]\n"),
			[]string{"organisation T1, vaccination: clinic must be 1 to 40 characters", `booking_url "ftp://x" is not an http(s) URL`,
				"10 slots: at most 9", `slot 10 ("") must be one line of 1 to 40 characters`}},
		{"new starters with defaults", minimal("[organisations.new_starters]\nquestionnaire_url = \"https://oh.example/q\"\n"), nil},
		{"new starters' bad values", minimal("[organisations.new_starters]\nquestionnaire_url = \"oh.example/q\"\ndays_before = 0\nremind_after_days = 15\n"),
			[]string{`organisation T1, new_starters: questionnaire_url "oh.example/q" is not an http(s) URL`,
				"days_before 0 must be 1 to 60", "remind_after_days 15 must be 1 to 14"}},
		{"bad code", strings.Replace(minimal(""), `code = "T1"`, `code = "T 1"`, 1), []string{`code "T 1" must be`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(t, tt.toml)
			if len(tt.wants) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	d, err := parse(t, minimal(""))
	if err != nil {
		t.Fatal(err)
	}
	if w := d.Warnings(time.Date(2027, 1, 31, 23, 0, 0, 0, time.UTC)); len(w) != 0 {
		t.Errorf("on the review date itself: %v", w)
	}
	w := d.Warnings(time.Date(2027, 2, 1, 0, 30, 0, 0, time.UTC))
	if len(w) != 5 {
		t.Fatalf("got %d warnings, want 5: %v", len(w), w)
	}
	want := "organisation T1, service emergency: review_by 2027-01-31 has passed; ask Lead to check the entry"
	if w[0] != want {
		t.Errorf("warning = %q, want %q", w[0], want)
	}
	if w := Demo().Warnings(time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)); len(w) != 0 {
		t.Errorf("demo directory is stale: %v", w)
	}
}
