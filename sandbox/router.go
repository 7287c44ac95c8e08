package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/auth"
	"github.com/gm-lhcr/lhcr/sandbox/internal/outcome"
	"github.com/gm-lhcr/lhcr/sandbox/internal/portal"
	"github.com/gm-lhcr/lhcr/sandbox/internal/search"
	"github.com/gm-lhcr/lhcr/sandbox/internal/validate"
)

// router finds the operation with the ServeMux, validates the request against the contract,
// and answers unknown paths and methods with an OperationOutcome (404, 405).
type router struct {
	mux       *http.ServeMux
	validator *validate.Validator
	auth      *auth.Server
	needs     map[string]auth.Requirement // by pattern
	// inner serves a request that passed the bearer check and validation: the per-app rate
	// limit, fault simulation and idempotent writes around the mux.
	inner  http.Handler
	portal http.Handler // the developer portal's HTML pages under /portal
}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, pattern := rt.mux.Handler(r)
	if pattern == "" && rt.portal != nil && portal.Matches(r.URL.Path) {
		rt.portal.ServeHTTP(w, r)
		return
	}
	if pattern == "" {
		rt.unmatched(w, r)
		return
	}
	// Who may call comes before what the call says: an unauthenticated caller learns nothing
	// from validation messages.
	if need := rt.needs[pattern]; need.Bearer {
		var e *outcome.Error
		if r, e = rt.auth.Authorize(w, r, need); e != nil {
			e.Write(w)
			return
		}
	}
	if e := rt.validator.Check(r, pattern); e != nil {
		validate.WriteError(w, r, e)
		return
	}
	rt.inner.ServeHTTP(w, r)
}

var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

func (rt *router) unmatched(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, m := range methods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := rt.mux.Handler(probe); p != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		validate.WriteError(w, r, outcome.Errorf(http.StatusMethodNotAllowed, api.OperationOutcomeIssueCodeNotSupported,
			"%s is not supported on %s: use %s", r.Method, r.URL.Path, strings.Join(allowed, " or ")))
		return
	}
	validate.WriteError(w, r, notFound(r.URL.Path))
}

// notFound explains an unknown path; an unknown FHIR resource type gets the list of known ones.
func notFound(path string) *outcome.Error {
	if rest, ok := strings.CutPrefix(path, "/fhir/R4/"); ok {
		typ, _, _ := strings.Cut(rest, "/")
		if typ != "" && !slices.Contains(search.ResourceTypes(), typ) && typ[0] >= 'A' && typ[0] <= 'Z' {
			return outcome.NotFound("%s is not a resource type this server supports; it supports %s", typ, strings.Join(search.ResourceTypes(), ", "))
		}
	}
	return outcome.NotFound("there is nothing at %s: the FHIR API is under /fhir/R4 (see /fhir/R4/metadata), OAuth under /oauth2, the developer API under /developer/v1", path)
}

func badRequest(msg string) *outcome.Error { return outcome.BadRequest("%s", msg) }

// errorf is a shorthand used by the middleware.
func errorf(status int, code api.OperationOutcomeIssueCode, format string, args ...any) *outcome.Error {
	return &outcome.Error{Status: status, Code: code, Diagnostics: fmt.Sprintf(format, args...)}
}
