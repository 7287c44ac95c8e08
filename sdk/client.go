package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// Client is a client of the LHCR FHIR R4 API. Make one with NewClient and share it: it is safe
// for concurrent use, and it caches its access token.
type Client struct {
	// Patients reads and writes Patient resources, and finds them by NHS number.
	Patients *PatientService
	// Observations reads and writes Observation resources (lab results, vital signs).
	Observations *ObservationService
	// Conditions reads and writes Condition resources (problems and diagnoses).
	Conditions *ConditionService
	// MedicationRequests reads and writes MedicationRequest resources (prescriptions).
	MedicationRequests *MedicationRequestService
	// AllergyIntolerances reads and writes AllergyIntolerance resources.
	AllergyIntolerances *AllergyIntoleranceService
	// Immunizations reads and writes Immunization resources.
	Immunizations *ImmunizationService
	// Encounters reads and writes Encounter resources (visits and admissions).
	Encounters *EncounterService
	// Organizations reads and writes Organization resources (GP practices, trusts).
	Organizations *OrganizationService
	// Practitioners reads and writes Practitioner resources.
	Practitioners *PractitionerService

	base   *url.URL // the FHIR base, e.g. http://localhost:8080/fhir/R4
	api    *api.Client
	http   *http.Client // authenticated, retrying
	tokens oauth2.TokenSource
	disc   *discovery
}

// contractBase is the path prefix of the FHIR operations in the contract (and so in the
// generated client); it is replaced by the path of the base URL the Client was given.
const contractBase = "/fhir/R4"

// fhirMediaType is what the SDK sends and asks for.
const fhirMediaType = "application/fhir+json"

// NewClient returns a client of the FHIR API at baseURL, the FHIR base URL
// (http://localhost:8080/fhir/R4 for a local sandbox), authenticated by one of
// WithClientSecret, WithPrivateKeyJWT or WithTokenSource.
//
// Nothing is sent until the first call: then the token endpoint is discovered from
// baseURL/.well-known/smart-configuration (unless WithTokenURL gives it), a token is requested,
// and the token is reused and refreshed shortly before it expires.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	base, err := parseBase("FHIR base URL", baseURL)
	if err != nil {
		return nil, err
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	switch len(cfg.auths) {
	case 0:
		return nil, errors.New("sdk: no credentials: use WithClientSecret, WithPrivateKeyJWT or WithTokenSource")
	case 1:
	default:
		return nil, fmt.Errorf("sdk: use one way to authenticate, not %s", strings.Join(cfg.auths, " and "))
	}
	baseRT := cfg.httpClient.Transport
	if baseRT == nil {
		baseRT = http.DefaultTransport
	}
	// Public endpoints (discovery, metadata): no token; retries, as for every GET.
	plain := *cfg.httpClient
	plain.Transport = &headerTransport{
		base:      &retryTransport{base: baseRT, policy: cfg.retry, log: cfg.log, wait: sleep},
		userAgent: cfg.userAgent,
		log:       cfg.log,
	}

	c := &Client{base: base}
	server := base.Scheme + "://" + base.Host + "/"
	rewrite := api.WithRequestEditorFn(c.editRequest)
	discAPI, err := api.NewClient(server, api.WithHTTPClient(&plain), rewrite)
	if err != nil {
		return nil, err
	}
	c.disc = &discovery{api: discAPI, base: base, url: cfg.tokenURL}

	c.tokens = cfg.auth.source
	if c.tokens == nil {
		// The token endpoint: no token, no retries (a POST).
		tokenHC := *cfg.httpClient
		tokenHC.Transport = &headerTransport{base: baseRT, userAgent: cfg.userAgent, log: cfg.log}
		c.tokens = newTokenSource(&tokenFetcher{
			auth:     &cfg.auth,
			scopes:   cfg.scopes,
			log:      cfg.log,
			ctx:      context.WithValue(context.Background(), oauth2.HTTPClient, &tokenHC),
			tokenURL: c.disc.tokenURL,
			now:      time.Now,
		})
	}
	authed := *cfg.httpClient
	authed.Transport = &headerTransport{
		base:      &retryTransport{base: &oauth2.Transport{Source: c.tokens, Base: baseRT}, policy: cfg.retry, log: cfg.log, wait: sleep},
		userAgent: cfg.userAgent,
		log:       cfg.log,
	}
	c.http = &authed
	if c.api, err = api.NewClient(server, api.WithHTTPClient(c.http), rewrite); err != nil {
		return nil, err
	}
	c.Patients = newPatients(c)
	c.Observations = newObservations(c)
	c.Conditions = newConditions(c)
	c.MedicationRequests = newMedicationRequests(c)
	c.AllergyIntolerances = newAllergyIntolerances(c)
	c.Immunizations = newImmunizations(c)
	c.Encounters = newEncounters(c)
	c.Organizations = newOrganizations(c)
	c.Practitioners = newPractitioners(c)
	return c, nil
}

// BaseURL returns the FHIR base URL the client was made with.
func (c *Client) BaseURL() string { return c.base.String() }

// TokenSource returns the client's token source: the one given to WithTokenSource, or the
// SDK's caching one. Its tokens' Expiry is when the SDK replaces them, a little before the
// server's expiry.
func (c *Client) TokenSource() oauth2.TokenSource { return c.tokens }

// Token returns a valid access token, requesting one if none is cached. Most programs never
// need it: every call sends the token itself.
func (c *Client) Token(ctx context.Context) (*oauth2.Token, error) {
	type result struct {
		tok *oauth2.Token
		err error
	}
	ch := make(chan result, 1)
	go func() {
		tok, err := c.tokens.Token()
		ch <- result{tok, err}
	}()
	select {
	case r := <-ch:
		return r.tok, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// TokenURL returns the token endpoint, discovering it from the SMART configuration if needed.
func (c *Client) TokenURL(ctx context.Context) (string, error) { return c.disc.tokenURL(ctx) }

// SmartConfiguration reads the server's SMART configuration (OAuth endpoints and capabilities).
// It needs no token.
//
// FHIR: GET /.well-known/smart-configuration
func (c *Client) SmartConfiguration(ctx context.Context) (*SmartConfiguration, error) {
	resp, err := c.disc.api.GetSmartConfiguration(ctx, &api.GetSmartConfigurationParams{})
	return decode[SmartConfiguration](resp, err)
}

// Capabilities reads the server's CapabilityStatement: resource types, interactions and search
// parameters. It needs no token.
//
// FHIR: GET /metadata
func (c *Client) Capabilities(ctx context.Context) (*CapabilityStatement, error) {
	resp, err := c.disc.api.GetCapabilityStatement(ctx, &api.GetCapabilityStatementParams{})
	return decode[CapabilityStatement](resp, err)
}

// editRequest maps the contract's /fhir/R4 paths onto the base URL's path, and asks for FHIR JSON.
func (c *Client) editRequest(_ context.Context, req *http.Request) error {
	if rest, ok := strings.CutPrefix(req.URL.Path, contractBase); ok {
		req.URL.Path = c.base.Path + rest
		req.URL.RawPath = ""
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", fhirMediaType+", application/json;q=0.9")
	}
	return nil
}

// checkLink checks that a link from the server (a Bundle's next link) is under the FHIR base
// before the client sends its token there.
func (c *Client) checkLink(link string) (*url.URL, error) {
	u, err := url.Parse(link)
	if err != nil {
		return nil, fmt.Errorf("sdk: the server's link %q is not a URL: %w", link, err)
	}
	u = c.base.ResolveReference(u)
	if u.Scheme != c.base.Scheme || u.Host != c.base.Host || !strings.HasPrefix(u.Path, c.base.Path+"/") {
		return nil, fmt.Errorf("sdk: the server's link %s://%s%s is outside the FHIR base %s: not followed", u.Scheme, u.Host, u.Path, c.base)
	}
	return u, nil
}

// get sends an authenticated GET to an absolute URL (a link the server gave).
func (c *Client) get(ctx context.Context, u *url.URL) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", fhirMediaType+", application/json;q=0.9")
	return c.http.Do(req)
}

// transportError returns the SDK's own error when the transport carried one (a refused token
// request), without the *url.Error around it; other errors keep their *url.Error, with the
// query left out of its URL (it may hold identifiers such as NHS numbers).
func transportError(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.RawQuery != "" {
			u.RawQuery = ""
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}

// decode reads a 2xx JSON response into a T, or turns any other answer into an *Error.
func decode[T any](resp *http.Response, err error) (*T, error) {
	if err != nil {
		return nil, transportError(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newError(resp)
	}
	defer resp.Body.Close()
	var v T
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return nil, fmt.Errorf("sdk: %s %s: decoding the answer: %w", resp.Request.Method, resp.Request.URL.Path, err)
	}
	return &v, nil
}

// noContent checks a response that has no body to read (DELETE).
func noContent(resp *http.Response, err error) error {
	if err != nil {
		return transportError(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newError(resp)
	}
	drain(resp.Body)
	return nil
}

// idPattern is a FHIR logical id.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

// checkID refuses what is not a FHIR id before it becomes part of a URL path.
func checkID(what, id string) error {
	if !idPattern.MatchString(id) {
		return fmt.Errorf("sdk: %s %q is not a FHIR id (1 to 64 of A-Z, a-z, 0-9, '-' and '.')", what, id)
	}
	return nil
}

// jsonBody marshals v for a request body (re-readable, so an If-Match PUT can be retried).
func jsonBody(v any) (*bytes.Reader, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("sdk: encoding the resource: %w", err)
	}
	return bytes.NewReader(b), nil
}
