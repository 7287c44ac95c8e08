package sdk

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// RetryPolicy says how failed requests are retried. Only idempotent requests are retried (GET,
// HEAD, DELETE, and PUT with If-Match), and only after 429, 502, 503, 504 or a connection reset.
// The wait before retry n is random between 0 and min(MaxDelay, BaseDelay·2ⁿ) (exponential
// backoff with full jitter) unless the server sent Retry-After, which is obeyed. Retrying stops
// after MaxAttempts, or as soon as the next wait would pass the context's deadline; the last
// answer is then returned (as an *Error, whose Attempts says how many were made).
//
// The zero value is DefaultRetryPolicy.
type RetryPolicy struct {
	// MaxAttempts is how many times a request may be sent in all; 0 means 4, 1 disables retries.
	MaxAttempts int
	// BaseDelay is the backoff's first step; 0 means 200ms.
	BaseDelay time.Duration
	// MaxDelay caps one backoff wait; 0 means 5s.
	MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After that is waited for; a longer one ends the retries
	// at once. 0 means 1 minute.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy is the policy of a client made without WithRetry: up to 4 attempts, with
// backoff from 200ms to 5s, and Retry-After waits of up to a minute.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 4, BaseDelay: 200 * time.Millisecond, MaxDelay: 5 * time.Second, MaxRetryAfter: time.Minute}

// NoRetry sends every request once.
var NoRetry = RetryPolicy{MaxAttempts: 1}

func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = d.BaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = d.MaxDelay
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = d.MaxRetryAfter
	}
	return p
}

// backoff is the full-jitter wait before retry n (n = 1 for the first retry).
func (p RetryPolicy) backoff(n int) time.Duration {
	ceil := p.MaxDelay
	if n < 31 {
		if d := p.BaseDelay << (n - 1); d > 0 && d < ceil {
			ceil = d
		}
	}
	return rand.N(ceil + 1)
}

// retryTransport retries idempotent requests as its policy says.
type retryTransport struct {
	base   http.RoundTripper
	policy RetryPolicy
	log    *slog.Logger
	// wait sleeps for d unless ctx ends first; tests replace it.
	wait func(ctx context.Context, d time.Duration) error
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

// retryable reports whether req may be sent again: idempotent methods, and PUT only when
// If-Match makes it conditional. A body must be re-readable.
func retryable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodDelete:
	case http.MethodPut:
		if req.Header.Get("If-Match") == "" {
			return false
		}
	default:
		return false
	}
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// retryStatus reports whether a status is worth retrying.
func retryStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// connectionReset reports whether err is the connection being reset or closed under a request.
func connectionReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

type attemptsKey struct{}

// RoundTrip sends req, and again while the policy allows.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	counter, _ := ctx.Value(attemptsKey{}).(*int)
	if counter == nil {
		counter = new(int)
	}
	canRetry := retryable(req)
	for attempt := 1; ; attempt++ {
		*counter = attempt
		r := req
		if attempt > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		resp, err := t.base.RoundTrip(r)
		if !canRetry || attempt >= t.policy.MaxAttempts {
			return resp, err
		}
		var wait time.Duration
		switch {
		case err != nil:
			if !connectionReset(err) || ctx.Err() != nil {
				return resp, err
			}
			wait = t.policy.backoff(attempt)
		case retryStatus(resp.StatusCode):
			if ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				if ra > t.policy.MaxRetryAfter {
					return resp, nil
				}
				wait = ra
			} else {
				wait = t.policy.backoff(attempt)
			}
		default:
			return resp, nil
		}
		if dl, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(dl) {
			// Waiting would outlive the caller: give them the answer we have.
			t.log.LogAttrs(ctx, slog.LevelInfo, "lhcr: not retrying: the wait would pass the context deadline",
				slog.String("method", req.Method), slog.String("path", req.URL.Path), slog.Int("attempt", attempt),
				slog.Duration("wait", wait), slog.String("request_id", req.Header.Get(headerRequestID)))
			return resp, err
		}
		status := 0
		if resp != nil {
			status = resp.StatusCode
			drain(resp.Body)
		}
		attrs := []slog.Attr{slog.String("method", req.Method), slog.String("path", req.URL.Path), slog.Int("attempt", attempt)}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		} else {
			attrs = append(attrs, slog.Int("status", status))
		}
		attrs = append(attrs, slog.Duration("wait", wait), slog.String("request_id", req.Header.Get(headerRequestID)))
		t.log.LogAttrs(ctx, slog.LevelInfo, "lhcr: retrying", attrs...)
		if werr := t.wait(ctx, wait); werr != nil {
			return nil, werr
		}
	}
}

// drain reads a little of a body we are discarding, so its connection can be reused, and closes it.
func drain(body io.ReadCloser) {
	io.CopyN(io.Discard, body, 64<<10)
	body.Close()
}
