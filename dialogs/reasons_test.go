package dialogs

import (
	"testing"
)

func TestReasonCode(t *testing.T) {
	tests := []struct{ in, code, related string }{
		{"back pain", "S11", ""}, {"stress", "S10", ""}, {"Stressed out, anxiety", "S10", ""},
		{"stress and back pain", "S10", ""}, {"anxeity", "S10", ""}, {"flu", "S13", ""}, {"cold and cough", "S13", ""},
		{"chest infection", "S15", ""}, {"covid", "S27", "COVID-19"}, {"Covid-19 cough", "S27", "COVID-19"},
		{"migraine", "S16", ""}, {"d&v", "S25", ""}, {"sickness and diarrhoea", "S25", ""}, {"broken wrist", "S28", ""},
		{"sprained ankle", "S28", ""}, {"knee", "S12", ""}, {"ear infection", "S21", ""}, {"toothache", "S22", ""},
		{"operation", "S98", ""}, {"pregnancy sickness", "S30", ""}, {"private", "S99", ""},
		{"I'd rather not say", "S99", ""}, {"sick", "S99", ""}, {"ffliw", "S13", ""}, {"grypa", "S13", ""},
		{"ból pleców", "S11", ""}, {"straen", "S10", ""},
	}
	for _, tt := range tests {
		code, related := ReasonCode(tt.in)
		if code != tt.code || related != tt.related {
			t.Errorf("ReasonCode(%q) = %s, %q; want %s, %q", tt.in, code, related, tt.code, tt.related)
		}
	}
}
