package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/triggers"
)

const apikeyUsage = `apikey add --org CODE --name NAME [--scope hr|referrals]

Creates a key for a system to use one API of one organisation, and prints
it on standard output. The key is shown only this once: only its SHA-256
is stored. The system sends it as

  Authorization: Bearer ohk_…

--scope says which API the key may use: hr (the default) for an HR system
(absences and the staff directory: /api/v1/absences, /api/v1/staff/…), or
referrals for an MSK or OH system that takes physiotherapy referrals
(/api/v1/referrals). A key of one scope is refused (403) by the other API.
NAME says which system holds it (e.g. "ESR nightly feed"). CODE is an
organisation code from OHCONTACT_CONFIG`

func runAPIKey(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "apikey", apikeyUsage)
	org := fs.String("org", "", "the code of the organisation whose records the key may change")
	name := fs.String("name", "", "which system holds the key (1 to 100 characters)")
	scope := fs.String("scope", postgres.ScopeHR, "which API the key may use: hr or referrals")
	sub, err := splitSubcommand(env, fs, args)
	if err != nil {
		return err
	}
	problems := []string{wrongSubcommand("add", sub, fs)}
	if *org == "" {
		problems = append(problems, "--org is required")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(*name)); n < 1 || n > 100 {
		problems = append(problems, "--name must be 1 to 100 characters")
	}
	if !slices.Contains(postgres.APIScopes, *scope) {
		problems = append(problems, "--scope must be hr or referrals")
	}
	if err := usageProblems(env, fs, "apikey", problems); err != nil {
		return err
	}

	_, db, orgIDs, err := openWithOrganisations(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	orgID, ok := orgIDs[*org]
	if !ok {
		return fmt.Errorf("no organisation with code %q: organisations come from OHCONTACT_CONFIG", *org)
	}
	key, hash := triggers.NewAPIKey()
	err = db.InTx(ctx, func(tx pgx.Tx) error {
		_, err := postgres.CreateAPIKey(ctx, tx, orgID, strings.TrimSpace(*name), *scope, hash)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, key)
	fmt.Fprintln(env.stderr, "Store this key now: it is not shown again.")
	return nil
}
