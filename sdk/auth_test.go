package sdk_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"

	"github.com/gm-lhcr/lhcr/sandbox/sandboxtest"
	"github.com/gm-lhcr/lhcr/sdk"
)

func TestNewClientRefusesBadConfiguration(t *testing.T) {
	ec256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsa1024, _ := rsa.GenerateKey(rand.Reader, 1024)
	secret := sdk.WithClientSecret("app", "s3cret-s3cret")
	tests := []struct {
		name string
		base string
		opts []sdk.Option
		want string
	}{
		{"relative base", "localhost/fhir/R4", []sdk.Option{secret}, "not an absolute"},
		{"ftp base", "ftp://h/fhir/R4", []sdk.Option{secret}, "not an absolute"},
		{"base with query", "http://h/fhir/R4?x=1", []sdk.Option{secret}, "no query"},
		{"no credentials", "http://h/fhir/R4", nil, "no credentials"},
		{"two credentials", "http://h/fhir/R4", []sdk.Option{secret, sdk.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "x"}))}, "WithClientSecret and WithTokenSource"},
		{"empty secret", "http://h/fhir/R4", []sdk.Option{sdk.WithClientSecret("app", "")}, "needs a client id and a secret"},
		{"nil token source", "http://h/fhir/R4", []sdk.Option{sdk.WithTokenSource(nil)}, "needs a TokenSource"},
		{"nil signer", "http://h/fhir/R4", []sdk.Option{sdk.WithPrivateKeyJWT("app", nil, "k1", sdk.ES384)}, "needs a signer"},
		{"no kid", "http://h/fhir/R4", []sdk.Option{sdk.WithPrivateKeyJWT("app", ec384, "", sdk.ES384)}, "kid"},
		{"P-256 key", "http://h/fhir/R4", []sdk.Option{sdk.WithPrivateKeyJWT("app", ec256, "k1", sdk.ES384)}, "P-384"},
		{"EC key with RS384", "http://h/fhir/R4", []sdk.Option{sdk.WithPrivateKeyJWT("app", ec384, "k1", sdk.RS384)}, "ES384"},
		{"short RSA key", "http://h/fhir/R4", []sdk.Option{sdk.WithPrivateKeyJWT("app", rsa1024, "k1", sdk.RS384)}, "1024 bits"},
		{"nil HTTP client", "http://h/fhir/R4", []sdk.Option{secret, sdk.WithHTTPClient(nil)}, "needs an *http.Client"},
		{"scope with a space", "http://h/fhir/R4", []sdk.Option{secret, sdk.WithScopes("system/Patient.rs system/Observation.rs")}, "not one scope"},
		{"two-line user agent", "http://h/fhir/R4", []sdk.Option{secret, sdk.WithUserAgent("a\r\nX-Evil: 1")}, "one line"},
		{"negative retry", "http://h/fhir/R4", []sdk.Option{secret, sdk.WithRetry(sdk.RetryPolicy{MaxAttempts: -1})}, "negative"},
		{"nil logger", "http://h/fhir/R4", []sdk.Option{secret, sdk.WithLogger(nil)}, "needs a logger"},
		{"relative token URL", "http://h/fhir/R4", []sdk.Option{secret, sdk.WithTokenURL("/oauth2/token")}, "not an absolute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := sdk.NewClient(tt.base, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewClient: %v, %v; want an error mentioning %q", c, err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}
}

func TestClientSecret(t *testing.T) {
	sb, rec := start(t)
	ctx := context.Background()
	c := client(t, sb)
	p, err := c.Patients.Get(ctx, sandboxtest.StoryDiabetes)
	if err != nil {
		t.Fatal(err)
	}
	if sdk.NHSNumber(p) != "9990000018" {
		t.Errorf("NHS number %q", sdk.NHSNumber(p))
	}
	if n := rec.count("/.well-known/smart-configuration"); n != 1 {
		t.Errorf("%d discovery requests, want 1", n)
	}
	tokenReqs := tokenRequests(rec)
	if len(tokenReqs) != 1 {
		t.Fatalf("%d token requests, want 1", len(tokenReqs))
	}
	if h := tokenReqs[0].Header.Get("Authorization"); !strings.HasPrefix(h, "Basic ") {
		t.Errorf("token request Authorization %q: want client_secret_basic", h)
	}
	if got, _ := c.TokenURL(ctx); got != sb.TokenURL {
		t.Errorf("token URL %q, want %q", got, sb.TokenURL)
	}
	tok, err := c.Token(ctx)
	if err != nil || tok.AccessToken == "" || tok.Expiry.IsZero() {
		t.Fatalf("Token: %v %v", tok, err)
	}

	t.Run("wrong secret", func(t *testing.T) {
		bad, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithClientSecret(sb.ClientID, "wrong-secret-value"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = bad.Patients.Get(ctx, sandboxtest.StoryDiabetes)
		var fe *sdk.Error
		if !errors.As(err, &fe) || !sdk.IsUnauthorized(err) || fe.OAuthCode != "invalid_client" || fe.RequestID == "" {
			t.Fatalf("error %#v: want a 401 invalid_client *sdk.Error with a request id", err)
		}
		if strings.Contains(err.Error(), "wrong-secret-value") || !strings.Contains(err.Error(), "invalid_client") || !strings.Contains(err.Error(), fe.RequestID) {
			t.Errorf("message %q: want the OAuth code and request id, never the secret", err)
		}
	})
}

// tokenRequests returns the recorded token requests.
func tokenRequests(rec *recorder) []seen {
	var out []seen
	for _, s := range rec.all() {
		if strings.HasSuffix(s.Path, "/oauth2/token") {
			out = append(out, s)
		}
	}
	return out
}

// wrappedSigner is a crypto.Signer that is not a key type go-jose knows, as a KMS key would be.
type wrappedSigner struct{ crypto.Signer }

func TestPrivateKeyJWT(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rs, _ := rsa.GenerateKey(rand.Reader, 2048)
	keys := []struct {
		name   string
		signer crypto.Signer
		kid    string
		alg    sdk.SigningAlgorithm
	}{
		{"ES384", ec, "ec-1", sdk.ES384},
		{"RS384", rs, "rsa-1", sdk.RS384},
		{"RS512", rs, "rsa-2", sdk.RS512},
		{"ES384 through a crypto.Signer", wrappedSigner{ec}, "ec-1", sdk.ES384},
		{"RS384 through a crypto.Signer", wrappedSigner{rs}, "rsa-1", sdk.RS384},
	}
	var set jose.JSONWebKeySet
	for _, k := range keys[:3] {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.signer.Public(), KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"})
	}
	jwks, _ := json.Marshal(set)
	sb, rec := start(t, sandboxtest.WithJWTApp("jwt-app", jwks))
	ctx := context.Background()
	for _, k := range keys {
		t.Run(k.name, func(t *testing.T) {
			rec.reset()
			// Two clients, so two token requests with the same key: a reused jti would be refused.
			for range 2 {
				c, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithPrivateKeyJWT(sb.JWTClientID, k.signer, k.kid, k.alg))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.Patients.Get(ctx, sandboxtest.StoryAsthmaChild); err != nil {
					t.Fatal(err)
				}
			}
			reqs := tokenRequests(rec)
			if len(reqs) != 2 {
				t.Fatalf("%d token requests, want 2", len(reqs))
			}
			jtis := map[string]bool{}
			for _, r := range reqs {
				if r.Header.Get("Authorization") != "" || r.Form.Get("client_secret") != "" {
					t.Error("a private_key_jwt token request carried a secret")
				}
				if r.Form.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
					t.Errorf("client_assertion_type %q", r.Form.Get("client_assertion_type"))
				}
				tok, err := jwt.ParseSigned(r.Form.Get("client_assertion"), []jose.SignatureAlgorithm{jose.SignatureAlgorithm(k.alg)})
				if err != nil {
					t.Fatal(err)
				}
				var cl jwt.Claims
				if err := tok.Claims(k.signer.Public(), &cl); err != nil {
					t.Fatalf("the assertion does not verify with the public key: %v", err)
				}
				if tok.Headers[0].KeyID != k.kid || cl.Issuer != sb.JWTClientID || cl.Subject != sb.JWTClientID ||
					len(cl.Audience) != 1 || cl.Audience[0] != sb.TokenURL {
					t.Errorf("kid %q claims %+v: want kid %s, iss = sub = %s, aud %s", tok.Headers[0].KeyID, cl, k.kid, sb.JWTClientID, sb.TokenURL)
				}
				if life := cl.Expiry.Time().Sub(cl.IssuedAt.Time()); life <= 0 || life > 5*time.Minute {
					t.Errorf("assertion lifetime %v: want at most 5 minutes", life)
				}
				if cl.ID == "" || jtis[cl.ID] {
					t.Errorf("jti %q is empty or reused", cl.ID)
				}
				jtis[cl.ID] = true
			}
		})
	}

	t.Run("unregistered key", func(t *testing.T) {
		other, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		c, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithPrivateKeyJWT(sb.JWTClientID, other, "ec-1", sdk.ES384))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Patients.Get(ctx, sandboxtest.StoryAsthmaChild)
		var fe *sdk.Error
		if !errors.As(err, &fe) || fe.OAuthCode != "invalid_client" || !sdk.IsUnauthorized(err) {
			t.Fatalf("error %v: want 401 invalid_client", err)
		}
	})
}

// A token is reused while it is valid and replaced once it has expired (a 2-second TTL).
func TestTokenRefreshAfterExpiry(t *testing.T) {
	sb, rec := start(t, sandboxtest.WithTokenTTL(2*time.Second))
	c := client(t, sb)
	ctx := context.Background()
	get := func() string {
		t.Helper()
		if _, err := c.Patients.Get(ctx, sandboxtest.StoryDiabetes); err != nil {
			t.Fatal(err)
		}
		tok, err := c.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return tok.AccessToken
	}
	first := get()
	if again := get(); again != first || len(tokenRequests(rec)) != 1 {
		t.Fatalf("a second call within the token's life made %d token requests", len(tokenRequests(rec)))
	}
	time.Sleep(2100 * time.Millisecond) // past the token's expiry: the server would refuse it now
	if later := get(); later == first {
		t.Fatal("the expired token was sent again")
	}
	if n := len(tokenRequests(rec)); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
	all := rec.all()
	if last := all[len(all)-1]; !strings.Contains(last.Path, "/fhir/R4/Patient") || last.Header.Get("Authorization") == "Bearer "+first {
		t.Errorf("the last request, %s, used the expired token", last.Path)
	}
}

// 50 concurrent first calls share one token request.
func TestOneTokenRequestUnderConcurrency(t *testing.T) {
	sb, rec := start(t)
	c := client(t, sb)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Go(func() {
			_, err := c.Patients.Get(ctx, sandboxtest.StoryDiabetes)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(tokenRequests(rec)); n != 1 {
		t.Errorf("%d token requests for 50 concurrent calls, want 1", n)
	}
	if n := rec.count("/.well-known/smart-configuration"); n != 1 {
		t.Errorf("%d discovery requests, want 1", n)
	}
}

func TestWithTokenSource(t *testing.T) {
	sb, rec := start(t)
	// A token got some other way.
	seed := client(t, sb)
	tok, err := seed.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rec.reset()
	c, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithTokenSource(oauth2.StaticTokenSource(tok)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Patients.Get(context.Background(), sandboxtest.StoryDiabetes); err != nil {
		t.Fatal(err)
	}
	if len(tokenRequests(rec)) != 0 || rec.count("smart-configuration") != 0 {
		t.Error("a client with its own TokenSource asked the token endpoint")
	}
	if c.TokenSource() == nil {
		t.Error("no TokenSource")
	}

	t.Run("invalid token", func(t *testing.T) {
		c, _ := sdk.NewClient(sb.FHIRBaseURL, sdk.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "not-a-token"})))
		_, err := c.Patients.Get(context.Background(), sandboxtest.StoryDiabetes)
		var fe *sdk.Error
		if !errors.As(err, &fe) || !sdk.IsUnauthorized(err) || fe.Code() != "login" || fe.RequestID == "" {
			t.Fatalf("error %v: want a 401 OperationOutcome (login) with a request id", err)
		}
		if strings.Contains(err.Error(), "not-a-token") {
			t.Errorf("the error shows the token: %v", err)
		}
	})
}

func TestWithTokenURL(t *testing.T) {
	sb, rec := start(t)
	c := client(t, sb, sdk.WithTokenURL(sb.TokenURL))
	if _, err := c.Patients.Get(context.Background(), sandboxtest.StoryDiabetes); err != nil {
		t.Fatal(err)
	}
	if rec.count("smart-configuration") != 0 || len(tokenRequests(rec)) != 1 {
		t.Errorf("with WithTokenURL: %d discovery and %d token requests, want 0 and 1", rec.count("smart-configuration"), len(tokenRequests(rec)))
	}
}

func TestWithScopes(t *testing.T) {
	sb, rec := start(t)
	c := client(t, sb, sdk.WithScopes("system/Patient.rs"))
	ctx := context.Background()
	if _, err := c.Patients.Get(ctx, sandboxtest.StoryDiabetes); err != nil {
		t.Fatal(err)
	}
	if got := tokenRequests(rec)[0].Form.Get("scope"); got != "system/Patient.rs" {
		t.Errorf("scope %q", got)
	}
	_, err := c.Observations.SearchPage(ctx, sdk.ObservationQuery{Patient: sandboxtest.StoryDiabetes})
	var fe *sdk.Error
	if !errors.As(err, &fe) || !sdk.IsForbidden(err) || !strings.Contains(fe.Diagnostics(), "system/Observation") {
		t.Fatalf("error %v: want a 403 naming the missing scope", err)
	}
}

// countingTransport counts requests and records their headers.
type countingTransport struct {
	mu      sync.Mutex
	headers []http.Header
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.headers = append(c.headers, req.Header.Clone())
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func TestWithHTTPClientAndUserAgent(t *testing.T) {
	sb, _ := start(t)
	ct := &countingTransport{}
	c := client(t, sb, sdk.WithHTTPClient(&http.Client{Transport: ct, Timeout: 10 * time.Second}), sdk.WithUserAgent("gm-care-app/2.1"))
	ctx := context.Background()
	if _, err := c.Patients.Get(ctx, sandboxtest.StoryDiabetes); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Patients.Get(sdk.WithRequestID(ctx, "my-trace-42"), sandboxtest.StoryDiabetes); err != nil {
		t.Fatal(err)
	}
	if len(ct.headers) != 4 { // discovery, token, two reads
		t.Fatalf("%d requests through the given client, want 4", len(ct.headers))
	}
	ids := map[string]bool{}
	for _, h := range ct.headers {
		if ua := h.Get("User-Agent"); !strings.HasPrefix(ua, "gm-care-app/2.1 lhcr-sdk-go/") {
			t.Errorf("User-Agent %q", ua)
		}
		id := h.Get("X-Request-ID")
		if id == "" || ids[id] {
			t.Errorf("X-Request-ID %q missing or repeated", id)
		}
		ids[id] = true
	}
	if got := ct.headers[3].Get("X-Request-ID"); got != "my-trace-42" {
		t.Errorf("X-Request-ID %q, want the context's my-trace-42", got)
	}
}

func TestWithLogger(t *testing.T) {
	sb, _ := start(t)
	var buf bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := client(t, sb, sdk.WithLogger(log))
	ctx := context.Background()
	if _, err := c.Patients.ByNHSNumber(ctx, "9990000018"); err != nil {
		t.Fatal(err)
	}
	for _, err := range c.Patients.Search(ctx, sdk.PatientQuery{Family: "Mahmood"}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	tok, _ := c.Token(ctx)
	mu.Lock()
	logs := buf.String()
	mu.Unlock()
	for _, want := range []string{"lhcr: request", "lhcr: new access token", "status=200", "request_id="} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
	for _, never := range []string{sb.ClientSecret, tok.AccessToken, "Mahmood", "9990000018", "Bearer"} {
		if strings.Contains(logs, never) {
			t.Errorf("logs contain %q:\n%s", never, logs)
		}
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// faults is sandbox middleware that answers the next n FHIR resource requests with a status.
type faults struct {
	mu     sync.Mutex
	n      int
	status int
}

func (f *faults) set(n, status int) {
	f.mu.Lock()
	f.n, f.status = n, status
	f.mu.Unlock()
}

func (f *faults) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		fail := f.n > 0 && strings.Contains(r.URL.Path, "/fhir/R4/Patient")
		if fail {
			f.n--
		}
		status := f.status
		f.mu.Unlock()
		if fail {
			w.Header().Set("Retry-After", "0")
			w.Header().Set("Content-Type", "application/fhir+json")
			w.WriteHeader(status)
			io.WriteString(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"throttled","diagnostics":"injected"}]}`)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func TestWithRetryAgainstTheSandbox(t *testing.T) {
	f := &faults{}
	sb, rec := start(t, sandboxtest.WithMiddleware(f.wrap))
	ctx := context.Background()
	c := client(t, sb, sdk.WithRetry(sdk.RetryPolicy{MaxAttempts: 3}))
	f.set(2, http.StatusTooManyRequests)
	if p, err := c.Patients.Get(ctx, sandboxtest.StoryDiabetes); err != nil || *p.ID != sandboxtest.StoryDiabetes {
		t.Fatalf("Get through two 429s: %v", err)
	}
	var ids []string
	for _, s := range rec.all() {
		if strings.HasSuffix(s.Path, "/Patient/"+sandboxtest.StoryDiabetes) {
			ids = append(ids, s.Header.Get("X-Request-ID"))
		}
	}
	if len(ids) != 3 || ids[0] != ids[1] || ids[1] != ids[2] {
		t.Errorf("request ids of the attempts: %q, want three equal", ids)
	}
	f.set(3, http.StatusServiceUnavailable)
	_, err := c.Patients.Get(ctx, sandboxtest.StoryDiabetes)
	var fe *sdk.Error
	if !errors.As(err, &fe) || fe.Status != 503 || fe.Attempts != 3 || fe.Diagnostics() != "throttled: injected" {
		t.Fatalf("three 503s: %v", err)
	}
	f.set(1, http.StatusTooManyRequests)
	if _, err := client(t, sb, sdk.WithRetry(sdk.NoRetry)).Patients.Get(ctx, sandboxtest.StoryDiabetes); !sdk.IsRateLimited(err) {
		t.Errorf("NoRetry: %v, want the 429", err)
	}
	f.set(0, 0)
}
