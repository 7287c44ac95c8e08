package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// maxRefreshMargin is how long before a token's expiry it is replaced; shorter-lived tokens are
// replaced when a fifth of their lifetime is left.
const maxRefreshMargin = 10 * time.Second

// tokenFetcher gets a new token from the token endpoint on every call: the TokenSource under
// oauth2.ReuseTokenSource, which caches its tokens and calls it once at a time.
type tokenFetcher struct {
	auth   *authMethod
	scopes []string
	log    *slog.Logger
	// ctx is long-lived (never a request's: oauth2 keeps it for every refresh) and carries
	// the token endpoint's HTTP client as oauth2.HTTPClient.
	ctx context.Context
	// tokenURL returns the token endpoint, discovering it on first use.
	tokenURL func(context.Context) (string, error)
	now      func() time.Time
}

// Token requests a new token (a new signed assertion for private_key_jwt).
func (f *tokenFetcher) Token() (*oauth2.Token, error) {
	tokenURL, err := f.tokenURL(f.ctx)
	if err != nil {
		return nil, err
	}
	cc := clientcredentials.Config{
		ClientID:  f.auth.clientID,
		TokenURL:  tokenURL,
		Scopes:    f.scopes,
		AuthStyle: oauth2.AuthStyleInHeader,
	}
	method := "client_secret_basic"
	if f.auth.signer != nil {
		method = "private_key_jwt"
		assertion, err := f.auth.signAssertion(tokenURL, f.now())
		if err != nil {
			return nil, err
		}
		cc.AuthStyle = oauth2.AuthStyleInParams
		cc.EndpointParams = url.Values{"client_assertion_type": {assertionType}, "client_assertion": {assertion}}
	} else {
		cc.ClientSecret = f.auth.secret.reveal()
	}
	start := f.now()
	tok, err := cc.Token(f.ctx)
	if err != nil {
		f.log.LogAttrs(f.ctx, slog.LevelDebug, "lhcr: token request failed", slog.String("client_id", f.auth.clientID),
			slog.String("auth", method), slog.String("error", fromTokenError(err).Error()))
		return nil, fromTokenError(err)
	}
	if !tok.Expiry.IsZero() {
		// Refresh early: oauth2.ReuseTokenSourceWithExpiry(…, 1ns) below then replaces the token
		// at this earlier expiry, whatever the server's token lifetime.
		tok.Expiry = tok.Expiry.Add(-min(maxRefreshMargin, tok.Expiry.Sub(start)/5))
	}
	f.log.LogAttrs(f.ctx, slog.LevelDebug, "lhcr: new access token", slog.String("client_id", f.auth.clientID),
		slog.String("auth", method), slog.Time("refresh_at", tok.Expiry))
	return tok, nil
}

// newTokenSource is the caching, refreshing token source for the configured credentials.
func newTokenSource(f *tokenFetcher) oauth2.TokenSource {
	return oauth2.ReuseTokenSourceWithExpiry(nil, f, time.Nanosecond)
}

// discovery finds the token endpoint in SMART configuration once, and remembers it.
type discovery struct {
	api  *api.Client
	base *url.URL
	mu   sync.Mutex
	url  string
}

// tokenURL returns the token endpoint, fetching /.well-known/smart-configuration the first
// time (and again after a failure).
func (d *discovery) tokenURL(ctx context.Context) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.url != "" {
		return d.url, nil
	}
	resp, err := d.api.GetSmartConfiguration(ctx, &api.GetSmartConfigurationParams{})
	if err != nil {
		return "", fmt.Errorf("sdk: discovering the token endpoint: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", newError(resp)
	}
	defer resp.Body.Close()
	var sc SmartConfiguration
	if err := json.NewDecoder(resp.Body).Decode(&sc); err != nil {
		return "", fmt.Errorf("sdk: discovering the token endpoint: the SMART configuration is not JSON: %w", err)
	}
	if sc.TokenEndpoint == "" {
		return "", errors.New("sdk: the SMART configuration names no token_endpoint")
	}
	// A relative token_endpoint is resolved against the FHIR base.
	u, err := d.base.Parse(sc.TokenEndpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("sdk: the SMART configuration's token_endpoint %q is not an http(s) URL", sc.TokenEndpoint)
	}
	d.url = u.String()
	return d.url, nil
}
