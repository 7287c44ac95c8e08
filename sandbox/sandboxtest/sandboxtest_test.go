package sandboxtest_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gm-lhcr/lhcr/sandbox"
	"github.com/gm-lhcr/lhcr/sandbox/sandboxtest"
)

// token gets an access token for the ready app with a client secret (client_secret_post).
func token(t *testing.T, sb *sandboxtest.Sandbox) (string, int) {
	t.Helper()
	resp, err := http.PostForm(sb.TokenURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {sb.ClientID}, "client_secret": {sb.ClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return tok.AccessToken, tok.ExpiresIn
}

func get(t *testing.T, target, tok string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, target, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestNew(t *testing.T) {
	sb := sandboxtest.New(t)
	if sb.FHIRBaseURL != sb.URL+"/fhir/R4" || sb.TokenURL != sb.URL+"/oauth2/token" || !strings.HasPrefix(sb.URL, "http://127.0.0.1:") {
		t.Fatalf("URLs %q %q %q", sb.URL, sb.FHIRBaseURL, sb.TokenURL)
	}
	if sb.ClientID != sandbox.DefaultTestClientID || len(sb.ClientSecret) < 32 || sb.DeveloperAPIKey == "" || sb.JWTClientID != "" {
		t.Fatalf("credentials %+v", sb)
	}
	if strings.Contains(sb.String(), sb.ClientSecret) {
		t.Error("String shows the secret")
	}
	tok, ttl := token(t, sb)
	if ttl < 299 || ttl > 300 { // expires_in is rounded down
		t.Errorf("token lifetime %ds, want the default 300", ttl)
	}
	status, body := get(t, sb.FHIRBaseURL+"/Patient?_summary=count", tok)
	if status != 200 || !strings.Contains(body, fmt.Sprintf(`"total":%d`, sandboxtest.DefaultPatients)) {
		t.Fatalf("patients: %d %s", status, body)
	}
	for _, s := range sandboxtest.Stories() {
		status, body := get(t, sb.FHIRBaseURL+"/Patient/"+s.ID, tok)
		if status != 200 || !strings.Contains(body, s.NHSNumber) || s.Summary == "" {
			t.Errorf("story patient %s: %d", s.ID, status)
		}
	}
	if got := len(sandboxtest.Stories()); got != 6 {
		t.Errorf("%d stories", got)
	}
	for _, id := range []string{sandboxtest.StoryDiabetes, sandboxtest.StoryAsthmaChild, sandboxtest.StoryCOPDHeartFailure,
		sandboxtest.StoryPenicillinAllergy, sandboxtest.StoryDeceased, sandboxtest.StoryGPChange} {
		if status, _ := get(t, sb.FHIRBaseURL+"/Patient/"+id, tok); status != 200 {
			t.Errorf("%s: %d", id, status)
		}
	}
}

func TestOptions(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES384", Use: "sig"}}})
	var hits atomic.Int32
	var order []string
	sb := sandboxtest.New(t,
		sandboxtest.WithPatients(0),
		sandboxtest.WithSeed(7),
		sandboxtest.WithTokenTTL(2*time.Second),
		sandboxtest.WithJWTApp("jwt-app", jwks),
		sandboxtest.WithPathPrefix("/gw/lhcr/"),
		sandboxtest.WithLogger(nil),
		sandboxtest.WithMiddleware(func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				order = append(order, "outer")
				h.ServeHTTP(w, r)
			})
		}),
		sandboxtest.WithMiddleware(func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { order = append(order, "inner"); h.ServeHTTP(w, r) })
		}),
		sandboxtest.WithConfig(func(c *sandbox.Config) { c.TestClientID = "ci-app" }),
	)
	if !strings.HasSuffix(sb.URL, "/gw/lhcr") || sb.JWTClientID != "jwt-app" || sb.ClientID != "ci-app" {
		t.Fatalf("%s %s %s", sb.URL, sb.JWTClientID, sb.ClientID)
	}
	tok, ttl := token(t, sb)
	if ttl < 1 || ttl > 2 {
		t.Errorf("token lifetime %ds, want 2", ttl)
	}
	status, body := get(t, sb.FHIRBaseURL+"/Patient?_summary=count", tok)
	if status != 200 || !strings.Contains(body, `"total":0`) || !strings.Contains(body, sb.FHIRBaseURL+"/Patient?") {
		t.Errorf("empty sandbox under a prefix: %d %s", status, body)
	}
	status, body = get(t, sb.FHIRBaseURL+"/.well-known/smart-configuration", "")
	if status != 200 || !strings.Contains(body, `"token_endpoint":"`+sb.TokenURL+`"`) {
		t.Errorf("smart configuration: %s", body)
	}
	if hits.Load() != 3 || len(order) != 6 || order[0] != "outer" || order[1] != "inner" {
		t.Errorf("middleware saw %d requests in order %v, want 3, outer first", hits.Load(), order)
	}
}

func TestStartAndClose(t *testing.T) {
	sb, err := sandboxtest.Start(context.Background(), sandboxtest.WithPatients(6))
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := get(t, sb.FHIRBaseURL+"/metadata", ""); status != 200 {
		t.Fatalf("metadata: %d", status)
	}
	sb.Close()
	if _, err := http.Get(sb.FHIRBaseURL + "/metadata"); err == nil {
		t.Error("the server still answers after Close")
	}
	if _, err := sandboxtest.Start(context.Background(), sandboxtest.WithPatients(-1)); err == nil {
		t.Error("Start with -1 patients succeeded")
	}
}

// Start a sandbox without a *testing.T (in TestMain, or an Example) and read a story patient.
func ExampleStart() {
	sb, err := sandboxtest.Start(context.Background(), sandboxtest.WithPatients(10))
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	resp, err := http.PostForm(sb.TokenURL, url.Values{"grant_type": {"client_credentials"},
		"client_id": {sb.ClientID}, "client_secret": {sb.ClientSecret}})
	if err != nil {
		panic(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()

	req, _ := http.NewRequest(http.MethodGet, sb.FHIRBaseURL+"/Patient/"+sandboxtest.StoryDiabetes, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var p struct {
		Name []struct {
			Family string
			Given  []string
		}
	}
	json.NewDecoder(resp.Body).Decode(&p)
	fmt.Println(resp.StatusCode, p.Name[0].Given[0], p.Name[0].Family)
	// Output: 200 Tariq Mahmood
}
