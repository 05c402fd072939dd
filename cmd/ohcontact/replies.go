package main

import (
	"fmt"

	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/signposting"
)

// replySigning reads how each organisation signs its clinicians' replies
// from OHCONTACT_CONFIG (escalation.LoadReplySigning), by organisation id.
// With no file every organisation signs with its default style.
func replySigning(cfg Config, dir *signposting.Directory, orgIDs map[string]int64) (map[int64]escalation.ReplySigning, error) {
	out := map[int64]escalation.ReplySigning{}
	if cfg.ConfigFile == "" {
		return out, nil
	}
	byCode, err := escalation.LoadReplySigning(cfg.ConfigFile)
	if err != nil {
		return nil, fmt.Errorf("OHCONTACT_CONFIG: %w", err)
	}
	for _, o := range dir.Organisations {
		if s, ok := byCode[o.Code]; ok {
			out[orgIDs[o.Code]] = s
		}
	}
	return out, nil
}
