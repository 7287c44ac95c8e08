// Package idempotency makes FHIR writes safe to retry: a POST, PUT, PATCH or DELETE under
// /fhir/R4 sent again with the same Idempotency-Key (or, failing that, the same X-Request-ID)
// by the same app within the TTL gets the stored response instead of being written twice. The
// same key with a different request is refused with 422; while the first is still being
// served, 409.
//
// Responses are kept in memory, bounded (MaxEntries, MaxResponseBytes): they do not survive a
// restart, and under pressure the oldest keys are forgotten first.
package idempotency

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/capture"
	"github.com/gm-lhcr/lhcr/sandbox/internal/outcome"
)

// Header names.
const (
	KeyHeader      = "Idempotency-Key"
	RequestIDKey   = "X-Request-ID"
	ReplayedHeader = "Idempotent-Replayed"
)

// Defaults.
const (
	DefaultTTL              = 24 * time.Hour
	DefaultMaxEntries       = 10_000
	DefaultMaxResponseBytes = 1 << 20
	// MaxKeyLen is the longest key accepted.
	MaxKeyLen = 255
)

// Config configures the middleware; zero values are the defaults.
type Config struct {
	// ClientID returns the app of a request ("" for none: the request is not deduplicated). The
	// sandbox passes the client id of the verified access token (auth.TokenFrom).
	ClientID         func(context.Context) string
	TTL              time.Duration
	MaxEntries       int
	MaxResponseBytes int
	Now              func() time.Time
}

// Store remembers the responses to writes by app and key.
type Store struct {
	cfg Config
	mu  sync.Mutex
	m   map[string]*list.Element
	l   *list.List // oldest first
}

type entry struct {
	key         string
	fingerprint [32]byte
	expires     time.Time
	done        bool
	status      int
	header      http.Header
	body        []byte
}

// New returns an empty store.
func New(cfg Config) *Store {
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = DefaultMaxEntries
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ClientID == nil {
		cfg.ClientID = func(context.Context) string { return "" }
	}
	return &Store{cfg: cfg, m: map[string]*list.Element{}, l: list.New()}
}

// Len is the number of keys remembered.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.l.Len()
}

// isWrite reports whether r is a FHIR write (a POST search is not).
func isWrite(r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, "/fhir/R4/") {
		return false
	}
	switch r.Method {
	case http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	case http.MethodPost:
		return !strings.HasSuffix(r.URL.Path, "/_search")
	}
	return false
}

func validKey(k string) bool {
	if k == "" || len(k) > MaxKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// replayed are the headers a stored response keeps.
var replayed = []string{"Content-Type", "Location", "Content-Location", "ETag", "Last-Modified"}

// Wrap deduplicates next's writes. It must run after the bearer check, which identifies the app.
func (s *Store) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isWrite(r) {
			next.ServeHTTP(w, r)
			return
		}
		key := r.Header.Get(KeyHeader)
		if key != "" && !validKey(key) {
			outcome.BadRequest("the %s header must be 1 to %d printable ASCII characters", KeyHeader, MaxKeyLen).Write(w)
			return
		}
		if key == "" {
			if key = r.Header.Get(RequestIDKey); !validKey(key) {
				key = ""
			}
		}
		app := s.cfg.ClientID(r.Context())
		if key == "" || app == "" {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
		if err != nil { // too large, say: let the API answer it, remember nothing
			next.ServeHTTP(w, r)
			return
		}
		fp := fingerprint(r, body)
		k := app + "\x00" + key
		e, fresh := s.begin(k, fp)
		switch {
		case !fresh && e.fingerprint != fp:
			outcome.Errorf(http.StatusUnprocessableEntity, api.OperationOutcomeIssueCodeBusinessRule,
				"the %s %q was used for a different request within %s: use a new key for a new request", KeyHeader, key, s.cfg.TTL).Write(w)
			return
		case !fresh && !e.done:
			(&outcome.Error{Status: http.StatusConflict, Code: api.OperationOutcomeIssueCodeConflict, RetryAfter: 1,
				Diagnostics: "a request with this " + KeyHeader + " is still being processed; retry shortly"}).Write(w)
			return
		case !fresh:
			for _, h := range replayed {
				if v := e.header.Get(h); v != "" {
					w.Header().Set(h, v)
				}
			}
			w.Header().Set(ReplayedHeader, "true")
			w.WriteHeader(e.status)
			w.Write(e.body)
			return
		}
		tw := &capture.Writer{ResponseWriter: w, Limit: s.cfg.MaxResponseBytes}
		defer func() {
			if v := recover(); v != nil {
				s.forget(k)
				panic(v)
			}
		}()
		next.ServeHTTP(tw, r)
		s.finish(k, tw)
	})
}

// fingerprint identifies a request: method, path, query, preconditions and body.
func fingerprint(r *http.Request, body []byte) [32]byte {
	h := sha256.New()
	for _, s := range []string{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("If-Match"), r.Header.Get("If-None-Exist"), r.Header.Get("If-None-Match")} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	h.Write(body)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// begin returns the entry for k and whether it was just created (in flight).
func (s *Store) begin(k string, fp [32]byte) (entry, bool) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for f := s.l.Front(); f != nil && now.After(f.Value.(*entry).expires); f = s.l.Front() {
		s.remove(f)
	}
	if el, ok := s.m[k]; ok {
		return *el.Value.(*entry), false
	}
	for s.l.Len() >= s.cfg.MaxEntries {
		s.remove(s.l.Front())
	}
	s.m[k] = s.l.PushBack(&entry{key: k, fingerprint: fp, expires: now.Add(s.cfg.TTL)})
	return entry{}, true
}

// finish stores the response, or forgets the key when the response should not be replayed:
// a server error, 429, or a body over the limit. A retry of those is a new attempt.
func (s *Store) finish(k string, tw *capture.Writer) {
	if tw.Status == 0 {
		tw.Status = http.StatusOK
	}
	if tw.Status >= 500 || tw.Status == http.StatusTooManyRequests || tw.Status == http.StatusConflict || tw.Overflow {
		s.forget(k)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.m[k]; ok {
		e := el.Value.(*entry)
		e.done, e.status, e.header, e.body = true, tw.Status, tw.Header().Clone(), tw.Body
	}
}

func (s *Store) forget(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.m[k]; ok {
		s.remove(el)
	}
}

func (s *Store) remove(el *list.Element) {
	delete(s.m, el.Value.(*entry).key)
	s.l.Remove(el)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}
