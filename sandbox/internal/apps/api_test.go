package apps

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/requestlog"
)

// TestRoutes calls every operation, in order, as developer A on A's apps.
func TestRoutes(t *testing.T) {
	f := newFixture(t, Options{})
	k := keysOnce()
	secretApp := f.create(f.keyA, map[string]any{"name": "Secret app"})
	jwtApp := f.create(f.keyA, map[string]any{"name": "JWT app", "auth_method": "private_key_jwt",
		"jwks": set(jwk(t, &k.rsa.PublicKey, "r1", "RS384", "sig")), "scopes": []string{"system/Patient.read"}})
	f.clock.Advance(time.Second)
	urlApp := f.create(f.keyA, map[string]any{"name": "URL app", "description": "keys on my laptop", "auth_method": "private_key_jwt",
		"jwks_url": "http://localhost:9999/jwks.json"})
	for i, st := range []int{200, 404, 500, 201} {
		f.reqlog.Add(requestlog.Entry{Time: f.clock.Now().Add(time.Duration(i) * time.Second), ClientID: secretApp.App.ClientID,
			Method: "GET", Path: "/fhir/R4/Patient", Status: st, Latency: 1234567 * time.Nanosecond, RequestID: fmt.Sprintf("req-%d", i)})
	}
	s, j, u := secretApp.App.ClientID, jwtApp.App.ClientID, urlApp.App.ClientID

	tests := []struct {
		name   string
		method string
		path   string
		body   any
		status int
		schema string // the component the body must match
		check  func(t *testing.T, res response)
	}{
		{"list", "GET", BasePath, nil, 200, "AppList", func(t *testing.T, res response) {
			var l api.AppList
			res.json(t, &l)
			var ids []string
			for _, a := range l.Apps {
				ids = append(ids, a.ClientID)
			}
			// Newest first; the first two were created in the same instant (then by client id).
			if len(ids) != 3 || ids[0] != u || !slices.Contains(ids, s) || !slices.Contains(ids, j) {
				t.Errorf("apps = %v, want %s first, then %s and %s", ids, u, s, j)
			}
		}},
		{"get secret app", "GET", BasePath + "/" + s, nil, 200, "App", func(t *testing.T, res response) {
			var a api.App
			res.json(t, &a)
			if a.ClientID != s || a.Name != "Secret app" || a.AuthMethod != AuthClientSecret || !slices.Equal(a.Scopes, DefaultScopes) ||
				a.SecretHint == nil || a.JWKS != nil || a.JWKSURL != nil {
				t.Errorf("app = %s", res.body)
			}
		}},
		{"get jwks app", "GET", BasePath + "/" + j, nil, 200, "App", func(t *testing.T, res response) {
			var a api.App
			res.json(t, &a)
			if a.JWKS == nil || len(a.JWKS.Keys) != 1 || *a.JWKS.Keys[0].Kid != "r1" || a.SecretHint != nil {
				t.Errorf("app = %s", res.body)
			}
		}},
		{"get url app", "GET", BasePath + "/" + u, nil, 200, "App", func(t *testing.T, res response) {
			var a api.App
			res.json(t, &a)
			if a.JWKSURL == nil || *a.JWKSURL != "http://localhost:9999/jwks.json" || a.Description == nil || *a.Description != "keys on my laptop" {
				t.Errorf("app = %s", res.body)
			}
		}},
		{"update", "PATCH", BasePath + "/" + s, map[string]any{"name": "  Renamed  ", "scopes": []string{"system/Patient.rs", "system/*.read", "system/Patient.rs"}}, 200, "App", func(t *testing.T, res response) {
			var a api.App
			res.json(t, &a)
			if a.Name != "Renamed" || !slices.Equal(a.Scopes, []string{"system/Patient.rs", "system/*.read"}) {
				t.Errorf("app = %s", res.body)
			}
		}},
		{"update description only", "PATCH", BasePath + "/" + s, map[string]any{"description": "now described"}, 200, "App", func(t *testing.T, res response) {
			var a api.App
			res.json(t, &a)
			if a.Name != "Renamed" || a.Description == nil || *a.Description != "now described" {
				t.Errorf("app = %s", res.body)
			}
		}},
		{"rotate", "POST", BasePath + "/" + s + "/secret", nil, 200, "AppCredentials", func(t *testing.T, res response) {
			var c api.AppCredentials
			res.json(t, &c)
			if c.ClientSecret == nil || len(*c.ClientSecret) != 43 || *c.ClientSecret == *secretApp.ClientSecret ||
				c.App.SecretHint == nil || *c.App.SecretHint != (*c.ClientSecret)[39:] {
				t.Errorf("credentials = %s", res.body)
			}
			if res.header.Get("Cache-Control") != "no-store" {
				t.Error("credentials without Cache-Control: no-store")
			}
		}},
		{"rotate a JWT app", "POST", BasePath + "/" + j + "/secret", nil, 409, "OperationOutcome", nil},
		{"set inline keys", "PUT", BasePath + "/" + u + "/keys", map[string]any{"jwks": set(jwk(t, &k.ec.PublicKey, "e1", "ES384", ""))}, 200, "App", func(t *testing.T, res response) {
			var a api.App
			res.json(t, &a)
			if a.JWKSURL != nil || a.JWKS == nil || *a.JWKS.Keys[0].Kid != "e1" {
				t.Errorf("app = %s", res.body)
			}
		}},
		{"set key URL", "PUT", BasePath + "/" + j + "/keys", map[string]any{"jwks_url": "https://example.org/jwks.json"}, 200, "App", func(t *testing.T, res response) {
			var a api.App
			res.json(t, &a)
			if a.JWKS != nil || a.JWKSURL == nil || *a.JWKSURL != "https://example.org/jwks.json" {
				t.Errorf("app = %s", res.body)
			}
		}},
		{"set keys on a secret app", "PUT", BasePath + "/" + s + "/keys", map[string]any{"jwks_url": "https://example.org/jwks.json"}, 409, "OperationOutcome", nil},
		{"requests", "GET", BasePath + "/" + s + "/requests", nil, 200, "RequestLog", func(t *testing.T, res response) {
			var l api.RequestLog
			res.json(t, &l)
			if len(l.Entries) != 4 || l.Entries[0].RequestID != "req-3" || l.Entries[0].LatencyMs.String() != "1.234" || l.Entries[0].ClientID != s {
				t.Errorf("log = %s", res.body)
			}
		}},
		{"requests 4xx", "GET", BasePath + "/" + s + "/requests?status=4xx", nil, 200, "RequestLog", func(t *testing.T, res response) {
			var l api.RequestLog
			res.json(t, &l)
			if len(l.Entries) != 1 || l.Entries[0].Status != 404 {
				t.Errorf("log = %s", res.body)
			}
		}},
		{"requests 2xx limit 1", "GET", BasePath + "/" + s + "/requests?status=2xx&limit=1", nil, 200, "RequestLog", func(t *testing.T, res response) {
			var l api.RequestLog
			res.json(t, &l)
			if len(l.Entries) != 1 || l.Entries[0].Status != 201 {
				t.Errorf("log = %s", res.body)
			}
		}},
		{"requests of a quiet app", "GET", BasePath + "/" + j + "/requests", nil, 200, "RequestLog", func(t *testing.T, res response) {
			if string(res.body) != `{"entries":[]}` {
				t.Errorf("log = %s", res.body)
			}
		}},
		{"requests bad status", "GET", BasePath + "/" + s + "/requests?status=6xx", nil, 400, "OperationOutcome", nil},
		{"requests bad limit", "GET", BasePath + "/" + s + "/requests?limit=0", nil, 400, "OperationOutcome", nil},
		{"delete", "DELETE", BasePath + "/" + s, nil, 204, "", func(t *testing.T, res response) {
			if len(res.body) != 0 {
				t.Errorf("body = %s", res.body)
			}
			if got := f.reqlog.Recent(s, 0, 10); len(got) != 0 {
				t.Errorf("the request log still holds %d entries", len(got))
			}
		}},
		{"get deleted", "GET", BasePath + "/" + s, nil, 404, "OperationOutcome", nil},
		{"delete again", "DELETE", BasePath + "/" + s, nil, 404, "OperationOutcome", nil},
		{"rotate deleted", "POST", BasePath + "/" + s + "/secret", nil, 404, "OperationOutcome", nil},
		{"list after delete", "GET", BasePath, nil, 200, "AppList", func(t *testing.T, res response) {
			var l api.AppList
			res.json(t, &l)
			if len(l.Apps) != 2 {
				t.Errorf("apps = %s", res.body)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.do(tt.method, tt.path, f.keyA, tt.body)
			if res.status != tt.status {
				t.Fatalf("status = %d, want %d: %s", res.status, tt.status, res.body)
			}
			if tt.schema != "" {
				visit(t, tt.schema, res.body)
				want := "application/json"
				if tt.schema == "OperationOutcome" {
					want = "application/fhir+json; charset=utf-8"
				}
				if ct := res.header.Get("Content-Type"); ct != want {
					t.Errorf("Content-Type = %q, want %q", ct, want)
				}
			}
			if tt.check != nil {
				tt.check(t, res)
			}
		})
	}
}

func TestCreateAnswer(t *testing.T) {
	f := newFixture(t, Options{})
	res := f.do("POST", BasePath, f.keyA, map[string]any{"name": "My app"})
	if res.status != http.StatusCreated {
		t.Fatalf("%d %s", res.status, res.body)
	}
	visit(t, "AppCredentials", res.body)
	var c api.AppCredentials
	res.json(t, &c)
	id := c.App.ClientID
	if len(id) != 24 || !strings.HasPrefix(id, "app_") || strings.Trim(id[4:], "abcdefghijklmnopqrstuvwxyz234567") != "" {
		t.Errorf("client id %q is not app_ + 20 base32 characters", id)
	}
	if loc := res.header.Get("Location"); loc != BasePath+"/"+id {
		t.Errorf("Location = %q", loc)
	}
	if c.ClientSecret == nil || len(*c.ClientSecret) != 43 {
		t.Fatalf("client secret = %v, want 43 characters", c.ClientSecret)
	}
	if c.App.SecretHint == nil || *c.App.SecretHint != (*c.ClientSecret)[39:] {
		t.Errorf("secret hint = %v", c.App.SecretHint)
	}
	if !c.App.CreatedAt.Equal(f.clock.Now()) || c.App.UpdatedAt == nil {
		t.Errorf("created_at = %v, updated_at = %v", c.App.CreatedAt, c.App.UpdatedAt)
	}
	// A JWT app gets no secret.
	jwt := f.create(f.keyA, map[string]any{"name": "JWT", "auth_method": "private_key_jwt", "jwks_url": "https://example.org/jwks"})
	if jwt.ClientSecret != nil || jwt.App.SecretHint != nil {
		t.Errorf("a private_key_jwt app got a secret: %+v", jwt)
	}
}

// TestUnauthenticated: every route answers 401 with a login OperationOutcome and an APIKey
// challenge without a key, or with an unknown one.
func TestUnauthenticated(t *testing.T) {
	f := newFixture(t, Options{})
	app := f.create(f.keyA, map[string]any{"name": "A's app"}).App.ClientID
	for _, key := range []string{"", "not-a-key", NewSecret(), strings.Repeat("x", 1000)} {
		for _, rt := range routes(app) {
			t.Run(fmt.Sprintf("%s %s key=%.8s", rt.method, rt.path, key), func(t *testing.T) {
				res := f.do(rt.method, rt.path, key, rt.body)
				if res.status != http.StatusUnauthorized {
					t.Fatalf("status = %d: %s", res.status, res.body)
				}
				visit(t, "OperationOutcome", res.body)
				if _, code, _ := res.issue(t); code != api.OperationOutcomeIssueCodeLogin {
					t.Errorf("code = %s", code)
				}
				if got := res.header.Get("WWW-Authenticate"); got != "APIKey" {
					t.Errorf("WWW-Authenticate = %q", got)
				}
			})
		}
	}
	if _, ok := f.reg.Client(app); !ok {
		t.Error("the app went away")
	}
}

type route struct {
	method, path string
	body         any
}

// routes are every operation on app, with a body that would succeed.
func routes(app string) []route {
	return []route{
		{"GET", BasePath, nil},
		{"POST", BasePath, map[string]any{"name": "x"}},
		{"GET", BasePath + "/" + app, nil},
		{"PATCH", BasePath + "/" + app, map[string]any{"name": "stolen"}},
		{"POST", BasePath + "/" + app + "/secret", nil},
		{"PUT", BasePath + "/" + app + "/keys", map[string]any{"jwks_url": "https://attacker.example/jwks"}},
		{"GET", BasePath + "/" + app + "/requests", nil},
		{"DELETE", BasePath + "/" + app, nil},
	}
}

// TestBOLA: developer B gets, on each of A's apps and on every route, exactly the answer an
// unknown client id gets, and A's apps are unchanged; lists hold only one's own apps.
func TestBOLA(t *testing.T) {
	f := newFixture(t, Options{})
	k := keysOnce()
	aSecret := f.create(f.keyA, map[string]any{"name": "A secret"})
	aJWT := f.create(f.keyA, map[string]any{"name": "A jwt", "auth_method": "private_key_jwt", "jwks": set(jwk(t, &k.rsa.PublicKey, "a1", "", ""))})
	bApp := f.create(f.keyB, map[string]any{"name": "B app"})
	f.reqlog.Add(requestlog.Entry{Time: f.clock.Now(), ClientID: aSecret.App.ClientID, Method: "GET", Path: "/fhir/R4/Patient", Status: 200, RequestID: "r"})
	before := map[string]App{}
	for _, id := range []string{aSecret.App.ClientID, aJWT.App.ClientID} {
		before[id], _ = f.reg.Client(id)
	}
	const unknown = "app_aaaaaaaaaaaaaaaaaaaa"
	for _, target := range []string{aSecret.App.ClientID, aJWT.App.ClientID} {
		for _, rt := range routes(target)[2:] { // the routes that name an app
			t.Run(rt.method+" "+rt.path, func(t *testing.T) {
				res := f.do(rt.method, rt.path, f.keyB, rt.body)
				if res.status != http.StatusNotFound {
					t.Fatalf("status = %d: %s", res.status, res.body)
				}
				visit(t, "OperationOutcome", res.body)
				ref := f.do(rt.method, strings.Replace(rt.path, target, unknown, 1), f.keyB, rt.body)
				if ref.status != http.StatusNotFound || string(res.body) != strings.ReplaceAll(string(ref.body), unknown, target) {
					t.Errorf("another's app answers\n%s\nan unknown one\n%s", res.body, ref.body)
				}
			})
		}
	}
	for id, want := range before {
		got, ok := f.reg.Client(id)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("A's app %s changed: %+v", id, got)
		}
	}
	if !f.reg.CheckSecret(before[aSecret.App.ClientID], *aSecret.ClientSecret) {
		t.Error("A's secret stopped working")
	}
	if len(f.reqlog.Recent(aSecret.App.ClientID, 0, 10)) != 1 {
		t.Error("A's request log was dropped")
	}
	lists := map[string][]string{f.keyA: {aSecret.App.ClientID, aJWT.App.ClientID}, f.keyB: {bApp.App.ClientID}}
	for key, want := range lists {
		var l api.AppList
		f.do("GET", BasePath, key, nil).json(t, &l)
		var got []string
		for _, a := range l.Apps {
			got = append(got, a.ClientID)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("list = %v, want %v", got, want)
		}
	}
}

func TestCreateValidation(t *testing.T) {
	f := newFixture(t, Options{})
	k := keysOnce()
	jwt := func(jwks any) map[string]any {
		return map[string]any{"name": "x", "auth_method": "private_key_jwt", "jwks": jwks}
	}
	rsaKey := jwk(t, &k.rsa.PublicKey, "r1", "RS384", "sig")
	ecKey := jwk(t, &k.ec.PublicKey, "e1", "ES384", "")
	many := make([]map[string]any, 11)
	for i := range many {
		many[i] = jwk(t, &k.rsa.PublicKey, fmt.Sprint("k", i), "", "")
	}
	manyScopes := make([]string, 51)
	for i := range manyScopes {
		manyScopes[i] = "system/Patient.read"
	}
	tests := []struct {
		name   string
		body   any
		status int
		field  string // the issue's expression
		diag   string // in the diagnostics
	}{
		{"no name", map[string]any{"description": "x"}, 422, "name", "is required"},
		{"blank name", map[string]any{"name": "   "}, 422, "name", "must not be empty"},
		{"long name", map[string]any{"name": strings.Repeat("n", 101)}, 422, "name", "at most 100"},
		{"name with a line break", map[string]any{"name": "a\nb"}, 422, "name", "control character"},
		{"name with NUL", map[string]any{"name": "a\x00b"}, 422, "name", "control character"},
		{"long description", map[string]any{"name": "x", "description": strings.Repeat("d", 1001)}, 422, "description", "at most 1000"},
		{"description with a bell", map[string]any{"name": "x", "description": "ding\x07"}, 422, "description", "control character"},
		{"unknown auth method", map[string]any{"name": "x", "auth_method": "basic"}, 422, "auth_method", "client_secret or private_key_jwt"},
		{"empty scopes", map[string]any{"name": "x", "scopes": []string{}}, 422, "scopes", "at least one scope"},
		{"too many scopes", map[string]any{"name": "x", "scopes": manyScopes}, 422, "scopes", "at most 50"},
		{"patient scope", map[string]any{"name": "x", "scopes": []string{"system/*.rs", "patient/*.read"}}, 422, "scopes[1]", "not a system scope"},
		{"unknown type", map[string]any{"name": "x", "scopes": []string{"system/Medication.read"}}, 422, "scopes[0]", "does not serve"},
		{"v2 out of order", map[string]any{"name": "x", "scopes": []string{"system/Patient.sr"}}, 422, "scopes[0]", "in that order"},
		{"v2 repeat", map[string]any{"name": "x", "scopes": []string{"system/Patient.rr"}}, 422, "scopes[0]", "without repeats"},
		{"scope parameters", map[string]any{"name": "x", "scopes": []string{"system/Observation.rs?category=vital-signs"}}, 422, "scopes[0]", "not supported"},
		{"secret app with jwks", map[string]any{"name": "x", "jwks": set(rsaKey)}, 422, "jwks", "client_secret app has no public keys"},
		{"secret app with jwks_url", map[string]any{"name": "x", "jwks_url": "https://example.org/j"}, 422, "jwks_url", "client_secret app has no public keys"},
		{"jwt app without keys", map[string]any{"name": "x", "auth_method": "private_key_jwt"}, 422, "jwks", "needs public keys"},
		{"jwt app with null jwks", map[string]any{"name": "x", "auth_method": "private_key_jwt", "jwks": nil}, 422, "jwks", "needs public keys"},
		{"both jwks and jwks_url", map[string]any{"name": "x", "auth_method": "private_key_jwt", "jwks": set(rsaKey), "jwks_url": "https://example.org/j"}, 422, "jwks", "exactly one"},
		{"ftp URL", map[string]any{"name": "x", "auth_method": "private_key_jwt", "jwks_url": "ftp://example.org/j"}, 422, "jwks_url", "absolute https URL"},
		{"http URL", map[string]any{"name": "x", "auth_method": "private_key_jwt", "jwks_url": "http://example.org/j"}, 422, "jwks_url", "http only for localhost"},
		{"relative URL", map[string]any{"name": "x", "auth_method": "private_key_jwt", "jwks_url": "/jwks.json"}, 422, "jwks_url", "absolute"},
		{"empty URL", map[string]any{"name": "x", "auth_method": "private_key_jwt", "jwks_url": ""}, 422, "jwks_url", "absolute"},
		{"URL with credentials", map[string]any{"name": "x", "auth_method": "private_key_jwt", "jwks_url": "https://me:pw@example.org/j"}, 422, "jwks_url", "credentials"},
		{"URL with fragment", map[string]any{"name": "x", "auth_method": "private_key_jwt", "jwks_url": "https://example.org/j#x"}, 422, "jwks_url", "fragment"},
		{"jwks not an object", jwt([]any{rsaKey}), 422, "jwks", "JSON Web Key Set"},
		{"jwks without keys", jwt(map[string]any{}), 422, "jwks.keys", "is required"},
		{"jwks with no keys", jwt(set()), 422, "jwks.keys", "at least one"},
		{"eleven keys", jwt(set(many...)), 422, "jwks.keys", "at most 10"},
		{"private RSA key", jwt(set(rsaKey, jwk(t, k.rsa2, "r2", "RS384", ""))), 422, "jwks.keys[1].d", "never send private keys"},
		{"private EC key", jwt(set(jwk(t, k.ec, "e1", "", ""))), 422, "jwks.keys[0].d", "never send private keys"},
		{"symmetric key", jwt(set(map[string]any{"kty": "oct", "kid": "s", "k": "c2VjcmV0"})), 422, "jwks.keys[0].k", "never send private keys"},
		{"no kid", jwt(set(with(rsaKey, "kid", nil))), 422, "jwks.keys[0].kid", "is required"},
		{"numeric kid", jwt(set(with(rsaKey, "kid", 7))), 422, "jwks.keys[0].kid", "must be a string"},
		{"duplicate kid", jwt(set(rsaKey, with(ecKey, "kid", "r1"))), 422, "jwks.keys[1].kid", "own kid"},
		{"small RSA key", jwt(set(jwk(t, &k.rsaSmall.PublicKey, "s", "", ""))), 422, "jwks.keys[0].n", "at least 2048"},
		{"P-256 key", jwt(set(jwk(t, &k.ecP256.PublicKey, "p", "", ""))), 422, "jwks.keys[0].crv", "P-384"},
		{"alg RS256", jwt(set(with(rsaKey, "alg", "RS256"))), 422, "jwks.keys[0].alg", "RS384, RS512 or ES384"},
		{"alg ES384 on RSA", jwt(set(with(rsaKey, "alg", "ES384"))), 422, "jwks.keys[0].alg", "does not fit"},
		{"alg RS384 on EC", jwt(set(with(ecKey, "alg", "RS384"))), 422, "jwks.keys[0].alg", "does not fit"},
		{"encryption key", jwt(set(with(rsaKey, "use", "enc"))), 422, "jwks.keys[0].use", "only signing keys"},
		{"OKP key", jwt(set(map[string]any{"kty": "OKP", "kid": "o", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})), 422, "jwks.keys[0].kty", "RSA"},
		{"broken modulus", jwt(set(with(rsaKey, "n", "!!!"))), 422, "jwks.keys[0]", "not a valid RSA public key"},
		{"key not an object", jwt(map[string]any{"keys": []any{"AQAB"}}), 422, "jwks.keys[0]", "JSON object"},
		{"unknown member", map[string]any{"name": "x", "client_id": "app_mine"}, 422, "client_id", "not a member"},
		{"name not a string", map[string]any{"name": 5}, 422, "name", "must be a JSON string"},
		{"scopes not an array", map[string]any{"name": "x", "scopes": "system/*.rs"}, 422, "scopes", "must be a JSON array"},
		{"body an array", `[]`, 422, "(body)", "JSON object"},
		{"invalid JSON", `{"name":`, 400, "", "not valid JSON"},
		{"empty body", ``, 400, "", "empty"},
		{"two values", `{"name":"x"} {"name":"y"}`, 400, "", "more than one JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.do("POST", BasePath, f.keyA, tt.body)
			if res.status != tt.status {
				t.Fatalf("status = %d, want %d: %s", res.status, tt.status, res.body)
			}
			visit(t, "OperationOutcome", res.body)
			diag, _, expr := res.issue(t)
			if !strings.Contains(diag, tt.diag) {
				t.Errorf("diagnostics %q do not say %q", diag, tt.diag)
			}
			if tt.field != "" && (len(expr) != 1 || expr[0] != tt.field) || tt.field != "" && !strings.HasPrefix(diag, tt.field+": ") {
				t.Errorf("expression = %v, diagnostics %q; want the field %s named", expr, diag, tt.field)
			}
		})
	}
	var l api.AppList
	f.do("GET", BasePath, f.keyA, nil).json(t, &l)
	if len(l.Apps) != 0 {
		t.Errorf("an invalid registration created %d apps", len(l.Apps))
	}
	// Accepted edge cases.
	for _, body := range []map[string]any{
		{"name": strings.Repeat("é", 100), "description": strings.Repeat("d", 999) + "\n"},
		{"name": "keys", "auth_method": "private_key_jwt", "jwks": set(with(rsaKey, "alg", nil), with(ecKey, "kid", "e2"), jwk(t, &k.rsa2.PublicKey, "r3", "RS512", ""))},
		{"name": "local", "auth_method": "private_key_jwt", "jwks_url": "http://127.0.0.1:8443/jwks.json"},
		{"name": "scopes", "scopes": []string{"system/*.*", "system/*.write", "system/Immunization.cruds", "system/AllergyIntolerance.d"}},
	} {
		f.create(f.keyA, body)
	}
}

func TestUpdateAndKeysValidation(t *testing.T) {
	f := newFixture(t, Options{})
	k := keysOnce()
	secret := f.create(f.keyA, map[string]any{"name": "s"}).App.ClientID
	jwt := f.create(f.keyA, map[string]any{"name": "j", "auth_method": "private_key_jwt", "jwks_url": "https://example.org/j"}).App.ClientID
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		status int
		field  string
		diag   string
	}{
		{"empty name", "PATCH", BasePath + "/" + secret, map[string]any{"name": ""}, 422, "name", "must not be empty"},
		{"empty scopes", "PATCH", BasePath + "/" + secret, map[string]any{"scopes": []string{}}, 422, "scopes", "at least one"},
		{"bad scope", "PATCH", BasePath + "/" + secret, map[string]any{"scopes": []string{"user/*.read"}}, 422, "scopes[0]", "not a system scope"},
		{"long description", "PATCH", BasePath + "/" + secret, map[string]any{"description": strings.Repeat("d", 1001)}, 422, "description", "at most 1000"},
		{"keys in an update", "PATCH", BasePath + "/" + jwt, map[string]any{"jwks_url": "https://example.org/k"}, 422, "jwks_url", "not a member"},
		{"auth method in an update", "PATCH", BasePath + "/" + secret, map[string]any{"auth_method": "private_key_jwt"}, 422, "auth_method", "not a member"},
		{"invalid JSON update", "PATCH", BasePath + "/" + secret, `{`, 400, "", "not valid JSON"},
		{"no keys", "PUT", BasePath + "/" + jwt + "/keys", map[string]any{}, 422, "jwks", "needs public keys"},
		{"both keys", "PUT", BasePath + "/" + jwt + "/keys", map[string]any{"jwks": set(jwk(t, &k.ec.PublicKey, "e", "", "")), "jwks_url": "https://example.org/k"}, 422, "jwks", "exactly one"},
		{"private key", "PUT", BasePath + "/" + jwt + "/keys", map[string]any{"jwks": set(jwk(t, k.ec, "e", "", ""))}, 422, "jwks.keys[0].d", "never send private keys"},
		{"http URL", "PUT", BasePath + "/" + jwt + "/keys", map[string]any{"jwks_url": "http://example.org/k"}, 422, "jwks_url", "https"},
		{"name in keys", "PUT", BasePath + "/" + jwt + "/keys", map[string]any{"name": "x", "jwks_url": "https://example.org/k"}, 422, "name", "not a member"},
		{"keys on a secret app", "PUT", BasePath + "/" + secret + "/keys", map[string]any{"jwks_url": "https://example.org/k"}, 409, "", "takes no public keys"},
		{"rotate a JWT app", "POST", BasePath + "/" + jwt + "/secret", nil, 409, "", "no secret to rotate"},
		{"keys on an unknown app", "PUT", BasePath + "/app_nope/keys", map[string]any{"jwks_url": "https://example.org/k"}, 404, "", "no app with client id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.do(tt.method, tt.path, f.keyA, tt.body)
			if res.status != tt.status {
				t.Fatalf("status = %d, want %d: %s", res.status, tt.status, res.body)
			}
			visit(t, "OperationOutcome", res.body)
			diag, _, expr := res.issue(t)
			if !strings.Contains(diag, tt.diag) {
				t.Errorf("diagnostics %q do not say %q", diag, tt.diag)
			}
			if tt.field != "" && (len(expr) != 1 || expr[0] != tt.field) {
				t.Errorf("expression = %v, want %s", expr, tt.field)
			}
		})
	}
	// Nothing changed.
	if a, _ := f.reg.Client(secret); a.Name != "s" || !slices.Equal(a.Scopes, DefaultScopes) {
		t.Errorf("secret app changed: %+v", a)
	}
	if a, _ := f.reg.Client(jwt); a.JWKSURL != "https://example.org/j" || a.JWKS != nil {
		t.Errorf("jwt app changed: %+v", a)
	}
}

// TestSecretShownOnce: the secret is in the create answer only, and the database holds a keyed
// hash of it, never the secret; logs hold neither secrets nor API keys.
func TestSecretShownOnce(t *testing.T) {
	f := newFixture(t, Options{})
	c := f.create(f.keyA, map[string]any{"name": "s"})
	secret := *c.ClientSecret
	id := c.App.ClientID
	var rotated api.AppCredentials
	f.do("POST", BasePath+"/"+id+"/secret", f.keyA, nil).json(t, &rotated)
	secret2 := *rotated.ClientSecret
	for _, path := range []string{BasePath, BasePath + "/" + id} {
		res := f.do("GET", path, f.keyA, nil)
		if strings.Contains(string(res.body), secret2) || strings.Contains(string(res.body), `"client_secret":`) {
			t.Errorf("GET %s shows the secret: %s", path, res.body)
		}
	}
	db, err := sql.Open("sqlite", "file:"+f.dbPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var hash []byte
	var hint, row string
	err = db.QueryRow(`SELECT secret_hash, secret_hint, client_id || developer_id || name || description || auth_method || scopes ||
		COALESCE(jwks, '') || COALESCE(jwks_url, '') || hex(secret_hash) || secret_hint FROM apps WHERE client_id = ?`, id).Scan(&hash, &hint, &row)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{secret, secret2} {
		if strings.Contains(row, s) || strings.Contains(string(hash), s) {
			t.Errorf("the database row holds a secret: %s", row)
		}
	}
	if string(hash) != string(f.reg.hash(secret2)) || len(hash) != 32 || hint != secret2[39:] {
		t.Errorf("stored hash/hint are not HMAC-SHA256 of the current secret / its last 4 characters")
	}
	var keyRows string
	if err := db.QueryRow(`SELECT group_concat(id || COALESCE(email, '') || hex(api_key_hash)) FROM developers`).Scan(&keyRows); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(keyRows, f.keyA) || strings.Contains(keyRows, f.keyB) {
		t.Error("the database holds an API key")
	}
	logs := f.logs.String()
	for _, s := range []string{secret, secret2, f.keyA, f.keyB, fmt.Sprintf("%x", hash)} {
		if strings.Contains(logs, s) {
			t.Errorf("the log holds a secret:\n%s", logs)
		}
	}
	if !strings.Contains(logs, "app registered") {
		t.Errorf("nothing logged:\n%s", logs)
	}
}

// TestCheckSecretAndRotation: the current secret passes; after a rotation the old one fails at
// once, also for an App copy taken before it; after a delete nothing passes.
func TestCheckSecretAndRotation(t *testing.T) {
	f := newFixture(t, Options{})
	c := f.create(f.keyA, map[string]any{"name": "s"})
	id, old := c.App.ClientID, *c.ClientSecret
	before, ok := f.reg.Client(id)
	if !ok {
		t.Fatal("Client does not find a new app")
	}
	var rotated api.AppCredentials
	f.do("POST", BasePath+"/"+id+"/secret", f.keyA, nil).json(t, &rotated)
	now, _ := f.reg.Client(id)
	jwt := f.create(f.keyA, map[string]any{"name": "j", "auth_method": "private_key_jwt", "jwks_url": "https://example.org/j"})
	jwtApp, _ := f.reg.Client(jwt.App.ClientID)
	tests := []struct {
		name   string
		app    App
		secret string
		want   bool
	}{
		{"new secret", now, *rotated.ClientSecret, true},
		{"new secret, old copy", before, *rotated.ClientSecret, true},
		{"old secret", now, old, false},
		{"old secret, old copy", before, old, false},
		{"empty secret", now, "", false},
		{"a prefix", now, (*rotated.ClientSecret)[:42], false},
		{"unknown app", App{ClientID: "app_x"}, old, false},
		{"JWT app", jwtApp, "", false},
	}
	for _, tt := range tests {
		if got := f.reg.CheckSecret(tt.app, tt.secret); got != tt.want {
			t.Errorf("%s: CheckSecret = %v, want %v", tt.name, got, tt.want)
		}
	}
	if f.do("DELETE", BasePath+"/"+id, f.keyA, nil).status != http.StatusNoContent {
		t.Fatal("delete failed")
	}
	if f.reg.CheckSecret(now, *rotated.ClientSecret) {
		t.Error("a deleted app's secret still passes")
	}
}

// TestWriteThrough: Client sees every change at once.
func TestWriteThrough(t *testing.T) {
	f := newFixture(t, Options{})
	k := keysOnce()
	c := f.create(f.keyA, map[string]any{"name": "j", "auth_method": "private_key_jwt", "scopes": []string{"system/Patient.rs"},
		"jwks": set(jwk(t, &k.rsa.PublicKey, "r1", "RS384", ""))})
	id := c.App.ClientID
	steps := []struct {
		name   string
		method string
		path   string
		body   any
		check  func(a App, ok bool) string
	}{
		{"after create", "", "", nil, func(a App, ok bool) string {
			if !ok || a.DeveloperID != devA || a.AuthMethod != AuthPrivateKeyJWT || a.JWKS == nil || a.JWKS.Keys[0].KeyID != "r1" ||
				!slices.Equal(a.Scopes, []string{"system/Patient.rs"}) {
				return fmt.Sprintf("%+v", a)
			}
			return ""
		}},
		{"after update", "PATCH", BasePath + "/" + id, map[string]any{"name": "renamed", "scopes": []string{"system/*.cruds"}}, func(a App, ok bool) string {
			if !ok || a.Name != "renamed" || !slices.Equal(a.Scopes, []string{"system/*.cruds"}) || a.JWKS == nil {
				return fmt.Sprintf("%+v", a)
			}
			return ""
		}},
		{"after set keys", "PUT", BasePath + "/" + id + "/keys", map[string]any{"jwks": set(jwk(t, &k.ec.PublicKey, "e1", "", ""))}, func(a App, ok bool) string {
			if !ok || a.JWKS == nil || len(a.JWKS.Keys) != 1 || a.JWKS.Keys[0].KeyID != "e1" || a.JWKSURL != "" {
				return fmt.Sprintf("%+v", a)
			}
			return ""
		}},
		{"after delete", "DELETE", BasePath + "/" + id, nil, func(a App, ok bool) string {
			if ok {
				return "Client still finds the app"
			}
			return ""
		}},
	}
	for _, st := range steps {
		if st.method != "" {
			if res := f.do(st.method, st.path, f.keyA, st.body); res.status >= 300 {
				t.Fatalf("%s: %d %s", st.name, res.status, res.body)
			}
		}
		a, ok := f.reg.Client(id)
		if msg := st.check(a, ok); msg != "" {
			t.Errorf("%s: %s", st.name, msg)
		}
	}
	// Client returns copies.
	c2 := f.create(f.keyA, map[string]any{"name": "copy", "scopes": []string{"system/Patient.read"}})
	a, _ := f.reg.Client(c2.App.ClientID)
	a.Scopes[0] = "system/*.*"
	a.Name = "changed"
	if b, _ := f.reg.Client(c2.App.ClientID); b.Scopes[0] != "system/Patient.read" || b.Name != "copy" {
		t.Error("modifying a Client result changed the registry")
	}
}

// TestRestart: a new Registry on the same database has the same apps and secrets.
func TestRestart(t *testing.T) {
	f := newFixture(t, Options{})
	k := keysOnce()
	s := f.create(f.keyA, map[string]any{"name": "s", "description": "d", "scopes": []string{"system/Observation.rs"}})
	j := f.create(f.keyA, map[string]any{"name": "j", "auth_method": "private_key_jwt", "jwks": set(jwk(t, &k.rsa.PublicKey, "r1", "RS384", ""))})
	u := f.create(f.keyB, map[string]any{"name": "u", "auth_method": "private_key_jwt", "jwks_url": "https://example.org/jwks"})
	gone := f.create(f.keyB, map[string]any{"name": "gone"})
	f.do("DELETE", BasePath+"/"+gone.App.ClientID, f.keyB, nil)
	f.clock.Advance(time.Hour)

	reg2 := f.open(Options{})
	for _, id := range []string{s.App.ClientID, j.App.ClientID, u.App.ClientID} {
		want, _ := f.reg.Client(id)
		got, ok := reg2.Client(id)
		if !ok {
			t.Errorf("%s not found after a restart", id)
			continue
		}
		if got.ClientID != want.ClientID || got.DeveloperID != want.DeveloperID || got.Name != want.Name || got.Description != want.Description ||
			got.AuthMethod != want.AuthMethod || !slices.Equal(got.Scopes, want.Scopes) || got.JWKSURL != want.JWKSURL ||
			got.SecretHint != want.SecretHint || !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) ||
			(got.JWKS == nil) != (want.JWKS == nil) {
			t.Errorf("after a restart\n got %+v\nwant %+v", got, want)
		}
		if want.JWKS != nil && (len(got.JWKS.Keys) != 1 || got.JWKS.Keys[0].KeyID != "r1" || !got.JWKS.Keys[0].Valid()) {
			t.Errorf("keys after a restart: %+v", got.JWKS)
		}
	}
	if _, ok := reg2.Client(gone.App.ClientID); ok {
		t.Error("a deleted app is back after a restart")
	}
	a, _ := reg2.Client(s.App.ClientID)
	if !reg2.CheckSecret(a, *s.ClientSecret) {
		t.Error("the secret fails after a restart")
	}
	if _, ok := reg2.Developer(context.Background(), f.keyA); !ok {
		t.Error("the API key fails after a restart")
	}
	// The same developer API answers.
	h2 := handler(reg2)
	f2 := *f
	f2.h, f2.t = h2, t
	var before, after api.AppList
	f.do("GET", BasePath, f.keyA, nil).json(t, &before)
	f2.do("GET", BasePath, f.keyA, nil).json(t, &after)
	if !reflect.DeepEqual(before, after) {
		t.Errorf("lists differ after a restart:\n%+v\n%+v", before, after)
	}
	// Another HMAC key: stored secrets no longer match.
	f3 := *f
	f3.hmacKey = []byte(strings.Repeat("z", 32))
	reg3 := f3.open(Options{})
	if reg3.CheckSecret(a, *s.ClientSecret) {
		t.Error("a secret passes under another HMAC key")
	}
}

func TestEnsure(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := context.Background()
	k := keysOnce()
	// Developers: re-keying replaces the old key.
	newKey := NewSecret()
	if err := f.reg.EnsureDeveloper(ctx, devA, "a@example.org", newKey); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.reg.Developer(ctx, f.keyA); ok {
		t.Error("the old API key still works")
	}
	if d, ok := f.reg.Developer(ctx, newKey); !ok || d.ID != devA || d.Email != "a@example.org" {
		t.Errorf("Developer = %+v, %v", d, ok)
	}
	for _, bad := range []struct{ id, key string }{{"", "k"}, {"dev-x", ""}} {
		if err := f.reg.EnsureDeveloper(ctx, bad.id, "", bad.key); err == nil {
			t.Errorf("EnsureDeveloper(%q, %q) succeeded", bad.id, bad.key)
		}
	}
	if _, ok := f.reg.Developer(ctx, ""); ok {
		t.Error("an empty key is a developer")
	}

	// Apps.
	app := App{ClientID: "sandbox-test-app", DeveloperID: devA, Name: "Test app"}
	if err := f.reg.EnsureApp(ctx, app, "fixed-secret-1"); err != nil {
		t.Fatal(err)
	}
	got, ok := f.reg.Client("sandbox-test-app")
	if !ok || got.AuthMethod != AuthClientSecret || !slices.Equal(got.Scopes, DefaultScopes) || !f.reg.CheckSecret(got, "fixed-secret-1") {
		t.Fatalf("EnsureApp: %+v", got)
	}
	created := got.CreatedAt
	f.clock.Advance(time.Minute)
	app.Scopes = []string{"system/*.read"}
	if err := f.reg.EnsureApp(ctx, app, "fixed-secret-2"); err != nil {
		t.Fatal(err)
	}
	got, _ = f.reg.Client("sandbox-test-app")
	if f.reg.CheckSecret(got, "fixed-secret-1") || !f.reg.CheckSecret(got, "fixed-secret-2") || !got.CreatedAt.Equal(created) ||
		!slices.Equal(got.Scopes, []string{"system/*.read"}) {
		t.Errorf("EnsureApp again: %+v", got)
	}
	pub := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.ec.PublicKey, KeyID: "e1", Algorithm: "ES384", Use: "sig"}}}
	if err := f.reg.EnsureApp(ctx, App{ClientID: "sandbox-jwt-app", DeveloperID: devA, Name: "JWT", AuthMethod: AuthPrivateKeyJWT, JWKS: &pub}, ""); err != nil {
		t.Fatal(err)
	}
	ks, err := f.reg.PublicKeys(ctx, mustClient(t, f.reg, "sandbox-jwt-app"), false)
	if err != nil || len(ks.Key("e1")) != 1 {
		t.Errorf("PublicKeys = %+v, %v", ks, err)
	}
	// It shows in the developer's API like any app.
	res := f.do("GET", BasePath+"/sandbox-jwt-app", newKey, nil)
	if res.status != http.StatusOK {
		t.Errorf("GET the ensured app: %d %s", res.status, res.body)
	}
	priv := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: k.ec, KeyID: "e1"}}}
	bad := []struct {
		name   string
		app    App
		secret string
	}{
		{"no client id", App{DeveloperID: devA, Name: "x"}, "s"},
		{"client id with a colon", App{ClientID: "a:b", DeveloperID: devA, Name: "x"}, "s"},
		{"no developer", App{ClientID: "x", Name: "x"}, "s"},
		{"unknown developer", App{ClientID: "x", DeveloperID: "dev-nobody", Name: "x"}, "s"},
		{"no name", App{ClientID: "x", DeveloperID: devA}, "s"},
		{"bad scope", App{ClientID: "x", DeveloperID: devA, Name: "x", Scopes: []string{"openid"}}, "s"},
		{"secret app without a secret", App{ClientID: "x", DeveloperID: devA, Name: "x"}, ""},
		{"JWT app with a secret", App{ClientID: "x", DeveloperID: devA, Name: "x", AuthMethod: AuthPrivateKeyJWT, JWKSURL: "https://example.org/j"}, "s"},
		{"JWT app without keys", App{ClientID: "x", DeveloperID: devA, Name: "x", AuthMethod: AuthPrivateKeyJWT}, ""},
		{"private key", App{ClientID: "x", DeveloperID: devA, Name: "x", AuthMethod: AuthPrivateKeyJWT, JWKS: &priv}, ""},
	}
	for _, b := range bad {
		if err := f.reg.EnsureApp(ctx, b.app, b.secret); err == nil {
			t.Errorf("%s: EnsureApp succeeded", b.name)
		}
	}
	if _, ok := f.reg.Client("x"); ok {
		t.Error("a failed EnsureApp left an app behind")
	}
}

func mustClient(t *testing.T, reg *Registry, id string) App {
	t.Helper()
	a, ok := reg.Client(id)
	if !ok {
		t.Fatalf("no app %s", id)
	}
	return a
}

// TestRequestMembersMatchContract: the request structs decode exactly the members the
// contract's request schemas declare.
func TestRequestMembersMatchContract(t *testing.T) {
	for name, v := range map[string]any{"AppCreateRequest": createRequest{}, "AppUpdateRequest": updateRequest{}, "AppKeysRequest": keysRequest{}} {
		var got []string
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			got = append(got, strings.Split(rt.Field(i).Tag.Get("json"), ",")[0])
		}
		var want []string
		for p := range schema(t, name).Properties {
			want = append(want, p)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: decoded members %v, contract %v", name, got, want)
		}
	}
}

func TestNewChecks(t *testing.T) {
	f := newFixture(t, Options{})
	if _, err := New(context.Background(), f.st, []byte("short"), nil, nil, Options{}); err == nil {
		t.Error("New accepted a short HMAC key")
	}
	if _, err := New(context.Background(), nil, f.hmacKey, nil, nil, Options{}); err == nil {
		t.Error("New accepted a nil store")
	}
	// A nil request log: the request list is empty, delete works.
	reg, err := New(context.Background(), f.st, f.hmacKey, nil, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.h = handler(reg)
	c := f.create(f.keyA, map[string]any{"name": "x"})
	if res := f.do("GET", BasePath+"/"+c.App.ClientID+"/requests", f.keyA, nil); string(res.body) != `{"entries":[]}` {
		t.Errorf("requests = %s", res.body)
	}
	if res := f.do("DELETE", BasePath+"/"+c.App.ClientID, f.keyA, nil); res.status != http.StatusNoContent {
		t.Errorf("delete = %d", res.status)
	}
}

// The contract check really checks: a response that breaks the contract fails it.
func TestContractCheckCatches(t *testing.T) {
	for _, tt := range []struct {
		method, path string
		res          response
	}{
		{"GET", BasePath + "/app_x", response{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(`{"name":"no client id"}`)}},
		{"GET", BasePath, response{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(`{"apps":null}`)}},
		{"GET", BasePath + "/app_x", response{status: 409, header: http.Header{"Content-Type": {"application/fhir+json"}}, body: []byte(`{"resourceType":"OperationOutcome","issue":[]}`)}},
	} {
		req := httptest.NewRequest(tt.method, tt.path, nil)
		if err := checkContract(req, tt.res); err == nil {
			t.Errorf("%s %s %d %s passed the contract check", tt.method, tt.path, tt.res.status, tt.res.body)
		}
	}
}
