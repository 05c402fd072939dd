// Package demo is demo mode's made-up world (`ohcontact serve --demo`,
// `make run`): five members of staff whose phones are in Ofcom's drama
// range, console accounts with published passwords, three more fictional
// pilot trusts, and a month of fictional pilot history, with the seeding
// that writes them. Only cmd/ohcontact imports it, and only in demo mode.
package demo

import (
	"context"
	"time"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/triggers"
)

// Seed writes the demo's data, each part once (a second start adds
// nothing): the demo members of staff, the console Accounts of the
// organisations in orgIDs, the pilot month (up to yesterday) of those of
// Directory that exist, and then, for each demo member of staff with no
// absence yet, an absence whose contacts scheduler plans (days in loc), so
// that each demo phone has a first text from OH to answer. scheduler must
// be able to queue jobs.
func Seed(ctx context.Context, db *postgres.DB, orgIDs map[string]int64, scheduler *triggers.Scheduler, loc *time.Location) error {
	if err := seedStaff(ctx, db); err != nil {
		return err
	}
	if err := seedAccounts(ctx, db, orgIDs); err != nil {
		return err
	}
	if err := seedPilot(ctx, db, codes(), time.Now()); err != nil {
		return err
	}
	return seedContacts(ctx, db, scheduler, loc)
}
