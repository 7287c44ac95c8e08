// Package validate checks every request against the contract (openapi/lhcr.yaml) with
// kin-openapi before it reaches a handler, and turns what is wrong into a clear error: an
// OperationOutcome on FHIR and developer routes, an RFC 6749 error on OAuth routes.
//
// Routing is done by net/http's ServeMux: the validator looks the matched pattern up in a table
// built from the contract at start-up, so no second router runs.
package validate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/gm-lhcr/lhcr/openapi/api"
	"github.com/gm-lhcr/lhcr/sandbox/internal/outcome"
)

// Validator validates requests against the contract.
type Validator struct {
	routes  map[string]*routers.Route // by ServeMux pattern, e.g. "GET /fhir/R4/Patient/{id}"
	fast    map[string]*fastRoute     // the operations a bare request can be checked for cheaply
	options *openapi3filter.Options
}

// fastRoute is what decides a bare request (no query and none of the operation's declared
// header parameters) to an operation without a request body to an operation whose only other inputs are string path parameters: those
// parameters are all there is to check. A read by id is such a request, and kin-openapi's
// general path (parameter decoding, security requirements, a map of path parameters) cost more
// than the rest of the validation put together.
type fastRoute struct {
	params  []fastParam
	headers []string // canonical names of the operation's header parameters
}

type fastParam struct {
	segment int // index of the parameter in the path split at "/"
	schema  *openapi3.Schema
	// plain is set for a string schema with no more than a pattern and lengths, checked here
	// without kin-openapi's schema walk (the common case: a FHIR id).
	plain *plainString
}

type plainString struct {
	pattern *regexp.Regexp // nil: any
	min     int
	max     int // -1: no maximum
}

// compilePlain returns the check of a string schema that has only a pattern and length limits,
// or nil.
func compilePlain(s *openapi3.Schema) *plainString {
	if s.Format != "" || len(s.Enum) > 0 || s.Not != nil || len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) > 0 {
		return nil
	}
	p := &plainString{min: int(s.MinLength), max: -1}
	if s.MaxLength != nil {
		p.max = int(*s.MaxLength)
	}
	if s.Pattern != "" {
		re, err := regexp.Compile(s.Pattern)
		if err != nil {
			return nil // kin-openapi decides
		}
		p.pattern = re
	}
	return p
}

func (p *plainString) valid(v string) bool {
	if n := utf8.RuneCountInString(v); n < p.min || (p.max >= 0 && n > p.max) {
		return false
	}
	return p.pattern == nil || p.pattern.MatchString(v)
}

// New builds the route table of doc.
func New(doc *openapi3.T) (*Validator, error) {
	v := &Validator{
		routes: map[string]*routers.Route{},
		options: &openapi3filter.Options{
			// Authentication is enforced by the auth layer, not by schema validation.
			AuthenticationFunc: func(context.Context, *openapi3filter.AuthenticationInput) error { return nil },
			// Leave the request as sent: handlers see what the client sent, not defaults.
			SkipSettingDefaults: true,
		},
	}
	v.fast = map[string]*fastRoute{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			v.routes[method+" "+path] = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
			if f := compileFast(path, item, op); f != nil {
				v.fast[method+" "+path] = f
			}
		}
	}
	if len(v.routes) == 0 {
		return nil, errors.New("validate: the contract has no operations")
	}
	return v, nil
}

// Route returns the contract's operation for a ServeMux pattern.
func (v *Validator) Route(pattern string) (*routers.Route, bool) {
	r, ok := v.routes[pattern]
	return r, ok
}

// Check validates r against the operation of the ServeMux pattern it matched (from
// (*http.ServeMux).Handler). It returns nil for a valid request or for a pattern that is not an
// operation of the contract.
func (v *Validator) Check(r *http.Request, pattern string) *outcome.Error {
	route, ok := v.routes[pattern]
	if !ok {
		return nil
	}
	if f := v.fast[pattern]; f != nil && f.valid(r) {
		return nil
	}
	// The general path also explains what the fast path refused.
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: pathParams(route.Path, r.URL.EscapedPath()), Route: route, Options: v.options}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		return Explain(r, err)
	}
	return nil
}

// compileFast returns the fast check of an operation, or nil when it has a request body, a
// required query or header parameter, a cookie parameter or a path parameter that is not a
// plain string (kin-openapi decodes those).
func compileFast(path string, item *openapi3.PathItem, op *openapi3.Operation) *fastRoute {
	if op.RequestBody != nil {
		return nil
	}
	segments := strings.Split(path, "/")
	f := &fastRoute{}
	params := append(openapi3.Parameters{}, item.Parameters...)
	params = append(params, op.Parameters...)
	for _, ref := range params {
		p := ref.Value
		if p == nil {
			return nil
		}
		switch p.In {
		case openapi3.ParameterInQuery:
			if p.Required {
				return nil
			}
		case openapi3.ParameterInHeader:
			if p.Required {
				return nil
			}
			f.headers = append(f.headers, http.CanonicalHeaderKey(p.Name))
		case openapi3.ParameterInPath:
			if p.Schema == nil || p.Schema.Value == nil || !p.Schema.Value.Type.Is(openapi3.TypeString) || p.Content != nil {
				return nil
			}
			i := slices.Index(segments, "{"+p.Name+"}")
			if i < 0 {
				return nil
			}
			f.params = append(f.params, fastParam{segment: i, schema: p.Schema.Value, plain: compilePlain(p.Schema.Value)})
		default:
			return nil
		}
	}
	return f
}

// valid reports whether r is a bare request whose path parameters match their schemas. False
// means "not decided here", not "invalid".
func (f *fastRoute) valid(r *http.Request) bool {
	// A body needs no check: these operations take none, and kin-openapi ignores one too.
	if r.URL.RawQuery != "" {
		return false
	}
	for _, h := range f.headers {
		if _, sent := r.Header[h]; sent {
			return false
		}
	}
	if len(f.params) == 0 {
		return true
	}
	path := r.URL.EscapedPath()
	for _, p := range f.params {
		seg, ok := segment(path, p.segment)
		if !ok {
			return false
		}
		if strings.Contains(seg, "%") {
			return false // escaped: the general path unescapes it
		}
		if p.plain != nil {
			if !p.plain.valid(seg) {
				return false
			}
		} else if p.schema.VisitJSON(seg) != nil {
			return false
		}
	}
	return true
}

// segment returns the i-th "/"-separated segment of path without allocating.
func segment(path string, i int) (string, bool) {
	for ; i > 0; i-- {
		j := strings.IndexByte(path, '/')
		if j < 0 {
			return "", false
		}
		path = path[j+1:]
	}
	if j := strings.IndexByte(path, '/'); j >= 0 {
		path = path[:j]
	}
	return path, true
}

// pathParams matches an escaped path against a contract path template such as /fhir/R4/Patient/{id}.
func pathParams(template, path string) map[string]string {
	params := map[string]string{}
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return params
	}
	for i, t := range ts {
		if len(t) > 2 && t[0] == '{' && t[len(t)-1] == '}' {
			// Split the escaped path, then unescape each segment: an encoded "/" stays inside its segment.
			if seg, err := url.PathUnescape(ps[i]); err == nil {
				params[t[1:len(t)-1]] = seg
			} else {
				params[t[1:len(t)-1]] = ps[i]
			}
		}
	}
	return params
}

// IsOAuth reports whether the path is an OAuth endpoint, whose errors follow RFC 6749.
func IsOAuth(path string) bool { return strings.HasPrefix(path, "/oauth2/") }

// WriteError sends e in the shape the route's clients expect: RFC 6749 JSON on OAuth endpoints,
// an OperationOutcome everywhere else.
func WriteError(w http.ResponseWriter, r *http.Request, e *outcome.Error) {
	if !IsOAuth(r.URL.Path) {
		e.Write(w)
		return
	}
	code := "invalid_request"
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(e.Status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": e.Diagnostics})
}

// Explain turns a kin-openapi validation error into an *outcome.Error with the right status and
// a message a newcomer can act on.
func Explain(r *http.Request, err error) *outcome.Error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &outcome.Error{Status: http.StatusRequestEntityTooLarge, Code: api.OperationOutcomeIssueCodeTooLong,
			Diagnostics: fmt.Sprintf("the request body is larger than the limit of %d bytes", mbe.Limit)}
	}
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return outcome.BadRequest("the request does not match the API contract: %s", err.Error())
	}
	if p := re.Parameter; p != nil {
		return outcome.BadRequest("invalid %s parameter %q: %s", p.In, p.Name, reason(re))
	}
	if re.RequestBody != nil {
		if strings.Contains(re.Reason, "header Content-Type has unexpected value") || strings.Contains(re.Error(), "header Content-Type has unexpected value") {
			allowed := make([]string, 0, len(re.RequestBody.Content))
			for ct := range re.RequestBody.Content {
				allowed = append(allowed, ct)
			}
			return &outcome.Error{Status: http.StatusUnsupportedMediaType, Code: api.OperationOutcomeIssueCodeNotSupported,
				Diagnostics: fmt.Sprintf("unsupported Content-Type %q: send %s", r.Header.Get("Content-Type"), strings.Join(allowed, " or "))}
		}
		var se *openapi3.SchemaError
		if errors.As(re.Err, &se) {
			if e := notAResource(r, se); e != nil {
				return e
			}
			e := outcome.Unprocessable("%s", schemaMessage(r, se))
			if expr := expression(r, se); expr != "" {
				e.Expression = []string{expr}
			}
			return e
		}
		var pe *openapi3filter.ParseError
		if errors.As(re.Err, &pe) {
			why := pe.Reason
			if pe.Cause != nil {
				why = pe.Cause.Error()
			}
			if why == "" {
				why = pe.Error()
			}
			return outcome.BadRequest("the request body is not valid %s: %s", bodyKind(r), why)
		}
		if errors.Is(re.Err, openapi3filter.ErrInvalidRequired) || re.Err == nil && strings.Contains(re.Reason, "required") {
			return outcome.BadRequest("the request needs a body")
		}
		return outcome.BadRequest("the request body is invalid: %s", reason(re))
	}
	return outcome.BadRequest("%s", reason(re))
}

func reason(re *openapi3filter.RequestError) string {
	var se *openapi3.SchemaError
	if errors.As(re.Err, &se) && se.Reason != "" {
		return se.Reason
	}
	var pe *openapi3filter.ParseError
	if errors.As(re.Err, &pe) && pe.Reason != "" {
		return pe.Reason
	}
	if re.Err != nil {
		return re.Err.Error()
	}
	return re.Reason
}

// expression renders a schema error's location as FHIRPath-like text: Patient.name[0].family.
func expression(r *http.Request, se *openapi3.SchemaError) string {
	ptr := se.JSONPointer()
	root := rootName(r)
	if root == "" {
		return strings.Join(ptr, ".")
	}
	var b strings.Builder
	b.WriteString(root)
	for _, p := range ptr {
		if p != "" && p[0] >= '0' && p[0] <= '9' {
			b.WriteString("[" + p + "]")
			continue
		}
		b.WriteString("." + p)
	}
	return b.String()
}

// rootName is the resource type of a FHIR write, from its path /fhir/R4/{Type}[/...].
func rootName(r *http.Request) string {
	rest, ok := strings.CutPrefix(r.URL.Path, "/fhir/R4/")
	if !ok {
		return ""
	}
	typ, _, _ := strings.Cut(rest, "/")
	return typ
}

// notAResource explains a FHIR body that is not a resource of the URL's type: a JSON value
// that is not an object cannot be read as a resource at all (400, as FHIR says), and a
// resourceType for another URL is named with where it belongs (422).
func notAResource(r *http.Request, se *openapi3.SchemaError) *outcome.Error {
	typ := rootName(r)
	if typ == "" || bodyKind(r) != "JSON" {
		return nil
	}
	ptr := se.JSONPointer()
	switch {
	case len(ptr) == 0 && (se.SchemaField == "type" || se.SchemaField == "nullable"):
		return outcome.BadRequest(`the body is not a JSON object: send one FHIR resource as JSON, e.g. {"resourceType": "%s", …}`, typ)
	case len(ptr) == 1 && ptr[0] == "resourceType" && se.SchemaField == "enum":
		sent, _ := se.Value.(string)
		e := outcome.Unprocessable("the body is a %q resource but this URL takes a %s: send a %s here, or the %s to /fhir/R4/%s", sent, typ, typ, sent, sent)
		e.Expression = []string{typ + ".resourceType"}
		return e
	}
	return nil
}

func schemaMessage(r *http.Request, se *openapi3.SchemaError) string {
	where := expression(r, se)
	if where == "" || where == rootName(r) {
		where = "the resource"
	}
	msg := se.Reason
	if strings.Contains(msg, "json.Number") {
		msg = "is a number too large or too precise for this server to store"
	}
	if msg == "" {
		msg = "does not match the schema (" + se.SchemaField + ")"
	}
	if se.SchemaField == "enum" && len(se.Schema.Enum) > 0 {
		vals := make([]string, 0, len(se.Schema.Enum))
		for _, e := range se.Schema.Enum {
			vals = append(vals, fmt.Sprint(e))
		}
		msg = "must be one of: " + strings.Join(vals, ", ")
	}
	if se.SchemaField == "nullable" {
		msg = "is null: leave an absent element out (FHIR JSON has no nulls)"
	}
	if se.SchemaField == "pattern" {
		msg = "has an invalid format"
		if se.Schema.Description != "" {
			msg += ": " + strings.TrimSpace(strings.SplitN(se.Schema.Description, "\n", 2)[0])
		}
	}
	return where + " " + msg
}

func bodyKind(r *http.Request) string {
	if strings.Contains(r.Header.Get("Content-Type"), "x-www-form-urlencoded") {
		return "form data"
	}
	return "JSON"
}
