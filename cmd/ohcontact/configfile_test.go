package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/triggers"
)

// TestConfigFileExample decodes the complete example: every package gets its
// part of each organisation, and an organisation that gives only its
// directory gets the defaults.
func TestConfigFileExample(t *testing.T) {
	t.Parallel()
	c, err := readConfigFile(filepath.Join("testdata", "ohcontact.toml"))
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, o := range c.Directory.Organisations {
		codes = append(codes, o.Code)
	}
	if !slices.Equal(codes, []string{"RX1", "RX2"}) {
		t.Fatalf("organisations %v, want RX1 and RX2 in the file's order", codes)
	}
	rx1, _ := c.Directory.Organisation("RX1")
	if s, _ := rx1.Service("shout"); rx1.OHName != "Example Trust Occupational Health" || s.SMSKeyword != "CALMER" ||
		rx1.GoLive.Format(time.DateOnly) != "2026-05-01" {
		t.Errorf("RX1's directory: oh_name %q, go_live %s, shout %+v", rx1.OHName, rx1.GoLive, s)
	}

	s := c.Triggers["RX1"]
	if r := s.Rules; r.LongTermDays != 21 || !slices.Equal(r.MSKCodes, []string{"S11", "S12", "S28"}) || r.SMSFallbackAfter != 12*time.Hour ||
		s.Window.From != (triggers.Clock{Hour: 8, Minute: 30}) || s.TeamHours.Until != (triggers.Clock{Hour: 16, Minute: 30}) {
		t.Errorf("RX1's trigger settings = %+v", s)
	}
	if got := c.Origins["RX1"]; !slices.Equal(got, []string{"https://intranet.example-northern.nhs.uk"}) {
		t.Errorf("RX1's web chat origins = %v", got)
	}
	if got := c.Replies["RX1"]; got != (escalation.ReplySigning{Style: escalation.SignFirstNameAndTitle}) {
		t.Errorf("RX1 signs replies %+v", got)
	}
	if got := c.Routes["RX1"]; got != (escalation.Routes{OnCall: "+447700900901", MSKOnCall: "+447700900902", ReferralWorkingDays: 3}) {
		t.Errorf("RX1's routes = %+v", got)
	}

	defaults, err := triggers.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Triggers["RX2"], defaults) || len(c.Origins["RX2"]) != 0 ||
		c.Replies["RX2"] != (escalation.ReplySigning{}) || c.Routes["RX2"] != (escalation.Routes{}) {
		t.Errorf("RX2 gives only its directory, but has triggers %+v, origins %v, replies %+v, routes %+v",
			c.Triggers["RX2"], c.Origins["RX2"], c.Replies["RX2"], c.Routes["RX2"])
	}

	// A new_starters section reaches the scheduler's settings, with its
	// defaults; an organisation without one welcomes nobody.
	n, err := parseConfigFile([]byte(minimalFile+"[organisations.new_starters]\nquestionnaire_url = \"https://oh.example/q\"\nremind_after_days = 5\n"), "n.toml")
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Triggers["T1"].NewStarters; got == nil || *got != (triggers.NewStarterTerms{DaysBefore: 7, RemindAfterDays: 5}) {
		t.Errorf("T1's new starters = %+v, want 7 days before and reminders after 5", got)
	}
	if c.Triggers["RX2"].NewStarters != nil {
		t.Errorf("RX2 has no new_starters section but welcomes new starters")
	}

	// A file of directories alone is a whole file too.
	if _, err := readConfigFile(filepath.Join("..", "..", "signposting", "testdata", "example.toml")); err != nil {
		t.Errorf("the signposting example: %v", err)
	}
}

// minimalFile is a valid file of one organisation, T1, with nothing but the
// directory entries every organisation needs.
const minimalFile = `[[organisations]]
code = "T1"
name = "Test Trust"
oh_name = "Test OH"
services = [
  {key = "emergency", name = "999", category = "crisis", phone = "999", owner = "Lead", review_by = 2027-01-31},
  {key = "nhs111", name = "111", category = "crisis", phone = "111", phone_option = 2, owner = "Lead", review_by = 2027-01-31},
  {key = "samaritans", name = "Samaritans", category = "crisis", phone = "116 123", owner = "Lead", review_by = 2027-01-31},
  {key = "shout", name = "Shout", category = "crisis", sms_keyword = "SHOUT", sms_number = "85258", owner = "Lead", review_by = 2027-01-31},
  {key = "oh", name = "OH", category = "oh", phone = "0191 498 0000", owner = "Lead", review_by = 2027-01-31},
]
`

// secondOrganisation is T2's table, for appending to minimalFile.
var secondOrganisation = strings.Replace(strings.Replace(minimalFile, `"T1"`, `"T2"`, 1), "Test Trust", "Second Trust", 1)

func TestConfigFileRefusesUnknownKeys(t *testing.T) {
	t.Parallel()
	const triggersKeys = "(known here: stress_after_working_days, msk_after_days, msk_codes, long_term_days, grace, reminder_after, close_after, follow_up_unanswered, bank_holidays)"
	tests := []struct {
		name  string
		file  string
		wants []string // each a whole line of the error
	}{
		{"at the top level", "sned_window = 1\n" + minimalFile,
			[]string{"cfg.toml: line 1: unknown key sned_window (known here: organisations)"}},
		{"a top-level table", minimalFile + "\n[send_window]\nfrom = \"09:00\"\n",
			[]string{"cfg.toml: line 13: unknown key send_window (known here: organisations)"}},
		{"in an organisation", minimalFile + "oh_nmae = \"Test OH\"\n",
			[]string{"cfg.toml: line 12: unknown key organisations.oh_nmae in organisation T1 (known here: code, name, oh_name, go_live, services, " +
				"vaccination, new_starters, time_zone, send_window, oh_hours, triggers, sms, webchat, widget, replies, on_call, msk)"}},
		{"in a table of an organisation", minimalFile + "[organisations.triggers]\ngrace = \"72h\"\n" + secondOrganisation +
			"[organisations.triggers]\nlong_term_dayz = 21\n[organisations.send_window]\nform = \"09:00\"\n",
			[]string{
				"cfg.toml: line 26: unknown key organisations.triggers.long_term_dayz in organisation T2 " + triggersKeys,
				"cfg.toml: line 28: unknown key organisations.send_window.form in organisation T2 (known here: days, from, until)",
			}},
		{"the same typo in two organisations", minimalFile + "[organisations.on_call]\nmobil = \"+447700900900\"\n" +
			secondOrganisation + "[organisations.on_call]\nmobil = \"+447700900901\"\n",
			[]string{
				"cfg.toml: line 13: unknown key organisations.on_call.mobil in organisation T1 (known here: mobile)",
				"cfg.toml: line 26: unknown key organisations.on_call.mobil in organisation T2 (known here: mobile)",
			}},
		{"an unknown table is one problem", minimalFile + "[organisations.widgets]\nallowed_origins = [\"https://intranet.example.nhs.uk\"]\n",
			[]string{"cfg.toml: line 12: unknown key organisations.widgets in organisation T1 (known here: code, name, oh_name, go_live, services, " +
				"vaccination, new_starters, time_zone, send_window, oh_hours, triggers, sms, webchat, widget, replies, on_call, msk)"}},
		{"in a service entry", strings.Replace(minimalFile, `phone = "0191 498 0000",`, `phone = "0191 498 0000", telephone = "0191 498 0000",`, 1),
			[]string{"cfg.toml: line 10: unknown key organisations.services.telephone in organisation T1 (known here: key, name, category, phone, " +
				"phone_option, sms_keyword, sms_number, url, hours, eligible, owner, review_by)"}},
		{"in an inline table", minimalFile + "oh_hours = { from = \"08:00\", opens = true }\n",
			[]string{"cfg.toml: line 12: unknown key organisations.oh_hours.opens in organisation T1 (known here: days, from, until)"}},
		{"in the vaccination clinic", minimalFile + "[organisations.vaccination]\nclinic = \"Flu clinic\"\nplace = \"OH\"\nhours = \"Mon-Fri\"\n" +
			"booking_url = \"https://x.example\"\nbooking_link = \"https://x.example\"\n",
			[]string{"cfg.toml: line 17: unknown key organisations.vaccination.booking_link in organisation T1 (known here: clinic, place, hours, booking_url, slots)"}},
		{"a dotted key", minimalFile + "sms.fold_diacritic = true\n",
			[]string{"cfg.toml: line 12: unknown key organisations.sms.fold_diacritic in organisation T1 (known here: fold_diacritics)"}},
		{"in every package's tables", minimalFile + "[organisations.webchat]\nsms_fallback = \"24h\"\n[organisations.widget]\norigins = []\n" +
			"[organisations.replies]\nsign = false\n[organisations.on_call]\nmobil = \"+447700900900\"\n[organisations.msk]\nreferral_sla_days = 2\n",
			[]string{
				"cfg.toml: line 13: unknown key organisations.webchat.sms_fallback in organisation T1 (known here: sms_fallback_after)",
				"cfg.toml: line 15: unknown key organisations.widget.origins in organisation T1 (known here: allowed_origins)",
				"cfg.toml: line 17: unknown key organisations.replies.sign in organisation T1 (known here: signed, signature)",
				"cfg.toml: line 19: unknown key organisations.on_call.mobil in organisation T1 (known here: mobile)",
				"cfg.toml: line 21: unknown key organisations.msk.referral_sla_days in organisation T1 (known here: on_call_mobile, referral_sla_working_days)",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := parseConfigFile([]byte(minimalFile), "cfg.toml"); err != nil {
				t.Fatalf("the file without the unknown keys: %v", err)
			}
			_, err := parseConfigFile([]byte(tt.file), "cfg.toml")
			if err == nil {
				t.Fatal("no error")
			}
			lines := strings.Split(err.Error(), "\n")
			for _, w := range tt.wants {
				if !slices.Contains(lines, w) {
					t.Errorf("no line %q in the error:\n%v", w, err)
				}
			}
			if len(lines) != len(tt.wants) {
				t.Errorf("the error has %d lines, want %d:\n%v", len(lines), len(tt.wants), err)
			}
		})
	}
}

// TestConfigFileProblems checks that every problem a part finds is
// reported, each on its own line naming the file and the organisation.
func TestConfigFileProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		file  string
		wants []string // each must appear in the error
	}{
		{"every part's problems, each naming its organisation", minimalFile + "time_zone = \"Europe/Londn\"\n" +
			"[organisations.triggers]\nmsk_after_days = 40\n[organisations.oh_hours]\nfrom = \"17:00\"\nuntil = \"09:00\"\nopen = true\n" +
			secondOrganisation + "[organisations.widget]\nallowed_origins = [\"intranet\"]\n[organisations.replies]\nsignature = \"initials\"\n" +
			"[organisations.on_call]\nmobile = \"020 7946 0000\"\n[organisations.msk]\nreferral_sla_working_days = 0\n",
			[]string{
				"\ncfg.toml: organisation T1: time_zone \"Europe/Londn\" is not a time zone",
				"\ncfg.toml: organisation T1: triggers.msk_after_days = 40 is out of range (0 to 28)",
				"\ncfg.toml: organisation T1: oh_hours: from 17:00 must be before until 09:00",
				"cfg.toml: line 18: unknown key organisations.oh_hours.open in organisation T1",
				"\ncfg.toml: organisation T2: widget.allowed_origins: \"intranet\" is not an http(s) origin",
				"\ncfg.toml: organisation T2: replies.signature must be",
				"\ncfg.toml: organisation T2: on_call.mobile is not a mobile number",
				"\ncfg.toml: organisation T2: msk.referral_sla_working_days must be 1 to 10",
			}},
		{"a directory's problems", strings.Replace(minimalFile, `phone = "999"`, `phone = "12345"`, 1),
			[]string{`cfg.toml: organisation T1, service emergency: phone "12345" is not a UK number`}},
		{"a vaccination clinic's problems", minimalFile + "[organisations.vaccination]\nclinic = \"Flu clinic\"\nhours = \"Mon-Fri\"\n" +
			"booking_url = \"intranet/flu\"\nslots = [\"Mon 23/11 09:00\", \"Mon 23/11 09:00\"]\n",
			[]string{
				"cfg.toml: organisation T1, vaccination: place must be 1 to 60 characters",
				`cfg.toml: organisation T1, vaccination: booking_url "intranet/flu" is not an http(s) URL`,
				`cfg.toml: organisation T1, vaccination: slot 2 ("Mon 23/11 09:00") is listed twice`,
			}},
		{"codes missing and repeated", "[[organisations]]\nname = \"no code\"\n" + minimalFile + minimalFile,
			[]string{"cfg.toml: organisation #1: code \"\" must be", "cfg.toml: organisation T1: code is used twice"}},
		{"a wrong type", minimalFile + "[organisations.triggers]\nlong_term_days = \"28\"\n",
			[]string{"cfg.toml: ", "line 13", "long_term_days"}},
		{"not TOML", "[[organisations]\n", []string{"cfg.toml: "}},
		{"no organisations", "", []string{"cfg.toml: no [[organisations]]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseConfigFile([]byte(tt.file), "cfg.toml")
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

func TestReadConfigFileMissing(t *testing.T) {
	t.Parallel()
	_, err := readConfigFile(filepath.Join(t.TempDir(), "nope.toml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want not-exist", err)
	}
}

// TestKeyLines checks the key scanner against the library: the same keys
// in the same order, each on the line it is written on.
func TestKeyLines(t *testing.T) {
	t.Parallel()
	const tricky = "\ufefftop = 1 # [not.a.table]\n" +
		"a.\"b.c\" . d = 1979-05-27 07:32:00Z\n" +
		"'lit key' = 'C:\\path'\n" +
		"text = \"\"\"\n[not.a.table]\nkey = \\\"\"\" \"\"\"\"\n" +
		"raw = '''\nx = 1\n'''\n" +
		"list = [\n  1, # a comment, with ] and }\n  \"]\",\n  [2, 3],\n]\n" +
		"[ tbl . sub ]\n" +
		"inline = { x = 1, y = { z = \"}\" } }\n" +
		"rows = [{ q = 1 },\n  { q = 2 }]\n" +
		"[[arr]]\nk = 1\n[[arr]]\r\nk = 2\r\n"
	want := []keyLine{
		{"top", 1}, {`a."b.c".d`, 2}, {`"lit key"`, 3}, {"text", 4}, {"raw", 7}, {"list", 10},
		{"tbl.sub", 15}, {"tbl.sub.inline", 16}, {"tbl.sub.inline.x", 16}, {"tbl.sub.inline.y", 16}, {"tbl.sub.inline.y.z", 16},
		{"tbl.sub.rows", 17}, {"tbl.sub.rows.q", 17}, {"tbl.sub.rows.q", 18},
		{"arr", 19}, {"arr.k", 20}, {"arr", 21}, {"arr.k", 22},
	}
	if got := keyLines(tricky); !reflect.DeepEqual(got, want) {
		t.Errorf("keyLines:\n got %v\nwant %v", got, want)
	}

	for _, text := range []string{tricky, minimalFile + secondOrganisation, readFile(t, filepath.Join("testdata", "ohcontact.toml"))} {
		var v map[string]any
		md, err := toml.Decode(text, &v)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, k := range md.Keys() {
			keys = append(keys, k.String())
		}
		var scanned []string
		for _, kl := range keyLines(text) {
			scanned = append(scanned, kl.key)
		}
		if !slices.Equal(scanned, keys) {
			t.Errorf("keyLines found keys\n%v\nthe library found\n%v", scanned, keys)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestCommandsReadTheConfigFile runs commands with OHCONTACT_CONFIG: they
// take their organisations and settings from it, and a misspelt key stops
// them before they touch anything, naming the key and its line.
func TestCommandsReadTheConfigFile(t *testing.T) {
	t.Parallel()
	example, err := filepath.Abs(filepath.Join("testdata", "ohcontact.toml"))
	if err != nil {
		t.Fatal(err)
	}
	vars, db := commandDB(t)
	vars["OHCONTACT_CONFIG"] = example
	if _, _, err := runUserAdd(t, vars, "a long enough password", "--email", "sam@example.nhs.uk", "--name", "Sam Jones", "--role", "clinician", "--org", "RX2"); err != nil {
		t.Fatalf("user add --org RX2: %v", err)
	}
	var orgs []string
	rows, err := db.Pool.Query(t.Context(), `SELECT code || ' ' || name FROM organisations ORDER BY code`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, o)
	}
	if want := []string{"RX1 Example Northern NHS Foundation Trust", "RX2 Example Southern NHS Trust"}; !slices.Equal(orgs, want) {
		t.Errorf("organisations %q, want the file's %q", orgs, want)
	}

	// serve wires every organisation's part: RX1 has an on-call number,
	// RX2 none, and only RX2 is warned about.
	vars["HTTP_ADDR"] = "127.0.0.1:0"
	env, _, stderr := testEnv(vars)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- run(ctx, env, []string{"serve"}) }()
	waitForLog(t, stderr, "serving", "addr")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	var warned []string
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, "organisation has no on-call number") {
			warned = append(warned, line)
		}
	}
	if len(warned) != 1 || !strings.Contains(warned[0], `"organisation":"RX2"`) {
		t.Errorf("on-call warnings %q, want one, for RX2", warned)
	}

	misspelt := filepath.Join(t.TempDir(), "ohcontact.toml")
	text := strings.Replace(readFile(t, example), "  mobile = \"07700 900901\"", "  mobil = \"07700 900901\"", 1)
	if err := os.WriteFile(misspelt, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	vars, db = commandDB(t)
	vars["OHCONTACT_CONFIG"] = misspelt
	want := "\nOHCONTACT_CONFIG: " + misspelt + ": line 56: unknown key organisations.on_call.mobil in organisation RX1 (known here: mobile)"
	env, _, _ = testEnv(vars)
	if err := run(t.Context(), env, []string{"serve"}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("serve with a misspelt key: %v, want an error with the line%s", err, want)
	}
	if _, _, err := runUserAdd(t, vars, "a long enough password", "--email", "ada@example.nhs.uk", "--name", "Ada", "--role", "admin"); err == nil ||
		!strings.Contains(err.Error(), want) {
		t.Errorf("user add with a misspelt key: %v, want an error with the line%s", err, want)
	}
	var n int
	if err := db.Pool.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM organisations) + (SELECT count(*) FROM users)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d organisations and users after the refusals (%v), want none", n, err)
	}
}
