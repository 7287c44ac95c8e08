package sandbox_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox"
)

// testServer is an in-process sandbox on a real SQLite file in a temp dir, with an HTTP client
// whose every response is checked against the contract.
type testServer struct {
	*httptest.Server
	sb     *sandbox.Sandbox
	client *http.Client
	check  *contractCheck
}

func newTestServer(t testing.TB, cfg sandbox.Config) *testServer {
	t.Helper()
	if cfg.DBPath == "" && !cfg.InMemory {
		cfg.DBPath = t.TempDir() + "/sandbox.db"
	}
	srv := httptest.NewUnstartedServer(nil)
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + srv.Listener.Addr().String()
	}
	sb, err := sandbox.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = sb
	srv.Start()
	check := newContractCheck(t, &bearer{base: http.DefaultTransport, token: testToken(t, sb)})
	ts := &testServer{Server: srv, sb: sb, client: &http.Client{Transport: check}, check: check}
	t.Cleanup(func() {
		srv.Close()
		if err := sb.IntegrityCheck(context.Background()); err != nil {
			t.Errorf("after the test: %v", err)
		}
		sb.Close()
	})
	return ts
}

// NoAuth is a request header that tells the test client to send no access token.
const NoAuth = "X-Test-No-Auth"

// bearer adds the ready test app's access token to FHIR requests that carry no Authorization.
type bearer struct {
	base  http.RoundTripper
	token string
}

func (b *bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get(NoAuth) != "" {
		req = req.Clone(req.Context())
		req.Header.Del(NoAuth)
		return b.base.RoundTrip(req)
	}
	if req.Header.Get("Authorization") == "" && strings.Contains(req.URL.Path, "/fhir/R4/") {
		req = req.Clone(req.Context())
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	return b.base.RoundTrip(req)
}

// testToken gets an access token for the ready test app (every scope) from the sandbox itself.
func testToken(t testing.TB, sb *sandbox.Sandbox) string {
	t.Helper()
	c := sb.Credentials()
	req := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.ClientID, c.ClientSecret)
	rec := httptest.NewRecorder()
	sb.ServeHTTP(rec, req)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token for the test app: %d %s", rec.Code, rec.Body)
	}
	return tok.AccessToken
}

// withToken wraps a sandbox so that FHIR requests without Authorization carry the test app's token.
func withToken(t testing.TB, sb *sandbox.Sandbox) http.Handler {
	tok := testToken(t, sb)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		sb.ServeHTTP(w, r)
	})
}

// do sends a request to path (or to an absolute URL, such as a Bundle link) and returns the
// status, headers and body.
func (ts *testServer) do(t testing.TB, method, path string, body string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	target := path
	if !strings.HasPrefix(path, "http://") && !strings.HasPrefix(path, "https://") {
		target = ts.URL + path
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func decodeAny(b []byte) (any, error) {
	var v any
	err := json.Unmarshal(b, &v)
	return v, err
}

// The generated client reads /metadata, and decodes it although the Content-Type carries a
// charset parameter (the trap where an exact Content-Type match leaves every field nil).
func TestMetadataThroughGeneratedClient(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	c, err := api.NewClientWithResponses(ts.URL, api.WithHTTPClient(ts.client))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.GetCapabilityStatementWithResponse(context.Background(), &api.GetCapabilityStatementParams{})
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.HTTPResponse.Header.Get("Content-Type"); !strings.Contains(ct, "charset=") {
		t.Fatalf("Content-Type %q: want a charset parameter, so that this test covers the trap", ct)
	}
	cs := resp.ApplicationFHIRJSON200
	if cs == nil {
		t.Fatalf("status %d: the CapabilityStatement was not decoded; body %.300s", resp.StatusCode(), resp.Body)
	}
	if cs.FHIRVersion != "4.0.1" || cs.Kind != api.CapabilityStatementKindInstance || len(cs.Rest) != 1 {
		t.Fatalf("unexpected CapabilityStatement: version %q kind %q rest %d", cs.FHIRVersion, cs.Kind, len(cs.Rest))
	}
	types := map[string]api.CapabilityStatementResource{}
	for _, r := range cs.Rest[0].Resource {
		types[r.Type] = r
	}
	p, ok := types["Patient"]
	if !ok || len(types) != 9 {
		t.Fatalf("resources %v: want the 9 FHIR resource types", types)
	}
	var names []string
	for _, sp := range p.SearchParam {
		names = append(names, sp.Name)
	}
	for _, want := range []string{"identifier", "family", "birthdate", "general-practitioner", "_id", "_lastUpdated"} {
		if !strings.Contains(","+strings.Join(names, ",")+",", ","+want+",") {
			t.Errorf("Patient search parameters %v lack %s", names, want)
		}
	}
	if len(p.Interaction) != 7 {
		t.Errorf("Patient interactions %v: want read, vread, update, delete, history-instance, create, search-type", p.Interaction)
	}
	if len(p.Operation) != 1 || p.Operation[0].Name != "everything" {
		t.Errorf("Patient operations %v: want $everything", p.Operation)
	}
}

// Bad requests answer a 400 OperationOutcome that says what is wrong.
func TestInvalidRequests(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	tests := []struct {
		name, method, path, body string
		header                   []string
		status                   int
		code, diag               string
	}{
		{"count not a number", "GET", "/fhir/R4/Patient?_count=abc", "", nil, 400, "invalid", "_count"},
		{"negative count", "GET", "/fhir/R4/Patient?_count=-1", "", nil, 400, "invalid", "_count"},
		{"bad summary", "GET", "/fhir/R4/Patient?_summary=maybe", "", nil, 400, "invalid", "_summary"},
		{"bad id syntax", "GET", "/fhir/R4/Patient/bad_id!", "", nil, 400, "invalid", "id"},
		{"unknown resource type", "GET", "/fhir/R4/Spaceship/1", "", nil, 404, "not-found", "Spaceship"},
		{"unknown path", "GET", "/nothing-here", "", nil, 404, "not-found", "/fhir/R4"},
		{"method not allowed", "PATCH", "/fhir/R4/Patient/abc", "", nil, 405, "not-supported", "PATCH"},
		{"xml asked for", "GET", "/fhir/R4/metadata?_format=xml", "", nil, 406, "not-supported", "_format"},
		{"xml accepted only", "GET", "/fhir/R4/metadata", "", []string{"Accept", "application/fhir+xml"}, 406, "not-supported", "Accept"},
		{"wrong content type", "POST", "/fhir/R4/Patient", `{"resourceType":"Patient"}`, []string{"Content-Type", "text/plain"}, 415, "not-supported", "Content-Type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := ts.do(t, tt.method, tt.path, tt.body, tt.header...)
			if status != tt.status {
				t.Fatalf("status %d, want %d; body %s", status, tt.status, body)
			}
			if !strings.HasPrefix(h.Get("Content-Type"), "application/fhir+json") {
				t.Errorf("Content-Type %q", h.Get("Content-Type"))
			}
			if h.Get("X-Request-ID") == "" {
				t.Error("no X-Request-ID")
			}
			var oo api.OperationOutcome
			if err := json.Unmarshal(body, &oo); err != nil || oo.ResourceType != "OperationOutcome" || len(oo.Issue) == 0 {
				t.Fatalf("not an OperationOutcome: %s", body)
			}
			if string(oo.Issue[0].Code) != tt.code {
				t.Errorf("issue code %q, want %q", oo.Issue[0].Code, tt.code)
			}
			if d := oo.Issue[0].Diagnostics; d == nil || !strings.Contains(*d, tt.diag) {
				t.Errorf("diagnostics %v should mention %q", d, tt.diag)
			}
		})
	}
}
