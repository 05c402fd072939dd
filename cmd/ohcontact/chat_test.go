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
)

func chatEnv(stdin string) (*environment, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &environment{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}, &out, &errOut
}

func TestChatRunsAFlow(t *testing.T) {
	env, out, _ := chatEnv("yes\n2\n1\n1\n0\n1\n5\n")
	if err := runChat(context.Background(), env, []string{"--flow", "stress-checkin"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"< Hello, this is Demo Trust Occupational Health.",
		"# state: stress-checkin/ask_mood  effects: answer(consent=yes), identity_confirmed(reply_yes)",
		"bothered by little interest or pleasure in doing things?",
		"# state: stress-checkin/closed  effects: answer(support.5=chosen), ask_feedback, close(completed)",
		"# finished",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestChatWelshWebChatAndEOF(t *testing.T) {
	env, out, _ := chatEnv("ie\n")
	if err := runChat(context.Background(), env, []string{"--flow", "msk-checkin", "--lang", "cy", "--channel", "webchat"}); err != nil {
		t.Fatal(err)
	}
	// Web chat keeps the Welsh accents; the input ends before the flow does.
	if !strings.Contains(out.String(), "gysylltu â chi") || strings.Contains(out.String(), "# finished") {
		t.Errorf("unexpected output:\n%s", out.String())
	}
}

func TestChatAbsenceReportAsksForName(t *testing.T) {
	env, out, _ := chatEnv("Priya\ntoday\nflu\ntomorrow\nyes\nno\n")
	if err := runChat(context.Background(), env, []string{"--flow", "absence-report", "--name", "Priya"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "record_absence(from ") || !strings.Contains(out.String(), "S13") {
		t.Errorf("no absence recorded:\n%s", out.String())
	}
}

// TestChatVaccination: `chat --flow vaccination --vaccine COVID-19`
// invites to the named vaccine at the demo clinic, and records the
// outcome it would record on a campaign member.
func TestChatVaccination(t *testing.T) {
	env, out, _ := chatEnv("no thanks\nno\n")
	if err := runChat(context.Background(), env, []string{"--flow", "vaccination", "--vaccine", "COVID-19"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Staff COVID-19 vaccinations are now available: Staff Vaccination Clinic",
		"effects: campaign_outcome(declined)", "# finished"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestChatUsage(t *testing.T) {
	tests := [][]string{
		{},
		{"--flow", "nope"},
		{"--flow", "support", "--lang", "fr"},
		{"--flow", "support", "--channel", "fax"},
		{"--flow", "support", "extra"},
		{"--bogus"},
	}
	for _, args := range tests {
		env, _, errOut := chatEnv("")
		if err := runChat(context.Background(), env, args); !errors.Is(err, errUsage) {
			t.Errorf("chat %v: err = %v, want usage error", args, err)
		}
		if errOut.Len() == 0 {
			t.Errorf("chat %v: nothing on stderr", args)
		}
	}
	env, out, _ := chatEnv("")
	if err := runChat(context.Background(), env, []string{"--help"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: %v", err)
	}
	if !strings.Contains(out.String(), "--flow") {
		t.Errorf("help does not list --flow:\n%s", out.String())
	}
}

func TestFlowsGraph(t *testing.T) {
	dir := t.TempDir()
	env, out, _ := chatEnv("")
	if err := runFlows(context.Background(), env, []string{"graph", "--out", dir}); err != nil {
		t.Fatal(err)
	}
	for _, f := range flowNames() {
		mmd, err := os.ReadFile(filepath.Join(dir, f+".mmd"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(mmd), "stateDiagram-v2") || !strings.Contains(string(mmd), "--> opted_out: opt_out") {
			t.Errorf("%s.mmd:\n%s", f, mmd)
		}
		dot, err := os.ReadFile(filepath.Join(dir, f+".dot"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(dot), "digraph fsm {") {
			t.Errorf("%s.dot:\n%s", f, dot)
		}
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil || strings.Count(string(readme), "```mermaid") != len(flowNames()) {
		t.Errorf("README.md: %v\n%s", err, readme)
	}
	if strings.Count(out.String(), "\n") != 2*len(flowNames())+1 {
		t.Errorf("listed files:\n%s", out.String())
	}
}

var updateFlows = flag.Bool("update", false, "rewrite docs/flows/ (TestFlowDiagramsUpToDate)")

// TestFlowDiagramsUpToDate fails when docs/flows/ no longer matches the
// flows: run `ohcontact flows graph` from the repository root, or
// `go test ./cmd/ohcontact -run FlowDiagrams -update`.
func TestFlowDiagramsUpToDate(t *testing.T) {
	dir := t.TempDir()
	if *updateFlows {
		dir = filepath.Join("..", "..", "docs", "flows")
	}
	env, _, _ := chatEnv("")
	if err := runFlows(context.Background(), env, []string{"graph", "--out", dir}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		want, _ := os.ReadFile(f)
		got, err := os.ReadFile(filepath.Join("..", "..", "docs", "flows", filepath.Base(f)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("docs/flows/%s is out of date: run ohcontact flows graph, or go test ./cmd/ohcontact -run FlowDiagrams -update", filepath.Base(f))
		}
	}
}

func TestFlowsUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"draw"}, {"graph", "extra"}} {
		env, _, _ := chatEnv("")
		if err := runFlows(context.Background(), env, args); !errors.Is(err, errUsage) {
			t.Errorf("flows %v: err = %v, want usage error", args, err)
		}
	}
	env, _, _ := chatEnv("")
	if err := runFlows(context.Background(), env, []string{"graph", "--help"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("flows graph --help: %v", err)
	}
}
