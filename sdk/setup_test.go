package sdk_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/gm-lhcr/lhcr/sandbox/sandboxtest"
	"github.com/gm-lhcr/lhcr/sdk"
)

// seen is one request that reached the sandbox.
type seen struct {
	Method, Path, Query string
	Header              http.Header
	Form                url.Values // token requests only
}

// recorder is sandbox middleware that records every request.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
}

func (r *recorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		s := seen{Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery, Header: req.Header.Clone()}
		if strings.HasSuffix(req.URL.Path, "/oauth2/token") {
			b, _ := io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(b))
			s.Form, _ = url.ParseQuery(string(b))
		}
		r.mu.Lock()
		r.reqs = append(r.reqs, s)
		r.mu.Unlock()
		next.ServeHTTP(w, req)
	})
}

// count returns how many recorded requests had a path ending in suffix.
func (r *recorder) count(suffix string) int {
	n := 0
	for _, s := range r.all() {
		if strings.HasSuffix(s.Path, suffix) {
			n++
		}
	}
	return n
}

func (r *recorder) all() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.reqs...)
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.reqs = nil
	r.mu.Unlock()
}

// start runs a sandbox (under a path prefix, to catch absolute-URL mistakes) that records its
// requests.
func start(t testing.TB, opts ...sandboxtest.Option) (*sandboxtest.Sandbox, *recorder) {
	t.Helper()
	rec := &recorder{}
	opts = append([]sandboxtest.Option{sandboxtest.WithPathPrefix("/gateway/lhcr"), sandboxtest.WithMiddleware(rec.wrap)}, opts...)
	return sandboxtest.New(t, opts...), rec
}

// client is a client of sb with the ready test app's secret.
func client(t testing.TB, sb *sandboxtest.Sandbox, opts ...sdk.Option) *sdk.Client {
	t.Helper()
	c, err := sdk.NewClient(sb.FHIRBaseURL, append([]sdk.Option{sdk.WithClientSecret(sb.ClientID, sb.ClientSecret)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// shared is one sandbox for the read-only tests of the package.
var (
	sharedOnce sync.Once
	sharedSB   *sandboxtest.Sandbox
	sharedErr  error
)

// readOnly returns the package's shared sandbox and a fresh client of it. Tests that use it
// must not write, nor count requests.
func readOnly(t testing.TB) (*sandboxtest.Sandbox, *sdk.Client) {
	t.Helper()
	sharedOnce.Do(func() {
		sharedSB, sharedErr = sandboxtest.Start(context.Background(), sandboxtest.WithPathPrefix("/lhcr"), sandboxtest.WithPatients(120))
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedSB, client(t, sharedSB)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedSB != nil {
		sharedSB.Close()
	}
	os.Exit(code)
}
