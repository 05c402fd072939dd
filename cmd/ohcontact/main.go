// Command ohcontact is the OH digital contact service: one binary that serves
// the web endpoints and runs the background jobs, migrates the database, and
// offers the operator commands below.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ohcontact/ohcontact/postgres"
)

// version is set at build time: go build -ldflags "-X main.version=…".
var version = "dev"

// command is one subcommand of ohcontact.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// environment is what a command may touch of the outside world, so tests can
// run commands in-process.
type environment struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// errUsage reports a command line that could not be understood; the message
// has already been printed with the command's usage.
var errUsage = errors.New("usage error")

func commands() []command {
	return []command{
		{"serve", "run the service (web endpoints and background jobs)", runServe},
		{"migrate", "apply database schema migrations", runMigrate},
		{"chat", "step through a flow in the terminal: chat --flow NAME [--lang TAG]", runChat},
		{"flows", "write each flow's state diagram: flows graph [--out DIR]", runFlows},
		{"risk", "screen messages for risk: risk check < messages.txt", runRisk},
		{"intent", "classify what messages are about: intent check < messages.txt", runIntent},
		{"import", "import an HR export: import staff|absences [--strict] [--org CODE] FILE", runImport},
		{"triggers", "list the contacts due: triggers plan [--at TIME] [--skipped]", runTriggers},
		{"apikey", "create an API key: apikey add --org CODE --name NAME [--scope hr|referrals]", runAPIKey},
		{"user", "create a console account: user add --email ADDRESS --name NAME --role ROLE [--org CODE] < password", runUser},
		{"version", "print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &environment{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	err := run(ctx, env, os.Args[1:])
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "ohcontact:", err)
		os.Exit(1)
	}
}

// run dispatches args to a subcommand.
func run(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(env.stdout)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	fmt.Fprintf(env.stderr, "ohcontact: unknown command %q\n\n", args[0])
	printUsage(env.stderr)
	return errUsage
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, "ohcontact: the occupational-health digital contact service.\n\nUsage: ohcontact COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun 'ohcontact COMMAND --help' for a command's flags. Configuration is read from the environment (see README.md).\n")
}

// newFlagSet returns a flag set whose --help prints usage and the command's
// flags to stdout, and whose errors go to stderr.
func newFlagSet(env *environment, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: ohcontact %s\n\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, printing --help to stdout. It returns flag.ErrHelp
// after help and errUsage after a bad flag.
func parseFlags(env *environment, fs *flag.FlagSet, args []string) error {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(env.stdout)
			fs.Usage()
			return flag.ErrHelp
		}
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	return nil
}

func runVersion(_ context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "version", "version")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "ohcontact", version)
	return nil
}

// splitSubcommand parses a command line of the form "SUB [flags] [args]":
// it returns SUB (empty when the line starts with a flag) and parses the
// rest with fs.
func splitSubcommand(env *environment, fs *flag.FlagSet, args []string) (string, error) {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	return sub, parseFlags(env, fs, args)
}

// wrongSubcommand returns the usage problem of a command line whose only
// subcommand is want, or "" when it is right and has no stray arguments.
func wrongSubcommand(want, got string, fs *flag.FlagSet) string {
	if got == want && fs.NArg() == 0 {
		return ""
	}
	return fmt.Sprintf("want the subcommand %s, got %q", want, strings.TrimSpace(got+" "+strings.Join(fs.Args(), " ")))
}

// usageProblems prints each problem with a command line (empty strings are
// none), then the command's usage, and returns errUsage; it returns nil when
// there are no problems.
func usageProblems(env *environment, fs *flag.FlagSet, command string, problems []string) error {
	printed := false
	for _, p := range problems {
		if p != "" {
			fmt.Fprintf(env.stderr, "ohcontact %s: %s\n", command, p)
			printed = true
		}
	}
	if !printed {
		return nil
	}
	fmt.Fprintln(env.stderr)
	fs.Usage()
	return errUsage
}

// openMigrated opens a small pool, for an operator command, on a database
// whose schema is current.
func openMigrated(ctx context.Context, cfg Config) (*postgres.DB, error) {
	db, err := postgres.Open(ctx, postgres.Config{URL: cfg.DatabaseURL, MaxConns: 2})
	if err != nil {
		return nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w (run 'ohcontact migrate' first)", err)
	}
	return db, nil
}
