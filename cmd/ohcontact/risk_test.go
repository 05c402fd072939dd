package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/escalation/risk"
)

// riskEnv returns an environment reading stdin, with stdout and stderr
// captured.
func riskEnv(stdin io.Reader) (*environment, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	return &environment{stdin: stdin, stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}, &stdout, &stderr
}

// unsure returns a message the screen does not flag but would ask about
// directly: which phrases those are moves as the model is retrained.
func unsure(t *testing.T) string {
	t.Helper()
	s := risk.New()
	for _, text := range []string{"struggling a lot to be honest", "everything is on top of me", "I feel numb all the time",
		"been a rough few weeks honestly", "not in a good way at the moment"} {
		if r := s.Screen(text); r.Ask && r.Priority == ohcontact.PriorityNone {
			return text
		}
	}
	t.Fatal("the screen asks about none of the candidate messages")
	return ""
}

func TestRiskCheck(t *testing.T) {
	t.Parallel()
	input := strings.Join([]string{
		"i've been saving up my tablets",
		"this rota is killing me",
		"",
		"everyone would be better off without me\r",
		"my partner hit me again last night",
		"dw i eisiau marw",
		"I'm not suicidal, just exhausted",
		unsure(t),
	}, "\n") // no final newline
	want := []struct{ priority, category, evidence string }{
		{"urgent", "suicide_risk", `"saving up my tablets" (means: stockpiling medication)`},
		{"none", "-", ""},
		{"none", "-", ""},
		{"high", "suicide_risk", "better off without me"},
		{"routine", "safeguarding", "partner hit me"},
		{"urgent", "suicide_risk", "eisiau marw"},
		{"none", "-", ""},
		{"none", "ask", "(words the model weighed)"},
	}
	env, stdout, stderr := riskEnv(strings.NewReader(input))
	if err := runRisk(context.Background(), env, []string{"check"}); err != nil {
		t.Fatalf("runRisk: %v (stderr %q)", err, stderr)
	}
	got := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(got), len(want), stdout)
	}
	for i, w := range want {
		cols := strings.Split(got[i], "\t")
		if len(cols) != 3 {
			t.Errorf("line %d: %q has %d columns, want 3", i+1, got[i], len(cols))
			continue
		}
		// The model may raise a priority above the lexicon's, never lower it.
		p, want := ohcontact.Priority(cols[0]), ohcontact.Priority(w.priority)
		if p.Rank() < want.Rank() || (want == ohcontact.PriorityNone) != (p == ohcontact.PriorityNone) ||
			cols[1] != w.category || !strings.Contains(cols[2], w.evidence) {
			t.Errorf("line %d: got %q, want %s (or higher)\t%s\t…%s…", i+1, got[i], w.priority, w.category, w.evidence)
		}
		if w.category == "-" && cols[2] != "" {
			t.Errorf("line %d: evidence %q for none", i+1, cols[2])
		}
	}
}

func TestRiskCheckLineTooLong(t *testing.T) {
	t.Parallel()
	input := "i want to die\n" + strings.Repeat("a", maxRiskLine+10) + "\nthis rota is killing me\n" + strings.Repeat("b", maxRiskLine)
	env, stdout, _ := riskEnv(strings.NewReader(input))
	err := runRisk(context.Background(), env, []string{"check"})
	if err == nil || !strings.Contains(err.Error(), "2 of 4 lines not screened") {
		t.Fatalf("runRisk error = %v, want 2 of 4 lines not screened", err)
	}
	got := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	wantPrefix := []string{"urgent\t", "error\t-\tline 2 ", "none\t-\t", "error\t-\tline 4 "}
	if len(got) != len(wantPrefix) {
		t.Fatalf("got %d lines, want %d:\n%.300s", len(got), len(wantPrefix), stdout)
	}
	for i, p := range wantPrefix {
		if !strings.HasPrefix(got[i], p) {
			t.Errorf("line %d = %.80q, want prefix %q", i+1, got[i], p)
		}
	}
}

func TestRiskUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantErr error
		stdout  string // expected in stdout
		stderr  string // expected in stderr
	}{
		{"help", []string{"--help"}, flag.ErrHelp, "risk check < messages.txt", ""},
		{"check help", []string{"check", "-h"}, flag.ErrHelp, "PRIORITY<TAB>CATEGORY<TAB>evidence", ""},
		{"no subcommand", nil, errUsage, "", "want the subcommand check, train, eval or cv"},
		{"eval without files", []string{"eval"}, errUsage, "", "files are named for eval"},
		{"files for train", []string{"train", "rows.tsv"}, errUsage, "", "only for eval"},
		{"unknown subcommand", []string{"screen"}, errUsage, "", `got "screen"`},
		{"extra argument", []string{"check", "more"}, errUsage, "", `got "check more"`},
		{"unknown flag", []string{"--verbose", "check"}, errUsage, "", "verbose"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, stdout, stderr := riskEnv(strings.NewReader("i want to die\n"))
			err := runRisk(context.Background(), env, tt.args)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("runRisk(%q) = %v, want %v", tt.args, err, tt.wantErr)
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

func TestRiskCheckInterrupted(t *testing.T) {
	t.Parallel()
	r, w := io.Pipe() // input that never ends
	defer w.Close()
	env, stdout, _ := riskEnv(r)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- runRisk(ctx, env, []string{"check"}) }()
	if _, err := io.WriteString(w, "i want to die\n"); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("runRisk = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("runRisk did not return after the context was cancelled")
	}
	if s := stdout.String(); s != "" && !strings.HasPrefix(s, "urgent\t") {
		t.Errorf("stdout %q", s)
	}
}

// TestRiskTrainAndEval runs the commands a clinical safety officer uses
// to rebuild and measure the screen: risk train writes, from the corpus,
// exactly the model the binary embeds, and risk eval prints figures for a
// labelled file.
func TestRiskTrainAndEval(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "model.bin")
	env, stdout, stderr := riskEnv(strings.NewReader(""))
	if err := runRisk(t.Context(), env, []string{"train", "--corpus", "../../escalation/risk/corpus", "--out", out}); err != nil {
		t.Fatalf("risk train: %v (stderr %q)", err, stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := os.ReadFile("../../escalation/risk/model.bin")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, embedded) {
		t.Errorf("risk train wrote %d bytes that differ from escalation/risk/model.bin: run go generate ./escalation/risk", len(got))
	}
	if !strings.Contains(stdout.String(), "trained on") {
		t.Errorf("risk train printed %q", stdout)
	}

	// A row that nearly repeats a corpus row is not unseen: eval leaves it out.
	corpus, err := risk.ReadCorpus("../../escalation/risk/corpus")
	if err != nil {
		t.Fatal(err)
	}
	seen := corpus[0]
	labelled := filepath.Join(t.TempDir(), "rows.tsv")
	rows := "urgent\tmeans_medication\ten\ttest\tive been saving up my tablets\nnone\teveryday\ten\ttest\tback monday\n" +
		strings.Join([]string{string(seen.Priority), seen.Family, seen.Lang, "test", seen.Text + "!"}, "\t") + "\n"
	if err := os.WriteFile(labelled, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	env, stdout, stderr = riskEnv(strings.NewReader(""))
	if err := runRisk(t.Context(), env, []string{"eval", "--corpus", "../../escalation/risk/corpus", labelled}); err != nil {
		t.Fatalf("risk eval: %v (stderr %q)", err, stderr)
	}
	if first := strings.SplitN(stdout.String(), "\n", 3)[1]; !strings.Contains(first, "1/1 1.000") || !strings.Contains(first, "0/1 0.000") {
		t.Errorf("risk eval's overall line %q, want the risky row found and the everyday reply left alone", first)
	}
	if !strings.Contains(stderr.String(), "left out 1 of 3 rows") {
		t.Errorf("risk eval's stderr %q, want the corpus row left out", stderr)
	}
}
