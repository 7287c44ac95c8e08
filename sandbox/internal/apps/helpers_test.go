package apps

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/go-jose/go-jose/v4"

	"github.com/gm-lhcr/lhcr/openapi"
	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/outcome"
	"github.com/gm-lhcr/lhcr/sandbox/internal/requestid"
	"github.com/gm-lhcr/lhcr/sandbox/internal/requestlog"
	"github.com/gm-lhcr/lhcr/sandbox/internal/store"
)

// Test keys, generated once per run.
type testKeys struct {
	rsa, rsa2 *rsa.PrivateKey // 2048 bits
	rsaSmall  *rsa.PrivateKey // 1024 bits
	ec        *ecdsa.PrivateKey
	ecP256    *ecdsa.PrivateKey
}

var keysOnce = sync.OnceValue(func() testKeys {
	must := func(k *rsa.PrivateKey, err error) *rsa.PrivateKey {
		if err != nil {
			panic(err)
		}
		return k
	}
	mustEC := func(k *ecdsa.PrivateKey, err error) *ecdsa.PrivateKey {
		if err != nil {
			panic(err)
		}
		return k
	}
	return testKeys{
		rsa:      must(rsa.GenerateKey(rand.Reader, 2048)),
		rsa2:     must(rsa.GenerateKey(rand.Reader, 2048)),
		rsaSmall: must(rsa.GenerateKey(rand.Reader, 1024)),
		ec:       mustEC(ecdsa.GenerateKey(elliptic.P384(), rand.Reader)),
		ecP256:   mustEC(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)),
	}
})

// jwk is key as a JWK (a JSON object).
func jwk(t testing.TB, key any, kid, alg, use string) map[string]any {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKey{Key: key, KeyID: kid, Algorithm: alg, Use: use})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func set(keys ...map[string]any) map[string]any {
	if keys == nil {
		keys = []map[string]any{}
	}
	return map[string]any{"keys": keys}
}

func with(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for kk, vv := range m {
		out[kk] = vv
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// syncBuffer collects log output from concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fixture is a registry on a fresh database with two developers, A and B, and the developer
// API mounted through the generated router.
type fixture struct {
	t          *testing.T
	st         *store.SQLite
	dbPath     string
	hmacKey    []byte
	reg        *Registry
	reqlog     *requestlog.Log
	clock      *clock
	logs       *syncBuffer
	h          http.Handler
	keyA, keyB string
}

const devA, devB = "dev-a", "dev-b"

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, dbPath: filepath.Join(t.TempDir(), "sandbox.db"), hmacKey: []byte(strings.Repeat("k", 32)),
		reqlog: &requestlog.Log{}, clock: &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}, logs: &syncBuffer{}}
	st, err := store.OpenSQLite(ctx, store.Options{Path: f.dbPath})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st = st
	f.reg = f.open(opts)
	f.keyA, f.keyB = NewSecret(), NewSecret()
	if err := f.reg.EnsureDeveloper(ctx, devA, "a@example.org", f.keyA); err != nil {
		t.Fatal(err)
	}
	if err := f.reg.EnsureDeveloper(ctx, devB, "", f.keyB); err != nil {
		t.Fatal(err)
	}
	f.h = handler(f.reg)
	return f
}

// open makes a new Registry on the fixture's store (a restart).
func (f *fixture) open(opts Options) *Registry {
	f.t.Helper()
	log := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	reg, err := New(context.Background(), f.st, f.hmacKey, log, f.reqlog, opts)
	if err != nil {
		f.t.Fatal(err)
	}
	reg.now = f.clock.Now
	return reg
}

// testServer serves the developer API from a Registry; the other operations are not called.
type testServer struct {
	api.ServerInterface
	reg *Registry
}

func (s testServer) ListApps(w http.ResponseWriter, r *http.Request, p api.ListAppsParams) {
	s.reg.ListApps(w, r, p)
}
func (s testServer) CreateApp(w http.ResponseWriter, r *http.Request, p api.CreateAppParams) {
	s.reg.CreateApp(w, r, p)
}
func (s testServer) GetApp(w http.ResponseWriter, r *http.Request, id api.ClientIDParam, p api.GetAppParams) {
	s.reg.GetApp(w, r, id, p)
}
func (s testServer) UpdateApp(w http.ResponseWriter, r *http.Request, id api.ClientIDParam, p api.UpdateAppParams) {
	s.reg.UpdateApp(w, r, id, p)
}
func (s testServer) DeleteApp(w http.ResponseWriter, r *http.Request, id api.ClientIDParam, p api.DeleteAppParams) {
	s.reg.DeleteApp(w, r, id, p)
}
func (s testServer) RotateAppSecret(w http.ResponseWriter, r *http.Request, id api.ClientIDParam, p api.RotateAppSecretParams) {
	s.reg.RotateAppSecret(w, r, id, p)
}
func (s testServer) SetAppKeys(w http.ResponseWriter, r *http.Request, id api.ClientIDParam, p api.SetAppKeysParams) {
	s.reg.SetAppKeys(w, r, id, p)
}
func (s testServer) ListAppRequests(w http.ResponseWriter, r *http.Request, id api.ClientIDParam, p api.ListAppRequestsParams) {
	s.reg.ListAppRequests(w, r, id, p)
}

func handler(reg *Registry) http.Handler {
	mux := http.NewServeMux()
	api.HandlerWithOptions(testServer{reg: reg}, api.StdHTTPServerOptions{
		BaseRouter: mux,
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			outcome.BadRequest("%v", err).Write(w)
		},
	})
	return requestid.Middleware(mux)
}

// response is what a call returned.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// outcome returns the single issue's diagnostics and expression.
func (r response) issue(t testing.TB) (string, api.OperationOutcomeIssueCode, []string) {
	t.Helper()
	var oo api.OperationOutcome
	r.json(t, &oo)
	if len(oo.Issue) != 1 || oo.Issue[0].Diagnostics == nil {
		t.Fatalf("not a one-issue OperationOutcome: %s", r.body)
	}
	return *oo.Issue[0].Diagnostics, oo.Issue[0].Code, oo.Issue[0].Expression
}

// do sends a request with the API key key ("" for none); body is JSON-encoded unless it is a
// string (sent as is). Every response is checked against the contract.
func (f *fixture) do(method, path, key string, body any) response {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			f.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set(APIKeyHeader, key)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	res := response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	if err := checkContract(req, res); err != nil {
		f.t.Errorf("contract violation: %s %s → %d: %v\nbody: %.600s", method, path, res.status, err, res.body)
	}
	if res.header.Get(requestid.Header) == "" {
		f.t.Errorf("%s %s: no X-Request-ID", method, path)
	}
	return res
}

var contract = sync.OnceValues(func() (*contractRoutes, error) {
	doc, err := openapi.Load()
	if err != nil {
		return nil, err
	}
	c := &contractRoutes{doc: doc, mux: http.NewServeMux(), routes: map[string]*routers.Route{}}
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, "/developer/") {
			continue
		}
		for method, op := range item.Operations() {
			pattern := method + " " + path
			c.routes[pattern] = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
			c.mux.HandleFunc(pattern, func(http.ResponseWriter, *http.Request) {})
		}
	}
	return c, nil
})

type contractRoutes struct {
	doc    *openapi3.T
	mux    *http.ServeMux
	routes map[string]*routers.Route
}

// schema returns the contract's component schema name.
func schema(t testing.TB, name string) *openapi3.Schema {
	t.Helper()
	c, err := contract()
	if err != nil {
		t.Fatal(err)
	}
	ref := c.doc.Components.Schemas[name]
	if ref == nil || ref.Value == nil {
		t.Fatalf("no schema %s in the contract", name)
	}
	return ref.Value
}

// visit checks body against the named component schema.
func visit(t testing.TB, name string, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := schema(t, name).VisitJSON(v); err != nil {
		t.Errorf("response is not a valid %s: %v\n%s", name, err, body)
	}
}

// checkContract validates a response with kin-openapi: its status must be declared for the
// operation, and its headers and body must match.
func checkContract(req *http.Request, res response) error {
	c, err := contract()
	if err != nil {
		return err
	}
	_, pattern := c.mux.Handler(req)
	route := c.routes[pattern]
	if route == nil {
		return nil
	}
	params := map[string]string{}
	ts, ps := strings.Split(route.Path, "/"), strings.Split(req.URL.Path, "/")
	for i := range ts {
		if i < len(ps) && strings.HasPrefix(ts[i], "{") {
			params[strings.Trim(ts[i], "{}")] = ps[i]
		}
	}
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 res.status,
		Header:                 res.header,
		Body:                   io.NopCloser(bytes.NewReader(res.body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	})
}

// create registers an app for key and returns its credentials.
func (f *fixture) create(key string, body any) api.AppCredentials {
	f.t.Helper()
	res := f.do("POST", BasePath, key, body)
	if res.status != http.StatusCreated {
		f.t.Fatalf("create: %d %s", res.status, res.body)
	}
	var c api.AppCredentials
	res.json(f.t, &c)
	return c
}
