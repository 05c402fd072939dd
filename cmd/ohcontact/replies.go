package main

import (
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/signposting"
)

// replySigning returns how each organisation signs its clinicians' replies
// (OHCONTACT_CONFIG's [organisations.replies]), by organisation id. With no
// file every organisation signs with its default style.
func replySigning(cfg Config, dir *signposting.Directory, orgIDs map[string]int64) map[int64]escalation.ReplySigning {
	out := map[int64]escalation.ReplySigning{}
	for _, o := range dir.Organisations {
		if s, ok := cfg.File.Replies[o.Code]; ok {
			out[orgIDs[o.Code]] = s
		}
	}
	return out
}
