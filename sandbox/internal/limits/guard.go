package limits

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gm-lhcr/lhcr/sandbox/internal/capture"
)

// Token endpoint guard defaults.
const (
	DefaultMaxFailures        = 20              // failed authentications per client id per window
	DefaultMaxAddressFailures = 20              // failed authentications per remote address per window
	DefaultWindow             = 5 * time.Minute // the sliding window
	DefaultGoodFor            = 24 * time.Hour  // how long a success vouches for a client at an address
	// MaxFormBytes is how much of a token request the guard reads to find the client id.
	MaxFormBytes = 64 << 10
)

// GuardConfig configures TokenGuard. Zero values are the defaults.
type GuardConfig struct {
	MaxFailures        int
	MaxAddressFailures int
	Window             time.Duration
	GoodFor            time.Duration
	// Paths are the guarded endpoints (POST); nil means the three that authenticate clients:
	// /oauth2/token, /oauth2/introspect and /oauth2/revoke.
	Paths []string
	// Known reports whether a client id is registered; nil treats every id as registered.
	// The sandbox passes the app registry's lookup.
	Known func(clientID string) bool
	// MaxEntries caps each table (clients, addresses, good pairs).
	MaxEntries int
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// TokenGuard counts failed client authentications (401 answers) per client id and per remote
// address over a sliding window, and answers 429 once either is over its limit:
//
//   - a client id with too many failures is refused everywhere, except at an address where that
//     app authenticated successfully (within GoodFor) which is not itself over its limit;
//   - an address with too many failures is refused for unregistered client ids, requests
//     without one, and client ids that have failed recently; a registered app without failures,
//     or one that authenticated from there before, still gets its tokens.
//
// Refused requests never reach the endpoint: no credential is checked, nothing is learned.
// Remote addresses are the TCP peer (RemoteAddr): X-Forwarded-For is not trusted.
type TokenGuard struct {
	cfg     GuardConfig
	mu      sync.Mutex
	clients *lru[failures]
	addrs   *lru[failures]
	good    *lru[time.Time] // client id + " " + address → last success
}

// failures holds the times of the latest failures, oldest first, at most the limit.
type failures struct{ at []time.Time }

// NewTokenGuard returns the token endpoint guard.
func NewTokenGuard(cfg GuardConfig) *TokenGuard {
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = DefaultMaxFailures
	}
	if cfg.MaxAddressFailures <= 0 {
		cfg.MaxAddressFailures = DefaultMaxAddressFailures
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.GoodFor <= 0 {
		cfg.GoodFor = DefaultGoodFor
	}
	if cfg.Paths == nil {
		cfg.Paths = []string{"/oauth2/token", "/oauth2/introspect", "/oauth2/revoke"}
	}
	if cfg.Known == nil {
		cfg.Known = func(string) bool { return true }
	}
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = DefaultMaxEntries
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &TokenGuard{
		cfg:     cfg,
		clients: newLRU[failures](cfg.MaxEntries, cfg.Window),
		addrs:   newLRU[failures](cfg.MaxEntries, cfg.Window),
		good:    newLRU[time.Time](cfg.MaxEntries, cfg.GoodFor),
	}
}

// recent returns how many failures are in the window and when the one that must leave it for
// the count to drop below limit does.
func (g *TokenGuard) recent(t *lru[failures], key string, limit int, now time.Time) (int, time.Time) {
	f, ok := t.peek(key, now)
	if !ok {
		return 0, time.Time{}
	}
	f.at = slices.DeleteFunc(f.at, func(at time.Time) bool { return now.Sub(at) >= g.cfg.Window })
	n := len(f.at)
	if n < limit {
		return n, time.Time{}
	}
	return n, f.at[n-limit].Add(g.cfg.Window)
}

func (g *TokenGuard) fail(t *lru[failures], key string, limit int, now time.Time) {
	f := t.get(key, now, func() failures { return failures{} })
	f.at = append(f.at, now)
	if len(f.at) > limit {
		f.at = slices.Delete(f.at, 0, len(f.at)-limit)
	}
}

// check decides whether a request may reach the endpoint; when not, it says until when.
func (g *TokenGuard) check(id, addr string, now time.Time) (bool, time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.clients.evict(now)
	g.addrs.evict(now)
	g.good.evict(now)
	addrN, addrUntil := g.recent(g.addrs, addr, g.cfg.MaxAddressFailures, now)
	addrLocked := addrN >= g.cfg.MaxAddressFailures
	goodPair := false
	if id != "" {
		if at, ok := g.good.peek(id+" "+addr, now); ok && now.Sub(*at) < g.cfg.GoodFor {
			goodPair = true
		}
	}
	idN, idUntil := 0, time.Time{}
	if id != "" {
		idN, idUntil = g.recent(g.clients, id, g.cfg.MaxFailures, now)
	}
	if idN >= g.cfg.MaxFailures && !(goodPair && !addrLocked) {
		return false, idUntil
	}
	if addrLocked && !goodPair && (id == "" || idN > 0 || !g.cfg.Known(id)) {
		return false, addrUntil
	}
	return true, time.Time{}
}

// record notes the outcome of a request that reached the endpoint.
func (g *TokenGuard) record(id, addr string, status int, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case status == http.StatusUnauthorized:
		g.fail(g.addrs, addr, g.cfg.MaxAddressFailures, now)
		if id != "" {
			g.fail(g.clients, id, g.cfg.MaxFailures, now)
		}
	case status >= 200 && status < 300 && id != "":
		*g.good.get(id+" "+addr, now, func() time.Time { return now }) = now
	}
}

// Wrap guards the configured paths of next.
func (g *TokenGuard) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !slices.Contains(g.cfg.Paths, r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		id := clientID(r)
		addr := remoteAddr(r)
		now := g.cfg.Now()
		if ok, until := g.check(id, addr, now); !ok {
			secs := retryAfter(until.Sub(now))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			w.Header().Set("Content-Type", "application/json;charset=UTF-8")
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Pragma", "no-cache")
			w.WriteHeader(http.StatusTooManyRequests)
			json.NewEncoder(w).Encode(map[string]string{
				"error": "invalid_request",
				"error_description": "too many failed client authentications for this client or from this address; retry after " +
					strconv.Itoa(secs) + " s",
			})
			return
		}
		sw := &capture.Writer{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		g.record(id, addr, sw.Status, g.cfg.Now())
	})
}

// Entries is how many clients, addresses and good pairs are tracked (for tests and metrics).
func (g *TokenGuard) Entries() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.clients.len() + g.addrs.len() + g.good.len()
}

func remoteAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// maxIDLen bounds the client ids used as keys.
const maxIDLen = 256

// clientID finds the client id a token request claims, without checking it: HTTP Basic's user,
// the form's client_id, or the client assertion's sub (iss). The body is put back for the
// endpoint.
func clientID(r *http.Request) string {
	id := ""
	if u, _, ok := r.BasicAuth(); ok {
		if un, err := url.QueryUnescape(u); err == nil {
			u = un
		}
		id = u
	}
	if id == "" && r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(io.LimitReader(r.Body, MaxFormBytes+1))
		rest := r.Body
		r.Body = readCloser{io.MultiReader(bytes.NewReader(b), errAfter{err}, rest), rest}
		if err == nil && len(b) <= MaxFormBytes {
			if form, err := url.ParseQuery(string(b)); err == nil {
				id = form.Get("client_id")
				if id == "" {
					id = assertionSubject(form.Get("client_assertion"))
				}
			}
		}
	}
	if len(id) > maxIDLen {
		id = id[:maxIDLen]
	}
	return id
}

// assertionSubject reads sub (or iss) from a JWT's payload without verifying it.
func assertionSubject(jwt string) string {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var c struct{ Sub, Iss string }
	if json.Unmarshal(b, &c) != nil {
		return ""
	}
	if c.Sub != "" {
		return c.Sub
	}
	return c.Iss
}

type readCloser struct {
	io.Reader
	io.Closer
}

// errAfter replays a read error after the bytes read before it.
type errAfter struct{ err error }

func (e errAfter) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}
