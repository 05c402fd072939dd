package risk

import (
	"reflect"
	"testing"
)

func TestWords(t *testing.T) {
	tests := []struct {
		name, text string
		want       []Word
	}{
		{"contractions and case", "I can't come in", []Word{{Text: "i"}, {Text: "can"}, {Text: "not"}, {Text: "come"}, {Text: "in"}}},
		{"accents and numbers", "Nie przyjdę, 2 dni", []Word{{Text: "nie"}, {Text: "przyjde"}, {Text: "#"}, {Text: "dni"}}},
		{"clauses", "off sick. but ok", []Word{{Text: "off"}, {Text: "sick"}, {Text: "but", Clause: true}, {Text: "ok"}}},
		{"symbol", "ill 🤒", []Word{{Text: "ill"}, {Text: "🤒"}}},
		{"empty", "", []Word{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Words(tt.text); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Words(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}
