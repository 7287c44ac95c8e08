package requestid

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMiddleware(t *testing.T) {
	tests := []struct {
		name, sent, corr string
		wantEcho         bool
		wantCorr         bool
	}{
		{name: "echoes a sensible id", sent: "abc-123", corr: "corr-1", wantEcho: true, wantCorr: true},
		{name: "generates when absent", sent: ""},
		{name: "replaces an id with spaces", sent: "a b", corr: "bad value"},
		{name: "replaces an over-long id", sent: strings.Repeat("x", MaxLen+1)},
		{name: "replaces control characters", sent: "a\x01b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen string
			h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = FromContext(r.Context())
			}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.sent != "" {
				req.Header.Set(Header, tt.sent)
			}
			if tt.corr != "" {
				req.Header.Set(CorrelationHeader, tt.corr)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := rec.Header().Get(Header)
			if got == "" || got != seen {
				t.Fatalf("response id %q, context id %q: want equal and non-empty", got, seen)
			}
			if (got == tt.sent) != tt.wantEcho {
				t.Errorf("echo = %v, want %v (sent %q, got %q)", got == tt.sent, tt.wantEcho, tt.sent, got)
			}
			if c := rec.Header().Get(CorrelationHeader); (c != "") != tt.wantCorr {
				t.Errorf("correlation header %q, want present=%v", c, tt.wantCorr)
			}
		})
	}
}
