package triggers

import "fmt"

// Policy is the Settings of every organisation: those the configuration
// file gives, and Default for organisations it does not name.
type Policy struct {
	ByOrganisation map[string]Settings
	Default        Settings
}

// LoadPolicy reads the organisations' settings from the configuration file
// at path (OHCONTACT_CONFIG; see Load); with path empty every organisation
// has the defaults.
func LoadPolicy(path string) (Policy, error) {
	def, err := Defaults()
	if err != nil {
		return Policy{}, err
	}
	p := Policy{Default: def}
	if path != "" {
		if p.ByOrganisation, err = Load(path); err != nil {
			return Policy{}, fmt.Errorf("load trigger settings: %w", err)
		}
	}
	return p, nil
}

// For returns the settings of the organisation with code.
func (p Policy) For(code string) Settings {
	if s, ok := p.ByOrganisation[code]; ok {
		return s
	}
	return p.Default
}
