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

// The canonical forms of the header names ("X-Request-Id"), for map access: Get and Set
// would canonicalise "X-Request-ID" again, with an allocation, on every request.
var (
	canonicalHeader      = http.CanonicalHeaderKey(Header)
	canonicalCorrelation = http.CanonicalHeaderKey(CorrelationHeader)
)

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

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
		id := first(r.Header[canonicalHeader])
		if !valid(id) {
			id = New()
		}
		h := w.Header()
		h[canonicalHeader] = []string{id}
		if c := first(r.Header[canonicalCorrelation]); valid(c) {
			h[canonicalCorrelation] = []string{c}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, id)))
	})
}
