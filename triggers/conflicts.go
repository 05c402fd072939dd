package triggers

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact/postgres"
)

// auditMobileConflicts appends a staff.mobile_conflict audit event, in tx,
// for each of the written staff records that tx gave a mobile another
// organisation's staff already hold, and returns how many records that
// was. The event names the record, its organisation and the other records
// and organisations by id only; the admins' Users page lists the conflict
// (postgres.MobileConflicts) until one record's number changes. apiKeyID is
// the writer, 0 for an import an operator ran.
//
// A conflict is recorded, not refused: one person may work for two trusts.
// Inbound texts from the number do not follow the newer record
// (postgres.StaffForInbound).
func auditMobileConflicts(ctx context.Context, tx pgx.Tx, apiKeyID int64, written []postgres.Upserted) (int, error) {
	if len(written) == 0 {
		return 0, nil
	}
	ids := make([]int64, len(written))
	for i, u := range written {
		ids[i] = u.ID
	}
	conflicts, err := postgres.NewMobileConflicts(ctx, tx, ids)
	if err != nil {
		return 0, err
	}
	n := 0
	for i := 0; i < len(conflicts); {
		c := conflicts[i]
		var others, otherOrgs []int64
		for ; i < len(conflicts) && conflicts[i].StaffID == c.StaffID; i++ {
			others, otherOrgs = append(others, conflicts[i].OtherStaffID), append(otherOrgs, conflicts[i].OtherOrganisationID)
		}
		err := postgres.Audit(ctx, tx, postgres.AuditEvent{ActorAPIKeyID: apiKeyID, Action: "staff.mobile_conflict",
			RecordType: "staff", RecordID: c.StaffID, OrganisationID: c.OrganisationID,
			Details: map[string]any{"other_staff_ids": others, "other_organisation_ids": otherOrgs}})
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
