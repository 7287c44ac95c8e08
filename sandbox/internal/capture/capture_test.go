package capture

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWriter(t *testing.T) {
	tests := []struct {
		name         string
		limit, from  int
		status       int // 0: write without WriteHeader
		writes       []string
		wantStatus   int
		wantBody     string
		wantOverflow bool
	}{
		{"status only", 0, 0, 404, []string{"gone"}, 404, "", false},
		{"implicit 200", 0, 0, 0, []string{"ok"}, 200, "", false},
		{"keeps all below the limit", 10, 0, 200, []string{"ab", "cd"}, 200, "abcd", false},
		{"truncates at the limit", 3, 0, 200, []string{"ab", "cd"}, 200, "abc", true},
		{"keeps errors only", 10, 400, 200, []string{"fine"}, 200, "", false},
		{"keeps an error", 10, 400, 401, []string{"denied"}, 401, "denied", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			w := &Writer{ResponseWriter: rec, Limit: tt.limit, From: tt.from}
			if tt.status != 0 {
				w.WriteHeader(tt.status)
				w.WriteHeader(http.StatusTeapot) // a second status is not recorded
			}
			sent := ""
			for _, s := range tt.writes {
				w.Write([]byte(s))
				sent += s
			}
			if w.Status != tt.wantStatus || string(w.Body) != tt.wantBody || w.Overflow != tt.wantOverflow {
				t.Errorf("status %d body %q overflow %v; want %d %q %v", w.Status, w.Body, w.Overflow, tt.wantStatus, tt.wantBody, tt.wantOverflow)
			}
			if rec.Body.String() != sent {
				t.Errorf("client got %q, want everything: %q", rec.Body.String(), sent)
			}
		})
	}
}
