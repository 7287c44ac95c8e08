// Package fhirapi implements the FHIR R4 interactions of the contract (read, vread, search,
// create, update, delete, history, Patient/$everything and the CapabilityStatement) on a store.
// It implements the FHIR part of the generated api.ServerInterface; routing, request
// validation and authentication happen before a request gets here.
package fhirapi

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/store"
)

// Base is the path of the FHIR API.
const Base = "/fhir/R4"

// Server serves the FHIR interactions.
type Server struct {
	store      store.Store
	log        *slog.Logger
	publicURL  string // scheme://host[:port] the links use; "" means the request's own host
	capability []byte // the pre-serialised CapabilityStatement
}

// Config configures a Server.
type Config struct {
	Store store.Store
	// Logger receives unexpected failures; nil discards them.
	Logger *slog.Logger
	// PublicURL is the absolute URL clients reach the server at (scheme://host[:port], no
	// path), used in Bundle links and Location headers. "" means the request's Host.
	PublicURL string
	// Capability is the CapabilityStatement served at /metadata.
	Capability api.CapabilityStatement
}

// New returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("fhirapi: a store is required")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	capability, err := json.Marshal(cfg.Capability)
	if err != nil {
		return nil, fmt.Errorf("fhirapi: encode CapabilityStatement: %w", err)
	}
	return &Server{store: cfg.Store, log: log, publicURL: strings.TrimSuffix(cfg.PublicURL, "/"), capability: capability}, nil
}

// GetCapabilityStatement serves the CapabilityStatement.
// FHIR: GET /metadata
func (s *Server) GetCapabilityStatement(w http.ResponseWriter, r *http.Request, _ api.GetCapabilityStatementParams) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	w.Write(s.capability)
}

// base returns the absolute FHIR base URL for links in answers to r.
func (s *Server) base(r *http.Request) string {
	if s.publicURL != "" {
		return s.publicURL + Base
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + Base
}
