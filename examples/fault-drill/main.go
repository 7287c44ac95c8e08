// Fault-drill runs every failure the sandbox can simulate (docs/testing-your-app.md) through
// the Go SDK, and shows what the SDK does with each: which ones it retries (429, 503, 504 on a
// read), how the error reads when the failure persists, and what a restricted or superseded
// patient looks like. It uses the magic Patient ids (Patient/simulate-<scenario>), which need no
// special header.
//
//	LHCR_CLIENT_SECRET=<secret from the sandbox banner> go run ./examples/fault-drill
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
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

// drill is one scenario and how long the caller is prepared to wait for it.
type drill struct {
	id       string
	deadline time.Duration
	what     string
}

var drills = []drill{
	{"simulate-429", 10 * time.Second, "throttled: retried after Retry-After, then reported as rate limited"},
	{"simulate-503", 10 * time.Second, "unavailable: retried after Retry-After, then reported"},
	{"simulate-504-after-100", 10 * time.Second, "upstream timeout: retried with backoff, then reported"},
	{"simulate-timeout", 2 * time.Second, "a hang: the context deadline ends the wait"},
	{"simulate-latency-300", 10 * time.Second, "slow but fine: succeeds"},
	{"simulate-412", 10 * time.Second, "a lost If-Match race: not retried (re-read and reapply)"},
	{"simulate-invalid-token", 10 * time.Second, "an expired token: reported as unauthorized"},
	{"simulate-sensitive-patient", 10 * time.Second, "a restricted record: contact details and GP withheld"},
	{"simulate-superseded-nhs-number", 10 * time.Second, "a merged record: follow replaced-by"},
}

func run(ctx context.Context, out io.Writer, base, clientID, secret string) error {
	if secret == "" {
		return errors.New("set LHCR_CLIENT_SECRET to the client secret the sandbox printed at start-up")
	}
	c, err := sdk.NewClient(base, sdk.WithClientSecret(clientID, secret),
		sdk.WithRetry(sdk.RetryPolicy{MaxAttempts: 3, BaseDelay: 50 * time.Millisecond, MaxRetryAfter: 5 * time.Second}))
	if err != nil {
		return err
	}
	for _, d := range drills {
		dctx, cancel := context.WithTimeout(ctx, d.deadline)
		start := time.Now()
		p, err := c.Patients.Get(dctx, d.id)
		took := time.Since(start).Round(10 * time.Millisecond)
		cancel()
		fmt.Fprintf(out, "%s (%s)\n", d.id, d.what)
		switch {
		case err == nil:
			fmt.Fprintf(out, "  ok after %s: %s\n", took, describe(p))
		case errors.Is(err, context.DeadlineExceeded):
			fmt.Fprintf(out, "  gave up at the %s deadline (%s)\n", d.deadline, took)
		default:
			var e *sdk.Error
			if !errors.As(err, &e) {
				return fmt.Errorf("%s: %w", d.id, err)
			}
			fmt.Fprintf(out, "  %d after %d attempt(s) in %s; rate limited %v, unauthorized %v, conflict %v\n",
				e.Status, max(e.Attempts, 1), took, sdk.IsRateLimited(err), sdk.IsUnauthorized(err), sdk.IsConflict(err))
		}
	}
	return nil
}

// describe says what a simulated patient carries that an app must act on.
func describe(p *sdk.Patient) string {
	var notes []string
	if p.Meta != nil {
		for _, s := range p.Meta.Security {
			if s.Code != nil && *s.Code == "R" {
				notes = append(notes, "restricted (do not show address, telecom or GP)")
			}
		}
	}
	for _, l := range p.Link {
		if l.Type == "replaced-by" && l.Other.Reference != nil {
			notes = append(notes, "replaced by "+*l.Other.Reference)
		}
	}
	notes = append(notes, fmt.Sprintf("%d addresses, %d telecoms", len(p.Address), len(p.Telecom)))
	return sdk.DisplayName(p) + ": " + strings.Join(notes, "; ")
}
