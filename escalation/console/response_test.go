package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ohcontact/ohcontact"
)

func TestFailShowsThePageForEachKindOfError(t *testing.T) {
	t.Parallel()
	c := New(Config{})
	tests := []struct {
		name   string
		err    error
		status int
		says   string
	}{
		{"no such record, or another organisation's", fmt.Errorf("load case 7: %w", ohcontact.ErrNotFound),
			http.StatusNotFound, "There is no such page, or it belongs to an organisation you do not work for."},
		{"anything else", errors.New("load case 7: connection refused"),
			http.StatusInternalServerError, "That did not work, and nothing was changed."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			c.fail(rec, httptest.NewRequest(http.MethodGet, "/console/cases/7", nil), nil, tt.err)
			body := rec.Body.String()
			if rec.Code != tt.status || !strings.Contains(body, tt.says) {
				t.Fatalf("%d %q, want %d saying %q", rec.Code, body, tt.status, tt.says)
			}
			if strings.Contains(body, tt.err.Error()) {
				t.Fatalf("the page shows the error's text %q", tt.err)
			}
		})
	}
}
