package triggers

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ohcontact/ohcontact"
)

// Settings are one organisation's trigger rules and send window, and how
// its texts are sent.
type Settings struct {
	Rules  Rules
	Window Window
	// TeamHours are when the organisation's OH team is at work (bank
	// holidays, Rules.BankHolidays, excepted): what the bot tells someone
	// waiting for a clinician (Policy.NextStaffed).
	TeamHours Window
	// FoldDiacritics folds the Welsh and Polish letters of its texts to
	// GSM-7 for cost (locales.FoldDiacritics); by default they are kept.
	FoldDiacritics bool
	// NewStarters is when the organisation texts its new starters (its
	// new_starters section); nil when it welcomes none.
	NewStarters *NewStarterTerms
}

// defaultTimeZone is the time zone of an organisation that does not name one.
const defaultTimeZone = "Europe/London"

// Defaults returns the settings of an organisation whose configuration sets
// none of them (see the package documentation for the values). It fails
// only when the Europe/London time zone cannot be loaded (no tzdata).
func Defaults() (Settings, error) {
	loc, err := time.LoadLocation(defaultTimeZone)
	if err != nil {
		return Settings{}, fmt.Errorf("triggers: load time zone: %w", err)
	}
	return defaultSettings(loc), nil
}

func defaultSettings(loc *time.Location) Settings {
	return Settings{Rules: defaultRules(loc), Window: defaultWindow(loc), TeamHours: defaultTeamHours(loc)}
}

// Config is the part of an [[organisations]] table this package owns, as
// written in the configuration file (OHCONTACT_CONFIG; the package
// documentation lists the keys). Optional numbers are pointers, and
// optional lists nil, so that "not given" (the default applies) differs
// from zero or empty.
type Config struct {
	TimeZone   string       `toml:"time_zone"`
	SendWindow WindowConfig `toml:"send_window"`
	OHHours    WindowConfig `toml:"oh_hours"`
	Triggers   struct {
		StressAfterWorkingDays *int     `toml:"stress_after_working_days"`
		MSKAfterDays           *int     `toml:"msk_after_days"`
		MSKCodes               []string `toml:"msk_codes"`
		LongTermDays           *int     `toml:"long_term_days"`
		Grace                  string   `toml:"grace"`
		ReminderAfter          string   `toml:"reminder_after"`
		CloseAfter             string   `toml:"close_after"`
		FollowUpUnanswered     []string `toml:"follow_up_unanswered"`
		BankHolidays           []any    `toml:"bank_holidays"` // TOML dates or strings
	} `toml:"triggers"`
	SMS struct {
		FoldDiacritics *bool `toml:"fold_diacritics"`
	} `toml:"sms"`
	WebChat struct {
		SMSFallbackAfter string `toml:"sms_fallback_after"`
	} `toml:"webchat"`
}

// Settings returns the defaults overridden by the keys c gives. It reports
// every bad value at once (errors.Join), each naming its key
// ("triggers.grace: …"); the caller names the organisation.
func (c Config) Settings() (Settings, error) {
	var problems []error
	s := c.settings(func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) })
	return s, errors.Join(problems...)
}

// settings returns the defaults overridden by the keys c gives, reporting
// each bad value to problem.
func (c Config) settings(problem func(format string, args ...any)) Settings {
	loc, err := timeZone(c.TimeZone)
	if err != nil {
		problem("time_zone %v", err)
		loc = time.UTC // go on, to report the other problems too
	}
	s := defaultSettings(loc)

	c.SendWindow.read(&s.Window, "send_window", problem)
	c.OHHours.read(&s.TeamHours, "oh_hours", problem)
	s.Rules.DueTime = s.Window.From

	t := c.Triggers
	readInt(t.StressAfterWorkingDays, &s.Rules.StressAfterWorkingDays, 0, 10, "triggers.stress_after_working_days", problem)
	readInt(t.MSKAfterDays, &s.Rules.MSKAfterDays, 0, 28, "triggers.msk_after_days", problem)
	readInt(t.LongTermDays, &s.Rules.LongTermDays, 1, 366, "triggers.long_term_days", problem)
	readDuration(t.Grace, &s.Rules.Grace, "triggers.grace", problem)
	readDuration(t.ReminderAfter, &s.Rules.ReminderAfter, "triggers.reminder_after", problem)
	readDuration(t.CloseAfter, &s.Rules.CloseAfter, "triggers.close_after", problem)
	if t.MSKCodes != nil {
		s.Rules.MSKCodes = []string{}
		for _, c := range t.MSKCodes {
			code, err := reasonCode(c)
			if err != nil {
				problem("triggers.msk_codes: %q is not an ESR sickness absence reason (S10 to S32, S98 or S99)", c)
			}
			s.Rules.MSKCodes = append(s.Rules.MSKCodes, code)
		}
	}
	if t.FollowUpUnanswered != nil {
		s.Rules.FollowUpUnanswered = []ohcontact.Trigger{}
		for _, trigger := range t.FollowUpUnanswered {
			if ohcontact.Trigger(trigger).Flow() == "" {
				problem("triggers.follow_up_unanswered: %q is not a trigger (stress, msk, long_term)", trigger)
			}
			s.Rules.FollowUpUnanswered = append(s.Rules.FollowUpUnanswered, ohcontact.Trigger(trigger))
		}
	}
	if t.BankHolidays != nil {
		s.Rules.BankHolidays = []Date{}
		for _, v := range t.BankHolidays {
			d, err := configDate(v)
			if err != nil {
				problem("triggers.bank_holidays: %v", err)
			}
			s.Rules.BankHolidays = append(s.Rules.BankHolidays, d)
		}
	}
	if c.SMS.FoldDiacritics != nil {
		s.FoldDiacritics = *c.SMS.FoldDiacritics
	}
	switch v := c.WebChat.SMSFallbackAfter; v {
	case "":
	case "0", "off":
		s.Rules.SMSFallbackAfter = 0
	default:
		readDuration(v, &s.Rules.SMSFallbackAfter, "webchat.sms_fallback_after", problem)
	}
	return s
}

var weekdays = map[string]time.Weekday{
	"mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday, "thu": time.Thursday,
	"fri": time.Friday, "sat": time.Saturday, "sun": time.Sunday,
	"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday, "thursday": time.Thursday,
	"friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday,
}

// timeZone loads an IANA time zone; empty means Europe/London. "Local" is
// refused: it would depend on the machine.
func timeZone(name string) (*time.Location, error) {
	if name == "" {
		name = defaultTimeZone
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, fmt.Errorf("%q is not a time zone (an IANA name such as Europe/London)", name)
	}
	return loc, nil
}

// The read helpers below set *dst from an optional value, leaving the
// default when it is not given, and report a problem naming key.

// WindowConfig is a [organisations.send_window] or [organisations.oh_hours]
// table.
type WindowConfig struct {
	Days  []string `toml:"days"`
	From  string   `toml:"from"`
	Until string   `toml:"until"`
}

// read sets dst's days and hours from the keys w has, reporting problems
// under key.
func (w WindowConfig) read(dst *Window, key string, problem func(string, ...any)) {
	if w.Days != nil {
		dst.Days = nil
		for _, d := range w.Days {
			day, ok := weekdays[strings.ToLower(d)]
			switch {
			case !ok:
				problem("%s.days: %q is not a day (mon, tue, wed, thu, fri, sat, sun)", key, d)
			case !slices.Contains(dst.Days, day):
				dst.Days = append(dst.Days, day)
			}
		}
		if len(w.Days) == 0 {
			problem("%s.days is empty: the window would never open", key)
		}
	}
	readClock(w.From, &dst.From, key+".from", problem)
	readClock(w.Until, &dst.Until, key+".until", problem)
	if dst.From.minutes() >= dst.Until.minutes() {
		problem("%s: from %s must be before until %s (a window cannot cross midnight)", key, dst.From, dst.Until)
	}
}

func readClock(s string, dst *Clock, key string, problem func(string, ...any)) {
	if s == "" {
		return
	}
	c, err := parseClock(s)
	if err != nil {
		problem("%s: %v", key, err)
		return
	}
	*dst = c
}

func readInt(v *int, dst *int, lowest, highest int, key string, problem func(string, ...any)) {
	if v == nil {
		return
	}
	if *v < lowest || *v > highest {
		problem("%s = %d is out of range (%d to %d)", key, *v, lowest, highest)
		return
	}
	*dst = *v
}

func readDuration(s string, dst *time.Duration, key string, problem func(string, ...any)) {
	if s == "" {
		return
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		problem("%s: %q is not a length of time such as 72h or 90m", key, s)
		return
	}
	*dst = d
}

// configDate reads a bank holiday written as a TOML date (2026-12-25) or a
// string ("2026-12-25").
func configDate(v any) (Date, error) {
	switch v := v.(type) {
	case time.Time:
		return DateOf(v), nil
	case string:
		d, err := ParseDate(v)
		if errors.Is(err, errNotADate) { // the operator wrote it: say what
			return d, fmt.Errorf("%q %w", v, err)
		}
		return d, err
	}
	return Date{}, fmt.Errorf("%v is not a date such as 2026-12-25", v)
}
