package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// TestEnsureOrganisationGoLive checks that the configured go-live day is
// stored, kept when a later start does not give one, and moved when it
// gives another.
func TestEnsureOrganisationGoLive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	goLive := func() string {
		t.Helper()
		orgs, err := postgres.Organisations(ctx, db.Pool)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range orgs {
			if o.Code == "GL1" {
				if o.GoLive.IsZero() {
					return "none"
				}
				return o.GoLive.Format(time.DateOnly)
			}
		}
		t.Fatal("no organisation GL1")
		return ""
	}
	for _, step := range []struct {
		name, goLive, want string
	}{
		{"created without one", "", "none"},
		{"given one", "2026-05-01", "2026-05-01"},
		{"restarted without one", "", "2026-05-01"},
		{"moved", "2026-06-15", "2026-06-15"},
	} {
		org := ohcontact.Organisation{Code: "GL1", Name: "Go-live Trust"}
		if step.goLive != "" {
			org.GoLive, _ = time.Parse(time.DateOnly, step.goLive)
		}
		if err := postgres.EnsureOrganisation(ctx, db.Pool, org); err != nil {
			t.Fatal(err)
		}
		if got := goLive(); got != step.want {
			t.Errorf("%s: go-live = %s, want %s", step.name, got, step.want)
		}
	}
}
