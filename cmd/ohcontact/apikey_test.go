package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/triggers"
)

func apikeyArgs(args ...string) func(*testing.T, *environment) error {
	return func(t *testing.T, env *environment) error { return runAPIKey(t.Context(), env, args) }
}

func TestAPIKeyAddPrintsTheKeyOnceAndStoresItsHash(t *testing.T) {
	t.Parallel()
	vars, db := commandDB(t)
	out, errOut, err := runCommand(t, vars, apikeyArgs("add", "--org", "DEMO", "--name", "ESR nightly feed"))
	if err != nil {
		t.Fatalf("apikey add: %v (%s)", err, errOut)
	}
	key := strings.TrimSuffix(out, "\n")
	if !strings.HasPrefix(key, "ohk_") || len(key) != 47 || strings.Contains(errOut, key) {
		t.Fatalf("apikey add printed %q (stderr %q), want one ohk_ key on stdout only", out, errOut)
	}
	k, err := postgres.APIKeyByHash(t.Context(), db.Pool, triggers.HashAPIKey(key))
	if err != nil || k.OrganisationCode != "DEMO" || k.Scope != postgres.ScopeHR {
		t.Fatalf("the key's hash finds %+v, %v; want DEMO's hr key", k, err)
	}
	var stored int
	if err := db.Pool.QueryRow(t.Context(), `
		SELECT count(*) FROM api_keys WHERE name = 'ESR nightly feed' AND key_hash = sha256(convert_to($1, 'UTF8'))`, key).Scan(&stored); err != nil || stored != 1 {
		t.Fatalf("%d keys stored with the key's SHA-256 (%v), want 1", stored, err)
	}
	var audited int
	if err := db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE action = 'api_key.created' AND record_id = $1`, k.ID).
		Scan(&audited); err != nil || audited != 1 {
		t.Fatalf("%d audit events (%v), want 1", audited, err)
	}

	out, errOut, err = runCommand(t, vars, apikeyArgs("add", "--org", "DEMO", "--name", "MSK system", "--scope", "referrals"))
	if err != nil {
		t.Fatalf("apikey add --scope referrals: %v (%s)", err, errOut)
	}
	k, err = postgres.APIKeyByHash(t.Context(), db.Pool, triggers.HashAPIKey(strings.TrimSuffix(out, "\n")))
	if err != nil || k.Scope != postgres.ScopeReferrals {
		t.Fatalf("the referrals key's hash finds %+v, %v; want a referrals key", k, err)
	}
	var scope string
	if err := db.Pool.QueryRow(t.Context(), `SELECT details->>'scope' FROM audit_events WHERE action = 'api_key.created' AND record_id = $1`,
		k.ID).Scan(&scope); err != nil || scope != "referrals" {
		t.Fatalf("api_key.created audit scope %q (%v), want referrals", scope, err)
	}

	_, _, err = runCommand(t, vars, apikeyArgs("add", "--org", "RX9", "--name", "x"))
	if err == nil || !strings.Contains(err.Error(), `no organisation with code "RX9"`) {
		t.Fatalf("apikey add --org RX9 = %v", err)
	}
}

func TestAPIKeyUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args   []string
		stderr string
	}{
		{nil, "want the subcommand add"},
		{[]string{"add", "--name", "x"}, "--org is required"},
		{[]string{"add", "--org", "DEMO"}, "--name must be 1 to 100 characters"},
		{[]string{"add", "--org", "DEMO", "--name", strings.Repeat("n", 101)}, "--name must be 1 to 100 characters"},
		{[]string{"revoke", "--org", "DEMO", "--name", "x"}, `got "revoke"`},
		{[]string{"add", "--org", "DEMO", "--name", "x", "--scope", "admin"}, "--scope must be hr or referrals"},
	}
	for _, tt := range tests {
		_, errOut, err := runCommand(t, nil, apikeyArgs(tt.args...))
		if !errors.Is(err, errUsage) || !strings.Contains(errOut, tt.stderr) {
			t.Errorf("apikey %q = %v, %q; want a usage error saying %q", tt.args, err, errOut, tt.stderr)
		}
	}
}
