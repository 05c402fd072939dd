package demo

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/escalation/console"
	"github.com/ohcontact/ohcontact/postgres"
)

// The demo's console accounts, for `make run` only: the README and the
// landing page give them. The clinician works cases; the lead sees the
// pilot dashboard of every organisation; each demo organisation's
// physiotherapist (PhysioEmail) works its referrals.
const (
	ClinicianEmail    = "clinician@demo.nhs.example"
	ClinicianPassword = "demo-clinician-2026"
	LeadEmail         = "lead@demo.nhs.example"
	LeadPassword      = "demo-lead-2026"
	PhysioPassword    = "demo-physio-2026"
)

// PhysioEmail is the demo physiotherapist's address of the demo
// organisation with code: physio.demo@demo.nhs.example for DEMO.
func PhysioEmail(code string) string {
	return "physio." + strings.ToLower(code) + "@demo.nhs.example"
}

// Account is a demo console account, whose password is published.
type Account struct {
	Who             string // what it is for, as the landing page says
	Email, Password string
	name, role      string
	org             int64 // 0: every organisation
}

// Accounts returns the demo console accounts: the clinician, the lead,
// and a physiotherapist of each demo organisation in orgIDs (by code), in
// Directory's order.
func Accounts(orgIDs map[string]int64) []Account {
	accounts := []Account{
		{"Clinician (works cases)", ClinicianEmail, ClinicianPassword, "Demo Clinician", ohcontact.RoleClinician, 0},
		{"OH lead (reads cases, pilot dashboard)", LeadEmail, LeadPassword, "Demo OH Lead", ohcontact.RoleLead, 0},
	}
	for _, o := range Directory().Organisations {
		if id, ok := orgIDs[o.Code]; ok {
			accounts = append(accounts, Account{"Physiotherapist, " + o.Name, PhysioEmail(o.Code), PhysioPassword,
				"Demo Physio, " + o.Name, ohcontact.RolePhysio, id})
		}
	}
	return accounts
}

// seedAccounts creates the Accounts of orgIDs that do not exist yet.
func seedAccounts(ctx context.Context, db *postgres.DB, orgIDs map[string]int64) error {
	// One hash per password: argon2id is slow on purpose, and the demo's
	// physiotherapists share theirs.
	hashes := map[string]string{}
	for _, a := range Accounts(orgIDs) {
		hash, ok := hashes[a.Password]
		if !ok {
			var err error
			if hash, err = console.HashPassword(a.Password); err != nil {
				return err
			}
			hashes[a.Password] = hash
		}
		err := db.InTx(ctx, func(tx pgx.Tx) error {
			_, err := postgres.CreateUser(ctx, tx, postgres.NewUser{OrganisationID: a.org, Email: a.Email, Name: a.name, Role: a.role, PasswordHash: hash}, 0)
			return err
		})
		if err != nil && !errors.Is(err, ohcontact.ErrConflict) {
			return err
		}
	}
	return nil
}
