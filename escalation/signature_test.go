package escalation

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadReplySigning(t *testing.T) {
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
		{name: "misspelt key", file: "[[organisations]]\ncode = \"RX1\"\n  [organisations.replies]\n  sign = false\n",
			wantErr: "unknown key organisations.replies.sign"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "config.toml")
			if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := LoadReplySigning(path)
			switch {
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			case tc.wantErr == "" && err != nil:
				t.Fatal(err)
			case tc.wantErr == "" && got["RX1"] != tc.want:
				t.Errorf("RX1 signs %+v, want %+v", got["RX1"], tc.want)
			}
		})
	}
}
