package sdk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"
)

const headerRequestID = "X-Request-ID"

// SDKVersion is the SDK's version, sent in the User-Agent.
const SDKVersion = "0.1.0"

// defaultUserAgent names the SDK in every request.
const defaultUserAgent = "lhcr-sdk-go/" + SDKVersion

type requestIDKey struct{}

// WithRequestID returns a context whose requests carry id as their X-Request-ID (up to 200
// printable ASCII characters), instead of a random one: use it to tie the SDK's requests to
// your own logs. A search sends one request per page; they all carry id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// newRequestID returns a random 128-bit id in hex.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// headerTransport is the outermost layer: it gives every request its User-Agent and an
// X-Request-ID (kept across the retries beneath it), counts attempts, and logs the outcome.
type headerTransport struct {
	base      http.RoundTripper
	userAgent string
	log       *slog.Logger
}

// RoundTrip sends req with the SDK's headers, and logs the outcome.
func (t *headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	attempts := new(int)
	ctx = context.WithValue(ctx, attemptsKey{}, attempts)
	r := req.Clone(ctx)
	r.Header.Set("User-Agent", t.userAgent)
	if r.Header.Get(headerRequestID) == "" {
		id, _ := ctx.Value(requestIDKey{}).(string)
		if id == "" {
			id = newRequestID()
		}
		r.Header.Set(headerRequestID, id)
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(r)
	if t.log.Enabled(ctx, slog.LevelDebug) {
		attrs := []slog.Attr{
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("request_id", r.Header.Get(headerRequestID)), slog.Int("attempts", *attempts),
			slog.Duration("elapsed", time.Since(start)),
		}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		} else {
			attrs = append(attrs, slog.Int("status", resp.StatusCode))
		}
		t.log.LogAttrs(ctx, slog.LevelDebug, "lhcr: request", attrs...)
	}
	return resp, err
}
