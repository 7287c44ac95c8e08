// Fault simulation, rate limits, the token guard and idempotent writes, through the whole
// sandbox (see sandbox/internal/faults, limits, idempotency).

package sandbox_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox"
)

// Every scenario of docs/testing-your-app.md, by header and by magic id, through the sandbox.
func TestFaultSimulation(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{Patients: 6})
	const story = "/fhir/R4/Patient/" + storyPatient
	cases := []struct {
		name, method, path, prefer string
		noAuth                     bool
		status                     int
		code                       string
		retryAfter                 string
		// contract: the answer is one the contract describes (503, 504 and a 412 on a read
		// are not yet in it; those are checked without the contract).
		contract bool
	}{
		{name: "429", path: story, prefer: "lhcr-simulate=429", status: 429, code: "throttled", retryAfter: "1", contract: true},
		{name: "503", path: "/fhir/R4/Observation?patient=" + storyPatient, prefer: "lhcr-simulate=503", status: 503, code: "transient", retryAfter: "1"},
		{name: "504 after", path: story, prefer: "lhcr-simulate=504-after=20", status: 504, code: "timeout"},
		{name: "412 on an update", method: "PUT", path: story, prefer: "lhcr-simulate=412", status: 412, code: "conflict", contract: true},
		{name: "invalid token", path: story, prefer: "lhcr-simulate=invalid-token", status: 401, code: "expired", contract: true},
		{name: "unknown scenario", path: story, prefer: "lhcr-simulate=418", status: 400, code: "invalid", contract: true},
		{name: "latency over the bound", path: story, prefer: "lhcr-simulate=latency=10001", status: 400, code: "invalid", contract: true},
		{name: "authentication comes first", path: story, prefer: "lhcr-simulate=503", noAuth: true, status: 401, code: "login", contract: true},
		{name: "magic 503", path: "/fhir/R4/Patient/simulate-503", status: 503, code: "transient", retryAfter: "1"},
		{name: "magic 429 by search", path: "/fhir/R4/Patient?_id=simulate-429", status: 429, code: "throttled", retryAfter: "1", contract: true},
		{name: "magic unknown", path: "/fhir/R4/Patient/simulate-500", status: 400, code: "invalid", contract: true},
		{name: "magic, no token", path: "/fhir/R4/Patient/simulate-503", noAuth: true, status: 401, code: "login", contract: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			method, body := c.method, ""
			if method == "" {
				method = "GET"
			}
			if method == "PUT" {
				body = mustJSON(t, with(patientRes(nhsNumber(900), "Fault", "Test"), "id", storyPatient))
			}
			h := []string{}
			if c.prefer != "" {
				h = append(h, "Prefer", c.prefer)
			}
			if c.noAuth {
				h = append(h, NoAuth, "1")
			}
			do := ts.do
			if !c.contract {
				do = ts.doUnchecked
			}
			status, header, b := do(t, method, c.path, body, h...)
			if status != c.status {
				t.Fatalf("status %d, want %d: %s", status, c.status, b)
			}
			if code, _ := outcomeOf(t, b); code != c.code {
				t.Errorf("issue code %s, want %s", code, c.code)
			}
			if got := header.Get("Retry-After"); got != c.retryAfter {
				t.Errorf("Retry-After %q, want %q", got, c.retryAfter)
			}
		})
	}
	t.Run("latency", func(t *testing.T) {
		start := time.Now()
		status, _, b := ts.do(t, "GET", story, "", "Prefer", "lhcr-simulate=latency=50")
		if el := time.Since(start); status != 200 || el < 50*time.Millisecond {
			t.Fatalf("%d after %v, want 200 after at least 50ms: %s", status, el, b)
		}
		if decodeInfo(t, b).ID != storyPatient {
			t.Errorf("not the patient: %s", b)
		}
	})
	t.Run("other preferences still apply", func(t *testing.T) {
		body := mustJSON(t, patientRes(nhsNumber(901), "Minimal", "Pref"))
		status, _, b := ts.doUnchecked(t, "POST", "/fhir/R4/Patient", body, "Prefer", "return=minimal, lhcr-simulate=latency=0")
		if status != 201 || len(b) != 0 {
			t.Errorf("%d %s, want 201 without a body", status, b)
		}
	})
	sensitive := func(t *testing.T, p api.Patient) {
		if p.Address != nil || p.Telecom != nil || p.GeneralPractitioner != nil {
			t.Errorf("a sensitive patient shows address, telecom or GP: %+v", p)
		}
		if p.Meta == nil || len(p.Meta.Security) != 1 || ptrValue(p.Meta.Security[0].Code) != "R" {
			t.Errorf("meta.security: %+v", p.Meta)
		}
	}
	superseded := func(t *testing.T, p api.Patient) {
		if len(p.Link) != 1 || p.Link[0].Type != "replaced-by" {
			t.Fatalf("link %+v", p.Link)
		}
		old := false
		for _, id := range p.Identifier {
			if ptrValue(id.System) == "https://fhir.nhs.uk/Id/nhs-number" && id.Use != nil && *id.Use == "old" {
				old = true
			}
		}
		if !old {
			t.Errorf("no NHS number marked old: %+v", p.Identifier)
		}
		next := ptrValue(p.Link[0].Other.Reference)
		if status, _, b := ts.do(t, "GET", "/fhir/R4/"+next, ""); status != 200 {
			t.Errorf("the replacing patient %s: %d %s", next, status, b)
		}
	}
	for _, c := range []struct {
		name, path, prefer string
		check              func(*testing.T, api.Patient)
	}{
		{"sensitive read", story, "lhcr-simulate=sensitive-patient", sensitive},
		{"sensitive search", "/fhir/R4/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018", "lhcr-simulate=sensitive-patient", sensitive},
		{"superseded read", story, "lhcr-simulate=superseded-nhs-number", superseded},
		{"magic sensitive", "/fhir/R4/Patient/simulate-sensitive-patient", "", sensitive},
		{"magic superseded by search", "/fhir/R4/Patient?_id=simulate-superseded-nhs-number", "", superseded},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := []string{}
			if c.prefer != "" {
				h = []string{"Prefer", c.prefer}
			}
			status, _, b := ts.do(t, "GET", c.path, "", h...)
			if status != 200 {
				t.Fatalf("%d %s", status, b)
			}
			var p api.Patient
			if strings.Contains(c.path, "?") {
				var bu bundle
				json.Unmarshal(b, &bu)
				if len(bu.Entry) != 1 {
					t.Fatalf("%d entries: %s", len(bu.Entry), b)
				}
				b = bu.Entry[0].Resource
			}
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatal(err)
			}
			c.check(t, p)
		})
	}
}

func ptrValue[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func TestRateLimitPerApp(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{RateLimit: 0.001, RateBurst: 3})
	for i := range 3 {
		if status, _, b := ts.do(t, "GET", "/fhir/R4/Patient?_count=1", ""); status != 200 {
			t.Fatalf("request %d: %d %s", i, status, b)
		}
	}
	status, h, b := ts.do(t, "GET", "/fhir/R4/Patient?_count=1", "")
	if status != 429 || h.Get("Retry-After") == "" {
		t.Fatalf("over the burst: %d %v %s", status, h, b)
	}
	if code, _ := outcomeOf(t, b); code != "throttled" {
		t.Errorf("code %s", code)
	}
	// Another app has its own bucket; the developer API is not limited.
	id, secret := registerReliabilityApp(t, ts, "Other")
	_, tok := ts.token(t, url.Values{"grant_type": {"client_credentials"}}, id, secret)
	if status, _, b := ts.doRaw(t, "GET", "/fhir/R4/Patient?_count=1", "", "Authorization", "Bearer "+tok["access_token"].(string)); status != 200 {
		t.Errorf("another app: %d %s", status, b)
	}
}

func registerReliabilityApp(t *testing.T, ts *testServer, name string) (id, secret string) {
	t.Helper()
	status, body := ts.devAPI(t, "POST", "/developer/v1/apps", fmt.Sprintf(`{"name":%q,"scopes":["system/*.cruds"]}`, name))
	if status != 201 {
		t.Fatalf("create app: %d %s", status, body)
	}
	var created api.AppCredentials
	if err := json.Unmarshal(body, &created); err != nil || created.ClientSecret == nil {
		t.Fatalf("create app: %s", body)
	}
	return created.App.ClientID, *created.ClientSecret
}

// Guessing secrets at the token endpoint is cut off; apps with good credentials carry on.
func TestTokenBruteForce(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{MaxTokenFailures: 5})
	form := url.Values{"grant_type": {"client_credentials"}}
	goodID, goodSecret := registerReliabilityApp(t, ts, "Good")
	if status, tok := ts.token(t, form, goodID, goodSecret); status != 200 {
		t.Fatalf("good app: %d %v", status, tok)
	}
	victim := ts.sb.Credentials().ClientID
	for i := range 5 {
		if status, tok := ts.token(t, form, victim, fmt.Sprint("guess-", i)); status != 401 {
			t.Fatalf("guess %d: %d %v", i, status, tok)
		}
	}
	steps := []struct {
		name, id, secret string
		status           int
	}{
		{"the 6th guess is refused", victim, "guess-6", 429},
		{"even with the right secret, from this address", victim, ts.sb.Credentials().ClientSecret, 429},
		{"unknown client ids from this address are refused", "nobody", "x", 429},
		{"the good app still gets tokens", goodID, goodSecret, 200},
	}
	for _, s := range steps {
		status, body := ts.token(t, form, s.id, s.secret)
		if status != s.status {
			t.Fatalf("%s: %d %v, want %d", s.name, status, body, s.status)
		}
		if status == 429 && body["error"] != "invalid_request" {
			t.Errorf("%s: %v", s.name, body)
		}
	}
	// A registered app new to this address, with no failures, gets its token too.
	newID, newSecret := registerReliabilityApp(t, ts, "New")
	if status, body := ts.token(t, form, newID, newSecret); status != 200 {
		t.Errorf("new app: %d %v", status, body)
	}
}

// A write retried with the same Idempotency-Key is written once.
func TestIdempotentWrites(t *testing.T) {
	ts := newTestServer(t, sandbox.Config{})
	body := mustJSON(t, patientRes(nhsNumber(950), "Once", "Only"))
	before := ts.count(t, "Patient")
	s1, h1, b1 := ts.do(t, "POST", "/fhir/R4/Patient", body, "Idempotency-Key", "create-once-1")
	s2, h2, b2 := ts.do(t, "POST", "/fhir/R4/Patient", body, "Idempotency-Key", "create-once-1")
	if s1 != 201 || s2 != 201 || h1.Get("Location") != h2.Get("Location") || string(b1) != string(b2) || h2.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("first %d %s, retry %d %s", s1, h1.Get("Location"), s2, h2.Get("Location"))
	}
	if n := ts.count(t, "Patient"); n != before+1 {
		t.Errorf("%d patients, want %d", n, before+1)
	}
	other := mustJSON(t, patientRes(nhsNumber(951), "Other", "Body"))
	status, _, b := ts.do(t, "POST", "/fhir/R4/Patient", other, "Idempotency-Key", "create-once-1")
	if status != 422 {
		t.Fatalf("same key, other body: %d %s", status, b)
	}
	// X-Request-ID serves as the key when there is no Idempotency-Key: a retried update
	// makes one version.
	id := decodeInfo(t, b1).ID
	upd := mustJSON(t, with(patientRes(nhsNumber(950), "Once", "Updated"), "id", id))
	for range 2 {
		if status, _, b := ts.do(t, "PUT", "/fhir/R4/Patient/"+id, upd, "X-Request-ID", "update-once-1"); status != 200 {
			t.Fatalf("update: %d %s", status, b)
		}
	}
	_, h, _ := ts.do(t, "GET", "/fhir/R4/Patient/"+id, "")
	if h.Get("ETag") != `W/"2"` {
		t.Errorf("ETag %s after a retried update, want W/\"2\"", h.Get("ETag"))
	}
}
