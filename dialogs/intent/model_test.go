package intent

import (
	"bytes"
	"strings"
	"testing"
)

func TestModelRetrainsByteIdentically(t *testing.T) {
	rows, err := ReadCorpus("corpus")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Train(rows)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, modelBin) {
		t.Fatal("model.bin is not the model the corpus trains: run go generate ./dialogs/intent")
	}
	again, err := Train(rows)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, again) {
		t.Fatal("training twice on the same corpus gave different bytes")
	}
}

func TestModelIsSmall(t *testing.T) {
	if len(modelBin) > 1<<20 {
		t.Errorf("model.bin is %d bytes, more than 1 MiB", len(modelBin))
	}
	if _, err := parseModel(modelBin); err != nil {
		t.Fatal(err)
	}
}

func TestParseModelRejectsBadBytes(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":     nil,
		"magic":     []byte("OHRISK01xxxxxxxx"),
		"truncated": modelBin[:len(modelBin)-2],
		"intents":   append([]byte(modelMagic), modelBits, 7),
	} {
		if _, err := parseModel(b); err == nil {
			t.Errorf("%s: parseModel accepted it", name)
		}
	}
}

func TestClassifyClearCases(t *testing.T) {
	c := New()
	tests := []struct {
		text string
		want Intent
	}{
		{"Hi, I'm off sick today, I've got flu", Absence},
		{"ringing in sick", Absence},
		{"won't make my shift tonight, D&V", Absence},
		{"nie przyjdę dziś, choroba", Absence},
		{"Dwi'n sâl heddiw, fydda i ddim yn y gwaith", Absence},
		{"I'm back at work today", BackAtWork},
		{"I'm worried about money", Money},
		{"my back is killing me", MSK},
		{"can someone ring me please", Talk},
		{"please stop texting me", Stop},
		{"2", None},
		{"yes", None},
		{"monday", None},
		{"", None},
		{"\xff\xfe", None},
		{"my colleague is off sick, who covers her shift?", None},
		{"I'm on annual leave next week", None},
	}
	for _, tt := range tests {
		if got := c.Classify(tt.text); got.Intent != tt.want || got.Score < 0 || got.Score > 1 {
			t.Errorf("Classify(%q) = %v, want %s", tt.text, got, tt.want)
		}
	}
}

func TestReadRowsRejectsBadRows(t *testing.T) {
	for name, text := range map[string]string{
		"columns":  "absence\tplain\ten\tb1\n",
		"intent":   "sickness\tplain\ten\tb1\toff sick\n",
		"language": "absence\tplain\tfr\tb1\tmalade\n",
		"empty":    "absence\tplain\ten\tb1\t \n",
	} {
		if _, err := ReadRows(name, strings.NewReader(text)); err == nil {
			t.Errorf("%s: ReadRows accepted %q", name, text)
		}
	}
	rows, err := ReadRows("ok", strings.NewReader("# comment\n\nabsence\tplain\ten\tb1\toff sick\r\n"))
	if err != nil || len(rows) != 1 || rows[0].Text != "off sick" {
		t.Errorf("ReadRows = %v, %v; want one row", rows, err)
	}
}

func BenchmarkClassify(b *testing.B) {
	c := New()
	msgs := []string{"Hi, I'm off sick today, I've got flu", "won't make my shift tonight, D&V", "2",
		"nie przyjdę dziś, choroba", "my colleague is off sick, who covers her shift? I'm on the rota already this week"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.Classify(msgs[i%len(msgs)])
	}
}
