package main

import (
	"context"
	"fmt"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/signposting"
)

// ensureOrganisations takes the organisations and their signposting
// directory (OHCONTACT_CONFIG's, or the demo organisation's), creates them
// in the database or brings their names up to date, and returns the
// directory and their ids by code. serve calls it, and so do the commands
// that write an organisation's records, so that a fresh database can be
// imported into before the service first starts.
func ensureOrganisations(ctx context.Context, db *postgres.DB, cfg Config) (*signposting.Directory, map[string]int64, error) {
	dir := signposting.Demo()
	if cfg.ConfigFile != "" {
		dir = cfg.File.Directory
	}
	ids := map[string]int64{}
	for _, o := range dir.Organisations {
		err := postgres.EnsureOrganisation(ctx, db.Pool, ohcontact.Organisation{Code: o.Code, Name: o.Name, GoLive: o.GoLive})
		if err != nil {
			return nil, nil, err
		}
		if ids[o.Code], err = postgres.OrganisationByCode(ctx, db.Pool, o.Code); err != nil {
			return nil, nil, err
		}
	}
	return dir, ids, nil
}

// openWithOrganisations is how commands that write an organisation's
// records start: the configuration, the database (schema current), and the
// organisations made sure of, with their ids by code. The caller closes db.
func openWithOrganisations(ctx context.Context, env *environment) (Config, *postgres.DB, map[string]int64, error) {
	cfg, err := loadConfig(env.getenv)
	if err != nil {
		return cfg, nil, nil, fmt.Errorf("configuration:\n%w", err)
	}
	db, err := openMigrated(ctx, cfg)
	if err != nil {
		return cfg, nil, nil, err
	}
	_, ids, err := ensureOrganisations(ctx, db, cfg)
	if err != nil {
		db.Close()
		return cfg, nil, nil, err
	}
	return cfg, db, ids, nil
}
