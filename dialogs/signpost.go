package dialogs

import (
	"slices"
	"strings"

	"github.com/ohcontact/ohcontact/signposting"
)

// signpost gives every service of the categories, once each, and records
// them.
func (s *session) signpost(health bool, cats ...signposting.Category) {
	for _, c := range cats {
		for _, svc := range s.org.ByCategory(c) {
			if c == signposting.Crisis {
				continue
			}
			s.sayText(s.serviceLine(svc), health)
			s.effect(Signpost{Service: svc.Key, Category: svc.Category})
			if !slices.Contains(s.st.Signposted, svc.Key) {
				s.st.Signposted = append(s.st.Signposted, svc.Key)
			}
		}
	}
}

// serviceLine is one service as a text: "Samaritans: call 116 123.
// https://www.samaritans.org (24/7, free)".
func (s *session) serviceLine(svc signposting.Service) string {
	var parts []string
	if svc.Phone != "" {
		if svc.PhoneOption > 0 {
			parts = append(parts, s.text("svc_call_option", map[string]any{"Phone": svc.Phone, "Option": svc.PhoneOption}))
		} else {
			parts = append(parts, s.text("svc_call", map[string]any{"Phone": svc.Phone}))
		}
	}
	if svc.SMSNumber != "" {
		parts = append(parts, s.text("svc_text", map[string]any{"Keyword": svc.SMSKeyword, "Number": svc.SMSNumber}))
	}
	var b strings.Builder
	b.WriteString(svc.Name)
	b.WriteString(":")
	if len(parts) > 0 {
		b.WriteString(" ")
		b.WriteString(strings.Join(parts, ", "))
		b.WriteString(".")
	}
	if svc.URL != "" {
		b.WriteString(" ")
		b.WriteString(svc.URL)
	}
	if svc.Hours != "" {
		b.WriteString(" (" + svc.Hours + ")")
	}
	return b.String()
}
