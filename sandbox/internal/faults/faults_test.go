package faults

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeNext stands for the FHIR API: it answers a stored patient (or a Bundle of it) and records
// that it was called and with which Prefer header.
type fakeNext struct {
	mu     sync.Mutex
	calls  int
	prefer []string
}

const storedPatient = `{"resourceType":"Patient","id":"p1","meta":{"versionId":"3"},` +
	`"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9990000018"}],` +
	`"telecom":[{"system":"phone","value":"1"}],"address":[{"city":"Bury"}],` +
	`"generalPractitioner":[{"reference":"Organization/o1"}],"extension":[{"url":"x","valueDecimal":1.000000000000000001}]}`

func (f *fakeNext) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls++
	f.prefer = r.Header.Values("Prefer")
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/fhir+json")
	w.Header().Set("ETag", `W/"3"`)
	if strings.HasPrefix(r.URL.Path, "/fhir/R4/Observation") {
		w.Write([]byte(`{"resourceType":"Observation","id":"o1","status":"final"}`))
		return
	}
	if r.URL.Path == "/fhir/R4/Patient" {
		w.Write([]byte(`{"resourceType":"Bundle","type":"searchset","entry":[{"resource":` + storedPatient + `}]}`))
		return
	}
	w.Write([]byte(storedPatient))
}

// noSleep records the waits instead of sleeping.
type noSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (n *noSleep) Sleep(ctx context.Context, d time.Duration) error {
	n.mu.Lock()
	n.waits = append(n.waits, d)
	n.mu.Unlock()
	return ctx.Err()
}

type oo struct {
	ResourceType string
	Issue        []struct{ Code, Diagnostics string }
}

func TestScenarios(t *testing.T) {
	cases := []struct {
		name, method, target, prefer string
		status                       int
		code                         string // OperationOutcome issue code, if an error
		retryAfter                   string
		wait                         time.Duration
		nextCalled                   bool
		diag                         string // part of the diagnostics
	}{
		{name: "no scenario", target: "/fhir/R4/Patient/p1", status: 200, nextCalled: true},
		{name: "other preferences untouched", target: "/fhir/R4/Patient/p1", prefer: "return=minimal", status: 200, nextCalled: true},
		{name: "429", target: "/fhir/R4/Patient/p1", prefer: "lhcr-simulate=429", status: 429, code: "throttled", retryAfter: "1"},
		{name: "503", target: "/fhir/R4/Observation?code=x", prefer: "lhcr-simulate=503", status: 503, code: "transient", retryAfter: "1"},
		{name: "503 quoted, among others", target: "/fhir/R4/Patient/p1", prefer: `handling=strict, lhcr-simulate="503"`, status: 503, code: "transient", retryAfter: "1"},
		{name: "504 after", target: "/fhir/R4/Patient/p1", prefer: "lhcr-simulate=504-after=250", status: 504, code: "timeout", wait: 250 * time.Millisecond},
		{name: "latency", target: "/fhir/R4/Patient/p1", prefer: "lhcr-simulate=latency=1200", status: 200, wait: 1200 * time.Millisecond, nextCalled: true},
		{name: "latency 0", target: "/fhir/R4/Patient/p1", prefer: "lhcr-simulate=latency=0", status: 200, nextCalled: true},
		{name: "timeout", target: "/fhir/R4/Patient/p1", prefer: "lhcr-simulate=timeout", status: 504, code: "timeout", wait: DefaultTimeoutCap},
		{name: "412 on a write", method: "PUT", target: "/fhir/R4/Patient/p1", prefer: "lhcr-simulate=412", status: 412, code: "conflict"},
		{name: "invalid token", target: "/fhir/R4/Patient/p1", prefer: "lhcr-simulate=invalid-token", status: 401, code: "expired"},
		{name: "unknown scenario", target: "/fhir/R4/Patient/p1", prefer: "lhcr-simulate=500", status: 400, code: "invalid", diag: "429, 503, 504-after=<ms>"},
		{name: "latency over the bound", target: "/fhir/R4/Patient/p1", prefer: "lhcr-simulate=latency=10001", status: 400, code: "invalid", diag: "0 to 10000"},
		{name: "latency negative", target: "/fhir/R4/Patient/p1", prefer: "lhcr-simulate=latency=-1", status: 400, code: "invalid"},
		{name: "latency not a number", target: "/fhir/R4/Patient/p1", prefer: "lhcr-simulate=latency=1e3", status: 400, code: "invalid"},
		{name: "latency without a value", target: "/fhir/R4/Patient/p1", prefer: "lhcr-simulate=latency", status: 400, code: "invalid"},
		{name: "504-after huge", target: "/fhir/R4/Patient/p1", prefer: "lhcr-simulate=504-after=99999999999999999999", status: 400, code: "invalid"},
		{name: "value on a plain scenario", target: "/fhir/R4/Patient/p1", prefer: "lhcr-simulate=503=1", status: 400, code: "invalid"},
		{name: "sensitive on Observation", target: "/fhir/R4/Observation/o1", prefer: "lhcr-simulate=sensitive-patient", status: 400, code: "invalid"},
		{name: "magic 503", target: "/fhir/R4/Patient/simulate-503", status: 503, code: "transient", retryAfter: "1"},
		{name: "magic 429 by search", target: "/fhir/R4/Patient?_id=simulate-429", status: 429, code: "throttled", retryAfter: "1"},
		{name: "magic 504 after", target: "/fhir/R4/Patient/simulate-504-after-300", status: 504, code: "timeout", wait: 300 * time.Millisecond},
		{name: "magic latency", target: "/fhir/R4/Patient/simulate-latency-40", status: 200, wait: 40 * time.Millisecond},
		{name: "magic unknown", target: "/fhir/R4/Patient/simulate-teapot", status: 400, code: "invalid", diag: "superseded-nhs-number"},
		{name: "magic over the bound", target: "/fhir/R4/Patient/simulate-latency-20000", status: 400, code: "invalid"},
		{name: "magic invalid token", target: "/fhir/R4/Patient/simulate-invalid-token", status: 401, code: "expired"},
		{name: "magic prefix elsewhere is not magic", target: "/fhir/R4/Observation/simulate-503", status: 200, nextCalled: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ns := &noSleep{}
			next := &fakeNext{}
			h := New(Config{Sleep: ns.Sleep}).Wrap(next)
			method := c.method
			if method == "" {
				method = http.MethodGet
			}
			req := httptest.NewRequest(method, c.target, nil)
			if c.prefer != "" {
				req.Header.Set("Prefer", c.prefer)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			if (next.calls > 0) != c.nextCalled {
				t.Errorf("next called %d times, want called=%v", next.calls, c.nextCalled)
			}
			for _, p := range next.prefer {
				if strings.Contains(p, PreferName) {
					t.Errorf("the simulate preference reached the API: %q", p)
				}
			}
			if c.prefer == "return=minimal" && (len(next.prefer) != 1 || next.prefer[0] != "return=minimal") {
				t.Errorf("Prefer passed on as %q", next.prefer)
			}
			if got := rec.Header().Get("Retry-After"); got != c.retryAfter {
				t.Errorf("Retry-After %q, want %q", got, c.retryAfter)
			}
			var wantWaits []time.Duration
			if c.wait > 0 {
				wantWaits = []time.Duration{c.wait}
			}
			if len(ns.waits) != len(wantWaits) || len(wantWaits) == 1 && ns.waits[0] != wantWaits[0] {
				t.Errorf("waited %v, want %v", ns.waits, wantWaits)
			}
			if c.code == "" {
				return
			}
			var o oo
			if err := json.Unmarshal(rec.Body.Bytes(), &o); err != nil || o.ResourceType != "OperationOutcome" || len(o.Issue) != 1 {
				t.Fatalf("not an OperationOutcome: %s", rec.Body)
			}
			if o.Issue[0].Code != c.code || !strings.Contains(o.Issue[0].Diagnostics, c.diag) {
				t.Errorf("issue %+v, want code %s with %q", o.Issue[0], c.code, c.diag)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
				t.Errorf("Content-Type %q", ct)
			}
			if c.status == 401 && !strings.Contains(rec.Header().Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Errorf("WWW-Authenticate %q", rec.Header().Get("WWW-Authenticate"))
			}
		})
	}
}

// A client that gives up ends the wait at once, and nothing is written.
func TestClientGivesUp(t *testing.T) {
	for _, prefer := range []string{"lhcr-simulate=timeout", "lhcr-simulate=504-after=10000", "lhcr-simulate=latency=10000"} {
		t.Run(prefer, func(t *testing.T) {
			next := &fakeNext{}
			h := New(Config{}).Wrap(next)
			ctx, cancel := context.WithCancel(context.Background())
			req := httptest.NewRequest(http.MethodGet, "/fhir/R4/Patient/p1", nil).WithContext(ctx)
			req.Header.Set("Prefer", prefer)
			rec := httptest.NewRecorder()
			done := make(chan struct{})
			go func() { h.ServeHTTP(rec, req); close(done) }()
			cancel()
			<-done
			if next.calls != 0 || rec.Body.Len() != 0 {
				t.Errorf("after the client left: next called %d times, body %q", next.calls, rec.Body)
			}
		})
	}
}

// The real sleep waits at least as long as asked (a lower bound only).
func TestLatencyWaits(t *testing.T) {
	h := New(Config{}).Wrap(&fakeNext{})
	req := httptest.NewRequest(http.MethodGet, "/fhir/R4/Patient/p1", nil)
	req.Header.Set("Prefer", "lhcr-simulate=latency=30")
	start := time.Now()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if el := time.Since(start); el < 30*time.Millisecond || rec.Code != 200 {
		t.Errorf("%d after %v, want 200 after at least 30ms", rec.Code, el)
	}
}

func decodePatient(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return p
}

func checkSensitive(t *testing.T, p map[string]any) {
	t.Helper()
	for _, k := range []string{"address", "telecom", "generalPractitioner"} {
		if _, ok := p[k]; ok {
			t.Errorf("a sensitive patient shows %s", k)
		}
	}
	sec, _ := p["meta"].(map[string]any)["security"].([]any)
	if len(sec) != 1 || sec[0].(map[string]any)["code"] != Restricted || sec[0].(map[string]any)["system"] != ConfidentialitySystem {
		t.Errorf("meta.security %v", sec)
	}
}

func checkSuperseded(t *testing.T, p map[string]any) {
	t.Helper()
	id := p["identifier"].([]any)[0].(map[string]any)
	if id["use"] != "old" {
		t.Errorf("identifier %v: want use old", id)
	}
	link, _ := p["link"].([]any)
	if len(link) != 1 || link[0].(map[string]any)["type"] != "replaced-by" ||
		link[0].(map[string]any)["other"].(map[string]any)["reference"] != "Patient/"+SuccessorID {
		t.Errorf("link %v", link)
	}
}

func TestPatientScenarios(t *testing.T) {
	cases := []struct {
		name, target, prefer string
		check                func(*testing.T, map[string]any)
	}{
		{"sensitive read", "/fhir/R4/Patient/p1", "lhcr-simulate=sensitive-patient", checkSensitive},
		{"superseded read", "/fhir/R4/Patient/p1", "lhcr-simulate=superseded-nhs-number", checkSuperseded},
		{"sensitive search", "/fhir/R4/Patient?name=x", "lhcr-simulate=sensitive-patient", checkSensitive},
		{"superseded search", "/fhir/R4/Patient?name=x", "lhcr-simulate=superseded-nhs-number", checkSuperseded},
		{"magic sensitive", "/fhir/R4/Patient/simulate-sensitive-patient", "", checkSensitive},
		{"magic superseded", "/fhir/R4/Patient/simulate-superseded-nhs-number", "", checkSuperseded},
		{"magic sensitive search", "/fhir/R4/Patient?_id=simulate-sensitive-patient", "", checkSensitive},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := New(Config{}).Wrap(&fakeNext{})
			req := httptest.NewRequest(http.MethodGet, c.target, nil)
			if c.prefer != "" {
				req.Header.Set("Prefer", c.prefer)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if rec.Header().Get("Content-Length") != "" && rec.Header().Get("Content-Length") != itoa(rec.Body.Len()) {
				t.Errorf("Content-Length %s for %d bytes", rec.Header().Get("Content-Length"), rec.Body.Len())
			}
			p := decodePatient(t, rec.Body.Bytes())
			if p["resourceType"] == "Bundle" {
				p = p["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)
			}
			c.check(t, p)
			if c.prefer != "" && !strings.Contains(rec.Body.String(), "1.000000000000000001") {
				t.Errorf("a decimal lost its precision: %s", rec.Body)
			}
		})
	}
}

// The successor of a superseded magic patient is readable and carries the new number.
func TestSuccessor(t *testing.T) {
	h := New(Config{}).Wrap(&fakeNext{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/fhir/R4/Patient/"+SuccessorID, nil))
	p := decodePatient(t, rec.Body.Bytes())
	id := p["identifier"].([]any)[0].(map[string]any)
	if rec.Code != 200 || id["value"] != SuccessorNHSNumber || id["use"] != nil {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}

// An error from the API passes through a patient scenario unchanged.
func TestPatientScenarioKeepsErrors(t *testing.T) {
	h := New(Config{}).Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/fhir+json")
		w.WriteHeader(404)
		w.Write([]byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found"}]}`))
	}))
	req := httptest.NewRequest(http.MethodGet, "/fhir/R4/Patient/nope", nil)
	req.Header.Set("Prefer", "lhcr-simulate=sensitive-patient")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 404 || strings.Contains(rec.Body.String(), "security") {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// A POST search by a magic _id is simulated; any other POST search reaches the API whole.
func TestPostSearch(t *testing.T) {
	var got string
	h := New(Config{}).Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		got = r.PostForm.Encode()
	}))
	for _, c := range []struct{ body, want string }{
		{"_id=simulate-503", ""},
		{"name=smith&_id=p1", "_id=p1&name=smith"},
	} {
		req := httptest.NewRequest(http.MethodPost, "/fhir/R4/Patient/_search", strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		got = ""
		h.ServeHTTP(rec, req)
		if got != c.want || c.want == "" && rec.Code != 503 {
			t.Errorf("%s: %d, the API read %q, want %q", c.body, rec.Code, got, c.want)
		}
	}
}
