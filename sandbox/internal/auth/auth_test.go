package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/gm-lhcr/lhcr/openapi"
	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/store"
)

// fakeClients is an in-memory registry.
type fakeClients struct {
	mu      sync.Mutex
	clients map[string]Client
	secrets map[string][]byte // HMAC of the secret
	keys    map[string]jose.JSONWebKeySet
}

var hmacKey = []byte("test-key")

func mac(s string) []byte {
	m := hmac.New(sha256.New, hmacKey)
	m.Write([]byte(s))
	return m.Sum(nil)
}

func (f *fakeClients) Client(id string) (Client, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.clients[id]
	return c, ok
}
func (f *fakeClients) CheckSecret(id, secret string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return hmac.Equal(f.secrets[id], mac(secret))
}
func (f *fakeClients) PublicKeys(_ context.Context, id string, _ bool) (jose.JSONWebKeySet, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.keys[id], nil
}

type fixture struct {
	srv     *Server
	st      *store.SQLite
	clients *fakeClients
	http    *httptest.Server
	rsaKey  *rsa.PrivateKey
	ecKey   *ecdsa.PrivateKey
	now     atomic.Pointer[time.Time]
}

var (
	keysOnce sync.Once
	rsaKey   *rsa.PrivateKey
	ecKey    *ecdsa.PrivateKey
	otherRSA *rsa.PrivateKey
)

func testKeys(t testing.TB) {
	keysOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if otherRSA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if ecKey, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
			panic(err)
		}
	})
}

func newFixture(t testing.TB, dbPath string) *fixture {
	t.Helper()
	testKeys(t)
	if dbPath == "" {
		dbPath = t.TempDir() + "/auth.db"
	}
	st, err := store.OpenSQLite(context.Background(), store.Options{Path: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fc := &fakeClients{
		clients: map[string]Client{
			"secret-app": {ID: "secret-app", AuthMethod: MethodSecret, Scopes: []string{"system/*.read"}},
			"jwt-app":    {ID: "jwt-app", AuthMethod: MethodJWT, Scopes: []string{"system/Patient.rs", "system/Observation.rs"}},
			"narrow-app": {ID: "narrow-app", AuthMethod: MethodSecret, Scopes: []string{"system/Patient.r"}},
			"writer-app": {ID: "writer-app", AuthMethod: MethodSecret, Scopes: []string{"system/*.cruds"}},
		},
		secrets: map[string][]byte{"secret-app": mac("s3cret"), "narrow-app": mac("narrow"), "writer-app": mac("writer")},
		keys: map[string]jose.JSONWebKeySet{"jwt-app": {Keys: []jose.JSONWebKey{
			{Key: &rsaKey.PublicKey, KeyID: "rsa-1"},
			{Key: &ecKey.PublicKey, KeyID: "ec-1"},
		}}},
	}
	f := &fixture{st: st, clients: fc, rsaKey: rsaKey, ecKey: ecKey}
	mux := http.NewServeMux()
	f.http = httptest.NewServer(mux)
	t.Cleanup(f.http.Close)
	srv, err := New(context.Background(), Config{Clients: fc, Store: st, PublicURL: f.http.URL, Now: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	mux.HandleFunc("POST /oauth2/token", func(w http.ResponseWriter, r *http.Request) { srv.RequestToken(w, r, api.RequestTokenParams{}) })
	mux.HandleFunc("POST /oauth2/introspect", func(w http.ResponseWriter, r *http.Request) { srv.IntrospectToken(w, r, api.IntrospectTokenParams{}) })
	mux.HandleFunc("POST /oauth2/revoke", func(w http.ResponseWriter, r *http.Request) { srv.RevokeToken(w, r, api.RevokeTokenParams{}) })
	return f
}

func (f *fixture) clock() time.Time {
	if p := f.now.Load(); p != nil {
		return *p
	}
	return time.Now()
}

func (f *fixture) tokenURL() string { return f.http.URL + "/oauth2/token" }

// assertion signs a client assertion with go-jose (an independent JWT library), after edit
// changes the claims or headers.
type assertionSpec struct {
	alg    jose.SignatureAlgorithm
	key    any
	kid    string
	typ    string
	claims map[string]any
}

func (f *fixture) spec(alg jose.SignatureAlgorithm) assertionSpec {
	now := time.Now()
	sp := assertionSpec{alg: alg, typ: "JWT", claims: map[string]any{
		"iss": "jwt-app", "sub": "jwt-app", "aud": f.tokenURL(),
		"exp": now.Add(4 * time.Minute).Unix(), "iat": now.Unix(), "jti": fmt.Sprintf("jti-%d", time.Now().UnixNano()),
	}}
	switch alg {
	case jose.ES384:
		sp.key, sp.kid = f.ecKey, "ec-1"
	default:
		sp.key, sp.kid = f.rsaKey, "rsa-1"
	}
	return sp
}

func sign(t testing.TB, sp assertionSpec) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType(jose.ContentType(sp.typ))
	if sp.kid != "" {
		opts = opts.WithHeader(jose.HeaderKey("kid"), sp.kid)
	}
	if sp.typ == "" {
		opts = &jose.SignerOptions{}
		if sp.kid != "" {
			opts = opts.WithHeader(jose.HeaderKey("kid"), sp.kid)
		}
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: sp.alg, Key: sp.key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jwt.Signed(signer).Claims(sp.claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type tokenReply struct {
	status      int
	header      http.Header
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func (f *fixture) post(t testing.TB, path string, form url.Values, basic ...string) tokenReply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := tokenReply{status: resp.StatusCode, header: resp.Header}
	if resp.ContentLength != 0 {
		json.NewDecoder(resp.Body).Decode(&r)
	}
	return r
}

func assertionForm(a string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {AssertionType}, "client_assertion": {a}}
}

// A token with a secret, obtained by golang.org/x/oauth2/clientcredentials (an independent
// client library), in both the Basic and the form style.
func TestSecretWithOAuth2Library(t *testing.T) {
	f := newFixture(t, "")
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		cfg := clientcredentials.Config{ClientID: "secret-app", ClientSecret: "s3cret", TokenURL: f.tokenURL(),
			Scopes: []string{"system/Patient.rs"}, AuthStyle: style}
		tok, err := cfg.Token(context.Background())
		if err != nil {
			t.Fatalf("style %v: %v", style, err)
		}
		if tok.AccessToken == "" || tok.Expiry.IsZero() || tok.Extra("scope") != "system/Patient.rs" {
			t.Fatalf("style %v: token %+v scope %v", style, tok, tok.Extra("scope"))
		}
		v, err := f.srv.Verify(context.Background(), tok.AccessToken)
		if err != nil || v.ClientID != "secret-app" || !v.Granted.Allows("Patient", Read) || v.Granted.Allows("Observation", Read) {
			t.Fatalf("verify: %+v, %v", v, err)
		}
	}
}

// A token with private_key_jwt, the assertion signed by go-jose, for each accepted algorithm.
func TestPrivateKeyJWT(t *testing.T) {
	f := newFixture(t, "")
	for _, alg := range []jose.SignatureAlgorithm{jose.RS384, jose.ES384, jose.RS512} {
		r := f.post(t, "/oauth2/token", assertionForm(sign(t, f.spec(alg))))
		if r.status != 200 || r.AccessToken == "" {
			t.Fatalf("%s: %d %s %s", alg, r.status, r.Error, r.Description)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
		}
		if r.Scope != "system/Patient.rs system/Observation.rs" {
			t.Errorf("%s: scope %q: without a scope request the app gets its registered scopes", alg, r.Scope)
		}
	}
}

func TestTokenRequestErrors(t *testing.T) {
	f := newFixture(t, "")
	valid := func() assertionSpec { return f.spec(jose.RS384) }
	with := func(edit func(*assertionSpec)) url.Values {
		sp := valid()
		edit(&sp)
		return assertionForm(sign(t, sp))
	}
	hs, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("0123456789abcdef0123456789abcdef")}, (&jose.SignerOptions{}).WithHeader("kid", "rsa-1"))
	hsToken, _ := jwt.Signed(hs).Claims(valid().claims).Serialize()
	noneToken := "eyJhbGciOiJub25lIiwia2lkIjoicnNhLTEifQ." + strings.Split(hsToken, ".")[1] + "."
	tests := []struct {
		name   string
		form   url.Values
		basic  []string
		status int
		err    string
		desc   string
	}{
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}}, []string{"secret-app", "nope"}, 401, "invalid_client", "does not match"},
		{"wrong secret in form", url.Values{"grant_type": {"client_credentials"}, "client_id": {"secret-app"}, "client_secret": {"nope"}}, nil, 401, "invalid_client", "does not match"},
		{"unknown client", url.Values{"grant_type": {"client_credentials"}}, []string{"ghost", "x"}, 401, "invalid_client", "unknown client"},
		{"no authentication", url.Values{"grant_type": {"client_credentials"}}, nil, 401, "invalid_client", "no client authentication"},
		{"secret on a JWT client", url.Values{"grant_type": {"client_credentials"}}, []string{"jwt-app", "whatever"}, 401, "invalid_client", "private_key_jwt"},
		{"missing grant_type", url.Values{"client_id": {"secret-app"}, "client_secret": {"s3cret"}}, nil, 400, "invalid_request", ""},
		{"wrong grant_type", url.Values{"grant_type": {"password"}, "client_id": {"secret-app"}, "client_secret": {"s3cret"}}, nil, 400, "unsupported_grant_type", "client_credentials"},
		{"scope outside registration", url.Values{"grant_type": {"client_credentials"}, "scope": {"system/Patient.write"}}, []string{"secret-app", "s3cret"}, 400, "invalid_scope", ""},
		{"not a SMART scope", url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}}, []string{"secret-app", "s3cret"}, 400, "invalid_scope", ""},
		{"two methods", with(func(*assertionSpec) {}), []string{"jwt-app", "x"}, 400, "invalid_request", "one client authentication method"},
		{"missing assertion type", url.Values{"grant_type": {"client_credentials"}, "client_assertion": {sign(t, valid())}}, nil, 400, "invalid_request", "client_assertion_type is missing"},
		{"wrong assertion type", url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:x"}, "client_assertion": {sign(t, valid())}}, nil, 400, "invalid_request", "must be urn"},
		{"malformed assertion", assertionForm("not.a.jwt"), nil, 401, "invalid_client", "well-formed"},
		{"alg none", assertionForm(noneToken), nil, 401, "invalid_client", "RS384, ES384 or RS512"},
		{"alg HS256", assertionForm(hsToken), nil, 401, "invalid_client", "RS384, ES384 or RS512"},
		{"exp in the past", with(func(s *assertionSpec) { s.claims["exp"] = time.Now().Add(-time.Minute).Unix() }), nil, 401, "invalid_client", "expired"},
		{"exp too far", with(func(s *assertionSpec) { s.claims["exp"] = time.Now().Add(10 * time.Minute).Unix() }), nil, 401, "invalid_client", "5 minutes"},
		{"exp missing", with(func(s *assertionSpec) { delete(s.claims, "exp") }), nil, 401, "invalid_client", "no exp"},
		{"wrong aud", with(func(s *assertionSpec) { s.claims["aud"] = "https://elsewhere/oauth2/token" }), nil, 401, "invalid_client", "aud"},
		{"aud with trailing slash", with(func(s *assertionSpec) { s.claims["aud"] = f.tokenURL() + "/" }), nil, 401, "invalid_client", "aud"},
		{"iss differs from sub", with(func(s *assertionSpec) { s.claims["sub"] = "someone-else" }), nil, 401, "invalid_client", "iss and sub"},
		{"unknown client in iss", with(func(s *assertionSpec) { s.claims["iss"], s.claims["sub"] = "ghost", "ghost" }), nil, 401, "invalid_client", "unknown client"},
		{"JWT on a secret client", with(func(s *assertionSpec) { s.claims["iss"], s.claims["sub"] = "secret-app", "secret-app" }), nil, 401, "invalid_client", "client secret"},
		{"unknown kid", with(func(s *assertionSpec) { s.kid = "rsa-9" }), nil, 401, "invalid_client", "no registered key has kid rsa-9"},
		{"missing kid", with(func(s *assertionSpec) { s.kid = "" }), nil, 401, "invalid_client", "no kid"},
		{"wrong key", with(func(s *assertionSpec) { s.key = otherRSA }), nil, 401, "invalid_client", "signature does not verify"},
		{"key of the wrong type for alg", with(func(s *assertionSpec) { s.kid = "ec-1" }), nil, 401, "invalid_client", "cannot verify alg RS384"},
		{"typ not JWT", with(func(s *assertionSpec) { s.typ = "at+jwt" }), nil, 401, "invalid_client", "typ"},
		{"jti missing", with(func(s *assertionSpec) { delete(s.claims, "jti") }), nil, 401, "invalid_client", "no jti"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.post(t, "/oauth2/token", tt.form, tt.basic...)
			if r.status != tt.status || r.Error != tt.err {
				t.Fatalf("%d %s (%s), want %d %s", r.status, r.Error, r.Description, tt.status, tt.err)
			}
			if !strings.Contains(r.Description, tt.desc) {
				t.Errorf("error_description %q should mention %q", r.Description, tt.desc)
			}
			if r.AccessToken != "" {
				t.Error("a token was issued")
			}
			if r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
			}
		})
	}
}

// A rejected assertion does not burn its jti: fixing the problem and resending works.
func TestRejectedAssertionKeepsJTI(t *testing.T) {
	f := newFixture(t, "")
	sp := f.spec(jose.ES384)
	sp.claims["aud"] = f.tokenURL() + "/"
	if r := f.post(t, "/oauth2/token", assertionForm(sign(t, sp))); r.status != 401 {
		t.Fatalf("bad aud accepted: %d", r.status)
	}
	sp.claims["aud"] = f.tokenURL()
	if r := f.post(t, "/oauth2/token", assertionForm(sign(t, sp))); r.status != 200 {
		t.Fatalf("the corrected assertion with the same jti: %d %s", r.status, r.Description)
	}
}

func TestReplayedJTI(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, dir+"/auth.db")
	a := sign(t, f.spec(jose.RS384))
	if r := f.post(t, "/oauth2/token", assertionForm(a)); r.status != 200 {
		t.Fatalf("first use: %d %s", r.status, r.Description)
	}
	if r := f.post(t, "/oauth2/token", assertionForm(a)); r.status != 401 || !strings.Contains(r.Description, "used before") {
		t.Fatalf("replay: %d %s %s", r.status, r.Error, r.Description)
	}
	// After a restart: a new server on the same database.
	f.st.Close()
	g := newFixture(t, dir+"/auth.db")
	sp := f.spec(jose.RS384)
	_ = sp
	// The assertion names the first server's token URL; re-sign the same jti for the new one.
	var claims map[string]any
	tok, _ := jwt.ParseSigned(a, assertionAlgs)
	tok.UnsafeClaimsWithoutVerification(&claims)
	again := g.spec(jose.RS384)
	again.claims["jti"] = claims["jti"]
	if r := g.post(t, "/oauth2/token", assertionForm(sign(t, again))); r.status != 401 || !strings.Contains(r.Description, "used before") {
		t.Fatalf("replay after restart: %d %s %s", r.status, r.Error, r.Description)
	}
}

func TestConcurrentReplayYieldsOneToken(t *testing.T) {
	f := newFixture(t, "")
	a := sign(t, f.spec(jose.ES384))
	var ok, refused atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch r := f.post(t, "/oauth2/token", assertionForm(a)); r.status {
			case 200:
				ok.Add(1)
			case 401:
				refused.Add(1)
			default:
				t.Errorf("status %d %s", r.status, r.Description)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 || refused.Load() != 19 {
		t.Fatalf("%d tokens and %d refusals, want 1 and 19", ok.Load(), refused.Load())
	}
}

func (f *fixture) secretToken(t testing.TB, id, secret, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	r := f.post(t, "/oauth2/token", form, id, secret)
	if r.status != 200 {
		t.Fatalf("token: %d %s", r.status, r.Description)
	}
	return r.AccessToken
}

func TestAuthorize(t *testing.T) {
	f := newFixture(t, "")
	narrow := f.secretToken(t, "narrow-app", "narrow", "")
	reader := f.secretToken(t, "secret-app", "s3cret", "")
	writer := f.secretToken(t, "writer-app", "writer", "system/Observation.c system/*.rs")
	patientRead := Requirement{Bearer: true, Type: "Patient", Interaction: Read}
	tests := []struct {
		name   string
		auth   string
		need   Requirement
		status int
		www    string
	}{
		{"no token", "", patientRead, 401, `Bearer realm="lhcr"`},
		{"not bearer", "Basic abc", patientRead, 401, "invalid_request"},
		{"garbage token", "Bearer abc.def.ghi", patientRead, 401, "invalid_token"},
		{"read allowed", "Bearer " + narrow, patientRead, 0, ""},
		{"search not in system/Patient.r", "Bearer " + narrow, Requirement{Bearer: true, Type: "Patient", Interaction: Search}, 403, "insufficient_scope"},
		{"other type", "Bearer " + narrow, Requirement{Bearer: true, Type: "Observation", Interaction: Read}, 403, "insufficient_scope"},
		{"v1 read covers search", "Bearer " + reader, Requirement{Bearer: true, Type: "Condition", Interaction: Search}, 0, ""},
		{"v1 read does not write", "Bearer " + reader, Requirement{Bearer: true, Type: "Patient", Interaction: Update}, 403, "insufficient_scope"},
		{"wildcard read for $everything", "Bearer " + reader, Requirement{Bearer: true, Type: "*", Interaction: Read}, 0, ""},
		{"narrow cannot $everything", "Bearer " + narrow, Requirement{Bearer: true, Type: "*", Interaction: Read}, 403, "insufficient_scope"},
		{"create granted", "Bearer " + writer, Requirement{Bearer: true, Type: "Observation", Interaction: Create}, 0, ""},
		{"delete not granted", "Bearer " + writer, Requirement{Bearer: true, Type: "Observation", Interaction: Delete}, 403, "insufficient_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/fhir/R4/x", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			rec := httptest.NewRecorder()
			_, e := f.srv.Authorize(rec, req, tt.need)
			if tt.status == 0 {
				if e != nil {
					t.Fatalf("refused: %v", e)
				}
				return
			}
			if e == nil || e.Status != tt.status {
				t.Fatalf("got %v, want status %d", e, tt.status)
			}
			if w := rec.Header().Get("WWW-Authenticate"); !strings.Contains(w, tt.www) {
				t.Errorf("WWW-Authenticate %q should contain %q", w, tt.www)
			}
		})
	}
}

func TestExpiredAndRevokedTokens(t *testing.T) {
	f := newFixture(t, "")
	tok := f.secretToken(t, "secret-app", "s3cret", "")
	need := Requirement{Bearer: true, Type: "Patient", Interaction: Read}
	check := func(wantStatus int, want string) {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, "/fhir/R4/Patient/1", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		_, e := f.srv.Authorize(httptest.NewRecorder(), req, need)
		if wantStatus == 0 && e != nil || wantStatus != 0 && (e == nil || e.Status != wantStatus || !strings.Contains(e.Diagnostics, want)) {
			t.Fatalf("got %v, want %d %q", e, wantStatus, want)
		}
	}
	check(0, "")
	later := time.Now().Add(DefaultTokenTTL + time.Second)
	f.now.Store(&later)
	check(401, "expired")
	f.now.Store(nil)
	check(0, "")

	// Introspection sees it active; another app cannot revoke it; its own app can.
	intro := func() bool {
		req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/oauth2/introspect", strings.NewReader(url.Values{"token": {tok}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("secret-app", "s3cret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var ir api.IntrospectionResponse
		json.NewDecoder(resp.Body).Decode(&ir)
		return ir.Active
	}
	if !intro() {
		t.Fatal("introspection: not active")
	}
	if r := f.post(t, "/oauth2/revoke", url.Values{"token": {tok}}, "narrow-app", "narrow"); r.status != 200 {
		t.Fatalf("revoke by another app: %d", r.status)
	}
	check(0, "")
	if r := f.post(t, "/oauth2/revoke", url.Values{"token": {tok}}, "secret-app", "s3cret"); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.Description)
	}
	check(401, "revoked")
	if intro() {
		t.Fatal("introspection: a revoked token is active")
	}
	// The revocation survives a restart.
	g, err := New(context.Background(), Config{Clients: f.clients, Store: f.st, PublicURL: f.http.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Verify(context.Background(), tok); err == nil {
		t.Fatal("after a restart the revoked token verifies")
	}
}

// Every FHIR operation of the contract has a scope requirement; discovery and OAuth have none.
func TestRequirementsFromContract(t *testing.T) {
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := Requirements(doc)
	if err != nil {
		t.Fatal(err)
	}
	for pattern, r := range reqs {
		fhir := strings.Contains(pattern, "/fhir/R4/") && !strings.Contains(pattern, "metadata") && !strings.Contains(pattern, ".well-known")
		if r.Bearer != fhir {
			t.Errorf("%s: bearer %v", pattern, r.Bearer)
		}
	}
	if got := reqs["DELETE /fhir/R4/Observation/{id}"]; got.Type != "Observation" || got.Interaction != Delete {
		t.Errorf("delete Observation: %+v", got)
	}
	if got := reqs["POST /fhir/R4/Patient/_search"]; got.Interaction != Search {
		t.Errorf("POST _search: %+v", got)
	}
	if got := reqs["GET /fhir/R4/Patient/{id}/$everything"]; got.Type != "*" {
		t.Errorf("$everything: %+v", got)
	}
}

var _ = crypto.SHA256
