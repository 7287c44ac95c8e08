package validate

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/gm-lhcr/lhcr/openapi"
)

func newValidator(t testing.TB) *Validator {
	t.Helper()
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	v, err := New(doc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// full is the general (kin-openapi) validation alone, without the fast path.
func (v *Validator) full(r *http.Request, pattern string) error {
	route := v.routes[pattern]
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: pathParams(route.Path, r.URL.EscapedPath()), Route: route, Options: v.options}
	return openapi3filter.ValidateRequest(r.Context(), in)
}

// TestFastPathAgreesWithKinOpenAPI checks every operation the fast path serves: whatever it
// accepts, kin-openapi accepts too, and what it refuses is then decided by kin-openapi.
func TestFastPathAgreesWithKinOpenAPI(t *testing.T) {
	v := newValidator(t)
	if v.fast["GET /fhir/R4/Patient/{id}"] == nil {
		t.Fatal("GET /fhir/R4/Patient/{id} has no fast path: the read by id is the operation it exists for")
	}
	if v.fast["POST /fhir/R4/Patient"] != nil {
		t.Error("POST /fhir/R4/Patient has a fast path, but it has a request body to validate")
	}
	values := []string{
		"story-diabetes", "9a1b2c3d-0000-4000-8000-000000000001", "a", "A.b-C", "1",
		strings.Repeat("x", 64), strings.Repeat("x", 65), // FHIRID's maximum length, and one over
		"bad_id", "bad%20id", "caf%C3%A9", "%2F", "a%2Fb", "..", "-", "ÿ",
	}
	headers := []http.Header{
		nil,
		{"X-Request-Id": {"my-request"}},
		{"X-Request-Id": {strings.Repeat("r", 201)}}, // over the declared maxLength: the general path refuses it
		{"Accept": {"application/fhir+json"}},        // not a declared parameter
	}
	checked := 0
	for pattern, f := range v.fast {
		method, path, _ := strings.Cut(pattern, " ")
		for _, val := range values {
			target := path
			for _, p := range f.params {
				segs := strings.Split(target, "/")
				segs[p.segment] = val
				target = strings.Join(segs, "/")
			}
			for _, h := range headers {
				r := httptest.NewRequest(method, target, nil)
				for k, vs := range h {
					r.Header[k] = vs
				}
				fastOK := f.valid(r)
				fullErr := v.full(r, pattern)
				if fastOK && fullErr != nil {
					t.Errorf("%s %s %v: the fast path accepts what kin-openapi refuses: %v", method, target, h, fullErr)
				}
				if (v.Check(r, pattern) == nil) != (fullErr == nil) {
					t.Errorf("%s %s %v: Check and kin-openapi disagree (kin-openapi: %v)", method, target, h, fullErr)
				}
				checked++
			}
		}
	}
	t.Logf("%d operations have the fast path; %d requests compared", len(v.fast), checked)
}

// TestFastPathDefersWhatItCannotDecide: a query or a declared header parameter sends the
// request to the general path, which gives the explanation.
func TestFastPathDefersWhatItCannotDecide(t *testing.T) {
	v := newValidator(t)
	f := v.fast["GET /fhir/R4/Patient/{id}"]
	for _, tc := range []struct {
		name string
		req  *http.Request
	}{
		{"query", httptest.NewRequest("GET", "/fhir/R4/Patient/p1?_format=xml", nil)},
		{"declared header", func() *http.Request {
			r := httptest.NewRequest("GET", "/fhir/R4/Patient/p1", nil)
			r.Header.Set("X-Correlation-ID", "c1")
			return r
		}()},
		{"invalid id", httptest.NewRequest("GET", "/fhir/R4/Patient/not_an_id", nil)},
	} {
		if f.valid(tc.req) {
			t.Errorf("%s: the fast path decided a request it must leave to kin-openapi", tc.name)
		}
	}
	if !f.valid(httptest.NewRequest("GET", "/fhir/R4/Patient/p1", nil)) {
		t.Error("a bare read of a valid id did not take the fast path")
	}
	e := v.Check(httptest.NewRequest("GET", "/fhir/R4/Patient/not_an_id", nil), "GET /fhir/R4/Patient/{id}")
	if e == nil || e.Status != http.StatusBadRequest || !strings.Contains(e.Diagnostics, `"id"`) {
		t.Errorf("invalid id: %+v, want a 400 that names the id parameter", e)
	}
}

func TestSegment(t *testing.T) {
	for _, tc := range []struct {
		path string
		i    int
		want string
		ok   bool
	}{
		{"/fhir/R4/Patient/p1", 4, "p1", true},
		{"/fhir/R4/Patient/p1/_history/2", 4, "p1", true},
		{"/fhir/R4/Patient/p1/_history/2", 6, "2", true},
		{"/fhir/R4/Patient", 4, "", false},
		{"/fhir/R4/Patient/", 4, "", true},
	} {
		got, ok := segment(tc.path, tc.i)
		if got != tc.want || ok != tc.ok {
			t.Errorf("segment(%q, %d) = %q, %v; want %q, %v", tc.path, tc.i, got, ok, tc.want, tc.ok)
		}
	}
}
