package auth

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	fositejwt "github.com/ory/fosite/token/jwt"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// RequestToken is the token endpoint: the client credentials grant.
// OAuth: POST /oauth2/token
func (s *Server) RequestToken(w http.ResponseWriter, r *http.Request, _ api.RequestTokenParams) {
	ctx := r.Context()
	// fosite answers an unknown grant type with invalid_request; RFC 6749 §5.2 says unsupported_grant_type.
	if err := r.ParseForm(); err == nil {
		// RFC 6749 §3.2: request parameters must not be included more than once.
		for _, k := range []string{"grant_type", "scope", "client_id", "client_secret", "client_assertion", "client_assertion_type"} {
			if len(r.PostForm[k]) > 1 {
				s.provider.WriteAccessError(ctx, w, nil, fosite.ErrInvalidRequest.WithDescription("the parameter "+k+" is repeated: send each parameter once"))
				return
			}
		}
		if gt := r.PostForm.Get("grant_type"); gt != "" && gt != "client_credentials" {
			s.provider.WriteAccessError(ctx, w, nil, fosite.ErrUnsupportedGrantType.WithDescription(
				"grant_type "+gt+" is not supported: this server issues tokens to apps with grant_type=client_credentials"))
			return
		}
	}
	session := &oauth2.JWTSession{
		JWTClaims: &fositejwt.JWTClaims{Extra: map[string]any{}},
		JWTHeader: &fositejwt.Headers{Extra: map[string]any{"kid": s.keyID, "typ": "at+jwt"}},
	}
	ar, err := s.provider.NewAccessRequest(ctx, r, session)
	if err != nil {
		s.tokenError(w, r, ar, err)
		return
	}
	client := ar.GetClient()
	session.JWTClaims.Subject = client.GetID()
	session.JWTClaims.Extra["client_id"] = client.GetID()
	// A request without scope gets the app's registered scopes, never an empty token.
	scopes := ar.GetRequestedScopes()
	if len(scopes) == 0 {
		scopes = client.GetScopes()
	}
	for _, sc := range scopes {
		ar.GrantScope(sc)
	}
	ar.GrantAudience(s.fhirBase)
	resp, err := s.provider.NewAccessResponse(ctx, ar)
	if err != nil {
		s.tokenError(w, r, ar, err)
		return
	}
	s.provider.WriteAccessResponse(ctx, w, ar, resp)
}

func (s *Server) tokenError(w http.ResponseWriter, r *http.Request, ar fosite.AccessRequester, err error) {
	rfc := fosite.ErrorToRFC6749Error(err)
	level := s.log.Info
	if rfc.CodeField >= 500 {
		level = s.log.Error
	}
	level("token request refused", "error", rfc.ErrorField, "description", rfc.GetDescription(), "path", r.URL.Path)
	if rfc.ErrorField == fosite.ErrInvalidClient.ErrorField {
		w.Header().Set("WWW-Authenticate", `Basic realm="lhcr"`)
	}
	s.provider.WriteAccessError(r.Context(), w, ar, err)
}

// writeOAuth sends an RFC 6749 JSON body with no-store caching.
func writeOAuth(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// callerClient authenticates the app calling introspection or revocation, as at the token endpoint.
func (s *Server) callerClient(w http.ResponseWriter, r *http.Request) (fosite.Client, bool) {
	if err := r.ParseForm(); err != nil {
		writeOAuth(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "the body is not a form"})
		return nil, false
	}
	c, err := s.authenticateClient(r.Context(), r, r.PostForm)
	if err != nil {
		s.tokenError(w, r, nil, err)
		return nil, false
	}
	return c, true
}

// IntrospectToken says whether a token is active (RFC 7662). The caller authenticates as an app
// and may introspect only its own tokens; any other token is reported inactive.
// OAuth: POST /oauth2/introspect
func (s *Server) IntrospectToken(w http.ResponseWriter, r *http.Request, _ api.IntrospectTokenParams) {
	caller, ok := s.callerClient(w, r)
	if !ok {
		return
	}
	t, err := s.Verify(r.Context(), r.PostForm.Get("token"))
	if err != nil || t.ClientID != caller.GetID() {
		writeOAuth(w, http.StatusOK, api.IntrospectionResponse{Active: false})
		return
	}
	iat, exp := t.IssuedAt.Unix(), t.Expiry.Unix()
	writeOAuth(w, http.StatusOK, api.IntrospectionResponse{
		Active:    true,
		Scope:     &t.Scope,
		ClientID:  &t.ClientID,
		Sub:       &t.ClientID,
		Aud:       t.Audience,
		Iss:       &s.issuer,
		Exp:       &exp,
		Iat:       &iat,
		Jti:       &t.JTI,
		TokenType: ptr("Bearer"),
	})
}

// RevokeToken revokes an access token issued to the calling app (RFC 7009). An unknown or
// another app's token is answered 200 too, as RFC 7009 says, and left alone.
// OAuth: POST /oauth2/revoke
func (s *Server) RevokeToken(w http.ResponseWriter, r *http.Request, _ api.RevokeTokenParams) {
	caller, ok := s.callerClient(w, r)
	if !ok {
		return
	}
	if hint := r.PostForm.Get("token_type_hint"); hint == "refresh_token" {
		writeOAuth(w, http.StatusBadRequest, map[string]string{"error": "unsupported_token_type", "error_description": "this server issues no refresh tokens"})
		return
	}
	t, err := s.Verify(r.Context(), r.PostForm.Get("token"))
	if err == nil && t.ClientID == caller.GetID() {
		if err := s.revoke(r.Context(), t); err != nil {
			s.log.ErrorContext(r.Context(), "revocation failed", "err", err)
			writeOAuth(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable", "error_description": "the revocation could not be stored; try again"})
			return
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// GetSmartConfiguration is SMART discovery: where the token endpoint is and what it supports.
// FHIR: GET /.well-known/smart-configuration
func (s *Server) GetSmartConfiguration(w http.ResponseWriter, r *http.Request, _ api.GetSmartConfigurationParams) {
	tokenURL := s.tokenURLFor(r)
	base := strings.TrimSuffix(tokenURL, "/oauth2/token")
	cfg := api.SmartConfiguration{
		Issuer:                            &s.issuer,
		JWKSURI:                           ptr(base + "/oauth2/jwks"),
		TokenEndpoint:                     tokenURL,
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post", "private_key_jwt"},
		TokenEndpointAuthSigningAlgValuesSupported: []string{"RS384", "ES384", "RS512"},
		GrantTypesSupported:                        []string{"client_credentials"},
		ScopesSupported:                            []string{"system/*.read", "system/*.write", "system/*.rs", "system/*.cruds"},
		Capabilities:                               []string{"client-confidential-asymmetric", "client-confidential-symmetric", "permission-v1", "permission-v2"},
		IntrospectionEndpoint:                      ptr(base + "/oauth2/introspect"),
		RevocationEndpoint:                         ptr(base + "/oauth2/revoke"),
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	json.NewEncoder(w).Encode(cfg)
}

func ptr[T any](v T) *T { return &v }

// GetTokenSigningKeys serves the public key set that verifies this server's access tokens.
// OAuth: GET /oauth2/jwks
func (s *Server) GetTokenSigningKeys(w http.ResponseWriter, r *http.Request, _ api.GetTokenSigningKeysParams) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	json.NewEncoder(w).Encode(s.JWKS())
}
