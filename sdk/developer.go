package sdk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// DeveloperClient is a client of the developer API (/developer/v1): it registers apps and
// manages their secrets and keys, as the portal and the lhcr CLI do. It authenticates with a
// developer API key (X-API-Key), not OAuth.
type DeveloperClient struct {
	api    *api.Client
	apiKey *secret
}

// NewDeveloperClient returns a client of the developer API of the server at rootURL (the
// server's root, http://localhost:8080 for a local sandbox, not the FHIR base), authenticated
// with apiKey. Of the options, WithHTTPClient, WithUserAgent, WithRetry and WithLogger apply;
// the OAuth options are refused.
func NewDeveloperClient(rootURL, apiKey string, opts ...Option) (*DeveloperClient, error) {
	root, err := parseBase("server root URL", rootURL)
	if err != nil {
		return nil, err
	}
	if apiKey == "" {
		return nil, errors.New("sdk: NewDeveloperClient needs a developer API key")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if len(cfg.auths) > 0 || cfg.scopes != nil || cfg.tokenURL != "" {
		return nil, errors.New("sdk: the developer API authenticates with its API key: OAuth options do not apply")
	}
	base := cfg.httpClient.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc := *cfg.httpClient
	hc.Transport = &headerTransport{
		base:      &retryTransport{base: base, policy: cfg.retry, log: cfg.log, wait: sleep},
		userAgent: cfg.userAgent,
		log:       cfg.log,
	}
	d := &DeveloperClient{apiKey: newSecret(apiKey)}
	d.api, err = api.NewClient(root.String()+"/", api.WithHTTPClient(&hc), api.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("X-API-Key", d.apiKey.reveal())
		req.Header.Set("Accept", "application/json")
		return nil
	}))
	if err != nil {
		return nil, err
	}
	return d, nil
}

// ListApps returns your apps, newest first. Secrets are never returned.
//
// Developer API: GET /developer/v1/apps
func (d *DeveloperClient) ListApps(ctx context.Context) ([]App, error) {
	l, err := decode[AppList](d.api.ListApps(ctx, &api.ListAppsParams{}))
	if err != nil {
		return nil, err
	}
	return l.Apps, nil
}

// CreateApp registers an app. For a client_secret app the answer holds the client secret: it is
// shown this once, so store it now. For a private_key_jwt app give the public keys as JWKS
// (see PublicJWKS) or JWKSURL.
//
// Developer API: POST /developer/v1/apps
func (d *DeveloperClient) CreateApp(ctx context.Context, app AppCreateRequest) (*AppCredentials, error) {
	return decode[AppCredentials](d.api.CreateApp(ctx, &api.CreateAppParams{}, app))
}

// GetApp returns one of your apps.
//
// Developer API: GET /developer/v1/apps/{clientId}
func (d *DeveloperClient) GetApp(ctx context.Context, clientID string) (*App, error) {
	if err := checkClientID(clientID); err != nil {
		return nil, err
	}
	return decode[App](d.api.GetApp(ctx, clientID, &api.GetAppParams{}))
}

// UpdateApp changes an app's name, description or scopes; absent fields are left as they are.
//
// Developer API: PATCH /developer/v1/apps/{clientId}
func (d *DeveloperClient) UpdateApp(ctx context.Context, clientID string, change AppUpdateRequest) (*App, error) {
	if err := checkClientID(clientID); err != nil {
		return nil, err
	}
	return decode[App](d.api.UpdateApp(ctx, clientID, &api.UpdateAppParams{}, change))
}

// RotateSecret issues a new client secret (shown this once) and invalidates the old one at once.
//
// Developer API: POST /developer/v1/apps/{clientId}/secret
func (d *DeveloperClient) RotateSecret(ctx context.Context, clientID string) (*AppCredentials, error) {
	if err := checkClientID(clientID); err != nil {
		return nil, err
	}
	return decode[AppCredentials](d.api.RotateAppSecret(ctx, clientID, &api.RotateAppSecretParams{}))
}

// SetKeys replaces a private_key_jwt app's public keys with an inline JWKS or a JWKS URL.
//
// Developer API: PUT /developer/v1/apps/{clientId}/keys
func (d *DeveloperClient) SetKeys(ctx context.Context, clientID string, keys AppKeysRequest) (*App, error) {
	if err := checkClientID(clientID); err != nil {
		return nil, err
	}
	return decode[App](d.api.SetAppKeys(ctx, clientID, &api.SetAppKeysParams{}, keys))
}

// DeleteApp deletes an app: its credentials stop working at once and its tokens are revoked.
//
// Developer API: DELETE /developer/v1/apps/{clientId}
func (d *DeveloperClient) DeleteApp(ctx context.Context, clientID string) error {
	if err := checkClientID(clientID); err != nil {
		return err
	}
	return noContent(d.api.DeleteApp(ctx, clientID, &api.DeleteAppParams{}))
}

// RequestLogQuery filters an app's request log.
type RequestLogQuery struct {
	// StatusClass keeps only requests whose status is in this class: "2xx", "3xx", "4xx" or "5xx".
	StatusClass string
	// Limit is how many entries at most (default and maximum 200).
	Limit int
}

// Requests returns the app's recent FHIR and OAuth requests, newest first: how you find out why
// a call answered 401 or 403.
//
// Developer API: GET /developer/v1/apps/{clientId}/requests
func (d *DeveloperClient) Requests(ctx context.Context, clientID string, q RequestLogQuery) ([]RequestLogEntry, error) {
	if err := checkClientID(clientID); err != nil {
		return nil, err
	}
	p := &api.ListAppRequestsParams{}
	if q.StatusClass != "" {
		s := api.ListAppRequestsParamsStatus(q.StatusClass)
		p.Status = &s
	}
	if q.Limit > 0 {
		l := int32(min(q.Limit, 200))
		p.Limit = &l
	}
	l, err := decode[RequestLog](d.api.ListAppRequests(ctx, clientID, p))
	if err != nil {
		return nil, err
	}
	return l.Entries, nil
}

func checkClientID(id string) error {
	if id == "" || url.PathEscape(id) != id {
		return fmt.Errorf("sdk: %q is not a client id", id)
	}
	return nil
}
