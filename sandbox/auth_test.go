package sandbox_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox"
)

// devAPI calls the developer API with the local developer's key.
func (ts *testServer) devAPI(t *testing.T, method, path, body string) (int, []byte) {
	t.Helper()
	h := []string{"X-API-Key", ts.sb.Credentials().DeveloperAPIKey}
	if body != "" {
		h = append(h, "Content-Type", "application/json")
	}
	status, _, b := ts.doRaw(t, method, path, body, h...)
	return status, b
}

// doRaw sends a request with exactly the given headers (no token added, no FHIR content type).
func (ts *testServer) doRaw(t testing.TB, method, path, body string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	return ts.do(t, method, path, body, append([]string{NoAuth, "1", "Content-Type", ""}, header...)...)
}

// token asks the token endpoint for a token with form (and optional Basic credentials).
func (ts *testServer) token(t *testing.T, form url.Values, basic ...string) (int, map[string]any) {
	t.Helper()
	h := []string{"Content-Type", "application/x-www-form-urlencoded"}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set(h[0], h[1])
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func TestFHIRNeedsAToken(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	tests := []struct {
		name, method, path string
		header             []string
		status             int
		code               string
	}{
		{"no token", "GET", "/fhir/R4/Patient", nil, 401, "login"},
		{"no token, invalid query: still 401", "GET", "/fhir/R4/Patient?_count=abc", nil, 401, "login"},
		{"garbage token", "GET", "/fhir/R4/Patient/x", []string{"Authorization", "Bearer not-a-token"}, 401, "login"},
		{"basic instead of bearer", "GET", "/fhir/R4/Patient/x", []string{"Authorization", "Basic YTpi"}, 401, "login"},
		{"metadata is public", "GET", "/fhir/R4/metadata", nil, 200, ""},
		{"smart configuration is public", "GET", "/fhir/R4/.well-known/smart-configuration", nil, 200, ""},
		{"token keys are public", "GET", "/oauth2/jwks", nil, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := ts.doRaw(t, tt.method, tt.path, "", tt.header...)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			if tt.code == "" {
				return
			}
			if !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q", h.Get("WWW-Authenticate"))
			}
			var oo api.OperationOutcome
			if json.Unmarshal(body, &oo) != nil || len(oo.Issue) == 0 || string(oo.Issue[0].Code) != tt.code {
				t.Errorf("body %s: want an OperationOutcome with code %s", body, tt.code)
			}
		})
	}
}

func TestTokenEndpointShapes(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	c := ts.sb.Credentials()
	tests := []struct {
		name, method, ctype, body string
		status                    int
		err                       string
	}{
		{"JSON body", "POST", "application/json", `{"grant_type":"client_credentials"}`, 415, "invalid_request"},
		{"GET", "GET", "", "", 405, "invalid_request"},
		{"empty form", "POST", "application/x-www-form-urlencoded", "", 400, "invalid_request"},
		{"wrong grant", "POST", "application/x-www-form-urlencoded", "grant_type=authorization_code&client_id=" + c.ClientID + "&client_secret=" + c.ClientSecret, 400, "unsupported_grant_type"},
		{"wrong secret", "POST", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=" + c.ClientID + "&client_secret=wrong", 401, "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := ts.doRaw(t, tt.method, "/oauth2/token", tt.body, "Content-Type", tt.ctype)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			var e map[string]string
			if err := json.Unmarshal(body, &e); err != nil || e["error"] != tt.err || e["error_description"] == "" {
				t.Errorf("body %s: want error %s with a description", body, tt.err)
			}
			if h.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", h.Get("Cache-Control"))
			}
			if strings.Contains(string(body), c.ClientSecret) {
				t.Error("the secret is echoed")
			}
		})
	}
}

// The partner's debugging path: register a narrow app, use it, hit a 403, see it in the request
// log with its OperationOutcome, rotate the secret, and the old secret fails.
func TestAppLifecycleThroughTheAPI(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	status, body := ts.devAPI(t, "POST", "/developer/v1/apps", `{"name":"Reader","scopes":["system/Patient.rs"]}`)
	if status != 201 {
		t.Fatalf("create app: %d %s", status, body)
	}
	var created api.AppCredentials
	if err := json.Unmarshal(body, &created); err != nil || created.ClientSecret == nil {
		t.Fatalf("create app: %s", body)
	}
	id, secret := created.App.ClientID, *created.ClientSecret
	status, tok := ts.token(t, url.Values{"grant_type": {"client_credentials"}}, id, secret)
	if status != 200 || tok["scope"] != "system/Patient.rs" {
		t.Fatalf("token: %d %v", status, tok)
	}
	bearer := "Bearer " + tok["access_token"].(string)
	if s, _, b := ts.doRaw(t, "GET", "/fhir/R4/Patient?_count=1", "", "Authorization", bearer); s != 200 {
		t.Fatalf("search patients: %d %s", s, b)
	}
	s, h, b := ts.doRaw(t, "GET", "/fhir/R4/Observation?_count=1", "", "Authorization", bearer)
	if s != 403 || !strings.Contains(h.Get("WWW-Authenticate"), "insufficient_scope") || !strings.Contains(string(b), "system/Observation.s") {
		t.Fatalf("search observations with a Patient scope: %d %q %s", s, h.Get("WWW-Authenticate"), b)
	}
	status, body = ts.devAPI(t, "GET", "/developer/v1/apps/"+id+"/requests?status=4xx", "")
	var log api.RequestLog
	if status != 200 || json.Unmarshal(body, &log) != nil || len(log.Entries) != 1 {
		t.Fatalf("request log: %d %s", status, body)
	}
	if e := log.Entries[0]; e.Status != 403 || e.Path != "/fhir/R4/Observation" || e.Outcome == nil || e.RequestID != h.Get("X-Request-ID") {
		t.Errorf("request log entry %+v (request id %s)", e, h.Get("X-Request-ID"))
	}
	status, body = ts.devAPI(t, "GET", "/developer/v1/apps/"+id+"/requests", "")
	if json.Unmarshal(body, &log); len(log.Entries) != 3 {
		t.Errorf("all requests: %d entries, want token, search, 403: %s", len(log.Entries), body)
	}
	if status, body = ts.devAPI(t, "POST", "/developer/v1/apps/"+id+"/secret", ""); status != 200 {
		t.Fatalf("rotate: %d %s", status, body)
	}
	if s, m := ts.token(t, url.Values{"grant_type": {"client_credentials"}}, id, secret); s != 401 || m["error"] != "invalid_client" {
		t.Fatalf("old secret after rotation: %d %v", s, m)
	}
	if status, _ = ts.devAPI(t, "DELETE", "/developer/v1/apps/"+id, ""); status != 204 {
		t.Fatalf("delete: %d", status)
	}
	if s, _, b := ts.doRaw(t, "GET", "/fhir/R4/Patient?_count=1", "", "Authorization", bearer); s != 401 {
		t.Fatalf("token of a deleted app: %d %s", s, b)
	}
}

// A private_key_jwt app registered with a JWKS gets a token with an assertion signed by go-jose,
// and reads with it.
func TestSignedJWTEndToEnd(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES384", Use: "sig"}}})
	ts := newTestServer(t, sandbox.Config{TestJWTClientID: "jwt-test-app", TestJWKS: jwks})
	assertion := func(jti string) string {
		signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES384, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
		a, err := jwt.Signed(signer).Claims(jwt.Claims{
			Issuer: "jwt-test-app", Subject: "jwt-test-app", Audience: jwt.Audience{ts.URL + "/oauth2/token"},
			Expiry: jwt.NewNumericDate(time.Now().Add(3 * time.Minute)), ID: jti,
		}).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	form := func(a string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a}}
	}
	a := assertion(fmt.Sprint("jti-", time.Now().UnixNano()))
	status, tok := ts.token(t, form(a))
	if status != 200 {
		t.Fatalf("token: %d %v", status, tok)
	}
	if s, _, b := ts.doRaw(t, "GET", "/fhir/R4/metadata", "", "Authorization", "Bearer "+tok["access_token"].(string)); s != 200 {
		t.Fatalf("metadata: %d %s", s, b)
	}
	if s, m := ts.token(t, form(a)); s != 401 || !strings.Contains(fmt.Sprint(m["error_description"]), "used before") {
		t.Fatalf("replay: %d %v", s, m)
	}
}

// Bad credentials in the environment stop start-up with one clear line.
func TestBadReadyCredentials(t *testing.T) {
	tests := []struct {
		name string
		cfg  sandbox.Config
		want string
	}{
		{"short secret", sandbox.Config{TestClientSecret: "short"}, "LHCR_TEST_CLIENT_SECRET is 5 characters"},
		{"short API key", sandbox.Config{DeveloperAPIKey: "abc"}, "LHCR_DEVELOPER_API_KEY"},
		{"JWT app without JWKS", sandbox.Config{TestJWTClientID: "x"}, "LHCR_TEST_CLIENT_JWKS"},
		{"invalid JWKS", sandbox.Config{TestJWTClientID: "x", TestJWKS: []byte(`{"keys":"no"}`)}, "LHCR_TEST_CLIENT_JWKS"},
		{"bad client id", sandbox.Config{TestClientID: "has space"}, "client id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.InMemory = true
			sb, err := sandbox.New(t.Context(), tt.cfg)
			if err == nil {
				sb.Close()
				t.Fatal("started")
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line mentioning %q", err, tt.want)
			}
		})
	}
}

// An embedded sandbox without a PublicURL still asks for an absolute aud: the token URL as the
// client reaches it, which smart-configuration announces.
func TestSignedJWTWithoutPublicURL(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES384"}}})
	sb, err := sandbox.New(t.Context(), sandbox.Config{InMemory: true, TestJWTClientID: "jwt-app", TestJWKS: jwks})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	srv := httptest.NewServer(sb)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/fhir/R4/.well-known/smart-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var cfg api.SmartConfiguration
	json.NewDecoder(resp.Body).Decode(&cfg)
	resp.Body.Close()
	if cfg.TokenEndpoint != srv.URL+"/oauth2/token" {
		t.Fatalf("token_endpoint %q, want %s/oauth2/token", cfg.TokenEndpoint, srv.URL)
	}
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES384, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
	a, _ := jwt.Signed(signer).Claims(jwt.Claims{Issuer: "jwt-app", Subject: "jwt-app", Audience: jwt.Audience{cfg.TokenEndpoint},
		Expiry: jwt.NewNumericDate(time.Now().Add(time.Minute)), ID: "one"}).Serialize()
	resp, err = http.PostForm(cfg.TokenEndpoint, url.Values{"grant_type": {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("token: %d", resp.StatusCode)
	}
}
