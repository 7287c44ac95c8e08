package outcome

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWriteError(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name       string
		ctx        context.Context
		err        error
		wantStatus int
		wantLog    string // "" means nothing at warn level or above
	}{
		{"an outcome error is itself", context.Background(), NotFound("Patient/x is not known"), http.StatusNotFound, ""},
		{"a wrapped outcome error", context.Background(), fmt.Errorf("read: %w", BadRequest("bad")), http.StatusBadRequest, ""},
		{"any other error is a logged 500", context.Background(), errors.New("disk on fire"), http.StatusInternalServerError, "disk on fire"},
		{"the client went away", canceled, fmt.Errorf("store: search: %w", context.Canceled), StatusClientClosedRequest, ""},
		{"a canceled error on a live request is still a 500", context.Background(), context.Canceled, http.StatusInternalServerError, "context canceled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
			r := httptest.NewRequestWithContext(tc.ctx, "GET", "/fhir/R4/Patient", nil)
			w := httptest.NewRecorder()
			WriteError(w, r, log, tc.err)
			if w.Code != tc.wantStatus {
				t.Errorf("status %d, want %d", w.Code, tc.wantStatus)
			}
			if tc.wantLog == "" && logs.Len() > 0 {
				t.Errorf("logged %q, want nothing at warn or above", logs.String())
			}
			if tc.wantLog != "" && !strings.Contains(logs.String(), tc.wantLog) {
				t.Errorf("log %q does not mention %q", logs.String(), tc.wantLog)
			}
			if tc.wantStatus == http.StatusInternalServerError && strings.Contains(w.Body.String(), tc.wantLog) {
				t.Errorf("the 500's body leaks the error: %s", w.Body.String())
			}
		})
	}
}
