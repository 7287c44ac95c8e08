package sandbox_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/gm-lhcr/lhcr/openapi"
)

// contractCheck validates every response a test sees against the contract: the status must be
// declared for the operation, and headers and body must match the declared schema. A sandbox
// that disagrees with its own contract fails its tests.
type contractCheck struct {
	t      testing.TB
	base   http.RoundTripper
	mux    *http.ServeMux
	routes map[string]*routers.Route
	mu     sync.Mutex
	seen   map[string]int // "METHOD path-template status" → count, for coverage reports
}

var (
	contractOnce sync.Once
	contractDoc  *openapi3.T
	contractErr  error
)

func newContractCheck(t testing.TB, base http.RoundTripper) *contractCheck {
	t.Helper()
	contractOnce.Do(func() { contractDoc, contractErr = openapi.Load() })
	if contractErr != nil {
		t.Fatal(contractErr)
	}
	c := &contractCheck{t: t, base: base, mux: http.NewServeMux(), routes: map[string]*routers.Route{}, seen: map[string]int{}}
	for path, item := range contractDoc.Paths.Map() {
		for method, op := range item.Operations() {
			pattern := method + " " + path
			c.routes[pattern] = &routers.Route{Spec: contractDoc, Path: path, PathItem: item, Method: method, Operation: op}
			c.mux.HandleFunc(pattern, func(http.ResponseWriter, *http.Request) {})
		}
	}
	return c
}

func (c *contractCheck) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err := c.validate(req, resp, body); err != nil {
		c.t.Errorf("contract violation: %s %s → %d: %v\nbody: %.500s", req.Method, req.URL.RequestURI(), resp.StatusCode, err, body)
	}
	return resp, nil
}

func (c *contractCheck) validate(req *http.Request, resp *http.Response, body []byte) error {
	probe := req.Clone(context.Background())
	probe.Host = ""
	_, pattern := c.mux.Handler(probe)
	route, ok := c.routes[pattern]
	if !ok {
		// Not an operation: the answer must still be an OperationOutcome (404/405), or an RFC 6749 error on OAuth paths.
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			return fmt.Errorf("no operation matches, yet the status is %d", resp.StatusCode)
		}
		if strings.HasPrefix(req.URL.Path, "/oauth2/") {
			return checkSchema(contractDoc, "OAuthError", body)
		}
		return checkSchema(contractDoc, "OperationOutcome", body)
	}
	c.mu.Lock()
	c.seen[fmt.Sprintf("%s %d", pattern, resp.StatusCode)]++
	c.mu.Unlock()
	params := map[string]string{}
	ts, ps := strings.Split(route.Path, "/"), strings.Split(req.URL.Path, "/")
	for i := range ts {
		if i < len(ps) && strings.HasPrefix(ts[i], "{") {
			params[strings.Trim(ts[i], "{}")] = ps[i]
		}
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	return openapi3filter.ValidateResponse(context.Background(), in)
}

func checkSchema(doc *openapi3.T, name string, body []byte) error {
	s := doc.Components.Schemas[name].Value
	v, err := decodeAny(body)
	if err != nil {
		return err
	}
	return s.VisitJSON(v)
}
