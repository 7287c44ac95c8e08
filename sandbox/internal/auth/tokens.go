package auth

import (
	"context"
	"errors"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Token is a verified access token.
type Token struct {
	ClientID string
	Scope    string
	Granted  Granted
	JTI      string
	IssuedAt time.Time
	Expiry   time.Time
	Audience []string
}

type accessClaims struct {
	jwt.Claims
	Scope    string `json:"scope"`
	ClientID string `json:"client_id"`
}

// Token verification failures; their messages go to clients in WWW-Authenticate.
var (
	errTokenMalformed = errors.New("the access token is not a JWT issued by this server")
	errTokenSignature = errors.New("the access token's signature does not verify")
	errTokenExpired   = errors.New("the access token has expired: get a new one from the token endpoint")
	errTokenRevoked   = errors.New("the access token was revoked")
	errTokenClient    = errors.New("the app this access token was issued to no longer exists")
	errTokenIssuer    = errors.New("the access token was issued by another server")
)

// Verify checks an access token: signature (ES256, this server's key), issuer, expiry,
// revocation, and that its app still exists. It reads no database, and a token seen before is
// not verified cryptographically again (an app reuses its token for many requests).
func (s *Server) Verify(ctx context.Context, raw string) (Token, error) {
	if v, ok := s.verified.Load(raw); ok {
		t := v.(Token)
		return t, s.stillValid(t)
	}
	t, err := s.verify(raw)
	if err != nil {
		return Token{}, err
	}
	if s.verifiedN.Add(1) > maxVerified {
		s.verified.Clear()
		s.verifiedN.Store(0)
	}
	s.verified.Store(raw, t)
	return t, nil
}

// maxVerified bounds the cache of verified tokens; it is emptied when full.
const maxVerified = 10000

// stillValid re-checks what can change after a token was verified.
func (s *Server) stillValid(t Token) error {
	if !t.Expiry.After(s.now()) {
		return errTokenExpired
	}
	s.mu.RLock()
	_, revoked := s.revoked[t.JTI]
	s.mu.RUnlock()
	if revoked {
		return errTokenRevoked
	}
	if _, ok := s.clients.Client(t.ClientID); !ok {
		return errTokenClient
	}
	return nil
}

func (s *Server) verify(raw string) (Token, error) {
	tok, err := parseAccess(raw)
	if err != nil {
		return Token{}, errTokenMalformed
	}
	var c accessClaims
	if err := tok.Claims(s.verifyKey.Key, &c); err != nil {
		return Token{}, errTokenSignature
	}
	if c.Issuer != s.issuer {
		return Token{}, errTokenIssuer
	}
	if c.Expiry == nil {
		return Token{}, errTokenMalformed
	}
	clientID := c.ClientID
	if clientID == "" {
		clientID = c.Subject
	}
	t := Token{ClientID: clientID, Scope: c.Scope, Granted: ParseGranted(c.Scope), JTI: c.ID, Expiry: c.Expiry.Time(), Audience: c.Audience}
	if c.IssuedAt != nil {
		t.IssuedAt = c.IssuedAt.Time()
	}
	return t, s.stillValid(t)
}

// revoke records a token's jti as revoked, durably and in the in-memory set the bearer check reads.
func (s *Server) revoke(ctx context.Context, t Token) error {
	if err := s.store.RevokeToken(ctx, t.JTI, t.Expiry); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for jti, exp := range s.revoked {
		if exp.Before(now) {
			delete(s.revoked, jti)
		}
	}
	s.revoked[t.JTI] = t.Expiry
	return nil
}

func parseAccess(raw string) (*jwt.JSONWebToken, error) {
	return jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
}
