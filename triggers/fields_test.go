package triggers

import (
	"strings"
	"testing"

	"github.com/ohcontact/ohcontact/phone"
)

func TestMobileE164(t *testing.T) {
	const want = "+447700900123"
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string // start of the error
	}{
		{"national with a space", "07700 900123", want, ""},
		{"international with (0)", "+44 (0)7700 900123", want, ""},
		{"international with 00", "0044 7700 900123", want, ""},
		{"spreadsheet dropped the 0", "7700900123", want, ""},
		{"surrounding and non-breaking spaces", " 07700\u00a0900123 ", want, ""},
		{"Isle of Man mobile", "07624 123456", "+447624123456", ""},
		{"Irish, international", "+353 85 123 4567", "+353851234567", ""},
		{"Polish, international with 00", "0048 512 345 678", "+48512345678", ""},
		{"UK landline 02", "020 7946 0000", "", "not a mobile number"},
		{"UK personal number 070", "07011 123456", "", "not a mobile number"},
		{"UK pager 076", "07600 123456", "", "not a mobile number"},
		{"one digit short", "0770090012", "", "not a real phone number"},
		{"letters", "07700 90O123", "", "not a phone number"},
		{"foreign without +", "353851234567", "", "not a real phone number"},
		{"impossible North American", "+1 (555) 123", "", "not a real phone number"},
		{"international starting 0", "+0851234567", "", "not a real phone number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MobileE164(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("MobileE164(%q) = %q, %v; want an error starting %q", tt.in, got, err, tt.wantErr)
				}
				digits := strings.Map(func(r rune) rune {
					if r < '0' || r > '9' {
						return -1
					}
					return r
				}, tt.in)
				if len(digits) >= 7 && (strings.Contains(err.Error(), digits) || strings.Contains(err.Error(), tt.in)) {
					t.Errorf("error %q repeats the number", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("MobileE164(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if !phone.IsE164(got) {
				t.Errorf("%q does not fit staff.mobile's check", got)
			}
		})
	}
}

func TestLanguageAndChannelAliases(t *testing.T) {
	tests := []struct {
		name string
		read func(string) (string, error)
		in   string
		want string
	}{
		{"empty language is English", languageTag, "", "en-GB"},
		{"en", languageTag, "en", "en-GB"},
		{"EN-GB", languageTag, "EN-GB", "en-GB"},
		{"English", languageTag, "English", "en-GB"},
		{"cy", languageTag, "cy", "cy"},
		{"Welsh", languageTag, "Welsh", "cy"},
		{"Cymraeg", languageTag, "Cymraeg", "cy"},
		{"PL", languageTag, "PL", "pl"},
		{"Polish", languageTag, "Polish", "pl"},
		{"polski", languageTag, "polski", "pl"},
		{"empty channel is no preference", preferredChannel, "", ""},
		{"SMS", preferredChannel, "SMS", "sms"},
		{"webchat", preferredChannel, "webchat", "webchat"},
		{"Web Chat", preferredChannel, "Web Chat", "webchat"},
		{"chat", preferredChannel, "chat", "webchat"},
		{"widget", preferredChannel, "Widget", "webchat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := tt.read(tt.in); err != nil || got != tt.want {
				t.Errorf("read(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"fr", "en-US", "welsh please"} {
		if _, err := languageTag(bad); err == nil {
			t.Errorf("language %q accepted", bad)
		}
	}
	for _, bad := range []string{"email", "phone", "whatsapp"} {
		if _, err := preferredChannel(bad); err == nil {
			t.Errorf("channel %q accepted", bad)
		}
	}
}

func TestReasonCode(t *testing.T) {
	for _, ok := range []struct{ in, want string }{{"S10", "S10"}, {" s12 ", "S12"}, {"S32", "S32"}, {"s98", "S98"}, {"S99", "S99"}} {
		if got, err := reasonCode(ok.in); err != nil || got != ok.want {
			t.Errorf("reasonCode(%q) = %q, %v; want %q", ok.in, got, err, ok.want)
		}
	}
	for _, bad := range []string{"", "S09", "S33", "S97", "S1", "10", "S10 S11"} {
		if got, err := reasonCode(bad); err == nil {
			t.Errorf("reasonCode(%q) = %q, want an error", bad, got)
		}
	}
	// A value shaped like a reason code is named; any other is not repeated.
	for _, tt := range []struct{ in, want string }{
		{"s77", "S77 is not an ESR sickness absence reason (S10 to S32, S98 or S99)"},
		{"Ann Example", "is not an ESR sickness absence reason (S10 to S32, S98 or S99)"},
		{"07700900123", "is not an ESR sickness absence reason (S10 to S32, S98 or S99)"},
	} {
		if _, err := reasonCode(tt.in); err == nil || err.Error() != tt.want {
			t.Errorf("reasonCode(%q) error = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestEmail(t *testing.T) {
	for _, ok := range []string{"", "aisha.khan@nhs.net", "a+b@trust.nhs.uk"} {
		if _, err := optionalEmail(ok); err != nil {
			t.Errorf("optionalEmail(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"aisha", "aisha@", "@nhs.net", "aisha@nhs", "a b@nhs.net", "a@b@nhs.net", "a@nhs.net; b@nhs.net", "a@nhs.", "<a@nhs.net>", strings.Repeat("a", 250) + "@nhs.net"} {
		if _, err := optionalEmail(bad); err == nil {
			t.Errorf("optionalEmail(%q) accepted", bad)
		}
	}
}
