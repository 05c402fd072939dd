package escalation

import (
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// TestReplySigning reads RX1's [organisations.replies] as the configuration
// file's decoder (cmd/ohcontact) hands it over; unknown keys are its
// business.
func TestReplySigning(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file string
		want       ReplySigning // RX1's
		wantErr    string
	}{
		{name: "nothing said", file: "[[organisations]]\ncode = \"RX1\"\n", want: ReplySigning{}},
		{name: "off", file: "[[organisations]]\ncode = \"RX1\"\n  [organisations.replies]\n  signed = false\n",
			want: ReplySigning{Unsigned: true}},
		{name: "first name", file: "[[organisations]]\ncode = \"RX1\"\n  [organisations.replies]\n  signature = \"first_name_and_title\"\n",
			want: ReplySigning{Style: SignFirstNameAndTitle}},
		{name: "unknown style", file: "[[organisations]]\ncode = \"RX1\"\n  [organisations.replies]\n  signature = \"initials\"\n",
			wantErr: "replies.signature must be"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var file struct {
				Organisations []struct {
					Replies RepliesConfig `toml:"replies"`
				} `toml:"organisations"`
			}
			if _, err := toml.Decode(tc.file, &file); err != nil {
				t.Fatal(err)
			}
			got, err := file.Organisations[0].Replies.Signing()
			switch {
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			case tc.wantErr == "" && err != nil:
				t.Fatal(err)
			case tc.wantErr == "" && got != tc.want:
				t.Errorf("RX1 signs %+v, want %+v", got, tc.want)
			}
		})
	}
}
