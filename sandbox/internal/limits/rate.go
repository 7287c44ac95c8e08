// Package limits protects the sandbox from greedy and hostile callers: a per-app rate limit on
// the FHIR API (RateLimit) and brute-force protection on the token endpoint (TokenGuard). Both
// keep bounded memory: idle entries are evicted and the number of entries is capped.
package limits

import (
	"context"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/outcome"
)

// Rate limit defaults: generous for development, tight enough to catch a runaway loop.
const (
	DefaultRate  = 50  // requests per second, sustained
	DefaultBurst = 100 // requests at once
	// DefaultMaxEntries caps the number of tracked apps or addresses.
	DefaultMaxEntries = 100_000
)

// RateConfig configures RateLimit. Zero values are the defaults.
type RateConfig struct {
	// Rate is the sustained requests per second per app; negative turns the limit off.
	Rate float64
	// Burst is the bucket size.
	Burst int
	// ClientID returns the app a request comes from ("" for none: not limited). The sandbox
	// passes the client id of the verified access token (auth.TokenFrom).
	ClientID func(context.Context) string
	// MaxEntries caps the apps tracked at once.
	MaxEntries int
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// RateLimit is a token bucket per app.
type RateLimit struct {
	cfg RateConfig
	mu  sync.Mutex
	m   *lru[bucket]
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewRateLimit returns the per-app rate limiter.
func NewRateLimit(cfg RateConfig) *RateLimit {
	if cfg.Rate == 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultBurst
	}
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = DefaultMaxEntries
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ClientID == nil {
		cfg.ClientID = func(context.Context) string { return "" }
	}
	// A bucket idle long enough to refill completely is the same as a new one.
	idle := time.Duration(float64(cfg.Burst)/math.Max(cfg.Rate, 1e-9)*float64(time.Second)) + time.Second
	return &RateLimit{cfg: cfg, m: newLRU[bucket](cfg.MaxEntries, idle)}
}

// Allow takes a token from id's bucket. When none is left it returns false and how long until
// one is.
func (l *RateLimit) Allow(id string) (bool, time.Duration) {
	if l.cfg.Rate < 0 {
		return true, 0
	}
	now := l.cfg.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	burst := float64(l.cfg.Burst)
	b := l.m.get(id, now, func() bucket { return bucket{tokens: burst, last: now} })
	b.tokens = math.Min(burst, b.tokens+now.Sub(b.last).Seconds()*l.cfg.Rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.cfg.Rate * float64(time.Second))
}

// Wrap answers an app over its rate 429 with Retry-After and an OperationOutcome "throttled".
// It must run after the bearer check, which identifies the app.
func (l *RateLimit) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := l.cfg.ClientID(r.Context())
		if id == "" {
			next.ServeHTTP(w, r)
			return
		}
		if ok, wait := l.Allow(id); !ok {
			secs := retryAfter(wait)
			(&outcome.Error{Status: http.StatusTooManyRequests, Code: api.OperationOutcomeIssueCodeThrottled, RetryAfter: secs,
				Diagnostics: "this app is over its rate limit; retry after the Retry-After header's seconds"}).Write(w)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// retryAfter rounds a wait up to whole seconds, at least 1.
func retryAfter(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
