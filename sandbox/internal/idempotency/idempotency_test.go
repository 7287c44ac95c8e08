package idempotency

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type ctxKey struct{}

func appOf(ctx context.Context) string { s, _ := ctx.Value(ctxKey{}).(string); return s }

// api is a fake FHIR API: every write creates a new version; status can be forced.
type fakeAPI struct {
	writes atomic.Int32
	status int
	gate   chan struct{} // when set, writes wait on it
}

func (a *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.gate != nil {
		<-a.gate
	}
	b, _ := io.ReadAll(r.Body)
	n := a.writes.Add(1)
	w.Header().Set("Content-Type", "application/fhir+json")
	w.Header().Set("Location", fmt.Sprintf("/fhir/R4/Patient/p%d/_history/1", n))
	w.Header().Set("ETag", `W/"1"`)
	st := a.status
	if st == 0 {
		st = http.StatusCreated
	}
	w.WriteHeader(st)
	fmt.Fprintf(w, `{"resourceType":"Patient","id":"p%d","sent":%q}`, n, b)
}

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func send(h http.Handler, app, method, target, body string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if app != "" {
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, app))
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func TestIdempotency(t *testing.T) {
	const p = "/fhir/R4/Patient"
	type step struct {
		name                string
		advance             time.Duration
		app, method, target string
		body                string
		header              []string
		status              int
		writes              int32 // total writes so far
		replayed            bool
	}
	k1 := []string{KeyHeader, "key-1"}
	cases := []struct {
		name   string
		status int // the fake API's status
		steps  []step
	}{
		{"a retried create is created once", 0, []step{
			{name: "first", app: "a", method: "POST", target: p, body: `{"n":1}`, header: k1, status: 201, writes: 1},
			{name: "retry", app: "a", method: "POST", target: p, body: `{"n":1}`, header: k1, status: 201, writes: 1, replayed: true},
			{name: "same key, other body", app: "a", method: "POST", target: p, body: `{"n":2}`, header: k1, status: 422, writes: 1},
			{name: "same key, other path", app: "a", method: "PUT", target: p + "/x", body: `{"n":1}`, header: k1, status: 422, writes: 1},
			{name: "same key, other precondition", app: "a", method: "POST", target: p, body: `{"n":1}`, header: append(k1, "If-None-Exist", "identifier=x"), status: 422, writes: 1},
			{name: "another app's key is its own", app: "b", method: "POST", target: p, body: `{"n":1}`, header: k1, status: 201, writes: 2},
			{name: "a new key writes", app: "a", method: "POST", target: p, body: `{"n":1}`, header: []string{KeyHeader, "key-2"}, status: 201, writes: 3},
			{name: "no key writes", app: "a", method: "POST", target: p, body: `{"n":1}`, status: 201, writes: 4},
			{name: "no key writes again", app: "a", method: "POST", target: p, body: `{"n":1}`, status: 201, writes: 5},
			{name: "no app: not deduplicated", method: "POST", target: p, body: `{"n":1}`, header: k1, status: 201, writes: 6},
			{name: "within the TTL", advance: 23 * time.Hour, app: "a", method: "POST", target: p, body: `{"n":1}`, header: k1, status: 201, writes: 6, replayed: true},
			{name: "after the TTL the key is new", advance: 2 * time.Hour, app: "a", method: "POST", target: p, body: `{"n":2}`, header: k1, status: 201, writes: 7},
		}},
		{"X-Request-ID serves when there is no Idempotency-Key", 0, []step{
			{name: "first", app: "a", method: "PUT", target: p + "/x", body: `{}`, header: []string{"X-Request-ID", "req-1"}, status: 201, writes: 1},
			{name: "retry", app: "a", method: "PUT", target: p + "/x", body: `{}`, header: []string{"X-Request-ID", "req-1"}, status: 201, writes: 1, replayed: true},
			{name: "delete", app: "a", method: "DELETE", target: p + "/x", header: []string{"X-Request-ID", "req-2"}, status: 201, writes: 2},
			{name: "delete retried", app: "a", method: "DELETE", target: p + "/x", header: []string{"X-Request-ID", "req-2"}, status: 201, writes: 2, replayed: true},
		}},
		{"reads and searches pass", 0, []step{
			{name: "GET", app: "a", method: "GET", target: p + "/x", header: k1, status: 201, writes: 1},
			{name: "GET again", app: "a", method: "GET", target: p + "/x", header: k1, status: 201, writes: 2},
			{name: "POST search", app: "a", method: "POST", target: p + "/_search", header: k1, status: 201, writes: 3},
			{name: "POST search again", app: "a", method: "POST", target: p + "/_search", header: k1, status: 201, writes: 4},
			{name: "not FHIR", app: "a", method: "POST", target: "/developer/v1/apps", header: k1, status: 201, writes: 5},
		}},
		{"bad keys", 0, []step{
			{name: "too long", app: "a", method: "POST", target: p, header: []string{KeyHeader, strings.Repeat("k", 256)}, status: 400, writes: 0},
			{name: "control character", app: "a", method: "POST", target: p, header: []string{KeyHeader, "a\tb"}, status: 400, writes: 0},
			{name: "a bad X-Request-ID is ignored", app: "a", method: "POST", target: p, header: []string{"X-Request-ID", "a b"}, status: 201, writes: 1},
		}},
		{"server errors are not stored", 503, []step{
			{name: "first", app: "a", method: "POST", target: p, body: `{}`, header: k1, status: 503, writes: 1},
			{name: "retry is a new attempt", app: "a", method: "POST", target: p, body: `{}`, header: k1, status: 503, writes: 2},
		}},
		{"client errors are stored", 412, []step{
			{name: "first", app: "a", method: "PUT", target: p + "/x", body: `{}`, header: k1, status: 412, writes: 1},
			{name: "retry", app: "a", method: "PUT", target: p + "/x", body: `{}`, header: k1, status: 412, writes: 1, replayed: true},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			a := &fakeAPI{status: c.status}
			h := New(Config{ClientID: appOf, Now: clk.Now}).Wrap(a)
			firsts := map[string]*httptest.ResponseRecorder{} // by app and key
			for _, s := range c.steps {
				who := s.app + fmt.Sprint(s.header)
				clk.t = clk.t.Add(s.advance)
				rec := send(h, s.app, s.method, s.target, s.body, s.header...)
				if rec.Code != s.status || a.writes.Load() != s.writes {
					t.Fatalf("%s: %d after %d writes, want %d after %d: %s", s.name, rec.Code, a.writes.Load(), s.status, s.writes, rec.Body)
				}
				if got := rec.Header().Get(ReplayedHeader) == "true"; got != s.replayed {
					t.Errorf("%s: replayed %v", s.name, got)
				}
				first := firsts[who]
				if s.replayed && (rec.Body.String() != first.Body.String() || rec.Header().Get("Location") != first.Header().Get("Location") ||
					rec.Header().Get("ETag") != first.Header().Get("ETag")) {
					t.Errorf("%s: replay %v %s, first %v %s", s.name, rec.Header(), rec.Body, first.Header(), first.Body)
				}
				if s.status == 422 && !strings.Contains(rec.Body.String(), "OperationOutcome") {
					t.Errorf("%s: %s", s.name, rec.Body)
				}
				if !s.replayed && rec.Code != 422 {
					firsts[who] = rec
				}
			}
		})
	}
}

// A retry while the first request is still running gets 409, and the body reaches the API whole.
func TestInFlight(t *testing.T) {
	a := &fakeAPI{gate: make(chan struct{})}
	st := New(Config{ClientID: appOf})
	h := st.Wrap(a)
	var wg sync.WaitGroup
	var first *httptest.ResponseRecorder
	wg.Go(func() { first = send(h, "a", "POST", "/fhir/R4/Patient", `{"x":1}`, KeyHeader, "k") })
	// Wait until the first request holds the key.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		if st.Len() == 1 || time.Now().After(deadline) {
			break
		}
	}
	second := send(h, "a", "POST", "/fhir/R4/Patient", `{"x":1}`, KeyHeader, "k")
	close(a.gate)
	wg.Wait()
	if second.Code != http.StatusConflict || second.Header().Get("Retry-After") == "" || first.Code != 201 {
		t.Errorf("first %d, second %d %s", first.Code, second.Code, second.Body)
	}
	if !strings.Contains(first.Body.String(), `{\"x\":1}`) {
		t.Errorf("the API read %s", first.Body)
	}
}

func TestBounded(t *testing.T) {
	s := New(Config{ClientID: appOf, MaxEntries: 10, MaxResponseBytes: 100})
	h := s.Wrap(&fakeAPI{})
	for i := range 100 {
		send(h, "a", "POST", "/fhir/R4/Patient", `{}`, KeyHeader, fmt.Sprint("k", i))
	}
	if s.Len() != 10 {
		t.Errorf("%d keys, want 10", s.Len())
	}
	// A response over MaxResponseBytes is not kept: its retry writes again.
	big := strings.Repeat("x", 200)
	a := &fakeAPI{}
	h = New(Config{ClientID: appOf, MaxResponseBytes: 100}).Wrap(a)
	send(h, "a", "POST", "/fhir/R4/Patient", big, KeyHeader, "big")
	send(h, "a", "POST", "/fhir/R4/Patient", big, KeyHeader, "big")
	if a.writes.Load() != 2 {
		t.Errorf("%d writes, want 2", a.writes.Load())
	}
}
