package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/escalation/console"
	"github.com/ohcontact/ohcontact/postgres"
)

// userUsage is the user command's help: a format taking the shortest and
// longest password allowed.
const userUsage = `user add --email ADDRESS --name NAME --role clinician|lead|admin|physio [--title TITLE] [--org CODE] < password.txt

Creates a clinician console account and prints its id. The password is the
first line of standard input (%d to %d characters, not only spaces, and
not a common password or made from one), so it stays out of shell history
and the process list:

  ohcontact user add --email sam.jones@nhs.net --name "Sam Jones" --role clinician --title "OH nurse" --org RTD < password.txt

Roles: clinician (works cases), lead (reads the queue and cases), admin
(works cases and referrals, and manages accounts), physio (works
physiotherapy referrals, sees no cases). --org is an organisation code
from OHCONTACT_CONFIG; without it the account sees every organisation.
--title is the job title their signed replies to staff carry ("Sam Jones,
OH nurse"); without it, OH clinician for a clinician, OH team otherwise`

func runUser(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "user", fmt.Sprintf(userUsage, console.MinPasswordLength, console.MaxPasswordLength))
	email := fs.String("email", "", "the address the person signs in with")
	name := fs.String("name", "", "their name as colleagues see it on cases")
	role := fs.String("role", "", "clinician, lead, admin or physio")
	title := fs.String("title", "", "the job title their replies are signed with (default: OH clinician, or OH team)")
	org := fs.String("org", "", "the code of the organisation whose cases or referrals they see (default: every organisation)")
	sub, err := splitSubcommand(env, fs, args)
	if err != nil {
		return err
	}
	problems := []string{wrongSubcommand("add", sub, fs)}
	if !console.ValidEmail(*email) {
		problems = append(problems, "--email must be an email address")
	}
	if !console.ValidName(*name) {
		problems = append(problems, "--name must be 1 to 100 characters")
	}
	if !console.ValidRole(*role) {
		problems = append(problems, "--role must be clinician, lead, admin or physio")
	}
	if !console.ValidJobTitle(*title) {
		problems = append(problems, fmt.Sprintf("--title must be at most %d characters on one line", escalation.MaxJobTitle))
	}
	if err := usageProblems(env, fs, "user", problems); err != nil {
		return err
	}

	password, err := readPassword(env.stdin)
	if err != nil {
		return err
	}
	hash, err := console.HashPassword(password)
	if err != nil {
		return fmt.Errorf("password on standard input: %w", err)
	}

	_, db, orgIDs, err := openWithOrganisations(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	orgID, ok := orgIDs[*org]
	if *org != "" && !ok {
		return fmt.Errorf("no organisation with code %q: organisations come from OHCONTACT_CONFIG", *org)
	}
	var id int64
	err = db.InTx(ctx, func(tx pgx.Tx) (err error) {
		id, err = postgres.CreateUser(ctx, tx, postgres.NewUser{OrganisationID: orgID, Email: *email, Name: *name, Role: *role, PasswordHash: hash,
			JobTitle: strings.TrimSpace(*title)}, 0)
		return err
	})
	if errors.Is(err, ohcontact.ErrConflict) {
		return errors.New("there is already an account with that email address")
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, id)
	return nil
}

// readPassword returns the first line of r without its line ending.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", errors.New("no password on standard input: give it as the first line, e.g. < password.txt")
	}
	return line, nil
}
