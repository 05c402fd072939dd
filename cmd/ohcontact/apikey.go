package main

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/triggers"
)

const apikeyUsage = `apikey add --org CODE --name NAME

Creates a key for an HR system to use the HR API (/api/v1/…) for one
organisation, and prints it on standard output. The key is shown only this
once: only its SHA-256 is stored. The HR system sends it as

  Authorization: Bearer ohk_…

NAME says which system holds it (e.g. "ESR nightly feed"). CODE is an
organisation code from OHCONTACT_CONFIG`

func runAPIKey(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "apikey", apikeyUsage)
	org := fs.String("org", "", "the code of the organisation whose records the key may change")
	name := fs.String("name", "", "which HR system holds the key (1 to 100 characters)")
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
		_, err := postgres.CreateAPIKey(ctx, tx, orgID, strings.TrimSpace(*name), hash)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, key)
	fmt.Fprintln(env.stderr, "Store this key now: it is not shown again.")
	return nil
}
