// Package auth is the sandbox's OAuth 2.0 authorisation server and resource-server guard, built
// on ory/fosite: the client credentials grant with client_secret_basic, client_secret_post and
// private_key_jwt (RFC 7523, SMART Backend Services, NHS England's signed-JWT pattern);
// short-lived ES256 JWT access tokens verified without a database read; introspection,
// revocation and SMART discovery; and the scope check on every FHIR interaction.
//
// fosite's defaults leave gaps a production-faithful sandbox must close; this package closes
// them in its own client authentication (see clientauth.go): the assertion's exp is capped at
// five minutes, a replayed jti is invalid_client, an unknown kid is invalid_client, the jti is
// recorded only after every other check passed and a storage failure is a server error, not a
// replay; SMART wildcard scopes are understood; a token request without scope gets the app's
// registered scopes rather than none; each client may sign with any of RS384, ES384 and RS512;
// JWKS keys without "use" are accepted; and secrets are compared as keyed hashes, not bcrypt.
package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/handler/oauth2"
	fositejwt "github.com/ory/fosite/token/jwt"

	"github.com/gm-lhcr/lhcr/sandbox/internal/requestlog"
)

// Auth methods of a registered client.
const (
	MethodSecret = "client_secret"
	MethodJWT    = "private_key_jwt"
)

// Client is what the authorisation server needs to know of a registered app.
type Client struct {
	ID         string
	AuthMethod string // MethodSecret or MethodJWT
	Scopes     []string
}

// Clients is the app registry, read on the token endpoint's and the bearer check's hot paths:
// implementations answer from memory.
type Clients interface {
	Client(id string) (Client, bool)
	CheckSecret(id, secret string) bool
	// PublicKeys returns the client's signing keys; refresh asks for a refetch of a JWKS URL
	// (rate-limited by the implementation) when an assertion names an unknown kid.
	PublicKeys(ctx context.Context, id string, refresh bool) (jose.JSONWebKeySet, error)
}

// Store persists what must survive a restart: used assertion ids, revocations, the signing key.
type Store interface {
	UseJTI(ctx context.Context, clientID, jti string, exp time.Time) (bool, error)
	PurgeJTI(ctx context.Context, before time.Time) error
	RevokeToken(ctx context.Context, jti string, exp time.Time) error
	RevokedTokens(ctx context.Context, now time.Time) (map[string]time.Time, error)
	Setting(ctx context.Context, key string) (string, bool, error)
	SetSetting(ctx context.Context, key, value string) error
}

// Config configures a Server.
type Config struct {
	Clients Clients
	Store   Store
	// PublicURL is scheme://host[:port] of the sandbox: the token URL (the only audience a
	// client assertion may name) and the access tokens' issuer derive from it.
	PublicURL string
	// TokenTTL is the access tokens' lifetime; 0 means DefaultTokenTTL.
	TokenTTL time.Duration
	Logger   *slog.Logger
	// RequestLog, when set, receives each FHIR request made with a token, per app.
	RequestLog *requestlog.Log
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Token lifetimes and assertion limits.
const (
	DefaultTokenTTL = 5 * time.Minute
	// MaxAssertionLifetime is how far in the future a client assertion's exp may be.
	MaxAssertionLifetime = 5 * time.Minute
	// ClockSkew is the leeway allowed on assertion times.
	ClockSkew = 30 * time.Second
	// AssertionType is the only client_assertion_type accepted.
	AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// Server is the authorisation server and the bearer-token guard.
type Server struct {
	clients  Clients
	store    Store
	provider fosite.OAuth2Provider
	log      *slog.Logger
	reqlog   *requestlog.Log
	now      func() time.Time
	ttl      time.Duration

	tokenURL, issuer, fhirBase string

	signingKey *ecdsa.PrivateKey
	keyID      string
	verifyKey  jose.JSONWebKey

	mu      sync.RWMutex
	revoked map[string]time.Time

	verified  sync.Map // raw token → Token, for tokens whose signature verified
	verifiedN atomic.Int64
}

const settingSigningKey = "auth.signing_key"

// New builds the server, loading (or creating, on first start) its token signing key.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Clients == nil || cfg.Store == nil {
		return nil, errors.New("auth: Clients and Store are required")
	}
	s := &Server{
		clients:  cfg.Clients,
		store:    cfg.Store,
		log:      cfg.Logger,
		reqlog:   cfg.RequestLog,
		now:      cfg.Now,
		ttl:      cfg.TokenTTL,
		tokenURL: cfg.PublicURL + "/oauth2/token",
		issuer:   cfg.PublicURL,
		fhirBase: cfg.PublicURL + "/fhir/R4",
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.ttl <= 0 {
		s.ttl = DefaultTokenTTL
	}
	if err := s.loadSigningKey(ctx); err != nil {
		return nil, err
	}
	revoked, err := s.store.RevokedTokens(ctx, s.now())
	if err != nil {
		return nil, err
	}
	s.revoked = revoked
	if err := s.store.PurgeJTI(ctx, s.now().Add(-time.Hour)); err != nil {
		return nil, err
	}

	fc := &fosite.Config{
		AccessTokenLifespan:          s.ttl,
		AccessTokenIssuer:            s.issuer,
		TokenURL:                     s.tokenURL,
		ScopeStrategy:                scopeStrategy,
		AudienceMatchingStrategy:     fosite.DefaultAudienceMatchingStrategy,
		ClientAuthenticationStrategy: s.authenticateClient,
		JWTScopeClaimKey:             fositejwt.JWTScopeFieldString,
		SendDebugMessagesToClients:   false,
		// The HMAC strategy underlies fosite's JWT strategy for token types we never issue.
		GlobalSecret: sha256Key(s.signingKey),
	}
	hmacStrategy := compose.NewOAuth2HMACStrategy(fc)
	// An *ecdsa.PrivateKey signs ES256; the kid goes in each token's header (see RequestToken).
	strategy := compose.NewOAuth2JWTStrategy(func(context.Context) (any, error) { return s.signingKey, nil }, hmacStrategy, fc)
	// Only the client credentials grant: nothing else is composed in.
	s.provider = compose.Compose(fc, fositeStorage{s}, strategy, compose.OAuth2ClientCredentialsGrantFactory)
	return s, nil
}

func (s *Server) loadSigningKey(ctx context.Context) error {
	v, ok, err := s.store.Setting(ctx, settingSigningKey)
	if err != nil {
		return err
	}
	var key *ecdsa.PrivateKey
	if ok {
		block, _ := pem.Decode([]byte(v))
		if block == nil {
			return errors.New("auth: the stored signing key is not PEM")
		}
		if key, err = x509.ParseECPrivateKey(block.Bytes); err != nil {
			return fmt.Errorf("auth: the stored signing key: %w", err)
		}
	} else {
		if key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			return err
		}
		der, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return err
		}
		if err := s.store.SetSetting(ctx, settingSigningKey, string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))); err != nil {
			return err
		}
	}
	s.signingKey = key
	pub := jose.JSONWebKey{Key: &key.PublicKey, Algorithm: string(jose.ES256), Use: "sig"}
	thumb, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return err
	}
	s.keyID = base64.RawURLEncoding.EncodeToString(thumb)
	pub.KeyID = s.keyID
	s.verifyKey = pub
	return nil
}

// TokenURL is the token endpoint's URL: the audience client assertions must name. It is
// absolute when Config.PublicURL was set.
func (s *Server) TokenURL() string { return s.tokenURL }

// tokenURLFor is the token URL as the client of r reaches it: the configured one, or, with no
// PublicURL configured, the request's own scheme and host (so that an embedded sandbox still
// asks for an absolute aud, as production does).
func (s *Server) tokenURLFor(r *http.Request) string {
	if s.issuer != "" || r == nil || r.Host == "" {
		return s.tokenURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/oauth2/token"
}

// JWKS is the public key set that verifies the access tokens.
func (s *Server) JWKS() jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{s.verifyKey}}
}

func sha256Key(k *ecdsa.PrivateKey) []byte {
	d := k.D.Bytes()
	sum := sha256.Sum256(append([]byte("lhcr-fosite-hmac:"), d...))
	return sum[:]
}

// fositeStorage is the storage fosite asks for. Access tokens are self-contained JWTs, so no
// token session is stored; client lookups answer from the registry.
type fositeStorage struct{ s *Server }

func (f fositeStorage) GetClient(_ context.Context, id string) (fosite.Client, error) {
	c, ok := f.s.clients.Client(id)
	if !ok {
		return nil, fosite.ErrNotFound
	}
	return f.s.fositeClient(c), nil
}

// ClientAssertionJWTValid and SetClientAssertionJWT are fosite's jti hooks for its own client
// authentication, which this server replaces (see clientauth.go); they are never called.
func (f fositeStorage) ClientAssertionJWTValid(context.Context, string) error { return nil }
func (f fositeStorage) SetClientAssertionJWT(context.Context, string, time.Time) error {
	return nil
}

func (f fositeStorage) CreateAccessTokenSession(context.Context, string, fosite.Requester) error {
	return nil
}
func (f fositeStorage) GetAccessTokenSession(context.Context, string, fosite.Session) (fosite.Requester, error) {
	return nil, fosite.ErrNotFound
}
func (f fositeStorage) DeleteAccessTokenSession(context.Context, string) error { return nil }

var _ oauth2.AccessTokenStorage = fositeStorage{}

func (s *Server) fositeClient(c Client) *fosite.DefaultClient {
	return &fosite.DefaultClient{
		ID:         c.ID,
		Scopes:     c.Scopes,
		GrantTypes: []string{"client_credentials"},
		Audience:   []string{s.fhirBase},
	}
}
