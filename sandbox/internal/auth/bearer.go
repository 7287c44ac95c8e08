package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/outcome"
	"github.com/gm-lhcr/lhcr/sandbox/internal/requestlog"
)

// Requirement is what an operation asks of its caller.
type Requirement struct {
	Bearer      bool        // an access token is required
	Type        string      // the resource type touched; "*" for every type ($everything)
	Interaction Interaction // what is done to it
}

// Requirements maps each operation of the contract, by ServeMux pattern ("GET /fhir/R4/Patient/{id}"),
// to what its caller needs: FHIR interactions need a token whose scopes cover them; discovery
// endpoints, OAuth endpoints and the developer API (API key) do not.
func Requirements(doc *openapi3.T) (map[string]Requirement, error) {
	out := map[string]Requirement{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			pattern := method + " " + path
			usesSmart := false
			if op.Security != nil {
				for _, req := range *op.Security {
					if _, ok := req["smart"]; ok {
						usesSmart = true
					}
				}
			}
			if !usesSmart {
				out[pattern] = Requirement{}
				continue
			}
			rest, ok := strings.CutPrefix(path, "/fhir/R4/")
			if !ok {
				return nil, fmt.Errorf("auth: %s uses SMART scopes outside the FHIR API", pattern)
			}
			typ, _, _ := strings.Cut(rest, "/")
			id := op.OperationID
			var in Interaction
			switch {
			case id == "patientEverything":
				typ, in = "*", Read
			case strings.HasPrefix(id, "search"):
				in = Search
			case strings.HasPrefix(id, "read"), strings.HasPrefix(id, "vread"), strings.HasPrefix(id, "history"):
				in = Read
			case strings.HasPrefix(id, "create"):
				in = Create
			case strings.HasPrefix(id, "update"):
				in = Update
			case strings.HasPrefix(id, "delete"):
				in = Delete
			default:
				return nil, fmt.Errorf("auth: no interaction known for operation %s", id)
			}
			out[pattern] = Requirement{Bearer: true, Type: typ, Interaction: in}
		}
	}
	return out, nil
}

type tokenKey struct{}

// TokenFrom returns the verified token of a request that passed Authorize.
func TokenFrom(ctx context.Context) (Token, bool) {
	t, ok := ctx.Value(tokenKey{}).(Token)
	return t, ok
}

// Authorize checks the bearer token of r against need. It returns the request with the token in
// its context, or an error to send: 401 (no, bad, expired or revoked token) or 403 (scopes that
// do not cover the interaction), with WWW-Authenticate as RFC 6750 describes.
func (s *Server) Authorize(w http.ResponseWriter, r *http.Request, need Requirement) (*http.Request, *outcome.Error) {
	h := r.Header.Get("Authorization")
	scheme, raw, _ := strings.Cut(h, " ")
	if h == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="lhcr"`)
		return r, &outcome.Error{Status: http.StatusUnauthorized, Code: api.OperationOutcomeIssueCodeLogin,
			Diagnostics: "no access token: get one from " + s.tokenURLFor(r) + " and send it as Authorization: Bearer <token>"}
	}
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="lhcr", error="invalid_request"`)
		return r, &outcome.Error{Status: http.StatusUnauthorized, Code: api.OperationOutcomeIssueCodeLogin,
			Diagnostics: "the Authorization header must be Bearer <access token>"}
	}
	t, err := s.Verify(r.Context(), strings.TrimSpace(raw))
	if err != nil {
		if errors.Is(err, errTokenExpired) || errors.Is(err, errTokenRevoked) {
			// The signature verified: the request can be shown in that app's request log.
			if id := s.unverifiedClient(raw); id != "" {
				requestlog.Attribute(r.Context(), id)
			}
		}
		code := api.OperationOutcomeIssueCodeLogin
		if errors.Is(err, errTokenExpired) {
			code = api.OperationOutcomeIssueCodeExpired
		}
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="lhcr", error="invalid_token", error_description=%q`, err.Error()))
		return r, &outcome.Error{Status: http.StatusUnauthorized, Code: code, Diagnostics: err.Error()}
	}
	requestlog.Attribute(r.Context(), t.ClientID)
	if !t.Granted.Allows(need.Type, need.Interaction) {
		want := suggest(need)
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="lhcr", error="insufficient_scope", scope=%q`, want))
		what := need.Type
		if what == "*" {
			what = "every resource type"
		}
		return r, &outcome.Error{Status: http.StatusForbidden, Code: api.OperationOutcomeIssueCodeForbidden,
			Diagnostics: fmt.Sprintf("the token's scopes (%s) do not allow %s of %s: request %s (the app must be registered for it)", t.Scope, need.Interaction, what, want)}
	}
	return r.WithContext(context.WithValue(r.Context(), tokenKey{}, t)), nil
}

// suggest names the v2 and v1 scopes that would cover need.
func suggest(need Requirement) string {
	v1 := "read"
	if need.Interaction&(Create|Update|Delete) != 0 {
		v1 = "write"
	}
	letter := map[Interaction]string{Read: "r", Search: "s", Create: "c", Update: "u", Delete: "d"}[need.Interaction]
	return fmt.Sprintf("system/%s.%s or system/%s.%s", need.Type, letter, need.Type, v1)
}

// unverifiedClient reads the client id of a token whose signature verified but which failed a
// later check (expired, revoked).
func (s *Server) unverifiedClient(raw string) string {
	tok, err := parseAccess(raw)
	if err != nil {
		return ""
	}
	var c accessClaims
	if err := tok.Claims(s.verifyKey.Key, &c); err != nil {
		return ""
	}
	if c.ClientID != "" {
		return c.ClientID
	}
	return c.Subject
}
