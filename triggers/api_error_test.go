package triggers

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ohcontact/ohcontact"
)

func TestWriteErrorAnswersEachKindOfError(t *testing.T) {
	t.Parallel()
	a := &API{Log: slog.New(slog.DiscardHandler)}
	tests := []struct {
		name   string
		err    error
		status int
		body   string
	}{
		{"no such record, or another organisation's", fmt.Errorf("load referral 7: %w", ohcontact.ErrNotFound), http.StatusNotFound,
			`{"type":"about:blank","title":"Not Found","status":404,"detail":"There is no such referral."}` + "\n"},
		{"anything else", errors.New("load referral 7: connection refused"), http.StatusInternalServerError,
			`{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"Something went wrong on our side; the request was not applied. Try again later."}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			a.writeError(rec, httptest.NewRequest(http.MethodGet, "/api/v1/referrals/7", nil), "referral", tt.err)
			if rec.Code != tt.status || rec.Body.String() != tt.body || rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s %q, want %d %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String(), tt.status, tt.body)
			}
		})
	}
}
