package main

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/escalation/console"
	"github.com/ohcontact/ohcontact/postgres"
)

// The demo clinician's account, for `make run` only: the README gives it.
const (
	demoClinicianEmail    = "clinician@demo.nhs.example"
	demoClinicianPassword = "demo-clinician-2026"
)

// seedDemoClinician creates the demo clinician's console account, once.
func seedDemoClinician(ctx context.Context, db *postgres.DB) error {
	hash, err := console.HashPassword(demoClinicianPassword)
	if err != nil {
		return err
	}
	err = db.InTx(ctx, func(tx pgx.Tx) error {
		_, err := postgres.CreateUser(ctx, tx, postgres.NewUser{Email: demoClinicianEmail, Name: "Demo Clinician",
			Role: console.RoleClinician, PasswordHash: hash}, 0)
		return err
	})
	if errors.Is(err, postgres.ErrEmailTaken) {
		return nil
	}
	return err
}
