package postgres_test

import (
	"testing"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

func TestAuditActor(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	tests := []struct {
		name      string
		event     postgres.AuditEvent
		wantKind  string
		wantActor *int64
	}{
		{"system", postgres.AuditEvent{Action: "import.staff", RecordType: "import"}, "system", nil},
		{"user", postgres.AuditEvent{ActorUserID: 7, Action: "case.view", RecordType: "case", RecordID: 3}, "user", new(int64(7))},
		{"API key", postgres.AuditEvent{ActorAPIKeyID: 9, Action: "staff.created", RecordType: "staff", RecordID: 4}, "api_key", new(int64(9))},
	}
	for _, tt := range tests {
		if err := postgres.Audit(ctx, db.Pool, tt.event); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var kind, details string
		var actor, record *int64
		err := db.Pool.QueryRow(ctx, `SELECT actor_kind, actor_id, record_id, details::text FROM audit_events WHERE action = $1`,
			tt.event.Action).Scan(&kind, &actor, &record, &details)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if kind != tt.wantKind || (actor == nil) != (tt.wantActor == nil) || (actor != nil && *actor != *tt.wantActor) {
			t.Errorf("%s: actor %s %v, want %s %v", tt.name, kind, actor, tt.wantKind, tt.wantActor)
		}
		if (record == nil) != (tt.event.RecordID == 0) || details != "{}" {
			t.Errorf("%s: record_id %v, details %s; want NULL for 0 and {}", tt.name, record, details)
		}
	}
}
