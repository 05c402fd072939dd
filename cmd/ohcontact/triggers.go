package main

import (
	"bufio"
	"context"
	"fmt"
	"time"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/triggers"
)

const triggersUsage = `triggers plan [--at TIME] [--skipped]

Lists the contacts still to be sent that go at or before TIME, soonest
first, tab-separated, after a header line:

  assignment_number<TAB>trigger<TAB>due<TAB>channel

trigger is stress, msk or long_term; due is when the contact goes (its due
time, or the opening of the send window or the end of the person's quiet
hours it waits for), in RFC 3339 on the organisation's clock; channel is
sms or webchat (re-chosen when it goes, should the person's details
change). TIME is RFC 3339 (2026-03-30T18:00:00+01:00), a local time
(2026-03-30T18:00) or a day (2026-03-30, meaning its end), in Europe/London;
the default is the end of tomorrow.

With --skipped it lists instead the contacts recorded as skipped in the last
7 days (their moment had passed when the absence was recorded), with the
reason in place of the channel:

  assignment_number<TAB>trigger<TAB>due<TAB>reason`

// skippedSince is how far back triggers plan --skipped looks.
const skippedSince = 7 * 24 * time.Hour

func runTriggers(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "triggers", triggersUsage)
	at := fs.String("at", "", "list the contacts that go at or before this time (default: the end of tomorrow)")
	skipped := fs.Bool("skipped", false, "list the contacts skipped in the last 7 days instead")
	sub, err := splitSubcommand(env, fs, args)
	if err != nil {
		return err
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		return err
	}
	until, atErr := parseUntil(*at, time.Now(), london)
	problems := []string{wrongSubcommand("plan", sub, fs)}
	if atErr != nil {
		problems = append(problems, atErr.Error())
	}
	if err := usageProblems(env, fs, "triggers", problems); err != nil {
		return err
	}

	cfg, err := loadConfig(env.getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	policy, err := triggers.NewPolicy(cfg.File.Triggers)
	if err != nil {
		return err
	}
	db, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()

	var planned []postgres.PlannedContact
	last := "channel"
	if *skipped {
		planned, err = postgres.SkippedContacts(ctx, db.Pool, time.Now().Add(-skippedSince))
		last = "reason"
	} else {
		planned, err = postgres.ScheduledContacts(ctx, db.Pool, until)
	}
	if err != nil {
		return err
	}
	out := bufio.NewWriter(env.stdout)
	fmt.Fprintf(out, "assignment_number\ttrigger\tdue\t%s\n", last)
	for _, p := range planned {
		value := string(p.Channel)
		if *skipped {
			value = p.Reason
		}
		due := p.At.In(policy.For(p.OrganisationCode).Rules.Location).Format(time.RFC3339)
		fmt.Fprintf(out, "%s\t%s\t%s\t%s\n", p.AssignmentNumber, p.Trigger, due, value)
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write the plan: %w", err)
	}
	return nil
}

// parseUntil reads --at: RFC 3339, a local time, or a day (its end), in
// loc; empty means the end of tomorrow after now.
func parseUntil(s string, now time.Time, loc *time.Location) (time.Time, error) {
	endOf := func(d triggers.Date) time.Time {
		return time.Date(d.Year, d.Month, d.Day+1, 0, 0, 0, 0, loc).Add(-time.Nanosecond)
	}
	if s == "" {
		return endOf(triggers.DateOf(now.In(loc)).AddDays(1)), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	if d, err := triggers.ParseDate(s); err == nil {
		return endOf(d), nil
	}
	return time.Time{}, fmt.Errorf("--at %q is not a time: write 2026-03-30T18:00:00+01:00, 2026-03-30T18:00 or 2026-03-30", s)
}
