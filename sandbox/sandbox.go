// Package sandbox is the LHCR developer sandbox: a self-contained FHIR R4 (UK Core) server with
// synthetic patients, OAuth2 app credentials and a developer portal. It validates every request
// against the API contract and stores data in SQLite.
//
//	sb, err := sandbox.New(ctx, sandbox.Config{InMemory: true})
//	if err != nil { … }
//	defer sb.Close()
//	http.ListenAndServe(":8080", sb)
package sandbox

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-jose/go-jose/v4"

	"github.com/gm-lhcr/lhcr/openapi"
	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/apps"
	"github.com/gm-lhcr/lhcr/sandbox/internal/auth"
	"github.com/gm-lhcr/lhcr/sandbox/internal/capability"
	"github.com/gm-lhcr/lhcr/sandbox/internal/faults"
	"github.com/gm-lhcr/lhcr/sandbox/internal/fhirapi"
	"github.com/gm-lhcr/lhcr/sandbox/internal/idempotency"
	"github.com/gm-lhcr/lhcr/sandbox/internal/limits"
	"github.com/gm-lhcr/lhcr/sandbox/internal/portal"
	"github.com/gm-lhcr/lhcr/sandbox/internal/requestlog"
	"github.com/gm-lhcr/lhcr/sandbox/internal/store"
	"github.com/gm-lhcr/lhcr/sandbox/internal/validate"
)

// DefaultRateLimit is lhcr-sandbox's per-app limit on FHIR requests per second (bursts of
// twice as many).
const DefaultRateLimit = 500

// ServingGCPercent is the garbage collector setting lhcr-sandbox serves with when GOGC is not
// set. A serving sandbox's live heap is small (about 8 MB with 10,000 patients), so at Go's
// default of 100 the collector ran over 100 times a second under load and took a tenth of the
// CPU; 400 lets the heap grow to about 40 MB between collections (docs/performance.md).
const ServingGCPercent = 400

// Version is the sandbox's version, reported in /metadata.
const Version = "0.1.0"

// Config configures a sandbox. The zero value is a sandbox on ./lhcr-sandbox.db.
type Config struct {
	// DBPath is the SQLite database file; "" means ./lhcr-sandbox.db.
	DBPath string
	// InMemory keeps the data in a temporary database removed on Close.
	InMemory bool
	// PublicURL is scheme://host[:port] as clients reach the sandbox, used in links; "" means
	// each request's own Host.
	PublicURL string
	// Logger receives the sandbox's logs; nil discards them.
	Logger *slog.Logger
	// MaxBodyBytes caps FHIR and developer API request bodies; 0 means 1 MiB.
	MaxBodyBytes int64

	// Patients is how many synthetic patients to seed an empty database with (with their
	// organisations, practitioners and clinical histories); 0 seeds nothing, for a sandbox that
	// holds only your own data. lhcr-sandbox seeds DefaultPatients unless told otherwise.
	Patients int
	// Seed makes a different (but equally deterministic) population; 0 means DefaultSeed.
	Seed int64
	// AsOf is the reference date of the clinical histories; zero means DefaultAsOf.
	AsOf time.Time
	// Reset empties the database first, so that it is seeded afresh.
	Reset bool
	// Progress receives seeding progress (a bar on a terminal, log lines otherwise); nil is silent.
	Progress io.Writer

	// RateLimit is each app's sustained FHIR requests per second, answered 429 beyond; 0 means
	// no limit (in-process tests are not throttled). lhcr-sandbox sets DefaultRateLimit.
	RateLimit float64
	// RateBurst is how many FHIR requests an app may send at once; 0 means 2×RateLimit.
	RateBurst int
	// MaxTokenFailures is how many failed client authentications at the token endpoint, per
	// client id and per remote address, within TokenFailureWindow lead to 429; 0 means 20.
	MaxTokenFailures int
	// TokenFailureWindow is the sliding window of MaxTokenFailures; 0 means 5 minutes.
	TokenFailureWindow time.Duration

	// TokenTTL is the access tokens' lifetime; 0 means 5 minutes. Shorten it to test refresh.
	TokenTTL time.Duration
	// TestClientID and TestClientSecret fix the ready test app's credentials (for CI pipelines);
	// empty means DefaultTestClientID and a random secret kept across restarts.
	TestClientID, TestClientSecret string
	// TestJWTClientID with TestJWKS (a public JWKS) creates a second ready app that
	// authenticates with private_key_jwt.
	TestJWTClientID string
	TestJWKS        []byte
	// DeveloperAPIKey fixes the local developer's API key; empty means a random one kept
	// across restarts.
	DeveloperAPIKey string
	// Accounts turns on email + password accounts in the portal (sign-up), for a hosted sandbox.
	Accounts bool
}

// Sandbox is a running sandbox: an http.Handler over its store.
type Sandbox struct {
	handler http.Handler
	store   *store.SQLite
	log     *slog.Logger
	seeded  SeedInfo
	creds   Credentials
	portal  *portal.Portal
}

// New opens (creating and migrating if needed) the database and builds the handler.
func New(ctx context.Context, cfg Config) (*Sandbox, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.Patients < 0 || cfg.Patients > MaxPatients {
		return nil, fmt.Errorf("sandbox: %d patients: choose between 0 and %d", cfg.Patients, MaxPatients)
	}
	if cfg.Seed == 0 {
		cfg.Seed = DefaultSeed
	}
	if cfg.AsOf.IsZero() {
		cfg.AsOf = DefaultAsOf
	}
	doc, err := openapi.Load()
	if err != nil {
		return nil, err
	}
	st, err := store.OpenSQLite(ctx, store.Options{Path: cfg.DBPath, InMemory: cfg.InMemory})
	if err != nil {
		return nil, err
	}
	sb := &Sandbox{store: st, log: log}
	if cfg.Patients > 0 || cfg.Reset {
		if sb.seeded, err = seed(ctx, st, cfg, cfg.Progress); err != nil {
			st.Close()
			return nil, err
		}
		if sb.seeded.Seeded {
			log.Info("seeded synthetic data", "patients", sb.seeded.Patients, "resources", sb.seeded.Resources,
				"seed", sb.seeded.Seed, "elapsed", sb.seeded.Elapsed.Round(time.Millisecond),
				"patients_per_second", int(float64(sb.seeded.Patients)/max(sb.seeded.Elapsed.Seconds(), 1e-9)))
		}
	}
	if err := sb.build(ctx, cfg, doc); err != nil {
		st.Close()
		return nil, err
	}
	return sb, nil
}

// build assembles the parts: registry, authorisation server, FHIR API, validation and routing.
func (sb *Sandbox) build(ctx context.Context, cfg Config, doc *openapi3.T) error {
	st, log := sb.store, sb.log
	key, err := persistentRandom(ctx, st, settingHMACKey)
	if err != nil {
		return err
	}
	hmacKey, err := base64.RawURLEncoding.DecodeString(key)
	if err != nil {
		return fmt.Errorf("sandbox: the stored %s is damaged: %w", settingHMACKey, err)
	}
	reqlog := &requestlog.Log{}
	reg, err := apps.New(ctx, st, hmacKey, log, reqlog, apps.Options{})
	if err != nil {
		return err
	}
	if sb.creds, err = ensureCredentials(ctx, st, reg, cfg); err != nil {
		return err
	}
	authz, err := auth.New(ctx, auth.Config{
		Clients:    clients{reg},
		Store:      st,
		PublicURL:  cfg.PublicURL,
		TokenTTL:   cfg.TokenTTL,
		Logger:     log,
		RequestLog: reqlog,
	})
	if err != nil {
		return err
	}
	cs, err := capability.Build(doc, capability.Options{
		BaseURL:  cfg.PublicURL + fhirapi.Base,
		TokenURL: authz.TokenURL(),
		Version:  Version,
		Date:     time.Now().UTC().Format("2006-01-02"),
	})
	if err != nil {
		return err
	}
	fhir, err := fhirapi.New(fhirapi.Config{Store: st, Logger: log, PublicURL: cfg.PublicURL, Capability: cs})
	if err != nil {
		return err
	}
	v, err := validate.New(doc)
	if err != nil {
		return err
	}
	needs, err := auth.Requirements(doc)
	if err != nil {
		return err
	}
	sb.portal, err = portal.New(portal.Config{Registry: reg, Store: st, Contract: doc, LocalDeveloperID: LocalDeveloperID,
		Accounts: cfg.Accounts, PublicURL: cfg.PublicURL, Logger: log})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	api.HandlerWithOptions(operations{Server: fhir, Registry: reg, auth: authz}, api.StdHTTPServerOptions{
		BaseRouter:       mux,
		ErrorHandlerFunc: bindError,
	})
	appOf := func(ctx context.Context) string { t, _ := auth.TokenFrom(ctx); return t.ClientID }
	rate := cfg.RateLimit
	if rate <= 0 {
		rate = -1 // off
	}
	inner := limits.NewRateLimit(limits.RateConfig{Rate: rate, Burst: cmp.Or(cfg.RateBurst, int(2*rate)), ClientID: appOf}).Wrap(
		faults.New(faults.Config{}).Wrap(
			idempotency.New(idempotency.Config{ClientID: appOf}).Wrap(mux)))
	guard := limits.NewTokenGuard(limits.GuardConfig{
		MaxFailures: cfg.MaxTokenFailures, MaxAddressFailures: cfg.MaxTokenFailures, Window: cfg.TokenFailureWindow,
		Known: func(id string) bool { _, ok := reg.Client(id); return ok },
	})
	sb.handler = chain(log, cfg.MaxBodyBytes, reqlog, guard,
		&router{mux: mux, validator: v, auth: authz, needs: needs, portal: sb.portal, inner: inner})
	return nil
}

// operations is the whole generated server interface, assembled from the parts that serve it:
// the FHIR API, the developer API (the app registry) and the OAuth endpoints.
type operations struct {
	*fhirapi.Server
	*apps.Registry
	auth *auth.Server
}

// The OAuth and SMART discovery operations, served by the authorisation server.

func (o operations) RequestToken(w http.ResponseWriter, r *http.Request, p api.RequestTokenParams) {
	o.auth.RequestToken(w, r, p)
}
func (o operations) IntrospectToken(w http.ResponseWriter, r *http.Request, p api.IntrospectTokenParams) {
	o.auth.IntrospectToken(w, r, p)
}
func (o operations) RevokeToken(w http.ResponseWriter, r *http.Request, p api.RevokeTokenParams) {
	o.auth.RevokeToken(w, r, p)
}
func (o operations) GetSmartConfiguration(w http.ResponseWriter, r *http.Request, p api.GetSmartConfigurationParams) {
	o.auth.GetSmartConfiguration(w, r, p)
}
func (o operations) GetTokenSigningKeys(w http.ResponseWriter, r *http.Request, p api.GetTokenSigningKeysParams) {
	o.auth.GetTokenSigningKeys(w, r, p)
}

// clients adapts the app registry to what the authorisation server reads.
type clients struct{ reg *apps.Registry }

func (c clients) Client(id string) (auth.Client, bool) {
	a, ok := c.reg.Client(id)
	if !ok {
		return auth.Client{}, false
	}
	return auth.Client{ID: a.ClientID, AuthMethod: a.AuthMethod, Scopes: a.Scopes}, true
}

func (c clients) CheckSecret(id, secret string) bool {
	a, ok := c.reg.Client(id)
	return ok && c.reg.CheckSecret(a, secret)
}

func (c clients) PublicKeys(ctx context.Context, id string, refresh bool) (jose.JSONWebKeySet, error) {
	a, ok := c.reg.Client(id)
	if !ok {
		return jose.JSONWebKeySet{}, fmt.Errorf("unknown client %s", id)
	}
	return c.reg.PublicKeys(ctx, a, refresh)
}

// Credentials are the ready-made credentials of this sandbox.
func (s *Sandbox) Credentials() Credentials { return s.creds }

var _ api.ServerInterface = operations{}

// ServeHTTP serves the sandbox's API.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close closes the database.
func (s *Sandbox) Close() error { return s.store.Close() }

// IntegrityCheck checks the database's consistency (PRAGMA integrity_check).
func (s *Sandbox) IntegrityCheck(ctx context.Context) error { return s.store.IntegrityCheck(ctx) }

// bindError answers a parameter the generated server could not bind (after validation passed,
// this is rare) as a 400 OperationOutcome.
func bindError(w http.ResponseWriter, r *http.Request, err error) {
	var name string
	var ipf *api.InvalidParamFormatError
	var rp *api.RequiredParamError
	var rh *api.RequiredHeaderError
	switch {
	case errors.As(err, &ipf):
		name = ipf.ParamName
	case errors.As(err, &rp):
		name = rp.ParamName
	case errors.As(err, &rh):
		name = rh.ParamName
	}
	msg := err.Error()
	if name != "" {
		msg = fmt.Sprintf("invalid parameter %q: %v", name, err)
	}
	validate.WriteError(w, r, badRequest(msg))
}

// Seeded says how the database was seeded (Seeded false: it held data already).
func (s *Sandbox) Seeded() SeedInfo { return s.seeded }

// Banner is what the sandbox prints at start-up: where to go next, and the ready credentials.
func (s *Sandbox) Banner(publicURL string) string {
	data := "empty (start with --patients N to seed synthetic patients)"
	if si := s.seeded; si.Resources > 0 {
		data = fmt.Sprintf("%d resources", si.Resources)
		if si.Patients > 0 {
			data = fmt.Sprintf("%d synthetic patients (seed %d, as of %s), %d resources", si.Patients, si.Seed, si.AsOf.Format(time.DateOnly), si.Resources)
		}
	}
	c := s.creds
	var b strings.Builder
	fmt.Fprintf(&b, `
LHCR developer sandbox %s is running.

  FHIR base URL     %s/fhir/R4
  Token endpoint    %s/oauth2/token
  Portal            %s/portal
  Sign in (once)    %s
  Database          %s
  Data              %s

Ready test app (client credentials, scope %s):
  client id         %s
  client secret     %s
`, Version, publicURL, publicURL, publicURL, s.portal.SignInLink(publicURL), s.store.Path(), data, TestAppScopes, c.ClientID, c.ClientSecret)
	if c.JWTClientID != "" {
		fmt.Fprintf(&b, "  signed-JWT app    %s (private_key_jwt with your registered key)\n", c.JWTClientID)
	}
	fmt.Fprintf(&b, `Developer API key   %s   (X-API-Key header on %s/developer/v1)

Try:
  TOKEN=$(curl -s -u '%s:%s' -d grant_type=client_credentials %s/oauth2/token | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
  curl -s -H "Authorization: Bearer $TOKEN" %s/fhir/R4/Patient/story-diabetes
  curl -s -H "Authorization: Bearer $TOKEN" '%s/fhir/R4/Observation?patient=story-diabetes&code=http://loinc.org|4548-4'

From Go (the SDK, in this repository):
  LHCR_FHIR_BASE_URL=%s/fhir/R4 LHCR_CLIENT_ID=%s LHCR_CLIENT_SECRET=%s go run ./examples/quickstart

Stop with Ctrl-C.
`, c.DeveloperAPIKey, publicURL, c.ClientID, c.ClientSecret, publicURL, publicURL, publicURL, publicURL, c.ClientID, c.ClientSecret)
	return b.String()
}
