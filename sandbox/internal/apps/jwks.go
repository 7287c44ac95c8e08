package apps

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// jwksEntry is what is known of one JWKS URL.
type jwksEntry struct {
	set     jose.JSONWebKeySet
	have    bool      // set holds the last good fetch (false after a no-store answer)
	expires time.Time // set may be served without a refetch until then
	fetched time.Time // the last fetch attempt finished then
	err     error     // the last attempt's failure, or nil
}

// PublicKeys returns the keys that verify a's client assertions: the inline JWKS, or the JWKS
// fetched from a.JWKSURL. A fetched set is cached as its Cache-Control says (max-age, capped
// at MaxTTL; nothing for no-store or no-cache; Options.DefaultTTL without either). refresh
// (an assertion named an unknown kid) refetches, unless the URL was fetched less than
// Options.MinRefetchInterval ago; a failed fetch is not retried within that interval either.
// Concurrent callers share one fetch, which is not cancelled by the caller's ctx (it has its
// own timeout); ctx only stops the caller's wait. Keys marked "use":"enc", private keys and
// keys of unsupported types in a fetched set are dropped. Errors are fit to show the app's
// developer. The returned set is the caller's to keep.
func (reg *Registry) PublicKeys(ctx context.Context, a App, refresh bool) (jose.JSONWebKeySet, error) {
	switch {
	case a.AuthMethod != AuthPrivateKeyJWT:
		return jose.JSONWebKeySet{}, fmt.Errorf("app %s authenticates with a client secret and has no public keys", a.ClientID)
	case a.JWKS != nil:
		return jose.JSONWebKeySet{Keys: slices.DeleteFunc(slices.Clone(a.JWKS.Keys), func(k jose.JSONWebKey) bool { return k.Use == "enc" })}, nil
	case a.JWKSURL == "":
		return jose.JSONWebKeySet{}, fmt.Errorf("app %s has no public keys: register a JWKS or a JWKS URL", a.ClientID)
	}
	return reg.fetchKeys(ctx, a.JWKSURL, refresh)
}

func (reg *Registry) fetchKeys(ctx context.Context, u string, refresh bool) (jose.JSONWebKeySet, error) {
	now := reg.now()
	reg.jwksMu.Lock()
	e := reg.jwks[u]
	var seen time.Time
	if e != nil {
		seen = e.fetched
		recent := now.Sub(e.fetched) < reg.opts.MinRefetchInterval
		if e.have && (!refresh && now.Before(e.expires) || refresh && recent) {
			set := cloneSet(e.set)
			reg.jwksMu.Unlock()
			return set, nil
		}
		if e.err != nil && recent {
			err := e.err
			reg.jwksMu.Unlock()
			return jose.JSONWebKeySet{}, err
		}
	}
	reg.jwksMu.Unlock()

	ch := reg.flight.DoChan(u, func() (any, error) {
		// A fetch that finished since this caller looked answers it too.
		reg.jwksMu.Lock()
		if e := reg.jwks[u]; e != nil && e.fetched.After(seen) {
			set, have, err := e.set, e.have, e.err
			reg.jwksMu.Unlock()
			if err == nil && have {
				return set, nil
			}
			if err != nil {
				return nil, err
			}
		} else {
			reg.jwksMu.Unlock()
		}
		return reg.fetch(ctx, u)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return jose.JSONWebKeySet{}, res.Err
		}
		return cloneSet(res.Val.(jose.JSONWebKeySet)), nil
	case <-ctx.Done():
		return jose.JSONWebKeySet{}, fmt.Errorf("waiting for the JWKS at %s: %w", redact(u), ctx.Err())
	}
}

func cloneSet(s jose.JSONWebKeySet) jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: slices.Clone(s.Keys)}
}

// fetch gets the JWKS at u and records the outcome in the cache.
func (reg *Registry) fetch(ctx context.Context, u string) (jose.JSONWebKeySet, error) {
	set, ttl, err := reg.download(ctx, u)
	now := reg.now()
	reg.jwksMu.Lock()
	defer reg.jwksMu.Unlock()
	e := reg.jwks[u]
	if e == nil {
		e = &jwksEntry{}
		reg.jwks[u] = e
	}
	e.fetched = now
	e.err = err
	if err != nil {
		reg.log.WarnContext(ctx, "JWKS fetch failed", "url", redact(u), "err", err)
		return jose.JSONWebKeySet{}, err
	}
	e.set, e.have, e.expires = set, ttl > 0, now.Add(ttl)
	if ttl <= 0 {
		e.set = jose.JSONWebKeySet{}
	}
	reg.log.DebugContext(ctx, "JWKS fetched", "url", redact(u), "keys", len(set.Keys), "ttl", ttl)
	return set, nil
}

// download is one HTTP GET of a JWKS: the set and how long it may be cached.
func (reg *Registry) download(ctx context.Context, u string) (jose.JSONWebKeySet, time.Duration, error) {
	where := redact(u)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), reg.opts.FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return jose.JSONWebKeySet{}, 0, fmt.Errorf("the JWKS URL %s is not usable", where)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := reg.client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			return jose.JSONWebKeySet{}, 0, fmt.Errorf("fetching the JWKS at %s timed out after %s", where, reg.opts.FetchTimeout)
		}
		return jose.JSONWebKeySet{}, 0, fmt.Errorf("fetching the JWKS at %s failed: %s", where, describe(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return jose.JSONWebKeySet{}, 0, fmt.Errorf("the JWKS URL %s answered HTTP %d; it must answer 200 with a JWKS", where, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, reg.opts.MaxJWKSBytes+1))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			return jose.JSONWebKeySet{}, 0, fmt.Errorf("fetching the JWKS at %s timed out after %s", where, reg.opts.FetchTimeout)
		}
		return jose.JSONWebKeySet{}, 0, fmt.Errorf("reading the JWKS at %s failed: %s", where, describe(err))
	}
	if int64(len(body)) > reg.opts.MaxJWKSBytes {
		return jose.JSONWebKeySet{}, 0, fmt.Errorf("the JWKS at %s is larger than %d bytes", where, reg.opts.MaxJWKSBytes)
	}
	set, dropped, err := parseKeySet(body, false)
	if err != nil {
		var fe *fieldError
		if errors.As(err, &fe) {
			return jose.JSONWebKeySet{}, 0, fmt.Errorf("the document at %s is not a JWKS: %s", where, fe.msg)
		}
		return jose.JSONWebKeySet{}, 0, fmt.Errorf("the JWKS at %s %v", where, err)
	}
	if dropped > 0 {
		reg.log.InfoContext(ctx, "JWKS keys ignored", "url", where, "ignored", dropped, "kept", len(set.Keys))
	}
	return *set, cacheTTL(resp.Header, reg.opts.DefaultTTL), nil
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// describe is an error without the URL that *url.Error repeats.
func describe(err error) string {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err.Error()
	}
	return err.Error()
}

// cacheTTL is how long a response may be cached: 0 for no-store and no-cache, max-age (capped
// at MaxTTL) when given, def otherwise.
func cacheTTL(h http.Header, def time.Duration) time.Duration {
	maxAge := -1
	for _, v := range h.Values("Cache-Control") {
		for d := range strings.SplitSeq(v, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "no-store", "no-cache":
				return 0
			case "max-age":
				if n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(val), `"`)); err == nil && n >= 0 {
					maxAge = n
				}
			}
		}
	}
	if maxAge < 0 {
		return min(def, MaxTTL)
	}
	return min(time.Duration(maxAge)*time.Second, MaxTTL)
}

// redact is u without its query: safe to log and to show.
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(invalid URL)"
	}
	p.RawQuery, p.ForceQuery, p.Fragment, p.User = "", false, "", nil
	return p.String()
}

// checkRedirect lets the default client follow up to 3 redirects, each to a URL a jwks_url
// could name.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 3 {
		return errors.New("more than 3 redirects")
	}
	if err := checkJWKSURL(req.URL.String()); err != nil {
		return fmt.Errorf("redirected to a URL that %s", err)
	}
	return nil
}

// forgetJWKS drops the cache of u (its app changed its keys or went away).
func (reg *Registry) forgetJWKS(u string) {
	if u == "" {
		return
	}
	reg.jwksMu.Lock()
	delete(reg.jwks, u)
	reg.jwksMu.Unlock()
}
