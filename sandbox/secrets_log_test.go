package sandbox_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox"
)

// logSink is a log sink safe for the server's goroutines.
type logSink struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Secrets, tokens, assertions and API keys never reach the logs, at any level, whatever the
// outcome of the request that carried them.
func TestSecretsNeverLogged(t *testing.T) {
	var logs logSink
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES384", Use: "sig"}}})
	ts := newTestServer(t, sandbox.Config{Logger: log, Patients: 6, TestJWTClientID: "jwt-log-app", TestJWKS: jwks})
	creds := ts.sb.Credentials()
	var secrets []string // everything that must not appear
	keep := func(label string, s string) {
		if s == "" {
			t.Fatalf("%s is empty", label)
		}
		secrets = append(secrets, s)
	}
	keep("test app secret", creds.ClientSecret)
	keep("API key", creds.DeveloperAPIKey)
	grant := url.Values{"grant_type": {"client_credentials"}}

	// Tokens with a secret, Basic and in the form.
	_, tok := ts.token(t, grant, creds.ClientID, creds.ClientSecret)
	keep("token (basic)", fmt.Sprint(tok["access_token"]))
	_, tok = ts.token(t, url.Values{"grant_type": {"client_credentials"}, "client_id": {creds.ClientID}, "client_secret": {creds.ClientSecret}})
	bearer := fmt.Sprint(tok["access_token"])
	keep("token (post)", bearer)
	wrong := "wrong-secret-" + fmt.Sprint(time.Now().UnixNano())
	keep("a wrong secret", wrong)
	if s, _ := ts.token(t, grant, creds.ClientID, wrong); s != 401 {
		t.Errorf("wrong secret: %d", s)
	}
	if s, _ := ts.token(t, url.Values{"grant_type": {"client_credentials"}, "client_id": {creds.ClientID}, "client_secret": {wrong}}); s != 401 {
		t.Errorf("wrong secret in the form: %d", s)
	}

	// Tokens with a signed JWT: accepted, replayed, and for the wrong audience.
	assertion := func(jti, aud string) string {
		signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES384, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
		a, err := jwt.Signed(signer).Claims(jwt.Claims{Issuer: "jwt-log-app", Subject: "jwt-log-app", Audience: jwt.Audience{aud},
			Expiry: jwt.NewNumericDate(time.Now().Add(3 * time.Minute)), ID: jti}).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	jwtForm := func(a string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a}}
	}
	good := assertion(fmt.Sprint("log-jti-", time.Now().UnixNano()), ts.URL+"/oauth2/token")
	keep("assertion", good)
	s, tok := ts.token(t, jwtForm(good))
	if s != 200 {
		t.Fatalf("signed JWT: %d %v", s, tok)
	}
	keep("token (JWT)", fmt.Sprint(tok["access_token"]))
	if s, _ := ts.token(t, jwtForm(good)); s != 401 {
		t.Errorf("replayed assertion: %d", s)
	}
	badAud := assertion("log-jti-aud", "https://elsewhere.example/token")
	keep("assertion for another audience", badAud)
	if s, _ := ts.token(t, jwtForm(badAud)); s != 401 {
		t.Errorf("wrong audience: %d", s)
	}

	// FHIR reads with a good token and with bad ones.
	for _, p := range []string{"/fhir/R4/Patient/" + storyPatient, "/fhir/R4/Observation?patient=" + storyPatient, "/fhir/R4/Patient/absent"} {
		ts.doRaw(t, "GET", p, "", "Authorization", "Bearer "+bearer)
	}
	forged := bearer[:len(bearer)-8] + "AAAAAAAA"
	keep("forged token", forged)
	if s, _, _ := ts.doRaw(t, "GET", "/fhir/R4/Patient", "", "Authorization", "Bearer "+forged); s != 401 {
		t.Errorf("forged token: %d", s)
	}
	garbage := "not-a-token-" + fmt.Sprint(time.Now().UnixNano())
	keep("garbage token", garbage)
	ts.doRaw(t, "GET", "/fhir/R4/Patient", "", "Authorization", "Bearer "+garbage)

	// Introspection and revocation.
	basic := []string{"Content-Type", "application/x-www-form-urlencoded"}
	introspect := url.Values{"token": {bearer}, "client_id": {creds.ClientID}, "client_secret": {creds.ClientSecret}}
	ts.doRaw(t, "POST", "/oauth2/introspect", introspect.Encode(), basic...)
	ts.doRaw(t, "POST", "/oauth2/revoke", introspect.Encode(), basic...)
	ts.doRaw(t, "GET", "/fhir/R4/Patient", "", "Authorization", "Bearer "+bearer) // revoked: 401

	// The developer API: create, rotate, a wrong key.
	status, body := ts.devAPI(t, "POST", "/developer/v1/apps", `{"name":"Log test","scopes":["system/*.rs"]}`)
	var created api.AppCredentials
	if status != 201 || json.Unmarshal(body, &created) != nil || created.ClientSecret == nil {
		t.Fatalf("create app: %d %s", status, body)
	}
	keep("new app secret", *created.ClientSecret)
	status, body = ts.devAPI(t, "POST", "/developer/v1/apps/"+created.App.ClientID+"/secret", "")
	var rotated api.AppCredentials
	if status != 200 && status != 201 || json.Unmarshal(body, &rotated) != nil || rotated.ClientSecret == nil {
		t.Fatalf("rotate: %d %s", status, body)
	}
	keep("rotated secret", *rotated.ClientSecret)
	if s, _ := ts.token(t, grant, created.App.ClientID, *created.ClientSecret); s != 401 {
		t.Errorf("old secret after rotation: %d", s)
	}
	ts.devAPI(t, "GET", "/developer/v1/apps/"+created.App.ClientID+"/requests", "")
	wrongKey := "wrong-api-key-" + fmt.Sprint(time.Now().UnixNano())
	keep("a wrong API key", wrongKey)
	ts.doRaw(t, "GET", "/developer/v1/apps", "", "X-API-Key", wrongKey)

	out := logs.String()
	if !strings.Contains(out, `"level":"INFO"`) || !strings.Contains(out, "/oauth2/token") {
		t.Fatalf("the logs were not captured: %.500s", out)
	}
	for _, s := range secrets {
		for _, part := range secretFragments(s) {
			if strings.Contains(out, part) {
				i := strings.Index(out, part)
				t.Errorf("a secret (%.6s…) appears in the logs: …%s…", s, out[max(0, i-200):min(len(out), i+len(part)+50)])
			}
		}
	}
}

// secretFragments are the parts of a secret that must not appear either: the whole value, its
// first and last 12 characters, and each part of a JWT other than its header.
func secretFragments(s string) []string {
	out := []string{s}
	if len(s) >= 24 {
		out = append(out, s[:12], s[len(s)-12:])
	}
	if parts := strings.Split(s, "."); len(parts) == 3 {
		for _, p := range parts[1:] {
			if len(p) >= 12 {
				out = append(out, p)
			}
		}
	}
	return out
}
