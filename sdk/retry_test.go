package sdk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// flaky is a fake FHIR server: it answers each request with the next of its scripted statuses
// (then 200 with a Patient), and records what it was sent.
type flaky struct {
	mu       sync.Mutex
	script   []int             // statuses to answer, in order; 0 resets the connection
	header   map[string]string // headers on scripted failures
	requests []*http.Request
	bodies   []string
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, r)
	f.bodies = append(f.bodies, string(body))
	status := http.StatusOK
	if len(f.script) > 0 {
		status, f.script = f.script[0], f.script[1:]
	}
	f.mu.Unlock()
	switch {
	case status == 0: // a connection reset: close the TCP connection with RST
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		conn.(*net.TCPConn).SetLinger(0)
		conn.Close()
	case status >= 300:
		for k, v := range f.header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/fhir+json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"transient","diagnostics":"scripted %d"}]}`, status)
	default:
		w.Header().Set("Content-Type", "application/fhir+json")
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		io.WriteString(w, `{"resourceType":"Patient","id":"p1","meta":{"versionId":"2"}}`)
	}
}

func (f *flaky) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

// waits records the retry waits instead of sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) wait(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

// newFlakyClient returns a client of f with a static token and, when w is not nil, waits that
// are recorded instead of slept.
func newFlakyClient(t *testing.T, f *flaky, w *waits, opts ...Option) *Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	opts = append([]Option{WithTokenSource(staticToken("t0k3n"))}, opts...)
	c, err := NewClient(srv.URL+"/fhir/R4", opts...)
	if err != nil {
		t.Fatal(err)
	}
	if w != nil {
		c.http.Transport.(*headerTransport).base.(*retryTransport).wait = w.wait
	}
	return c
}

func TestRetriesTransientFailures(t *testing.T) {
	for _, status := range []int{429, 502, 503, 504, 0} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := &flaky{script: []int{status, status}}
			w := &waits{}
			c := newFlakyClient(t, f, w, WithRetry(RetryPolicy{MaxAttempts: 5, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}))
			p, err := c.Patients.Get(context.Background(), "p1")
			if err != nil || *p.ID != "p1" {
				t.Fatalf("Get: %v", err)
			}
			if f.count() != 3 {
				t.Fatalf("%d attempts, want 3", f.count())
			}
			id := f.requests[0].Header.Get("X-Request-ID")
			for _, r := range f.requests {
				if r.Header.Get("X-Request-ID") != id || id == "" {
					t.Errorf("X-Request-ID %q on a retry of %q", r.Header.Get("X-Request-ID"), id)
				}
				if r.Header.Get("Authorization") != "Bearer t0k3n" {
					t.Errorf("a retry lacks the token")
				}
			}
			if len(w.d) != 2 || w.d[0] > 100*time.Millisecond || w.d[1] > 200*time.Millisecond || w.d[0] < 0 {
				t.Errorf("waits %v: want full jitter within 100ms then 200ms", w.d)
			}
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	t.Run("seconds", func(t *testing.T) {
		f := &flaky{script: []int{429, 503}, header: map[string]string{"Retry-After": "2"}}
		w := &waits{}
		c := newFlakyClient(t, f, w)
		if _, err := c.Patients.Get(context.Background(), "p1"); err != nil {
			t.Fatal(err)
		}
		if len(w.d) != 2 || w.d[0] != 2*time.Second || w.d[1] != 2*time.Second {
			t.Errorf("waits %v, want 2s twice", w.d)
		}
	})
	t.Run("HTTP date", func(t *testing.T) {
		f := &flaky{script: []int{503}, header: map[string]string{"Retry-After": time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)}}
		w := &waits{}
		c := newFlakyClient(t, f, w)
		if _, err := c.Patients.Get(context.Background(), "p1"); err != nil {
			t.Fatal(err)
		}
		if len(w.d) != 1 || w.d[0] < time.Second || w.d[0] > 3*time.Second {
			t.Errorf("waits %v, want about 3s", w.d)
		}
	})
	t.Run("longer than MaxRetryAfter", func(t *testing.T) {
		f := &flaky{script: []int{429}, header: map[string]string{"Retry-After": "120"}}
		w := &waits{}
		c := newFlakyClient(t, f, w)
		_, err := c.Patients.Get(context.Background(), "p1")
		var fe *Error
		if !errors.As(err, &fe) || !IsRateLimited(err) || fe.RetryAfter != 2*time.Minute || f.count() != 1 || len(w.d) != 0 {
			t.Fatalf("error %v after %d attempts: want the 429 at once, with its Retry-After", err, f.count())
		}
	})
}

func TestRetriesStopAtMaxAttempts(t *testing.T) {
	f := &flaky{script: []int{503, 503, 503, 503, 503}}
	c := newFlakyClient(t, f, &waits{}, WithRetry(RetryPolicy{MaxAttempts: 3}))
	_, err := c.Patients.Get(context.Background(), "p1")
	var fe *Error
	if !errors.As(err, &fe) || fe.Status != 503 || fe.Attempts != 3 || f.count() != 3 {
		t.Fatalf("error %v, %d attempts: want 503 after 3", err, f.count())
	}
	if msg := err.Error(); !strings.Contains(msg, "scripted 503") || !strings.Contains(msg, "after 3 attempts") || !strings.Contains(msg, fe.RequestID) {
		t.Errorf("message %q", msg)
	}

	f = &flaky{script: []int{503, 503}}
	c = newFlakyClient(t, f, &waits{}, WithRetry(NoRetry))
	if _, err := c.Patients.Get(context.Background(), "p1"); statusOf(err) != 503 || f.count() != 1 {
		t.Errorf("NoRetry: %v after %d attempts", err, f.count())
	}
}

// Retries stop, with the last answer, when the next wait would pass the context's deadline;
// a cancelled context ends a wait at once. (Real waits: the deadline is real.)
func TestRetriesStopAtTheContextDeadline(t *testing.T) {
	f := &flaky{script: []int{503, 503, 503, 503, 503, 503}, header: map[string]string{"Retry-After": "1"}}
	c := newFlakyClient(t, f, nil, WithRetry(RetryPolicy{MaxAttempts: 10}))
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	_, err := c.Patients.Get(ctx, "p1")
	if n := f.count(); n < 1 || n > 2 {
		t.Errorf("%d attempts within a 1.5s deadline with Retry-After 1s, want 1 or 2", n)
	}
	if statusOf(err) != 503 {
		t.Errorf("error %v: want the last answer, the 503", err)
	}

	f = &flaky{script: []int{503, 503}, header: map[string]string{"Retry-After": "30"}}
	c = newFlakyClient(t, f, nil)
	ctx, cancel = context.WithCancel(context.Background())
	go func() {
		for f.count() == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	if _, err := c.Patients.Get(ctx, "p1"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled during a wait: %v", err)
	}
}

// Only idempotent requests are retried: POST never, PUT only with If-Match.
func TestOnlyIdempotentRequestsAreRetried(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		call     func(c *Client) error
		attempts int
	}{
		{"POST create", func(c *Client) error { _, err := c.Patients.Create(ctx, &Patient{}); return err }, 1},
		{"POST search by NHS number", func(c *Client) error { _, err := c.Patients.ByNHSNumber(ctx, "9990000018"); return err }, 1},
		{"PUT without If-Match", func(c *Client) error { _, err := c.Patients.Update(ctx, &Patient{ID: String("p1")}); return err }, 1},
		{"PUT with If-Match", func(c *Client) error {
			_, err := c.Patients.Update(ctx, &Patient{ID: String("p1"), Meta: &Meta{VersionID: String("1")}})
			return err
		}, 3},
		{"DELETE", func(c *Client) error { return c.Patients.Delete(ctx, "p1") }, 3},
		{"GET", func(c *Client) error { _, err := c.Patients.Get(ctx, "p1"); return err }, 3},
		{"GET search", func(c *Client) error { _, err := c.Patients.SearchPage(ctx, PatientQuery{}); return err }, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &flaky{script: []int{503, 503}}
			c := newFlakyClient(t, f, &waits{})
			err := tt.call(c)
			if f.count() != tt.attempts {
				t.Fatalf("%d attempts, want %d (error %v)", f.count(), tt.attempts, err)
			}
			if tt.attempts == 1 && statusOf(err) != 503 {
				t.Errorf("error %v: want the 503", err)
			}
			for i := 1; i < len(f.bodies); i++ {
				if f.bodies[i] != f.bodies[0] {
					t.Errorf("retry %d sent body %q, first %q", i, f.bodies[i], f.bodies[0])
				}
			}
			if tt.name == "PUT with If-Match" && (f.requests[2].Header.Get("If-Match") != `W/"1"` || !strings.Contains(f.bodies[2], `"resourceType":"Patient"`)) {
				t.Errorf("retried PUT: If-Match %q body %q", f.requests[2].Header.Get("If-Match"), f.bodies[2])
			}
		})
	}
}

func TestBackoffBounds(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}.withDefaults()
	for n := 1; n <= 40; n++ {
		ceil := min(time.Second, 100*time.Millisecond<<min(n-1, 30))
		seen := map[time.Duration]bool{}
		for range 200 {
			d := p.backoff(n)
			if d < 0 || d > ceil {
				t.Fatalf("backoff(%d) = %v, want within [0, %v]", n, d, ceil)
			}
			seen[d] = true
		}
		if len(seen) < 50 {
			t.Errorf("backoff(%d) took only %d values in 200 draws: not jittered", n, len(seen))
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false}, {"5", 5 * time.Second, true}, {"0", 0, true}, {"-3", 0, false}, {"soon", 0, false},
		{"Thu, 01 Jan 2026 12:00:10 GMT", 10 * time.Second, true}, {"Thu, 01 Jan 2026 11:00:00 GMT", 0, true},
	}
	for _, tt := range tests {
		if got, ok := parseRetryAfter(tt.in, now); got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSecretsNeverPrint(t *testing.T) {
	s := newSecret("hunter2-hunter2")
	for _, got := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s), fmt.Sprintf("%+v %#v", authMethod{clientID: "a", secret: s}, &config{auth: authMethod{secret: s}})} {
		if strings.Contains(got, "hunter2") {
			t.Errorf("printed %q", got)
		}
	}
}

func staticToken(tok string) oauth2.TokenSource {
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok})
}
