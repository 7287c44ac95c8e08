package limits

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a fake clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type ctxKey struct{}

func fromCtx(ctx context.Context) string { s, _ := ctx.Value(ctxKey{}).(string); return s }

func fhirRequest(app string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/fhir/R4/Patient/p1", nil)
	if app != "" {
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, app))
	}
	return r
}

var ok200 = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })

func TestRateLimit(t *testing.T) {
	clk := newClock()
	h := NewRateLimit(RateConfig{Rate: 2, Burst: 3, ClientID: fromCtx, Now: clk.Now}).Wrap(ok200)
	send := func(app string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, fhirRequest(app))
		return rec
	}
	steps := []struct {
		name    string
		advance time.Duration
		app     string
		status  int
		retry   string
	}{
		{"burst 1", 0, "a", 200, ""},
		{"burst 2", 0, "a", 200, ""},
		{"burst 3", 0, "a", 200, ""},
		{"over", 0, "a", 429, "1"},
		{"another app has its own bucket", 0, "b", 200, ""},
		{"no app: not limited", 0, "", 200, ""},
		{"half a second refills one", 500 * time.Millisecond, "a", 200, ""},
		{"and only one", 0, "a", 429, "1"},
		{"a long pause refills the burst, no more", time.Hour, "a", 200, ""},
		{"burst 2 again", 0, "a", 200, ""},
		{"burst 3 again", 0, "a", 200, ""},
		{"over again", 0, "a", 429, "1"},
	}
	for _, s := range steps {
		clk.Add(s.advance)
		rec := send(s.app)
		if rec.Code != s.status || rec.Header().Get("Retry-After") != s.retry {
			t.Fatalf("%s: %d Retry-After %q, want %d %q", s.name, rec.Code, rec.Header().Get("Retry-After"), s.status, s.retry)
		}
		if s.status == 429 {
			var oo struct {
				ResourceType string
				Issue        []struct{ Code string }
			}
			if json.Unmarshal(rec.Body.Bytes(), &oo) != nil || oo.ResourceType != "OperationOutcome" || oo.Issue[0].Code != "throttled" {
				t.Errorf("%s: body %s", s.name, rec.Body)
			}
		}
	}
}

func TestRateLimitOffAndSlowRetryAfter(t *testing.T) {
	off := NewRateLimit(RateConfig{Rate: -1, Burst: 1, ClientID: fromCtx})
	for range 10 {
		if ok, _ := off.Allow("a"); !ok {
			t.Fatal("a negative rate limits")
		}
	}
	slow := NewRateLimit(RateConfig{Rate: 0.1, Burst: 1, Now: newClock().Now})
	slow.Allow("a")
	if ok, wait := slow.Allow("a"); ok || retryAfter(wait) != 10 {
		t.Errorf("ok %v, Retry-After %d, want 10", ok, retryAfter(wait))
	}
}

func TestRateLimitBoundedMemory(t *testing.T) {
	clk := newClock()
	l := NewRateLimit(RateConfig{Rate: 10, Burst: 10, MaxEntries: 50, Now: clk.Now})
	for i := range 1000 {
		l.Allow(fmt.Sprint("app-", i))
	}
	if n := l.m.len(); n != 50 {
		t.Errorf("%d entries, want the cap 50", n)
	}
	clk.Add(time.Hour)
	l.Allow("late")
	if n := l.m.len(); n != 1 {
		t.Errorf("%d entries after an idle hour, want 1", n)
	}
}

// fakeToken is a token endpoint: good credentials are client id "good-<n>" with secret "s".
type fakeToken struct{ seen []url.Values }

func (f *fakeToken) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if err := r.ParseForm(); err != nil {
		w.WriteHeader(400)
		return
	}
	f.seen = append(f.seen, r.PostForm)
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if strings.HasPrefix(id, "good") && secret == "s" {
		w.Write([]byte(`{"access_token":"t"}`))
		return
	}
	w.WriteHeader(http.StatusUnauthorized)
	w.Write([]byte(`{"error":"invalid_client"}`))
}

func tokenReq(addr, id, secret string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = addr + ":5555"
	r.SetBasicAuth(id, secret)
	return r
}

func known(id string) bool { return strings.HasPrefix(id, "good") || strings.HasPrefix(id, "victim") }

func TestTokenGuard(t *testing.T) {
	type step struct {
		name           string
		advance        time.Duration
		addr, id, pass string
		times          int
		status         int // of the last
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"guessing one client's secret", []step{
			{name: "the app gets a token from its office", addr: "10.0.0.1", id: "good-1", pass: "s", times: 1, status: 200},
			{name: "20 guesses from elsewhere", addr: "6.6.6.6", id: "good-1", pass: "x", times: 20, status: 401},
			{name: "the 21st is refused unchecked", addr: "6.6.6.6", id: "good-1", pass: "s", times: 1, status: 429},
			{name: "from a third address too", addr: "7.7.7.7", id: "good-1", pass: "s", times: 1, status: 429},
			{name: "the app at its office still gets tokens", addr: "10.0.0.1", id: "good-1", pass: "s", times: 3, status: 200},
			{name: "another app from the attacker's address is unaffected", addr: "6.6.6.6", id: "good-2", pass: "s", times: 1, status: 200},
			{name: "after the window, guesses are answered again", advance: DefaultWindow, addr: "6.6.6.6", id: "good-1", pass: "x", times: 1, status: 401},
		}},
		{"spraying client ids from one address", []step{
			{name: "good-9 authenticated here before", addr: "10.0.0.9", id: "good-9", pass: "s", times: 1, status: 200},
			{name: "20 unknown ids fail", addr: "10.0.0.9", id: "spray", pass: "x", times: 20, status: 401},
			{name: "unknown ids are refused", addr: "10.0.0.9", id: "spray-more", pass: "x", times: 1, status: 429},
			{name: "no client id is refused", addr: "10.0.0.9", id: "", pass: "", times: 1, status: 429},
			{name: "an app that authenticated here still gets tokens", addr: "10.0.0.9", id: "good-9", pass: "s", times: 2, status: 200},
			{name: "a registered app new to this address gets tokens too", addr: "10.0.0.9", id: "good-new", pass: "s", times: 1, status: 200},
			{name: "guessing a registered app's secret fails once", addr: "10.0.0.9", id: "victim-1", pass: "x", times: 1, status: 401},
			{name: "then that app is refused from this address", addr: "10.0.0.9", id: "victim-1", pass: "x", times: 1, status: 429},
			{name: "other addresses are unaffected", addr: "10.0.0.10", id: "spray-more", pass: "x", times: 1, status: 401},
			{name: "one failure leaves the window, one more guess", advance: DefaultWindow, addr: "10.0.0.9", id: "spray-2", pass: "x", times: 1, status: 401},
		}},
		{"a good client beside an attacker", []step{
			{name: "the attacker fails 25 times with its own ids", addr: "192.0.2.1", id: "x", pass: "x", times: 25, status: 429},
			{name: "a good client at the same address gets a token", addr: "192.0.2.1", id: "good-3", pass: "s", times: 5, status: 200},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk := newClock()
			next := &fakeToken{}
			h := NewTokenGuard(GuardConfig{Known: known, Now: clk.Now}).Wrap(next)
			for _, s := range c.steps {
				clk.Add(s.advance)
				var rec *httptest.ResponseRecorder
				for i := range s.times {
					id := s.id
					if strings.HasPrefix(id, "spray") || id == "x" {
						id = fmt.Sprintf("%s-%d", id, i)
					}
					rec = httptest.NewRecorder()
					req := tokenReq(s.addr, id, s.pass)
					if s.id == "" {
						req.Header.Del("Authorization")
					}
					h.ServeHTTP(rec, req)
				}
				if rec.Code != s.status {
					t.Fatalf("%s: %d %s, want %d", s.name, rec.Code, rec.Body, s.status)
				}
				if rec.Code == 429 {
					var e struct{ Error, ErrorDescription string }
					if json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error != "invalid_request" || rec.Header().Get("Retry-After") == "" ||
						rec.Header().Get("Cache-Control") != "no-store" {
						t.Errorf("%s: 429 %v %s", s.name, rec.Header(), rec.Body)
					}
				}
			}
		})
	}
}

func TestTokenGuardRetryAfter(t *testing.T) {
	clk := newClock()
	h := NewTokenGuard(GuardConfig{MaxFailures: 2, Now: clk.Now}).Wrap(&fakeToken{})
	h.ServeHTTP(httptest.NewRecorder(), tokenReq("1.1.1.1", "v", "x"))
	clk.Add(time.Minute)
	h.ServeHTTP(httptest.NewRecorder(), tokenReq("1.1.1.1", "v", "x"))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, tokenReq("1.1.1.2", "v", "x"))
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "240" {
		t.Errorf("%d Retry-After %q, want 429 240 (the first failure leaves the window in 4 minutes)", rec.Code, rec.Header().Get("Retry-After"))
	}
}

func assertion(sub string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"ES384"}`)) + "." + enc([]byte(`{"iss":"`+sub+`","sub":"`+sub+`"}`)) + ".sig"
}

// The guard finds the client id wherever the request puts it, and the endpoint still reads
// the whole form.
func TestTokenGuardClientID(t *testing.T) {
	cases := []struct {
		name string
		req  func() *http.Request
		want string
	}{
		{"basic", func() *http.Request { return tokenReq("1.2.3.4", "app-1", "s") }, "app-1"},
		{"basic, form-encoded user", func() *http.Request { return tokenReq("1.2.3.4", "app%3A1", "s") }, "app:1"},
		{"post", func() *http.Request { return formReq("client_id=app-2&client_secret=s&grant_type=client_credentials") }, "app-2"},
		{"assertion", func() *http.Request {
			return formReq("grant_type=client_credentials&client_assertion=" + assertion("app-3"))
		}, "app-3"},
		{"garbage assertion", func() *http.Request { return formReq("client_assertion=a.%%%.c") }, ""},
		{"none", func() *http.Request { return formReq("grant_type=client_credentials") }, ""},
		{"huge id is cut", func() *http.Request { return formReq("client_id=" + strings.Repeat("a", 5000)) }, strings.Repeat("a", maxIDLen)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.req()
			before := ""
			if r.Body != nil {
				b, _ := io.ReadAll(r.Body)
				before = string(b)
				r.Body = io.NopCloser(strings.NewReader(before))
			}
			if got := clientID(r); got != c.want {
				t.Errorf("client id %q, want %q", got, c.want)
			}
			after, _ := io.ReadAll(r.Body)
			if string(after) != before {
				t.Errorf("the endpoint reads %q, want %q", after, before)
			}
		})
	}
}

func formReq(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// Paths other than the token endpoint, and other methods, pass untouched and uncounted.
func TestTokenGuardOtherPaths(t *testing.T) {
	g := NewTokenGuard(GuardConfig{MaxFailures: 1, MaxAddressFailures: 1})
	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(401) })
	h := g.Wrap(deny)
	for _, r := range []*http.Request{
		httptest.NewRequest(http.MethodGet, "/oauth2/token", nil),
		httptest.NewRequest(http.MethodPost, "/oauth2/jwks", nil),
		httptest.NewRequest(http.MethodGet, "/fhir/R4/Patient", nil),
		httptest.NewRequest(http.MethodPost, "/developer/v1/apps", nil),
	} {
		for range 3 {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != 401 {
				t.Fatalf("%s %s: %d", r.Method, r.URL, rec.Code)
			}
		}
	}
	if g.Entries() != 0 {
		t.Errorf("%d entries, want 0", g.Entries())
	}
}

func TestTokenGuardBoundedMemory(t *testing.T) {
	clk := newClock()
	g := NewTokenGuard(GuardConfig{MaxEntries: 100, Now: clk.Now})
	h := g.Wrap(&fakeToken{})
	for i := range 2000 {
		h.ServeHTTP(httptest.NewRecorder(), tokenReq(fmt.Sprintf("10.%d.%d.1", i/256, i%256), fmt.Sprint("c", i), "x"))
	}
	if n := g.Entries(); n > 200 {
		t.Errorf("%d entries, want at most 200 (clients + addresses)", n)
	}
	clk.Add(DefaultWindow + time.Second)
	h.ServeHTTP(httptest.NewRecorder(), tokenReq("10.9.9.9", "good-1", "s"))
	if n := g.Entries(); n != 1 {
		t.Errorf("%d entries after the window, want 1 (the good pair)", n)
	}
}

// Concurrent use is safe (run with -race).
func TestConcurrent(t *testing.T) {
	g := NewTokenGuard(GuardConfig{}).Wrap(&lockedToken{})
	l := NewRateLimit(RateConfig{ClientID: fromCtx}).Wrap(ok200)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			for j := range 50 {
				g.ServeHTTP(httptest.NewRecorder(), tokenReq(fmt.Sprint("10.0.0.", i), fmt.Sprint("c", j), "x"))
				l.ServeHTTP(httptest.NewRecorder(), fhirRequest(fmt.Sprint("app", j%3)))
			}
		})
	}
	wg.Wait()
}

type lockedToken struct {
	mu sync.Mutex
	f  fakeToken
}

func (l *lockedToken) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.f.ServeHTTP(w, r)
}

// Introspection and revocation authenticate clients too: guessing a secret there counts.
func TestTokenGuardIntrospectAndRevoke(t *testing.T) {
	h := NewTokenGuard(GuardConfig{MaxFailures: 2}).Wrap(&fakeToken{})
	for _, path := range []string{"/oauth2/introspect", "/oauth2/revoke"} {
		r := tokenReq("1.1.1.1", "v", "x")
		r.URL.Path = path
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, tokenReq("1.1.1.1", "v", "s"))
	if rec.Code != 429 {
		t.Errorf("%d, want 429 after two failures at introspect and revoke", rec.Code)
	}
}
