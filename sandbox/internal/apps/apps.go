// Package apps keeps developer accounts and the apps they register: client ids, hashed client
// secrets, public keys (inline or by JWKS URL) and scopes. It serves the developer API
// (/developer/v1/apps...) and answers the auth layer's lookups from memory: every app is held in
// a map loaded from the store at start-up and written through on every change, so the token
// endpoint and the bearer check never read the database.
package apps

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/sync/singleflight"

	"github.com/gm-lhcr/lhcr/sandbox/internal/requestlog"
	"github.com/gm-lhcr/lhcr/sandbox/internal/store"
)

// Auth methods of an app.
const (
	AuthClientSecret  = "client_secret"
	AuthPrivateKeyJWT = "private_key_jwt"
)

// DefaultScopes are the scopes of an app registered without any.
var DefaultScopes = []string{"system/*.rs"}

// MinKeyBytes is the shortest HMAC key New accepts.
const MinKeyBytes = 32

// App is a registered app as the auth layer sees it. Values returned by Client are copies:
// callers may keep and modify them. Secrets are not part of it (CheckSecret checks them).
type App struct {
	ClientID    string
	DeveloperID string
	Name        string
	Description string
	// AuthMethod is AuthClientSecret or AuthPrivateKeyJWT.
	AuthMethod string
	Scopes     []string
	// JWKS is the inline public key set, parsed (nil for secret apps and JWKS URL apps).
	JWKS *jose.JSONWebKeySet
	// JWKSURL is where the app publishes its public keys ("" unless registered so).
	JWKSURL string
	// SecretHint is the last four characters of the current secret (secret apps only).
	SecretHint string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// LogValue names the app only.
func (a App) LogValue() slog.Value {
	return slog.GroupValue(slog.String("client_id", a.ClientID), slog.String("developer_id", a.DeveloperID))
}

func (a App) clone() App {
	a.Scopes = slices.Clone(a.Scopes)
	if a.JWKS != nil {
		a.JWKS = &jose.JSONWebKeySet{Keys: slices.Clone(a.JWKS.Keys)}
	}
	return a
}

// Options configures the JWKS URL fetcher. Zero values are defaults.
type Options struct {
	// HTTPClient fetches JWKS URLs; nil means a client that follows at most 3 redirects, and
	// only to URLs a jwks_url may name.
	HTTPClient *http.Client
	// FetchTimeout bounds each fetch (also with your own HTTPClient); 0 means 5 s.
	FetchTimeout time.Duration
	// MaxJWKSBytes is the largest JWKS document accepted; 0 means 64 KiB.
	MaxJWKSBytes int64
	// MinRefetchInterval is how long after a fetch of a URL a refresh (an unknown kid) or a
	// retry after a failure is refused; 0 means 10 s.
	MinRefetchInterval time.Duration
	// DefaultTTL is how long a fetched JWKS is cached when the response has no Cache-Control
	// max-age; 0 means 5 min. Cache lifetimes are capped at MaxTTL.
	DefaultTTL time.Duration
}

// MaxTTL caps how long a fetched JWKS is cached, whatever its max-age says.
const MaxTTL = 24 * time.Hour

// record is one app in memory. Records are immutable: a change replaces the record.
type record struct {
	app        App
	rawJWKS    []byte // the inline JWKS as registered
	secretHash []byte
}

func (rec *record) toStore() store.App {
	a := rec.app
	return store.App{ClientID: a.ClientID, DeveloperID: a.DeveloperID, Name: a.Name, Description: a.Description,
		AuthMethod: a.AuthMethod, Scopes: a.Scopes, JWKS: rec.rawJWKS, JWKSURL: a.JWKSURL,
		SecretHash: rec.secretHash, SecretHint: a.SecretHint, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// Registry is the app registry and the developer API. It is safe for concurrent use.
type Registry struct {
	st     *store.SQLite
	key    []byte
	log    *slog.Logger
	reqlog *requestlog.Log
	opts   Options
	client *http.Client
	now    func() time.Time

	// wmu serialises changes, so that the store and the map see them in the same order; the
	// map's lock is held only to swap a record, never during a database write.
	wmu  sync.Mutex
	mu   sync.RWMutex
	apps map[string]*record

	jwksMu sync.Mutex
	jwks   map[string]*jwksEntry // by URL
	flight singleflight.Group
}

// New loads every app from st. hmacKey (at least MinKeyBytes long, kept secret and stable
// across restarts) keys the hashes of client secrets and API keys. log may be nil; reqlog may
// be nil (ListAppRequests then answers empty lists).
func New(ctx context.Context, st *store.SQLite, hmacKey []byte, log *slog.Logger, reqlog *requestlog.Log, opts Options) (*Registry, error) {
	if st == nil {
		return nil, errors.New("apps: a store is required")
	}
	if len(hmacKey) < MinKeyBytes {
		return nil, fmt.Errorf("apps: the HMAC key must be at least %d bytes", MinKeyBytes)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.FetchTimeout <= 0 {
		opts.FetchTimeout = 5 * time.Second
	}
	if opts.MaxJWKSBytes <= 0 {
		opts.MaxJWKSBytes = 64 << 10
	}
	if opts.MinRefetchInterval <= 0 {
		opts.MinRefetchInterval = 10 * time.Second
	}
	if opts.DefaultTTL <= 0 {
		opts.DefaultTTL = 5 * time.Minute
	}
	opts.DefaultTTL = min(opts.DefaultTTL, MaxTTL)
	reg := &Registry{
		st: st, key: slices.Clone(hmacKey), log: log, reqlog: reqlog, opts: opts, now: time.Now,
		apps: map[string]*record{}, jwks: map[string]*jwksEntry{},
	}
	reg.client = opts.HTTPClient
	if reg.client == nil {
		reg.client = &http.Client{Timeout: opts.FetchTimeout, CheckRedirect: checkRedirect}
	}
	stored, err := st.Apps(ctx)
	if err != nil {
		return nil, fmt.Errorf("apps: load: %w", err)
	}
	for _, a := range stored {
		rec := &record{
			app: App{ClientID: a.ClientID, DeveloperID: a.DeveloperID, Name: a.Name, Description: a.Description,
				AuthMethod: a.AuthMethod, Scopes: a.Scopes, JWKSURL: a.JWKSURL, SecretHint: a.SecretHint,
				CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt},
			rawJWKS:    a.JWKS,
			secretHash: a.SecretHash,
		}
		if len(a.JWKS) > 0 {
			set, dropped, err := parseKeySet(a.JWKS, false)
			if err != nil || dropped > 0 {
				log.WarnContext(ctx, "stored app has unusable public keys", "app", rec.app, "dropped", dropped, "err", err)
			}
			if err == nil {
				rec.app.JWKS = set
			}
		}
		reg.apps[a.ClientID] = rec
	}
	return reg, nil
}

// NewSecret returns a new 256-bit random secret, base64url-encoded (43 characters): client
// secrets and developer API keys.
func NewSecret() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

var clientIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newClientID returns "app_" and 20 random base32 characters (100 bits).
func newClientID() string {
	var b [13]byte
	rand.Read(b[:])
	return "app_" + clientIDEncoding.EncodeToString(b[:])[:20]
}

// hash is the keyed hash under which secrets and API keys are stored.
func (reg *Registry) hash(secret string) []byte {
	m := hmac.New(sha256.New, reg.key)
	m.Write([]byte(secret))
	return m.Sum(nil)
}

func hint(secret string) string {
	if len(secret) <= 4 {
		return ""
	}
	return secret[len(secret)-4:]
}

// Client returns a copy of the app clientID, from memory. A deleted app is not found.
func (reg *Registry) Client(clientID string) (App, bool) {
	reg.mu.RLock()
	rec := reg.apps[clientID]
	reg.mu.RUnlock()
	if rec == nil {
		return App{}, false
	}
	return rec.app.clone(), true
}

// CheckSecret reports, in constant time, whether secret is the current client secret of the
// app a.ClientID. It checks against the registry's current state, not the copy a: a secret
// rotated away, or an app deleted, since the copy was taken fails.
func (reg *Registry) CheckSecret(a App, secret string) bool {
	sum := reg.hash(secret)
	reg.mu.RLock()
	rec := reg.apps[a.ClientID]
	reg.mu.RUnlock()
	if rec == nil || rec.app.AuthMethod != AuthClientSecret || len(rec.secretHash) == 0 {
		hmac.Equal(sum, sum) // the same work as a mismatch
		return false
	}
	return hmac.Equal(sum, rec.secretHash)
}

// maxAPIKeyLen bounds the X-API-Key values that are hashed and looked up.
const maxAPIKeyLen = 256

// Developer returns the developer whose API key is apiKey. It reads the store (the developer
// API is not a hot path); a store failure is logged and reported as not found.
func (reg *Registry) Developer(ctx context.Context, apiKey string) (store.Developer, bool) {
	d, err := reg.developer(ctx, apiKey)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			reg.log.ErrorContext(ctx, "developer lookup failed", "err", err)
		}
		return store.Developer{}, false
	}
	return d, true
}

func (reg *Registry) developer(ctx context.Context, apiKey string) (store.Developer, error) {
	if apiKey == "" || len(apiKey) > maxAPIKeyLen {
		return store.Developer{}, store.ErrNotFound
	}
	return reg.st.DeveloperByKeyHash(ctx, reg.hash(apiKey))
}

// EnsureDeveloper creates the developer id, or updates its email and API key (start-up's local
// developer). email may be "".
func (reg *Registry) EnsureDeveloper(ctx context.Context, id, email, apiKey string) error {
	if id == "" {
		return errors.New("apps: a developer id is required")
	}
	if apiKey == "" {
		return errors.New("apps: an API key is required")
	}
	if err := reg.st.PutDeveloper(ctx, store.Developer{ID: id, Email: email, APIKeyHash: reg.hash(apiKey), CreatedAt: reg.now()}); err != nil {
		return fmt.Errorf("apps: %w", err)
	}
	return nil
}

// EnsureApp creates or replaces the app app.ClientID (start-up's ready test app) for the
// developer app.DeveloperID, which must exist. The app is validated as a registration is;
// nil Scopes means DefaultScopes and "" AuthMethod means AuthClientSecret. A client_secret app
// needs secret (its fixed secret); a private_key_jwt app needs app.JWKS or app.JWKSURL and no
// secret. The client id may use letters, digits and "-._~" (up to 100 characters).
func (reg *Registry) EnsureApp(ctx context.Context, app App, secret string) error {
	if !validClientID(app.ClientID) {
		return errors.New("apps: the client id must be 1 to 100 letters, digits or -._~")
	}
	if app.DeveloperID == "" {
		return errors.New("apps: a developer id is required")
	}
	in := registration{name: &app.Name, description: &app.Description, scopes: app.Scopes}
	if app.AuthMethod != "" {
		in.authMethod = &app.AuthMethod
	}
	if app.JWKS != nil {
		raw, err := json.Marshal(app.JWKS)
		if err != nil {
			return fmt.Errorf("apps: app %s: encode JWKS: %w", app.ClientID, err)
		}
		in.jwks = raw
	}
	if app.JWKSURL != "" {
		in.jwksURL = &app.JWKSURL
	}
	v, oe := in.validate()
	if oe != nil {
		return fmt.Errorf("apps: app %s: %s", app.ClientID, oe.Diagnostics)
	}
	switch {
	case v.authMethod == AuthClientSecret && secret == "":
		return fmt.Errorf("apps: app %s: a client_secret app needs a secret", app.ClientID)
	case v.authMethod == AuthPrivateKeyJWT && secret != "":
		return fmt.Errorf("apps: app %s: a private_key_jwt app has no secret", app.ClientID)
	}
	reg.wmu.Lock()
	defer reg.wmu.Unlock()
	now := reg.now().UTC()
	rec := v.record(app.ClientID, app.DeveloperID, now)
	if old := reg.get(app.ClientID); old != nil {
		rec.app.CreatedAt = old.app.CreatedAt
	}
	if secret != "" {
		rec.secretHash, rec.app.SecretHint = reg.hash(secret), hint(secret)
	}
	if err := reg.put(ctx, rec); err != nil {
		return err
	}
	reg.forgetJWKS(rec.app.JWKSURL) // a restart may come with changed keys at the URL
	return nil
}

func validClientID(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0) {
			return false
		}
	}
	return true
}

// get returns the record of clientID, or nil.
func (reg *Registry) get(clientID string) *record {
	reg.mu.RLock()
	defer reg.mu.RUnlock()
	return reg.apps[clientID]
}

// put writes rec through to the store, then to the map. The caller holds wmu.
func (reg *Registry) put(ctx context.Context, rec *record) error {
	if err := reg.st.PutApp(ctx, rec.toStore()); err != nil {
		return fmt.Errorf("apps: %w", err)
	}
	reg.mu.Lock()
	reg.apps[rec.app.ClientID] = rec
	reg.mu.Unlock()
	return nil
}

// remove deletes clientID from the store, then from the map. The caller holds wmu.
func (reg *Registry) remove(ctx context.Context, clientID string) error {
	if err := reg.st.DeleteApp(ctx, clientID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("apps: %w", err)
	}
	reg.mu.Lock()
	delete(reg.apps, clientID)
	reg.mu.Unlock()
	return nil
}
