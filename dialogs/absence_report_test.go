package dialogs

import (
	"testing"
)

func TestEcho(t *testing.T) {
	if got := echo("  “back pain” 😩 since Monday!!  ", 60); got != "back pain since Monday" {
		t.Errorf("echo = %q", got)
	}
	if got := echo("a very long reason that goes on and on and on and on and on and on", 20); len(got) > 20 {
		t.Errorf("echo not truncated: %q", got)
	}
}
