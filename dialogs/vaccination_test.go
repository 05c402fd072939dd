package dialogs

import (
	"maps"
	"testing"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/signposting"
)

// TestVaccinationReplies: what a first reply to the invitation, in words
// or by number, in any of the three languages, records and where the
// flow goes next.
func TestVaccinationReplies(t *testing.T) {
	e := newTestEngine(t)
	tests := []struct {
		lang, reply string
		outcome     string            // "" when none is recorded yet
		detail      map[string]string // nil: not checked
		step        string
	}{
		{"en-GB", "booked", "booked", nil, StateClosed},
		{"en-GB", "I've booked", "booked", nil, StateClosed},
		{"en-GB", "Done", "booked", nil, StateClosed},
		{"en-GB", "1", "", nil, vaccChooseSlot},
		{"en-GB", "how do I book?", "", nil, vaccChooseSlot},
		{"en-GB", "had it at my GP", "", nil, vaccAskDate},
		{"en-GB", "got it at Boots last week", "had_elsewhere", map[string]string{"date": "2026-11-11", "where": "pharmacy"}, StateClosed},
		{"en-GB", "had my jab at the hospital on 2/11", "had_elsewhere", map[string]string{"date": "2026-11-02", "where": "other_trust"}, StateClosed},
		{"en-GB", "got it thanks", "", nil, vaccInvited},
		{"en-GB", "no thanks", "declined", map[string]string{}, vaccDeclineReason},
		{"en-GB", "I don't want it", "declined", map[string]string{}, vaccDeclineReason},
		{"en-GB", "3", "declined", map[string]string{}, vaccDeclineReason},
		{"en-GB", "can I have it if I'm pregnant?", "question", map[string]string{}, StateHandedOver},
		{"en-GB", "is it the same one as last year", "question", map[string]string{}, StateHandedOver},
		{"en-GB", "4", "", nil, vaccAskQuestion},
		{"en-GB", "not now", "", nil, vaccInvited},
		{"en-GB", "TALK", "", nil, StateHandedOver},
		{"cy", "wedi bwcio", "booked", nil, StateClosed},
		{"cy", "dwi wedi'i gael yn y feddygfa wythnos diwethaf", "had_elsewhere", map[string]string{"date": "2026-11-11", "where": "gp"}, StateClosed},
		{"cy", "dim diolch", "declined", map[string]string{}, vaccDeclineReason},
		{"cy", "Oes modd ei gael os dwi'n feichiog", "question", map[string]string{}, StateHandedOver},
		{"pl", "zapisałam się", "booked", nil, StateClosed},
		{"pl", "miałam w aptece tydzień temu", "had_elsewhere", map[string]string{"date": "2026-11-11", "where": "pharmacy"}, StateClosed},
		{"pl", "nie, dziękuję", "declined", map[string]string{}, vaccDeclineReason},
		{"pl", "nie chcę tego", "declined", map[string]string{}, vaccDeclineReason},
		{"pl", "Czy mogę w ciąży?", "question", map[string]string{}, StateHandedOver},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.reply, func(t *testing.T) {
			start, err := e.Start(FlowVaccination, StartInfo{Org: signposting.DemoCode, Channel: ohcontact.ChannelSMS, Lang: tt.lang,
				Known: true, Vaccine: "flu"})
			if err != nil {
				t.Fatal(err)
			}
			r, err := e.Step(start.State, Input{Text: tt.reply, Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			var got *CampaignOutcome
			for _, eff := range r.Effects {
				if o, ok := eff.(CampaignOutcome); ok {
					got = &o
				}
			}
			switch {
			case tt.outcome == "" && got != nil:
				t.Errorf("recorded %v, want nothing yet", got)
			case tt.outcome != "" && (got == nil || got.Outcome != tt.outcome):
				t.Errorf("recorded %v, want %s", got, tt.outcome)
			case got != nil && tt.detail != nil && !maps.Equal(got.Detail, tt.detail):
				t.Errorf("recorded %v, want detail %v", got, tt.detail)
			}
			if r.State.Step != tt.step {
				t.Errorf("went to %s, want %s (replies %v)", r.State.Step, tt.step, r.Replies)
			}
		})
	}
}
