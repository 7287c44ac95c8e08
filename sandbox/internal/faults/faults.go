// Package faults makes the sandbox fail on purpose, so that developers can test their error
// handling: a request asks for a scenario with the header
//
//	Prefer: lhcr-simulate=<scenario>
//
// or, for clients that cannot set headers, by reading a magic Patient id
// (GET /fhir/R4/Patient/simulate-<scenario>, or searching Patient?_id=simulate-<scenario>).
// The scenarios are listed in Scenarios and documented in docs/testing-your-app.md.
//
// The middleware runs after authentication: a simulation is a request from an app, so an
// unauthenticated one still gets a 401 first.
package faults

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/outcome"
)

// PreferName is the RFC 7240 preference that names a scenario.
const PreferName = "lhcr-simulate"

// MagicPrefix starts a magic Patient id: Patient/simulate-503, Patient/simulate-latency-2000.
const MagicPrefix = "simulate-"

// SuccessorID is the id of the Patient a superseded patient's link points to. Reading it
// always answers the built-in demonstration patient with the new NHS number.
const SuccessorID = MagicPrefix + "successor"

// Defaults.
const (
	// DefaultMaxDelay bounds the milliseconds of latency= and 504-after=.
	DefaultMaxDelay = 10 * time.Second
	// DefaultTimeoutCap is how long timeout hangs when the client does not give up first.
	DefaultTimeoutCap = 30 * time.Second
	// DefaultRetryAfter is the Retry-After of the simulated 429 and 503, in seconds.
	DefaultRetryAfter = 1
)

// Kind is a scenario's name.
type Kind string

// The scenarios.
const (
	TooManyRequests     Kind = "429"
	Unavailable         Kind = "503"
	GatewayTimeoutAfter Kind = "504-after" // 504-after=<ms>
	Latency             Kind = "latency"   // latency=<ms>
	Timeout             Kind = "timeout"
	PreconditionFailed  Kind = "412"
	InvalidToken        Kind = "invalid-token"
	SensitivePatient    Kind = "sensitive-patient"
	SupersededNHSNumber Kind = "superseded-nhs-number"
)

// Scenarios lists every scenario as a client writes it.
var Scenarios = []string{"429", "503", "504-after=<ms>", "latency=<ms>", "timeout", "412", "invalid-token",
	"sensitive-patient", "superseded-nhs-number"}

// Scenario is one parsed request for a failure.
type Scenario struct {
	Kind  Kind
	Delay time.Duration // for latency and 504-after
	Magic bool          // asked for by a magic Patient id rather than the Prefer header
}

// Config configures the middleware. The zero value uses the defaults above.
type Config struct {
	MaxDelay   time.Duration
	TimeoutCap time.Duration
	RetryAfter int
	// Sleep waits for d or until ctx is done; nil uses a timer. Tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Faults is the fault-simulation middleware.
type Faults struct{ cfg Config }

// New returns the middleware with cfg's zero values defaulted.
func New(cfg Config) *Faults {
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = DefaultMaxDelay
	}
	if cfg.TimeoutCap <= 0 {
		cfg.TimeoutCap = DefaultTimeoutCap
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = DefaultRetryAfter
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	return &Faults{cfg: cfg}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Parse reads a scenario as written after "lhcr-simulate=" ("503", "latency=200").
func (f *Faults) Parse(s string) (Scenario, *outcome.Error) {
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), `"`))
	name, arg, hasArg := strings.Cut(s, "=")
	k := Kind(name)
	switch k {
	case TooManyRequests, Unavailable, Timeout, PreconditionFailed, InvalidToken, SensitivePatient, SupersededNHSNumber:
		if hasArg {
			return Scenario{}, outcome.BadRequest("%s=%s: the scenario %s takes no value", PreferName, s, name)
		}
		return Scenario{Kind: k}, nil
	case GatewayTimeoutAfter, Latency:
		ms, err := strconv.Atoi(arg)
		if !hasArg || err != nil || ms < 0 || time.Duration(ms)*time.Millisecond > f.cfg.MaxDelay {
			return Scenario{}, outcome.BadRequest("%s=%s: %s needs a whole number of milliseconds from 0 to %d, as in %s=%s=250",
				PreferName, s, name, f.cfg.MaxDelay.Milliseconds(), PreferName, name)
		}
		return Scenario{Kind: k, Delay: time.Duration(ms) * time.Millisecond}, nil
	}
	return Scenario{}, outcome.BadRequest("%s=%s is not a scenario this sandbox simulates; the scenarios are %s (see docs/testing-your-app.md)",
		PreferName, s, strings.Join(Scenarios, ", "))
}

// fromPrefer finds the lhcr-simulate preference among a request's Prefer headers and returns
// the headers without it (the rest, such as return=minimal, still applies).
func fromPrefer(h http.Header) (value string, found bool, rest []string) {
	for _, line := range h.Values("Prefer") {
		var keep []string
		for pref := range strings.SplitSeq(line, ",") {
			name, v, _ := strings.Cut(strings.TrimSpace(pref), "=")
			if strings.EqualFold(strings.TrimSpace(name), PreferName) && !found {
				value, found = v, true
				continue
			}
			if strings.TrimSpace(pref) != "" {
				keep = append(keep, strings.TrimSpace(pref))
			}
		}
		if len(keep) > 0 {
			rest = append(rest, strings.Join(keep, ", "))
		}
	}
	return value, found, rest
}

// magicID turns a magic id's tail ("latency-200", "504-after-300") into a scenario string.
func magicID(tail string) string {
	for _, k := range []Kind{Latency, GatewayTimeoutAfter} {
		if arg, ok := strings.CutPrefix(tail, string(k)+"-"); ok {
			return string(k) + "=" + arg
		}
	}
	return tail
}

// patientID returns the Patient id a request reads or searches by _id, if any.
func patientID(r *http.Request) string {
	rest, ok := strings.CutPrefix(r.URL.Path, "/fhir/R4/Patient")
	if !ok {
		return ""
	}
	switch {
	case rest == "" || rest == "/_search":
		if id := r.URL.Query().Get("_id"); id != "" || r.Method != http.MethodPost || rest != "/_search" || r.Body == nil {
			return id
		}
		// A POST search: read the form and put the body back for the API.
		b, err := io.ReadAll(r.Body)
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b), errReader{err}))
		form, _ := url.ParseQuery(string(b))
		return form.Get("_id")
	case strings.HasPrefix(rest, "/"):
		id, _, _ := strings.Cut(rest[1:], "/")
		return id
	}
	return ""
}

// scenarioOf finds the scenario a request asks for: nil if none, or an error to answer.
func (f *Faults) scenarioOf(r *http.Request) (*Scenario, *outcome.Error) {
	if v, ok, rest := fromPrefer(r.Header); ok {
		sc, e := f.Parse(v)
		if e != nil {
			return nil, e
		}
		if rest == nil {
			r.Header.Del("Prefer")
		} else {
			r.Header["Prefer"] = rest
		}
		return &sc, nil
	}
	id := patientID(r)
	tail, ok := strings.CutPrefix(id, MagicPrefix)
	if !ok || r.Method != http.MethodGet && r.Method != http.MethodPost && r.Method != http.MethodHead {
		return nil, nil
	}
	if id == SuccessorID {
		return &Scenario{Kind: "", Magic: true}, nil
	}
	sc, e := f.Parse(magicID(tail))
	if e != nil {
		return nil, e
	}
	sc.Magic = true
	return &sc, nil
}

// Wrap returns the middleware around next.
func (f *Faults) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc, e := f.scenarioOf(r)
		if e != nil {
			e.Write(w)
			return
		}
		if sc == nil {
			next.ServeHTTP(w, r)
			return
		}
		f.serve(w, r, *sc, next)
	})
}

func (f *Faults) serve(w http.ResponseWriter, r *http.Request, sc Scenario, next http.Handler) {
	ctx := r.Context()
	simulated := func(status int, code api.OperationOutcomeIssueCode, retryAfter int, format string, args ...any) {
		w.Header().Set("X-LHCR-Simulated", string(sc.Kind))
		(&outcome.Error{Status: status, Code: code, RetryAfter: retryAfter,
			Diagnostics: "simulated (" + PreferName + "=" + string(sc.Kind) + "): " + fmt.Sprintf(format, args...)}).Write(w)
	}
	switch sc.Kind {
	case TooManyRequests:
		simulated(http.StatusTooManyRequests, api.OperationOutcomeIssueCodeThrottled, f.cfg.RetryAfter,
			"too many requests from this app; retry after %d s", f.cfg.RetryAfter)
	case Unavailable:
		simulated(http.StatusServiceUnavailable, api.OperationOutcomeIssueCodeTransient, f.cfg.RetryAfter,
			"the service is briefly unavailable; retry after %d s", f.cfg.RetryAfter)
	case PreconditionFailed:
		simulated(http.StatusPreconditionFailed, api.OperationOutcomeIssueCodeConflict, 0,
			"If-Match does not match the current version: read the resource again and reapply your change")
	case InvalidToken:
		w.Header().Set("WWW-Authenticate", `Bearer realm="lhcr", error="invalid_token", error_description="token expired (simulated)"`)
		simulated(http.StatusUnauthorized, api.OperationOutcomeIssueCodeExpired, 0, "token expired: get a new access token")
	case GatewayTimeoutAfter:
		if f.cfg.Sleep(ctx, sc.Delay) != nil {
			return // the client gave up; nobody is listening
		}
		simulated(http.StatusGatewayTimeout, api.OperationOutcomeIssueCodeTimeout, 0,
			"an upstream system did not answer within %d ms", sc.Delay.Milliseconds())
	case Timeout:
		if f.cfg.Sleep(ctx, f.cfg.TimeoutCap) != nil {
			return
		}
		simulated(http.StatusGatewayTimeout, api.OperationOutcomeIssueCodeTimeout, 0,
			"no answer within %s", f.cfg.TimeoutCap)
	case Latency:
		if sc.Delay > 0 && f.cfg.Sleep(ctx, sc.Delay) != nil {
			return
		}
		f.proceed(w, r, sc, next)
	default: // sensitive-patient, superseded-nhs-number, the successor
		f.proceed(w, r, sc, next)
	}
}

// proceed serves the request normally (magic ids: the built-in patient), changing a Patient
// answer as the scenario says.
func (f *Faults) proceed(w http.ResponseWriter, r *http.Request, sc Scenario, next http.Handler) {
	if sc.Kind == SensitivePatient || sc.Kind == SupersededNHSNumber {
		if !strings.HasPrefix(r.URL.Path, "/fhir/R4/Patient") || r.Method == http.MethodPut || r.Method == http.MethodDelete {
			outcome.BadRequest("%s=%s applies to reading and searching Patient only", PreferName, sc.Kind).Write(w)
			return
		}
	}
	if sc.Kind != "" {
		w.Header().Set("X-LHCR-Simulated", string(sc.Kind))
	}
	if sc.Magic {
		serveMagic(w, r, sc)
		return
	}
	if sc.Kind != SensitivePatient && sc.Kind != SupersededNHSNumber {
		next.ServeHTTP(w, r)
		return
	}
	rec := &recorder{header: http.Header{}}
	next.ServeHTTP(rec, r)
	rec.replay(w, func(body []byte) []byte { return transform(body, sc.Kind) })
}

// errReader replays a read error after the bytes read before it.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}
