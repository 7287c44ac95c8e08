// Package requestid gives every request an id: the caller's X-Request-ID when it is sensible,
// otherwise a new random one. The id is echoed on the response, with X-Correlation-ID, and
// carried in the request's context for logs and the request log.
package requestid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// Header names.
const (
	Header            = "X-Request-ID"
	CorrelationHeader = "X-Correlation-ID"
)

// MaxLen is the longest id accepted from a caller.
const MaxLen = 200

type ctxKey struct{}

// FromContext returns the request id, or "".
func FromContext(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// New returns a fresh random id.
func New() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// valid reports whether a caller's id can be echoed safely: 1..MaxLen printable ASCII characters.
func valid(s string) bool {
	if s == "" || len(s) > MaxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// Middleware assigns the id, sets the response headers and stores the id in the context.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(Header)
		if !valid(id) {
			id = New()
		}
		h := w.Header()
		h.Set(Header, id)
		if c := r.Header.Get(CorrelationHeader); valid(c) {
			h.Set(CorrelationHeader, c)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, id)))
	})
}
