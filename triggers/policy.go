package triggers

import (
	"slices"
	"time"
)

// Policy is the Settings of every organisation: those the configuration
// file gives, and Default for organisations it does not name.
type Policy struct {
	ByOrganisation map[string]Settings
	Default        Settings
}

// NewPolicy returns the Policy of organisations with the settings
// byOrganisation gives, by code (Config.Settings), and the defaults for
// every other; with none every organisation has the defaults. It fails only
// when Defaults does.
func NewPolicy(byOrganisation map[string]Settings) (Policy, error) {
	def, err := Defaults()
	if err != nil {
		return Policy{}, err
	}
	return Policy{ByOrganisation: byOrganisation, Default: def}, nil
}

// For returns the settings of the organisation with code.
func (p Policy) For(code string) Settings {
	if s, ok := p.ByOrganisation[code]; ok {
		return s
	}
	return p.Default
}

// NextStaffed returns when organisation code's OH team is next at work, at
// or after t: t itself while the team is at work, else the next opening of
// its hours (Settings.TeamHours) that is not a bank holiday. Parse refuses
// hours that never open; should none open in the next 14 days all the same
// (all bank holidays), it returns t: a holding line never names a day it
// cannot know.
func (p Policy) NextStaffed(code string, t time.Time) time.Time {
	s := p.For(code)
	from := t
	for range searchDays {
		at, err := s.TeamHours.Next(t, nil)
		if err != nil {
			return from
		}
		day := DateOf(at.In(s.TeamHours.Location))
		if !slices.Contains(s.Rules.BankHolidays, day) {
			return at
		}
		t = day.AddDays(1).At(Clock{}, s.TeamHours.Location)
	}
	return from
}
