package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/dialogs"
	"github.com/ohcontact/ohcontact/locales"
	"github.com/ohcontact/ohcontact/signposting"
)

// runChat implements `ohcontact chat`: it steps through a flow in the
// terminal with the built-in demo directory, reading the staff member's
// messages from stdin one per line and printing the bot's replies ("< "),
// then the state and effects after each step ("# state: ..."). Nothing is
// stored or sent, and the risk screen is not run (the runner does that
// before each step).
func runChat(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "chat", "chat --flow NAME [--lang TAG] [--channel sms|webchat] [--name FIRSTNAME] [--vaccine NAME]")
	flow := fs.String("flow", "", "flow to run: "+strings.Join(flowNames(), ", "))
	lang := fs.String("lang", "en-GB", "language: "+strings.Join(locales.Languages, ", "))
	channel := fs.String("channel", "sms", "channel: sms (texts as sent, without Welsh or Polish accents) or webchat")
	name := fs.String("name", "Sam", "first name on the pretend staff record (the absence report asks for it)")
	vaccine := fs.String("vaccine", "flu", "the vaccine a vaccination flow invites to (flu, COVID-19 or any other name)")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.stderr, "chat: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	if !slices.Contains(flowNames(), *flow) {
		fmt.Fprintf(env.stderr, "chat: --flow must be one of %s\n", strings.Join(flowNames(), ", "))
		fs.Usage()
		return errUsage
	}
	if locales.Match(*lang) != *lang {
		fmt.Fprintf(env.stderr, "chat: --lang must be one of %s\n", strings.Join(locales.Languages, ", "))
		return errUsage
	}
	ch := ohcontact.Channel(*channel)
	if ch != ohcontact.ChannelSMS && ch != ohcontact.ChannelWebChat {
		fmt.Fprintln(env.stderr, "chat: --channel must be sms or webchat")
		return errUsage
	}
	engine, err := newDemoEngine()
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		loc = time.Local
	}

	fmt.Fprintf(env.stdout, "# %s in %s by %s, demo organisation %s. Type replies; end with Ctrl-D.\n", *flow, *lang, ch, signposting.DemoCode)
	info := dialogs.StartInfo{Org: signposting.DemoCode, Channel: ch, Lang: *lang, Known: true, FirstName: *name}
	if *flow == dialogs.FlowVaccination {
		info.Vaccine = *vaccine
	}
	res, err := engine.Start(*flow, info)
	if err != nil {
		return err
	}
	fmt.Fprint(env.stdout, dialogs.FormatResult(res))
	// At a terminal, prompt with "> "; reading from a file or pipe, echo
	// each line instead so the output reads as a transcript.
	interactive := false
	if f, ok := env.stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			interactive = true
		}
	}
	lines := bufio.NewScanner(env.stdin)
	for !res.Done {
		if ctx.Err() != nil {
			return nil
		}
		if interactive {
			fmt.Fprint(env.stdout, "> ")
		}
		if !lines.Scan() {
			if interactive {
				fmt.Fprintln(env.stdout)
			}
			return lines.Err()
		}
		if !interactive {
			fmt.Fprintf(env.stdout, "> %s\n", lines.Text())
		}
		res, err = engine.Step(res.State, dialogs.Input{Text: lines.Text(), Now: time.Now().In(loc)})
		if err != nil {
			return err
		}
		fmt.Fprint(env.stdout, dialogs.FormatResult(res))
	}
	fmt.Fprintln(env.stdout, "# finished")
	return nil
}

// newDemoEngine returns a dialog engine with the embedded messages and the
// built-in demo directory.
func newDemoEngine() (*dialogs.Engine, error) {
	bundle, err := locales.Bundle()
	if err != nil {
		return nil, err
	}
	return dialogs.New(bundle, signposting.Demo())
}

// flowNames lists the flows for flag help and checks, in Engine.Flows order.
func flowNames() []string {
	return []string{dialogs.FlowAbsenceReport, dialogs.FlowStressCheckin, dialogs.FlowMSKCheckin,
		dialogs.FlowLongTermCheckin, dialogs.FlowSupport, dialogs.FlowVaccination, dialogs.FlowNewStarter}
}
