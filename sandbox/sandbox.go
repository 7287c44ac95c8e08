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
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gm-lhcr/lhcr/openapi"
	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/capability"
	"github.com/gm-lhcr/lhcr/sandbox/internal/fhirapi"
	"github.com/gm-lhcr/lhcr/sandbox/internal/store"
	"github.com/gm-lhcr/lhcr/sandbox/internal/validate"
)

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
}

// Sandbox is a running sandbox: an http.Handler over its store.
type Sandbox struct {
	handler http.Handler
	store   *store.SQLite
	log     *slog.Logger
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
	doc, err := openapi.Load()
	if err != nil {
		return nil, err
	}
	st, err := store.OpenSQLite(ctx, store.Options{Path: cfg.DBPath, InMemory: cfg.InMemory})
	if err != nil {
		return nil, err
	}
	sb := &Sandbox{store: st, log: log}
	cs, err := capability.Build(doc, capability.Options{
		BaseURL:  cfg.PublicURL + fhirapi.Base,
		TokenURL: cfg.PublicURL + "/oauth2/token",
		Version:  Version,
		Date:     time.Now().UTC().Format("2006-01-02"),
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	fhir, err := fhirapi.New(fhirapi.Config{Store: st, Logger: log, PublicURL: cfg.PublicURL, Capability: cs})
	if err != nil {
		st.Close()
		return nil, err
	}
	v, err := validate.New(doc)
	if err != nil {
		st.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	api.HandlerWithOptions(operations{Server: fhir, pending: pending{}}, api.StdHTTPServerOptions{
		BaseRouter:       mux,
		ErrorHandlerFunc: bindError,
	})
	sb.handler = chain(log, cfg.MaxBodyBytes, &router{mux: mux, validator: v})
	return sb, nil
}

// operations is the whole generated server interface, assembled from the parts that serve it.
type operations struct {
	*fhirapi.Server
	pending
}

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

// Banner is what the sandbox prints at start-up: where to go next.
func (s *Sandbox) Banner(publicURL string) string {
	return fmt.Sprintf(`
LHCR developer sandbox %s is running.

  FHIR base URL   %s/fhir/R4
  Capabilities    %s/fhir/R4/metadata
  Database        %s

Try:
  curl -s %s/fhir/R4/metadata | head

Stop with Ctrl-C.
`, Version, publicURL, publicURL, s.store.Path(), publicURL)
}
