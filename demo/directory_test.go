package demo

import (
	"testing"

	"github.com/ohcontact/ohcontact/signposting"
)

// TestDirectoryIsValid checks demo mode's directory: DEMO first, exactly as
// the built-in one, then three more trusts with every category, their own
// local numbers, and the North East and North Cumbria's Shout keyword.
func TestDirectoryIsValid(t *testing.T) {
	d := Directory()
	if err := d.Validate(); err != nil {
		t.Fatalf("demo pilot directory: %v", err)
	}
	if len(d.Organisations) != 4 || d.Organisations[0].Code != signposting.DemoCode {
		t.Fatalf("%d organisations, first %s; want 4, DEMO first", len(d.Organisations), d.Organisations[0].Code)
	}
	if got, want := len(d.Organisations[0].Services), len(signposting.Demo().Organisations[0].Services); got != want {
		t.Errorf("DEMO has %d services in demo mode, %d in the built-in directory", got, want)
	}
	phones := map[string]string{}
	for _, o := range d.Organisations[1:] {
		for _, c := range signposting.Categories {
			if len(o.ByCategory(c)) == 0 {
				t.Errorf("%s has no %s entry", o.Code, c)
			}
		}
		if s, _ := o.Service(signposting.KeyShout); s.SMSKeyword != "CALMER" {
			t.Errorf("%s: Shout keyword %q, want CALMER", o.Code, s.SMSKeyword)
		}
		for _, key := range []string{"wellbeing_hub", "financial_wellbeing", "msk_physio", "oh_callback"} {
			s, _ := o.Service(key)
			if other, ok := phones[s.Phone]; ok {
				t.Errorf("%s and %s share %s's number %s", o.Code, other, key, s.Phone)
			}
			phones[s.Phone] = o.Code
		}
	}
	if got := codes(); len(got) != 4 || got[0] != signposting.DemoCode {
		t.Errorf("codes() = %v", got)
	}
}
