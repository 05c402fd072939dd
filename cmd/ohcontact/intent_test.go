package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ohcontact/ohcontact/dialogs/intent"
)

func TestIntentCheck(t *testing.T) {
	t.Parallel()
	input := strings.Join([]string{
		"Hi, I'm off sick today, I've got flu",
		"won't make my shift tonight, D&V\r",
		"nie przyjdę dziś, choroba",
		"2",
		"my back is killing me",
		"",
		strings.Repeat("a", maxRiskLine+10),
		"take me off your list",
	}, "\n") // no final newline
	want := []string{"absence\t", "absence\t", "absence\t", "none\t", "msk\t", "none\t", "error\tline 7 is 1 MiB or longer", "stop\t"}
	env, stdout, _ := riskEnv(strings.NewReader(input))
	err := runIntent(context.Background(), env, []string{"check"})
	if err == nil || !strings.Contains(err.Error(), "1 of 8 lines not classified") {
		t.Fatalf("runIntent error = %v, want 1 of 8 lines not classified", err)
	}
	got := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%.400s", len(got), len(want), stdout)
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("line %d = %.80q, want prefix %q", i+1, got[i], w)
		}
		if cols := strings.Split(got[i], "\t"); !strings.HasPrefix(w, "error") && (len(cols) != 2 || len(cols[1]) != 5) {
			t.Errorf("line %d = %q, want INTENT<TAB>score (0.000 to 1.000)", i+1, got[i])
		}
	}
}

func TestIntentUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		args           []string
		wantErr        error
		stdout, stderr string
	}{
		{"help", []string{"--help"}, flag.ErrHelp, "intent check < messages.txt", ""},
		{"check help", []string{"check", "-h"}, flag.ErrHelp, "INTENT<TAB>score", ""},
		{"no subcommand", nil, errUsage, "", "want the subcommand check, train, eval or cv"},
		{"eval without files", []string{"eval"}, errUsage, "", "files are named for eval"},
		{"files for cv", []string{"cv", "rows.tsv"}, errUsage, "", "only for eval"},
		{"unknown subcommand", []string{"classify"}, errUsage, "", `got "classify"`},
		{"unknown flag", []string{"train", "--epochs", "3"}, errUsage, "", "epochs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, stdout, stderr := riskEnv(strings.NewReader("off sick\n"))
			err := runIntent(context.Background(), env, tt.args)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("runIntent(%q) = %v, want %v", tt.args, err, tt.wantErr)
			}
			if !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stdout %q, stderr %q; want %q and %q", stdout, stderr, tt.stdout, tt.stderr)
			}
			if tt.wantErr == errUsage && stdout.Len() != 0 {
				t.Errorf("usage error wrote to stdout: %q", stdout)
			}
		})
	}
}

// TestIntentTrainEvalAndCV runs the commands that rebuild and measure the
// intent model: intent train writes, from the corpus, exactly the model the
// binary embeds; intent eval prints figures for a labelled file, leaving
// out a row that nearly repeats a corpus row; intent cv prints both tables.
func TestIntentTrainEvalAndCV(t *testing.T) {
	t.Parallel()
	const corpusDir = "../../dialogs/intent/corpus"
	out := filepath.Join(t.TempDir(), "model.bin")
	env, stdout, stderr := riskEnv(strings.NewReader(""))
	if err := runIntent(t.Context(), env, []string{"train", "--corpus", corpusDir, "--out", out}); err != nil {
		t.Fatalf("intent train: %v (stderr %q)", err, stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := os.ReadFile("../../dialogs/intent/model.bin")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, embedded) || !strings.Contains(stdout.String(), "trained on") {
		t.Errorf("intent train wrote %d bytes that differ from dialogs/intent/model.bin (printed %q): run go generate ./dialogs/intent", len(got), stdout)
	}

	corpus, err := intent.ReadCorpus(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	var seen intent.Row
	for _, r := range corpus {
		if len(strings.Fields(r.Text)) >= 5 {
			seen = r
			break
		}
	}
	labelled := filepath.Join(t.TempDir(), "rows.tsv")
	rows := "absence\tplain\ten\ttest\tfeeling dreadful this morning so I will not be at work\nnone\tother\ten\ttest\tmy flatmate has the flu but I am fine and in work\n" +
		"absence\tunsure\ten\ttest\tunder the weather today\n" +
		strings.Join([]string{string(seen.Intent), seen.Family, seen.Lang, "test", seen.Text + "!"}, "\t") + "\n"
	if err := os.WriteFile(labelled, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	env, stdout, stderr = riskEnv(strings.NewReader(""))
	if err := runIntent(t.Context(), env, []string{"eval", "--corpus", corpusDir, labelled}); err != nil {
		t.Fatalf("intent eval: %v (stderr %q)", err, stderr)
	}
	// The columns: absence recall, false absence, absence asked, absence
	// missed, others asked.
	if !strings.Contains(stdout.String(), "all                           3       1/2 0.500       0/1 0.000       1/2 0.500       0/2 0.000       0/1 0.000") {
		t.Errorf("intent eval printed\n%s\nwant one absence report taken, one asked about, none missed, and the flatmate's flu left alone", stdout)
	}
	if !strings.Contains(stderr.String(), "left out 1 of 4 rows") {
		t.Errorf("intent eval's stderr %q, want the corpus row left out", stderr)
	}

	env, stdout, stderr = riskEnv(strings.NewReader(""))
	if err := runIntent(t.Context(), env, []string{"cv", "--corpus", corpusDir}); err != nil {
		t.Fatalf("intent cv: %v (stderr %q)", err, stderr)
	}
	if s := stdout.String(); !strings.Contains(s, "5-fold cross-validation") || !strings.Contains(s, "leave one family out") {
		t.Errorf("intent cv printed %.300q", s)
	}
}
