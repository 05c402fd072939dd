package console

import (
	"bytes"
	"testing"
)

func TestCSVCellNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, cell, want string }{
		{"formula", "=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"},
		{"plus", "+1+2", "'+1+2"},
		{"minus", "-2+3", "'-2+3"},
		{"at", "@SUM(A1)", "'@SUM(A1)"},
		{"tab", "\t=1", "'\t=1"},
		{"carriage return", "\r=1", "'\r=1"},
		{"number", "42", "42"},
		{"suppressed", "<5", "<5"},
		{"words", "Week of 4 May", "Week of 4 May"},
		{"formula later", "a=b", "a=b"},
		{"empty", "", ""},
	} {
		if got := csvCell(tt.cell); got != tt.want {
			t.Errorf("%s: csvCell(%q) = %q, want %q", tt.name, tt.cell, got, tt.want)
		}
	}
	var buf bytes.Buffer
	w := newCSVWriter(&buf)
	_ = w.Write([]string{"=1+1", "ok"})
	w.Flush()
	if got := buf.String(); got != "'=1+1,ok\n" {
		t.Errorf("csvWriter wrote %q, want %q", got, "'=1+1,ok\n")
	}
}
