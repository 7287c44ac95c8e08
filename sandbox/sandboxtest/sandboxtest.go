// Package sandboxtest runs a seeded LHCR sandbox in-process, on an httptest server, so that your
// own tests (and the SDK's and the examples') talk to the same FHIR API, OAuth endpoints and
// developer API as production, with no database or server to set up.
//
//	func TestMyApp(t *testing.T) {
//		sb := sandboxtest.New(t) // closed by t.Cleanup
//		c, err := sdk.NewClient(sb.FHIRBaseURL, sdk.WithClientSecret(sb.ClientID, sb.ClientSecret))
//		…
//	}
//
// The data is the sandbox's deterministic synthetic population (the same seed gives the same
// resources and ids), including the story patients listed by [Stories]. Each sandbox has its
// own in-memory database, so tests may write freely and run in parallel.
package sandboxtest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gm-lhcr/lhcr/sandbox"
	"github.com/gm-lhcr/lhcr/sandbox/internal/synth"
)

// DefaultPatients is how many synthetic patients a sandbox is seeded with unless [WithPatients]
// says otherwise: enough for every story patient and some searching, fast to seed (~0.1 s).
const DefaultPatients = 50

// Sandbox is a running in-process sandbox and the credentials of its ready-made app.
type Sandbox struct {
	// URL is the sandbox's root URL (http://127.0.0.1:PORT, plus the prefix of WithPathPrefix):
	// the developer API lives at URL + "/developer/v1".
	URL string
	// FHIRBaseURL is URL + "/fhir/R4", what an FHIR client (sdk.NewClient) is given.
	FHIRBaseURL string
	// TokenURL is URL + "/oauth2/token", the only audience a client assertion may name.
	TokenURL string

	// ClientID and ClientSecret are the ready test app's credentials (client_secret_basic or
	// client_secret_post), with every scope (system/*.cruds).
	ClientID, ClientSecret string
	// JWTClientID is the ready private_key_jwt app made by WithJWTApp, else "".
	JWTClientID string
	// DeveloperAPIKey is the local developer's key for the developer API (X-API-Key).
	DeveloperAPIKey string

	// Server is the httptest server.
	Server *httptest.Server
	// Handler is the sandbox the server serves.
	Handler *sandbox.Sandbox
}

// Option changes how a sandbox is started.
type Option func(*options)

type options struct {
	cfg    sandbox.Config
	prefix string
	wraps  []func(http.Handler) http.Handler
}

// WithPatients seeds n synthetic patients (0 for an empty sandbox holding only your own data).
// The first six are the story patients.
func WithPatients(n int) Option { return func(o *options) { o.cfg.Patients = n } }

// WithSeed seeds a different, equally deterministic, population.
func WithSeed(seed int64) Option { return func(o *options) { o.cfg.Seed = seed } }

// WithTokenTTL sets the access tokens' lifetime (default 5 minutes): shorten it to test that
// your code refreshes tokens.
func WithTokenTTL(d time.Duration) Option { return func(o *options) { o.cfg.TokenTTL = d } }

// WithJWTApp registers a second ready app, clientID, that authenticates with private_key_jwt
// using the keys of jwks (a public JSON Web Key Set).
func WithJWTApp(clientID string, jwks []byte) Option {
	return func(o *options) { o.cfg.TestJWTClientID, o.cfg.TestJWKS = clientID, jwks }
}

// WithLogger sends the sandbox's logs to l (they are discarded by default).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.cfg.Logger = l } }

// WithPathPrefix serves the sandbox under prefix (e.g. "/lhcr"), as behind a gateway that routes
// by path: every URL, link and the token audience carry the prefix. Use it to check that your
// code never builds URLs from the host alone.
func WithPathPrefix(prefix string) Option {
	return func(o *options) { o.prefix = "/" + strings.Trim(prefix, "/") }
}

// WithMiddleware wraps the sandbox's handler, e.g. to inject faults or record requests. Given
// more than once, the first is outermost: it sees each request first.
func WithMiddleware(wrap func(http.Handler) http.Handler) Option {
	return func(o *options) { o.wraps = append(o.wraps, wrap) }
}

// WithConfig changes the sandbox.Config directly, for settings no other option covers.
// PublicURL and InMemory are set by this package and should be left alone.
func WithConfig(change func(*sandbox.Config)) Option { return func(o *options) { change(&o.cfg) } }

// New starts a sandbox for the test and closes it when the test ends (t.Cleanup). It fails the
// test if the sandbox cannot start.
func New(t testing.TB, opts ...Option) *Sandbox {
	t.Helper()
	sb, err := Start(context.Background(), opts...)
	if err != nil {
		t.Fatalf("sandboxtest: %v", err)
	}
	t.Cleanup(sb.Close)
	return sb
}

// Start starts a sandbox; Close stops it. It is New for code without a *testing.T, such as
// Example functions and TestMain.
func Start(ctx context.Context, opts ...Option) (*Sandbox, error) {
	o := options{cfg: sandbox.Config{Patients: DefaultPatients}}
	for _, opt := range opts {
		opt(&o)
	}
	if o.prefix == "/" {
		o.prefix = ""
	}
	srv := httptest.NewUnstartedServer(nil)
	root := "http://" + srv.Listener.Addr().String() + o.prefix
	o.cfg.InMemory = true
	o.cfg.DBPath = ""
	o.cfg.PublicURL = root
	h, err := sandbox.New(ctx, o.cfg)
	if err != nil {
		srv.Listener.Close()
		return nil, err
	}
	var handler http.Handler = h
	if o.prefix != "" {
		handler = http.StripPrefix(o.prefix, handler)
	}
	for i := len(o.wraps) - 1; i >= 0; i-- {
		handler = o.wraps[i](handler)
	}
	srv.Config.Handler = handler
	srv.Start()
	c := h.Credentials()
	return &Sandbox{
		URL:             root,
		FHIRBaseURL:     root + "/fhir/R4",
		TokenURL:        root + "/oauth2/token",
		ClientID:        c.ClientID,
		ClientSecret:    c.ClientSecret,
		JWTClientID:     c.JWTClientID,
		DeveloperAPIKey: c.DeveloperAPIKey,
		Server:          srv,
		Handler:         h,
	}, nil
}

// Close stops the server and removes the sandbox's database.
func (s *Sandbox) Close() {
	s.Server.Close()
	s.Handler.Close()
}

// String describes the sandbox without its secrets.
func (s *Sandbox) String() string {
	return fmt.Sprintf("sandbox at %s (client id %s)", s.FHIRBaseURL, s.ClientID)
}

// Story is one of the story patients: a fixed id and NHS number with a documented history
// (docs/sandbox-data.md), present in every seeded sandbox.
type Story struct {
	// ID is the Patient resource id ("story-diabetes").
	ID string
	// NHSNumber is the patient's NHS number (test range, valid check digit).
	NHSNumber string
	// Summary says what the record shows.
	Summary string
}

// Story patient ids.
const (
	StoryDiabetes          = "story-diabetes"
	StoryAsthmaChild       = "story-asthma-child"
	StoryCOPDHeartFailure  = "story-copd-heart-failure"
	StoryPenicillinAllergy = "story-penicillin-allergy"
	StoryDeceased          = "story-deceased"
	StoryGPChange          = "story-gp-change"
)

// Stories lists the story patients, in the order they are seeded (a sandbox with n patients has
// the first n of them).
func Stories() []Story {
	var out []Story
	for _, s := range synth.Stories() {
		out = append(out, Story{ID: s.ID, NHSNumber: s.NHSNumber, Summary: s.Summary})
	}
	return out
}
