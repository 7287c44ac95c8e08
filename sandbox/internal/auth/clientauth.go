package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/ory/fosite"

	"github.com/gm-lhcr/lhcr/sandbox/internal/requestlog"
)

// Signing algorithms a client assertion may use: what NHS England and SMART Backend Services ask for.
var assertionAlgs = []jose.SignatureAlgorithm{jose.RS384, jose.ES384, jose.RS512}

// invalidClient is an RFC 6749 invalid_client error (401) whose description says which check failed.
func invalidClient(msg string) error {
	return fosite.ErrInvalidClient.WithDescription(msg)
}

func invalidRequest(msg string) error {
	return fosite.ErrInvalidRequest.WithDescription(msg)
}

// authenticateClient is the token endpoint's client authentication (fosite's
// ClientAuthenticationStrategy): a client secret (HTTP Basic or form) or a signed JWT assertion.
func (s *Server) authenticateClient(ctx context.Context, r *http.Request, form url.Values) (fosite.Client, error) {
	_, _, hasBasic := r.BasicAuth()
	if form.Has("client_assertion") || form.Has("client_assertion_type") {
		if hasBasic || form.Has("client_secret") {
			return nil, invalidRequest("use one client authentication method: a client_assertion, or a client secret, not both")
		}
		return s.authenticateAssertion(ctx, s.tokenURLFor(r), form)
	}
	if hasBasic && (form.Has("client_secret") || form.Has("client_id") && form.Get("client_id") != basicUser(r)) {
		return nil, invalidRequest("use one client authentication method: HTTP Basic or client_secret in the form, not both")
	}
	id, secret := form.Get("client_id"), form.Get("client_secret")
	if hasBasic {
		var err error
		if id, secret, err = basicCredentials(r); err != nil {
			return nil, invalidClient(err.Error())
		}
	}
	if id == "" {
		return nil, invalidClient("no client authentication: send the client id and secret with HTTP Basic (client_secret_basic), in the form (client_secret_post), or a signed client_assertion (private_key_jwt)")
	}
	c, ok := s.clients.Client(id)
	if !ok {
		return nil, invalidClient("unknown client_id")
	}
	// From here on the request shows in that app's request log, failures included.
	requestlog.Attribute(ctx, c.ID)
	if c.AuthMethod != MethodSecret {
		return nil, invalidClient("this client is registered for private_key_jwt: authenticate with a signed client_assertion, not a secret")
	}
	if secret == "" {
		return nil, invalidClient("no client_secret given")
	}
	if !s.clients.CheckSecret(c.ID, secret) {
		return nil, invalidClient("the client secret does not match (was it rotated?)")
	}
	return s.fositeClient(c), nil
}

func basicUser(r *http.Request) string {
	u, _, _ := r.BasicAuth()
	return u
}

// basicCredentials decodes HTTP Basic credentials, which RFC 6749 §2.3.1 form-urlencodes.
func basicCredentials(r *http.Request) (string, string, error) {
	u, p, _ := r.BasicAuth()
	id, err := url.QueryUnescape(u)
	if err != nil {
		return "", "", errors.New("the Basic client id is not form-urlencoded")
	}
	secret, err := url.QueryUnescape(p)
	if err != nil {
		return "", "", errors.New("the Basic client secret is not form-urlencoded")
	}
	return id, secret, nil
}

// assertionClaims are the claims a client assertion must carry.
type assertionClaims struct {
	jwt.Claims
}

// authenticateAssertion checks a private_key_jwt client assertion (RFC 7523 §3) in full before
// recording its jti, so that a rejected assertion never burns its jti and a replay is always
// the last thing detected.
func (s *Server) authenticateAssertion(ctx context.Context, tokenURL string, form url.Values) (fosite.Client, error) {
	if t := form.Get("client_assertion_type"); t != AssertionType {
		if t == "" {
			return nil, invalidRequest("client_assertion_type is missing: send " + AssertionType)
		}
		return nil, invalidRequest("client_assertion_type must be " + AssertionType)
	}
	raw := form.Get("client_assertion")
	if raw == "" {
		return nil, invalidRequest("client_assertion is missing: send a JWT signed with your registered private key")
	}
	tok, err := jwt.ParseSigned(raw, assertionAlgs)
	if err != nil {
		if strings.Contains(err.Error(), "unexpected signature algorithm") {
			return nil, invalidClient("the client assertion's alg must be RS384, ES384 or RS512")
		}
		return nil, invalidClient("the client assertion is not a well-formed signed JWT (JWS compact serialisation)")
	}
	if len(tok.Headers) != 1 {
		return nil, invalidClient("the client assertion must have exactly one signature")
	}
	h := tok.Headers[0]
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "" && !strings.EqualFold(typ, "JWT") {
		return nil, invalidClient("the client assertion's typ header must be JWT")
	}
	if h.KeyID == "" {
		return nil, invalidClient("the client assertion has no kid header: name the registered key it is signed with")
	}
	var unverified assertionClaims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return nil, invalidClient("the client assertion's claims are not a JSON object")
	}
	iss, sub := unverified.Issuer, unverified.Subject
	if iss == "" || sub == "" {
		return nil, invalidClient("the client assertion needs iss and sub, both the client id")
	}
	if iss != sub {
		return nil, invalidClient("the client assertion's iss and sub must both be the client id")
	}
	if id := form.Get("client_id"); id != "" && id != iss {
		return nil, invalidClient("client_id differs from the client assertion's iss")
	}
	c, ok := s.clients.Client(iss)
	if !ok {
		return nil, invalidClient("unknown client: the client assertion's iss is not a registered client id")
	}
	requestlog.Attribute(ctx, c.ID)
	if c.AuthMethod != MethodJWT {
		return nil, invalidClient("this client is registered for a client secret, not private_key_jwt")
	}
	key, err := s.findKey(ctx, c.ID, h.KeyID, h.Algorithm)
	if err != nil {
		return nil, err
	}
	var claims assertionClaims
	if err := tok.Claims(key.Key, &claims); err != nil {
		return nil, invalidClient("the client assertion's signature does not verify with the registered key " + h.KeyID)
	}
	now := s.now()
	if !slices.Contains(claims.Audience, tokenURL) {
		return nil, invalidClient("the client assertion's aud must be exactly the token URL " + tokenURL)
	}
	if claims.Expiry == nil {
		return nil, invalidClient("the client assertion has no exp")
	}
	exp := claims.Expiry.Time()
	if !exp.After(now.Add(-ClockSkew)) {
		return nil, invalidClient("the client assertion has expired (exp is in the past)")
	}
	if exp.After(now.Add(MaxAssertionLifetime + ClockSkew)) {
		return nil, invalidClient("the client assertion's exp is more than 5 minutes ahead")
	}
	if claims.NotBefore != nil && claims.NotBefore.Time().After(now.Add(ClockSkew)) {
		return nil, invalidClient("the client assertion is not valid yet (nbf is in the future)")
	}
	if claims.IssuedAt != nil && claims.IssuedAt.Time().After(now.Add(ClockSkew)) {
		return nil, invalidClient("the client assertion's iat is in the future")
	}
	if claims.ID == "" {
		return nil, invalidClient("the client assertion has no jti: give each assertion a unique id")
	}
	if len(claims.ID) > 255 {
		return nil, invalidClient("the client assertion's jti is longer than 255 characters")
	}
	fresh, err := s.store.UseJTI(ctx, c.ID, claims.ID, exp)
	if err != nil {
		s.log.ErrorContext(ctx, "recording a client assertion jti failed", "client_id", c.ID, "err", err)
		return nil, fosite.ErrServerError.WithDescription("the assertion could not be recorded; try again with a new jti")
	}
	if !fresh {
		return nil, invalidClient("the client assertion's jti was used before: sign a new assertion with a fresh jti for every token request")
	}
	return s.fositeClient(c), nil
}

// findKey returns the client's key kid, refetching a JWKS URL once if kid is unknown, and checks
// that it suits alg.
func (s *Server) findKey(ctx context.Context, clientID, kid, alg string) (jose.JSONWebKey, error) {
	for _, refresh := range []bool{false, true} {
		set, err := s.clients.PublicKeys(ctx, clientID, refresh)
		if err != nil {
			s.log.WarnContext(ctx, "client keys unavailable", "client_id", clientID, "err", err)
			return jose.JSONWebKey{}, invalidClient("the client's public keys could not be obtained: " + err.Error())
		}
		for _, k := range set.Key(kid) {
			if k.Use == "enc" {
				continue
			}
			if !keySuits(k, alg) {
				return jose.JSONWebKey{}, invalidClient("the registered key " + kid + " cannot verify alg " + alg)
			}
			return k, nil
		}
	}
	return jose.JSONWebKey{}, invalidClient("no registered key has kid " + kid)
}

// keySuits reports whether a public key can verify alg: RSA for RS384/RS512, P-384 for ES384,
// and the key's own alg, if it names one, must agree.
func keySuits(k jose.JSONWebKey, alg string) bool {
	if k.Algorithm != "" && k.Algorithm != alg {
		return false
	}
	switch pub := k.Key.(type) {
	case *rsa.PublicKey:
		return alg == string(jose.RS384) || alg == string(jose.RS512)
	case *ecdsa.PublicKey:
		return alg == string(jose.ES384) && pub.Curve == elliptic.P384()
	}
	return false
}
