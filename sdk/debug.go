package sdk

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// redactedHeaders are the headers whose values DebugTransport never writes.
var redactedHeaders = []string{"Authorization", "Proxy-Authorization", "X-Api-Key", "Cookie", "Set-Cookie"}

// DebugTransport returns an http.RoundTripper that writes each HTTP exchange it carries to w
// (the request line and headers, then the status line and headers) and passes it on to base
// (http.DefaultTransport if nil). Give it to WithHTTPClient to see what the SDK sends: it sits
// beneath the SDK's layers, so it sees every attempt and every token request as sent.
//
// Nothing secret is written: the values of the Authorization, X-API-Key and cookie headers are
// redacted, so are the values of query parameters (they may hold identifiers such as NHS
// numbers), and bodies (which carry client secrets, assertions and tokens) are left out.
func DebugTransport(base http.RoundTripper, w io.Writer) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &debugTransport{base: base, w: w}
}

type debugTransport struct {
	base http.RoundTripper
	mu   sync.Mutex
	w    io.Writer
}

// RoundTrip writes the exchange, without secrets, and returns base's answer.
func (t *debugTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s %s\n> Host: %s\n", req.Method, redactedURI(req.URL), req.Proto, req.URL.Host)
	writeHeaders(&b, "> ", req.Header)
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		fmt.Fprintf(&b, "< error after %s: %v\n", time.Since(start).Round(time.Microsecond), transportError(&url.Error{Op: req.Method, URL: req.URL.String(), Err: err}))
	} else {
		fmt.Fprintf(&b, "< %s %s (%s)\n", resp.Proto, resp.Status, time.Since(start).Round(time.Microsecond))
		writeHeaders(&b, "< ", resp.Header)
	}
	t.mu.Lock()
	io.WriteString(t.w, b.String()+"\n")
	t.mu.Unlock()
	return resp, err
}

// redactedURI is the request's path with its query parameters' values replaced by "…".
func redactedURI(u *url.URL) string {
	uri := u.EscapedPath()
	if u.RawQuery == "" {
		return uri
	}
	var parts []string
	for _, kv := range strings.Split(u.RawQuery, "&") {
		k, _, _ := strings.Cut(kv, "=")
		parts = append(parts, k+"=…")
	}
	return uri + "?" + strings.Join(parts, "&")
}

func writeHeaders(b *strings.Builder, prefix string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := strings.Join(h[k], ", ")
		if slices.Contains(redactedHeaders, http.CanonicalHeaderKey(k)) {
			v = "[redacted]"
		}
		fmt.Fprintf(b, "%s%s: %s\n", prefix, k, v)
	}
}
