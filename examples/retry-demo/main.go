// Retry-demo shows how the SDK rides out a flaky service. It puts a deliberately unreliable
// proxy in front of the sandbox and reads a patient through it: the SDK retries the 503 (after
// the server's Retry-After) and the 502 (after a jittered backoff), with the same X-Request-ID,
// and succeeds. A create (POST) is not retried, since repeating it could create the patient
// twice; and a Retry-After longer than the caller's deadline ends the retries at once.
//
//	LHCR_CLIENT_SECRET=<secret from the sandbox banner> go run ./examples/retry-demo
package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gm-lhcr/lhcr/sdk"
)

func main() {
	err := run(context.Background(), os.Stdout,
		cmp.Or(os.Getenv("LHCR_FHIR_BASE_URL"), "http://localhost:8080/fhir/R4"),
		cmp.Or(os.Getenv("LHCR_CLIENT_ID"), "sandbox-test-app"),
		os.Getenv("LHCR_CLIENT_SECRET"))
	if err != nil {
		log.Fatal(err)
	}
}

// fault is one scripted failure: a status and its Retry-After ("" for none).
type fault struct {
	status     int
	retryAfter string
}

// flakyProxy passes requests to the sandbox, except that FHIR resource requests get the
// scripted faults first.
type flakyProxy struct {
	next   http.Handler
	mu     sync.Mutex
	faults []fault
	ids    []string // X-Request-ID of each resource request
}

func (p *flakyProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.Contains(r.URL.Path, "/Patient") {
		p.next.ServeHTTP(w, r)
		return
	}
	p.mu.Lock()
	p.ids = append(p.ids, r.Header.Get("X-Request-ID"))
	var f *fault
	if len(p.faults) > 0 {
		f, p.faults = &p.faults[0], p.faults[1:]
	}
	p.mu.Unlock()
	if f == nil {
		p.next.ServeHTTP(w, r)
		return
	}
	if f.retryAfter != "" {
		w.Header().Set("Retry-After", f.retryAfter)
	}
	w.Header().Set("Content-Type", "application/fhir+json")
	w.WriteHeader(f.status)
	fmt.Fprintf(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"transient","diagnostics":"the demo proxy says %d"}]}`, f.status)
}

func (p *flakyProxy) script(faults ...fault) {
	p.mu.Lock()
	p.faults, p.ids = faults, nil
	p.mu.Unlock()
}

func run(ctx context.Context, out io.Writer, baseURL, clientID, secret string) error {
	if secret == "" {
		return fmt.Errorf("set LHCR_CLIENT_SECRET to the client secret the sandbox printed at start-up")
	}
	target, err := url.Parse(baseURL)
	if err != nil {
		return err
	}
	proxy := &flakyProxy{next: httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: proxy, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	proxied := "http://" + ln.Addr().String() + target.Path

	// Retries are logged at Info: show them (without timestamps, to keep the output tidy).
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	c, err := sdk.NewClient(proxied, sdk.WithClientSecret(clientID, secret), sdk.WithLogger(logger),
		sdk.WithRetry(sdk.RetryPolicy{MaxAttempts: 4, BaseDelay: 200 * time.Millisecond, MaxDelay: 2 * time.Second}))
	if err != nil {
		return err
	}

	fmt.Fprintln(out, "1. A read through the proxy, which answers 503 (Retry-After: 1), then 502, then passes it on:")
	proxy.script(fault{503, "1"}, fault{502, ""})
	p, err := c.Patients.Get(ctx, "story-diabetes")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   read %s after %d attempts, all with X-Request-ID %s\n\n", sdk.DisplayName(p), len(proxy.ids), same(proxy.ids))

	fmt.Fprintln(out, "2. A create (POST), which the proxy answers 503: not retried.")
	proxy.script(fault{503, "1"})
	_, err = c.Patients.Create(ctx, &sdk.Patient{Name: []sdk.HumanName{{Family: sdk.String("Demo")}}})
	fmt.Fprintf(out, "   %d attempt; error: %v\n\n", len(proxy.ids), err)
	if err == nil {
		return fmt.Errorf("the create should have failed")
	}

	fmt.Fprintln(out, "3. A read with a 2-second deadline, which the proxy answers 503 with Retry-After: 30:")
	proxy.script(fault{503, "30"}, fault{503, "30"})
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err = c.Patients.Get(short, "story-diabetes")
	fmt.Fprintf(out, "   %d attempt; error: %v\n", len(proxy.ids), err)
	return nil
}

// same returns the one value of ids, or "(differing)" if they differ.
func same(ids []string) string {
	for _, id := range ids {
		if id != ids[0] {
			return "(differing)"
		}
	}
	if len(ids) == 0 {
		return "(none)"
	}
	return ids[0]
}
