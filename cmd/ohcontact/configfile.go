package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/ohcontact/ohcontact/channels/webchat"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/signposting"
	"github.com/ohcontact/ohcontact/triggers"
)

// configFile is the configuration file (OHCONTACT_CONFIG), decoded once for
// every package by parseConfigFile. Each package owns the keys of its part
// of an [[organisations]] table (a TOML-shaped struct) and what they mean
// (a constructor that checks them); the decoder composes the parts, refuses
// any key no part owns, and keeps each package's typed result here. It
// lives in cmd because only cmd wires packages together: no feature
// package imports another's configuration, and dependencies stay one-way.
// The zero configFile is no file: no directory, and no organisation with
// settings of its own.
type configFile struct {
	// Directory is every organisation and its signposting directory, in
	// the file's order.
	Directory *signposting.Directory
	// The rest are by organisation code.
	Triggers map[string]triggers.Settings
	Origins  map[string][]string // web chat origins (webchat.WidgetConfig)
	Replies  map[string]escalation.ReplySigning
	Routes   map[string]escalation.Routes
}

// fileTOML is the whole file as written.
type fileTOML struct {
	Organisations []organisationTOML `toml:"organisations"`
}

// organisationTOML is one [[organisations]] table: every package's part.
type organisationTOML struct {
	signposting.Organisation                          // code, name, oh_name, go_live, services, vaccination, new_starters
	triggers.Config                                   // time_zone, send_window, oh_hours, triggers, sms, webchat
	Widget                   webchat.WidgetConfig     `toml:"widget"`
	Replies                  escalation.RepliesConfig `toml:"replies"`
	OnCall                   escalation.OnCallConfig  `toml:"on_call"`
	MSK                      escalation.MSKConfig     `toml:"msk"`
}

// readConfigFile reads and decodes the configuration file at path; see
// parseConfigFile.
func readConfigFile(path string) (configFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return configFile{}, err
	}
	return parseConfigFile(data, path)
}

// parseConfigFile decodes a configuration file from data; name (the file's
// path) starts every error message. It reports every problem at once, one
// a line: each key no part owns, with its line and organisation, and each
// problem a part's check finds, with its organisation.
func parseConfigFile(data []byte, name string) (configFile, error) {
	var f fileTOML
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&f)
	if err != nil {
		return configFile{}, fmt.Errorf("%s: %w", name, err)
	}
	problems := unknownKeys(md, string(data), name, f.Organisations)

	c := configFile{Directory: &signposting.Directory{}, Triggers: map[string]triggers.Settings{},
		Origins: map[string][]string{}, Replies: map[string]escalation.ReplySigning{}, Routes: map[string]escalation.Routes{}}
	for _, o := range f.Organisations {
		c.Directory.Organisations = append(c.Directory.Organisations, o.Organisation)
	}
	problems = append(problems, each(name+": ", c.Directory.Validate())...)
	for i, o := range f.Organisations {
		prefix := fmt.Sprintf("%s: %s: ", name, organisationName(f.Organisations, i))
		var errs [4]error
		c.Triggers[o.Code], errs[0] = o.Config.Settings()
		if n := o.NewStarters; n != nil {
			set := c.Triggers[o.Code]
			set.NewStarters = &triggers.NewStarterTerms{DaysBefore: n.DaysBefore(), RemindAfterDays: n.RemindAfterDays()}
			c.Triggers[o.Code] = set
		}
		c.Origins[o.Code], errs[1] = o.Widget.Origins()
		c.Replies[o.Code], errs[2] = o.Replies.Signing()
		c.Routes[o.Code], errs[3] = escalation.NewRoutes(o.OnCall, o.MSK)
		for _, err := range errs {
			problems = append(problems, each(prefix, err)...)
		}
	}
	if err := errors.Join(problems...); err != nil {
		return configFile{}, err
	}
	return c, nil
}

// organisationName names the i-th organisation as the parts' checks do:
// "organisation RX1", or "organisation #2" when it has no code.
func organisationName(orgs []organisationTOML, i int) string {
	if code := orgs[i].Code; code != "" {
		return "organisation " + code
	}
	return fmt.Sprintf("organisation #%d", i+1)
}

// each returns err's problems (err may join several), each with prefix.
func each(prefix string, err error) []error {
	if err == nil {
		return nil
	}
	var out []error
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			out = append(out, each(prefix, e)...)
		}
		return out
	}
	return []error{fmt.Errorf("%s%w", prefix, err)}
}

// unknownKeys returns a problem for each key of the file no part owns
// (md.Undecoded), in file order: an unknown table is one problem, not one
// for each of its keys, and the same typo in two organisations is two. Each names the key's line (keyLines: the library
// keeps keys' positions to itself), its organisation, and the keys known
// in the table it is in.
func unknownKeys(md toml.MetaData, text, name string, orgs []organisationTOML) []error {
	undecoded := map[string]bool{}
	for _, k := range md.Undecoded() {
		undecoded[k.String()] = true
	}
	if len(undecoded) == 0 {
		return nil
	}
	lines := keyLines(text)
	var problems []error
	var reported []toml.Key
	org := -1
	for i, k := range md.Keys() {
		if len(k) == 1 && k[0] == "organisations" {
			org++ // a [[organisations]] header: keys after it are its
			reported = reported[:0]
		}
		if !undecoded[k.String()] || slices.ContainsFunc(reported, func(r toml.Key) bool { return isUnder(k, r) }) {
			continue
		}
		reported = append(reported, k)
		where := name + ": "
		if i < len(lines) && lines[i].key == k.String() {
			where = fmt.Sprintf("%s: line %d: ", name, lines[i].line)
		}
		msg := "unknown key " + k.String()
		if len(k) > 1 && k[0] == "organisations" && org >= 0 && org < len(orgs) {
			msg += " in " + organisationName(orgs, org)
		}
		if known := knownKeys(reflect.TypeFor[fileTOML](), k[:len(k)-1]); len(known) > 0 {
			msg += " (known here: " + strings.Join(known, ", ") + ")"
		}
		problems = append(problems, errors.New(where+msg))
	}
	return problems
}

// isUnder reports whether key k is table t or a key inside it.
func isUnder(k, t toml.Key) bool {
	return len(k) >= len(t) && slices.Equal(k[:len(t)], t)
}

// knownKeys returns the TOML keys of the table at path in the struct type
// t, or nil when path does not lead to a table t describes.
func knownKeys(t reflect.Type, path []string) []string {
	for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	fields := tomlFields(t)
	if len(path) == 0 {
		var names []string
		for _, f := range fields {
			names = append(names, f.name)
		}
		return names
	}
	for _, f := range fields {
		if f.name == path[0] {
			return knownKeys(f.typ, path[1:])
		}
	}
	return nil
}

type tomlField struct {
	name string
	typ  reflect.Type
}

// tomlFields returns the fields of struct type t by their toml tags, those
// of embedded structs in their place, in declaration order. Every field of
// the file's structs has a tag.
func tomlFields(t reflect.Type) []tomlField {
	var out []tomlField
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		switch {
		case f.Anonymous && tag == "":
			out = append(out, tomlFields(f.Type)...)
		case tag != "" && tag != "-":
			out = append(out, tomlField{tag, f.Type})
		}
	}
	return out
}
